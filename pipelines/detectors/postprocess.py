"""From a detector's decoded output to ``Detection`` objects: the steps every object detector shares.

A detector owns its input preparation and the decoding of its raw output into :class:`DecodedBoxes`
(corner boxes in model-input pixels, one score and class per box). :meth:`Postprocessing.detections`
does the rest: drop boxes under ``min_score`` and class ids outside ``class_names``, map the boxes back
to ratios of the source image (undoing the letterbox or stretch), per-class NMS, drop boxes left with no
area (wholly in the padding), and name the classes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipelines.detection import Detection
from pipelines.detectors.letterbox import InputPlacement
from pipelines.detectors.nms import FloatArray, IntArray, per_class_nms
from pipelines.geometry import BoundingBox


@dataclass(frozen=True, slots=True)
class DecodedBoxes:
    """A model's candidates: ``corners`` [N, 4] x1, y1, x2, y2 in model-input pixels, ``scores`` [N]
    raw scores in [0, 1], ``class_ids`` [N] 0-based indices into the detector's class names."""

    corners: FloatArray
    scores: FloatArray
    class_ids: IntArray


@dataclass(frozen=True, slots=True)
class Postprocessing:
    """The knobs every detector shares.

    - ``class_names``: names for class ids 0..C-1; other ids are dropped.
    - ``min_score``: raw score floor (0..1, inclusive); each detector's docstring says what suits it.
    - ``iou_threshold``: per-class NMS IoU (0..1), default 0.5; see :mod:`pipelines.detectors.nms`.
    - ``max_detections``: at most this many boxes kept by NMS per image (None: no cap), a guard
      against a flood of weak boxes.
    """

    class_names: Sequence[str]
    min_score: float
    iou_threshold: float = 0.5
    max_detections: int | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_score <= 1.0:
            raise ValueError(f"min_score must be in [0, 1], got {self.min_score}")
        if not 0.0 <= self.iou_threshold <= 1.0:
            raise ValueError(f"iou_threshold must be in [0, 1], got {self.iou_threshold}")
        if self.max_detections is not None and self.max_detections < 1:
            raise ValueError(f"max_detections must be >= 1 or None, got {self.max_detections}")

    def detections(self, decoded: DecodedBoxes, placement: InputPlacement) -> list[Detection]:
        """The detections in ratios of the source image, best score first."""
        ids = decoded.class_ids
        selected = (decoded.scores >= self.min_score) & (ids >= 0) & (ids < len(self.class_names))
        scores, class_ids = decoded.scores[selected], ids[selected]
        corners = placement.to_source_ratios(decoded.corners[selected])
        keep = per_class_nms(corners, scores, class_ids, self.iou_threshold, self.max_detections)
        detections = []
        for i in keep:
            x1, y1, x2, y2 = (float(v) for v in corners[i])
            if x2 - x1 <= 0 or y2 - y1 <= 0:
                continue
            box = BoundingBox.from_corners(x1, y1, x2, y2)
            detections.append(Detection(self.class_names[int(class_ids[i])], float(scores[i]), box))
        return detections
