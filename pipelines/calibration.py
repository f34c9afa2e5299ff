"""Per-detection confidence: a monotonic map from a detector's raw score to a Rekognition-style percent.

Why: CenterNet's raw scores for true objects are mostly 0.25-0.7 (the bikes.mp4 cyclist: person ~0.48,
bicycle ~0.34), so a Rekognition user's ``MinConfidence=50`` applied to raw scores x 100 would drop real
objects. The calibrated confidence approximates the measured *precision* at that raw score: among
detections scoring about s, the fraction that were right. "confidence >= 50" then keeps detections that
were right at least about half of the time.

How ``DEFAULT_CALIBRATION`` (``pipelines/data/calibration_centernet.json``) was measured, by
``benchmarks/detector_accuracy.py --write-calibration``: CenterNet (letterboxed, per-class NMS 0.5,
raw floor 0.05) on the 4 photos of ../shared/media/images and 20 labelled frames of bikes.mp4
(tests/data/bikes_ground_truth.json). Each detection is true (class present and, where boxes are
labelled, centre inside a labelled box of that class), false, or neutral (an acceptable class, ignored).
Detections are binned by raw score; the per-bin precision is made non-decreasing with pool-adjacent-
violators; the curve interpolates linearly between (mean raw score of the bin, precision %), from (0, 0)
to (1, 99). Measured (true/false -> %): 0.05-0.10: 199/708 -> 22; 0.10-0.15: 96/152 -> 39;
0.15-0.25: 78/66 -> 54; 0.25-0.30: 19/11 -> 63; 0.30-0.40: 20/7 -> 74; 0.40-0.50: 16/2 -> 89;
>= 0.50: 20/0 -> 99 (capped: 20 of 20 is not certainty). So confidence 50 ~ raw 0.16.

Limits: 1,394 judged detections from 24 images, one clip; the photo detections are judged by class
only. One curve for all labels (per-label curves are supported by the data format but there are too few
examples per class to fit them). The label aggregator combines these per-detection confidences with
evidence across neighbouring sampled frames.

For user-supplied ONNX detectors, ``IDENTITY_CALIBRATION`` (score x 100) is used unless configured.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

Curve = tuple[tuple[float, ...], tuple[float, ...]]


def _curve(points: Sequence[Sequence[float]]) -> Curve:
    xs = tuple(float(p[0]) for p in points)
    ys = tuple(float(p[1]) for p in points)
    if len(xs) < 2:
        raise ValueError("a calibration curve needs at least two points")
    if any(b <= a for a, b in itertools.pairwise(xs)):
        raise ValueError("calibration raw scores must be strictly increasing")
    if any(b < a for a, b in itertools.pairwise(ys)):
        raise ValueError("calibration confidences must be non-decreasing (the map must be monotonic)")
    if not (min(ys) >= 0.0 and max(ys) <= 100.0):
        raise ValueError("calibration confidences must be in [0, 100]")
    return xs, ys


@dataclass(frozen=True)
class ScoreCalibration:
    """Piecewise-linear, non-decreasing map raw score (0..1) -> confidence (percent, 0..100).

    ``default``: [(raw, percent), ...] used for every label without its own curve in ``per_label``.
    Scores outside the first/last point are clamped to the end values.
    """

    default: Curve
    per_label: Mapping[str, Curve] = field(default_factory=dict)
    name: str = "custom"

    @classmethod
    def from_points(
        cls,
        points: Sequence[Sequence[float]],
        per_label: Mapping[str, Sequence[Sequence[float]]] | None = None,
        name: str = "custom",
    ) -> ScoreCalibration:
        labels = {label: _curve(p) for label, p in (per_label or {}).items()}
        return cls(default=_curve(points), per_label=labels, name=name)

    @classmethod
    def from_json(cls, data: Mapping[str, Any], name: str = "custom") -> ScoreCalibration:
        """From ``{"points": [[raw, percent], ...], "per_label": {label: points}}`` (per_label optional)."""
        return cls.from_points(data["points"], data.get("per_label"), name)

    @classmethod
    def from_file(cls, path: Path) -> ScoreCalibration:
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")), name=path.stem)

    def confidence(self, label: str, raw_score: float) -> float:
        """Calibrated confidence in percent (0..100) of a ``label`` detection with ``raw_score``."""
        xs, ys = self.per_label.get(label, self.default)
        return float(np.interp(raw_score, xs, ys))


def _load_default() -> ScoreCalibration:
    text = (
        resources.files("pipelines").joinpath("data/calibration_centernet.json").read_text(encoding="utf-8")
    )
    return ScoreCalibration.from_json(json.loads(text), name="centernet-human-models-3.0.4")


#: CenterNet calibration measured on the labelled photos and bikes.mp4 frames (see the module docstring).
DEFAULT_CALIBRATION: ScoreCalibration = _load_default()

#: confidence = raw score x 100, for user-supplied detectors whose scores are not measured here.
IDENTITY_CALIBRATION: ScoreCalibration = ScoreCalibration.from_points(
    [[0.0, 0.0], [1.0, 100.0]], name="identity"
)
