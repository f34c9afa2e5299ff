"""Greedy non-maximum suppression, vectorised with numpy, per class."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]


def pairwise_iou(box: FloatArray, boxes: FloatArray) -> FloatArray:
    """IoU of one corner box ``[x1, y1, x2, y2]`` with each row of ``boxes`` (shape [N, 4])."""
    iw = np.clip(np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0]), 0.0, None)
    ih = np.clip(np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1]), 0.0, None)
    inter = iw * ih
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    union = area + areas - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0).astype(np.float32)


def non_max_suppression(
    boxes: FloatArray, scores: FloatArray, iou_threshold: float, max_keep: int | None = None
) -> IntArray:
    """Indices of the boxes kept, best score first.

    ``boxes``: [N, 4] corners x1, y1, x2, y2 (any unit). ``iou_threshold`` (ratio, 0..1): a box whose
    IoU with a better-scored kept box exceeds it is dropped. Too low (< 0.3) merges neighbouring
    objects of one class (a row of parked bicycles becomes one); too high (> 0.7) keeps duplicates.
    """
    order = np.argsort(-scores, kind="stable")
    keep: list[int] = []
    while order.size > 0:
        best = int(order[0])
        keep.append(best)
        if max_keep is not None and len(keep) >= max_keep:
            break
        rest = order[1:]
        order = rest[pairwise_iou(boxes[best], boxes[rest]) <= iou_threshold]
    return np.asarray(keep, dtype=np.int64)


def per_class_nms(
    boxes: FloatArray,
    scores: FloatArray,
    class_ids: IntArray,
    iou_threshold: float,
    max_keep: int | None = None,
) -> IntArray:
    """NMS applied within each class only: boxes of different classes never suppress each other.

    Uses the offset trick: each class's boxes are shifted by a distinct offset larger than any
    coordinate, so one NMS pass cannot match boxes across classes.
    """
    if boxes.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    span = float(np.max(np.abs(boxes))) + 1.0
    shifted = (boxes + (class_ids.astype(np.float32) * 2.0 * span)[:, None]).astype(np.float32)
    return non_max_suppression(shifted, scores, iou_threshold, max_keep)
