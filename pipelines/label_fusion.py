"""How one label's confidence is formed when several models name it in one picture.

A label can come from the object detector (its boxes' calibrated confidences, :mod:`pipelines.calibration`)
and from image-level sources (the classifier's summed probability and the face models, each calibrated
in :mod:`pipelines.image_level_calibration`): Car from a detected car and from the classifier's "sports
car", Person from a detected person and from a Face. Every source's confidence is already about the
precision of that source at that score, so the label takes **the highest** of them.

Measured on the labelled set (``benchmarks/label_calibration.py``, same curves): the maximum and a
noisy-OR (``1 - (1 - a)(1 - b)``) return the same labels at MinConfidence 50; the mean loses labels
(macro recall 0.36 -> 0.32) without gaining precision. The noisy-OR would also claim more certainty than
either source measured, which is only right for independent sources, and these two look at the same
pixels. The detector's boxes keep their own confidences as instances; a label found only by an
image-level source has no instances.
"""

from __future__ import annotations


def fused_confidence(*confidences: float | None) -> float:
    """The label's confidence (percent) from its sources' calibrated confidences (None: the source did
    not name the label); 0 when none did."""
    present = [c for c in confidences if c is not None]
    return min(max(max(present, default=0.0), 0.0), 100.0)
