"""User-supplied YOLO-family ONNX detectors (YOLOv8-style and YOLOX-style outputs).

Accepted models (one image input, NCHW float32 [1, 3, S, S]; the first output is used):

- ``yolov8`` (Ultralytics YOLOv5u/v8/v11 ``export(format="onnx")``): output [1, 4 + C, N]; rows are
  cx, cy, w, h in input pixels, then C class scores (already sigmoided, no objectness). Input: RGB
  scaled to 0..1, letterboxed with grey (114) padding.
- ``yolox`` (YOLOX exported with ``--decode_in_inference``): output [1, N, 5 + C]; cx, cy, w, h in input
  pixels, objectness, C class scores; score = objectness x class score. Input: BGR 0..255, not
  normalised (YOLOX >= 0.2 preprocessing), letterboxed with 114 padding.
- ``yolox-raw`` (YOLOX's default export, without ``--decode_in_inference``): same tensor, but boxes are
  grid offsets and log sizes over strides 8, 16, 32; they are decoded here
  (``xy = (raw + cell) * stride``, ``wh = exp(raw) * stride``).

A model with a fixed input size uses that size; ``input_size`` applies only to dynamic-shape models.
Class names come from ``class_names`` (default COCO 80); their number must match C.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt

from pipelines.detection import Detection, RGBImage
from pipelines.detectors.coco import COCO_CLASSES
from pipelines.detectors.letterbox import SquareInput
from pipelines.detectors.postprocess import DecodedBoxes, Postprocessing
from pipelines.onnx_session import create_session

YoloLayout = Literal["yolov8", "yolox", "yolox-raw"]
LAYOUTS: tuple[str, ...] = ("yolov8", "yolox", "yolox-raw")
YOLOX_STRIDES: tuple[int, ...] = (8, 16, 32)
PAD_VALUE = 114
#: At most this many detections per image after NMS (a guard against a flood of weak boxes).
MAX_DETECTIONS = 300


def decode_yolov8(output: npt.NDArray[np.float32], num_classes: int) -> DecodedBoxes:
    """[1, 4 + C, N] -> corner boxes [N, 4] in input pixels, best class score [N], its class id [N]."""
    rows = np.asarray(output, dtype=np.float32).reshape(output.shape[-2], output.shape[-1]).T
    if rows.shape[1] != 4 + num_classes:
        raise ValueError(f"yolov8 layout: expected 4 + {num_classes} rows per box, got {rows.shape[1]}")
    class_scores = rows[:, 4:]
    class_ids = np.argmax(class_scores, axis=1)
    scores = class_scores[np.arange(rows.shape[0]), class_ids]
    return DecodedBoxes(_centre_to_corners(rows[:, :4]), scores, class_ids)


def decode_yolox(
    output: npt.NDArray[np.float32], num_classes: int, *, input_size: int | None = None
) -> DecodedBoxes:
    """[1, N, 5 + C] -> corner boxes, scores = objectness x class score, class ids.

    With ``input_size`` the boxes are raw (grid offsets, log sizes) and are decoded first.
    """
    rows = np.asarray(output, dtype=np.float32).reshape(output.shape[-2], output.shape[-1]).copy()
    if rows.shape[1] != 5 + num_classes:
        raise ValueError(f"yolox layout: expected 5 + {num_classes} values per box, got {rows.shape[1]}")
    if input_size is not None:
        rows[:, :4] = _decode_yolox_grid(rows[:, :4], input_size)
    class_ids = np.argmax(rows[:, 5:], axis=1)
    scores = rows[:, 4] * rows[np.arange(rows.shape[0]), 5 + class_ids]
    return DecodedBoxes(_centre_to_corners(rows[:, :4]), scores, class_ids)


def _decode_yolox_grid(raw: npt.NDArray[np.float32], input_size: int) -> npt.NDArray[np.float32]:
    cells = []
    strides = []
    for stride in YOLOX_STRIDES:
        n = input_size // stride
        ys, xs = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
        cells.append(np.stack([xs.ravel(), ys.ravel()], axis=1))
        strides.append(np.full((n * n, 1), stride))
    grid = np.concatenate(cells).astype(np.float32)
    stride_col = np.concatenate(strides).astype(np.float32)
    if grid.shape[0] != raw.shape[0]:
        raise ValueError(
            f"yolox-raw layout: {raw.shape[0]} boxes, but strides {YOLOX_STRIDES} at input {input_size} "
            f"give {grid.shape[0]}; is the model exported with decoding (use layout 'yolox')?"
        )
    out = np.empty_like(raw)
    out[:, :2] = (raw[:, :2] + grid) * stride_col
    out[:, 2:] = np.exp(raw[:, 2:]) * stride_col
    return out


def _centre_to_corners(cxcywh: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    half = cxcywh[:, 2:4] / 2.0
    return np.concatenate([cxcywh[:, :2] - half, cxcywh[:, :2] + half], axis=1).astype(np.float32)


class YoloDetector:
    """Runs a user-supplied YOLOv8- or YOLOX-layout ONNX (see the module docstring for what is accepted).

    Knobs: ``input_size`` (pixels, 32..2048, multiple of 32; only for dynamic-shape models: a size the
    model was not trained at loses small objects when smaller, costs time quadratically when larger);
    ``threads`` (onnxruntime intra-op threads); ``min_score`` (raw score floor 0..1: YOLO scores of true
    objects are typically 0.3-0.9; too low floods the aggregator, too high loses small objects);
    ``iou_threshold`` (per-class NMS, default 0.5).
    """

    def __init__(
        self,
        model_path: Path,
        layout: str,
        class_names: Sequence[str] = COCO_CLASSES,
        input_size: int = 640,
        threads: int = 2,
        min_score: float = 0.25,
        *,
        iou_threshold: float = 0.5,
    ) -> None:
        if layout not in LAYOUTS:
            raise ValueError(f"unknown detector layout {layout!r}; expected one of {', '.join(LAYOUTS)}")
        self.layout = layout
        self.postprocessing = Postprocessing(tuple(class_names), min_score, iou_threshold, MAX_DETECTIONS)
        self.model_version = f"{Path(model_path).stem}-{layout}"
        self._session = create_session(Path(model_path), threads)
        model_input = self._session.get_inputs()[0]
        self._input_name = model_input.name
        shape = list(model_input.shape)
        if len(shape) != 4 or shape[1] not in (3, "3"):
            raise ValueError(f"{model_path}: expected an NCHW [1, 3, S, S] input, got {shape}")
        fixed = [d for d in shape[2:] if isinstance(d, int)]
        self.input_size = fixed[0] if len(fixed) == 2 and fixed[0] == fixed[1] else input_size
        self.square_input = SquareInput(self.input_size, letterbox=True, fill=PAD_VALUE)
        self._output_name = self._session.get_outputs()[0].name

    def detect(self, image: RGBImage) -> list[Detection]:
        pixels, placement = self.square_input.place(image)
        if self.layout == "yolov8":
            tensor = pixels.astype(np.float32) / 255.0
        else:
            tensor = pixels[:, :, ::-1].astype(np.float32)  # YOLOX: BGR, 0..255
        batch = np.ascontiguousarray(tensor.transpose(2, 0, 1)[None])
        (output,) = self._session.run([self._output_name], {self._input_name: batch})
        return self.postprocessing.detections(self._decode(np.asarray(output, dtype=np.float32)), placement)

    def _decode(self, output: npt.NDArray[np.float32]) -> DecodedBoxes:
        num_classes = len(self.postprocessing.class_names)
        if self.layout == "yolov8":
            return decode_yolov8(output, num_classes)
        grid_size = self.input_size if self.layout == "yolox-raw" else None
        return decode_yolox(output, num_classes, input_size=grid_size)
