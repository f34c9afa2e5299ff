"""Calibration of the labels without boxes: score -> measured precision, as for the detector's boxes.

Three curves, in ``pipelines/data/calibration_image_labels.json`` (written by
``benchmarks/label_calibration.py --write``):

* ``classifier_own`` and ``classifier_ancestor``: a label's summed ImageNet probability (0..1) ->
  confidence, for the labels that are a class's own label and for those that are only parents
  (:mod:`pipelines.classification.label_scores` says why two);
* ``face``: MTCNN's face confidence / 100 -> confidence of the label Face (:mod:`pipelines.face_labels`).

**How a curve is fitted** (:func:`fit_curve`): every label the source gives on every image of the
labelled set (``tests/data/label_sets.json``) is judged right (its name or an alias is in the image's
required or acceptable tier) or wrong; the judged points are sorted by score and fitted with
pool-adjacent-violators (isotonic regression), so precision never falls as the score rises, into blocks
that are each a maximal run of one fitted value; each block's precision is then estimated with
Laplace's rule, (right + 1) / (judged + 2), because the blocks are small (a block of 3 right out of 3
is not certainty: it reads 80 %), and pooled again where that smoothing broke the order. The curve is
flat at a block's precision from its lowest to its highest score and linear between blocks (and from
(0, 0) to the first block), the way isotonic regression is read. The set is small
(41 images; a few hundred judged labels per classifier curve, only dozens of them with a high score,
and 15 faces), so a curve says "about this precision on pictures like these", not more;
``benchmarks/label_quality.md`` reports figures measured with the curves fitted without the image
being scored (leave one clip or photo out) beside the in-sample ones.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from pipelines.calibration import ScoreCalibration

DATA_FILE = "data/calibration_image_labels.json"
CURVES = ("classifier_own", "classifier_ancestor", "face")


@dataclass(frozen=True)
class ImageLevelCalibration:
    """The three curves (see the module docstring)."""

    classifier_own: ScoreCalibration
    classifier_ancestor: ScoreCalibration
    face: ScoreCalibration

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> ImageLevelCalibration:
        """From ``{"curves": {name: {"points": [[score, percent], ...]}, ...}}``."""
        curves = document["curves"]
        missing = [name for name in CURVES if name not in curves]
        if missing:
            raise ValueError(f"calibration curves missing: {missing}")
        return cls(*(ScoreCalibration.from_json(curves[name], name=name) for name in CURVES))

    @classmethod
    def load_default(cls) -> ImageLevelCalibration:
        """The packaged curves (``pipelines/data/calibration_image_labels.json``)."""
        text = resources.files("pipelines").joinpath(DATA_FILE).read_text(encoding="utf-8")
        return cls.from_json(json.loads(text))


@dataclass(frozen=True, slots=True)
class Block:
    """One pooled run of judged points: its lowest, mean and highest score, how many were right, how many
    were judged, and the smoothed (then re-pooled) precision in [0, 1]."""

    low: float
    mean_score: float
    high: float
    right: int
    judged: int
    precision: float


def _pool(values: list[float], weights: list[float]) -> list[tuple[float, float, int]]:
    """Pool-adjacent-violators: (value, weight, members) of the non-decreasing fit's blocks, each a
    maximal run of one value (equal neighbours are pooled too)."""
    blocks: list[tuple[float, float, int]] = []
    for value, weight in zip(values, weights, strict=True):
        blocks.append((value, weight, 1))
        while len(blocks) > 1 and blocks[-2][0] >= blocks[-1][0]:
            v2, w2, n2 = blocks.pop()
            v1, w1, n1 = blocks.pop()
            blocks.append(((v1 * w1 + v2 * w2) / (w1 + w2), w1 + w2, n1 + n2))
    return blocks


def fit_blocks(judged: Iterable[tuple[float, bool]]) -> list[Block]:
    """The isotonic, Laplace-smoothed blocks of ``judged`` (score, right) points (see the module
    docstring). Points with equal scores always share a block."""
    by_score: dict[float, list[bool]] = {}
    for score, is_right in judged:
        by_score.setdefault(float(score), []).append(bool(is_right))
    if not by_score:
        raise ValueError("no judged points to fit")
    scores = sorted(by_score)
    groups = [by_score[s] for s in scores]
    raw = _pool([sum(g) / len(g) for g in groups], [float(len(g)) for g in groups])
    pooled: list[tuple[float, float, float, int, int]] = []  # (low, mean, high, right, judged)
    start = 0
    for _, _, members in raw:
        part = range(start, start + members)
        judged_count = sum(len(groups[i]) for i in part)
        right_count = sum(sum(groups[i]) for i in part)
        mean = sum(scores[i] * len(groups[i]) for i in part) / judged_count
        pooled.append((scores[part[0]], mean, scores[part[-1]], right_count, judged_count))
        start += members
    smoothed = [(right + 1) / (n + 2) for *_, right, n in pooled]
    fitted: list[float] = []
    for value, _, members in _pool(smoothed, [float(p[-1]) for p in pooled]):
        fitted.extend([value] * members)
    return [Block(*block, precision) for block, precision in zip(pooled, fitted, strict=True)]


def curve_points(blocks: Iterable[Block]) -> list[list[float]]:
    """``[[score, percent], ...]`` for :class:`ScoreCalibration`: (0, 0), then each block's precision
    from its lowest to its highest score (flat inside a block, linear between two blocks, as isotonic
    regression reads), and the last block's precision held to score 1."""
    points = [[0.0, 0.0]]
    for block in blocks:
        percent = round(100.0 * block.precision, 1)
        for edge in (block.low, block.high):
            score = round(edge, 6)
            if score > points[-1][0]:
                points.append([score, percent])
    if points[-1][0] < 1.0:
        points.append([1.0, points[-1][1]])
    return points


def fit_curve(judged: Iterable[tuple[float, bool]], name: str = "fitted") -> ScoreCalibration:
    """A calibration curve fitted to ``judged`` (score, right) points."""
    return ScoreCalibration.from_points(curve_points(fit_blocks(judged)), name=name)
