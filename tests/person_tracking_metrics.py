"""MOT metrics (motmetrics: MOTA, IDF1, ID switches) of person-tracking results against a ground truth.

A prediction matches a truth box when their IoU is >= ``MIN_IOU`` (0.5, the MOTChallenge convention).
Truth boxes less visible than :data:`tests.person_scene.MIN_VISIBILITY` are "don't care": predictions
matching them are removed before scoring, and they are not counted as misses.
(motmetrics' own ``iou_matrix`` calls ``np.asfarray``, gone in numpy 2, so IoU is computed here.)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import motmetrics as mm
import numpy as np
import numpy.typing as npt

from tests.person_scene import MIN_VISIBILITY, TruthBox, TruthFrame

MIN_IOU = 0.5

Box = tuple[float, float, float, float]  # left, top, width, height (ratios)


@dataclass(frozen=True)
class PredictedBox:
    timestamp_ms: int
    index: int
    box: Box


@dataclass(frozen=True)
class TrackingScores:
    mota: float
    idf1: float
    id_switches: int
    misses: int
    false_positives: int
    truth_boxes: int
    predicted_ids: int

    def row(self) -> str:
        return (
            f"MOTA {self.mota:.3f}  IDF1 {self.idf1:.3f}  ID switches {self.id_switches}  "
            f"misses {self.misses}/{self.truth_boxes}  false positives {self.false_positives}  "
            f"indexes {self.predicted_ids}"
        )


def iou_matrix(a: Sequence[Box], b: Sequence[Box]) -> npt.NDArray[np.float64]:
    if not a or not b:
        return np.zeros((len(a), len(b)))
    aa = np.asarray(a, dtype=np.float64)[:, None]
    bb = np.asarray(b, dtype=np.float64)[None]
    iw = np.minimum(aa[..., 0] + aa[..., 2], bb[..., 0] + bb[..., 2]) - np.maximum(aa[..., 0], bb[..., 0])
    ih = np.minimum(aa[..., 1] + aa[..., 3], bb[..., 1] + bb[..., 3]) - np.maximum(aa[..., 1], bb[..., 1])
    inter = np.clip(iw, 0, None) * np.clip(ih, 0, None)
    union = aa[..., 2] * aa[..., 3] + bb[..., 2] * bb[..., 3] - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0)


def _box(t: TruthBox) -> Box:
    return (t.left, t.top, t.width, t.height)


def score_tracking(
    truth: Sequence[TruthFrame], sampled_ms: Iterable[int], predictions: Sequence[PredictedBox]
) -> TrackingScores:
    """Score ``predictions`` at the sampled instants (the truth frame with the same timestamp)."""
    by_time: dict[int, list[PredictedBox]] = {}
    for p in predictions:
        by_time.setdefault(p.timestamp_ms, []).append(p)
    truth_at = {f.timestamp_ms: f for f in truth}
    acc = mm.MOTAccumulator(auto_id=True)
    truth_boxes = 0
    for ts in sampled_ms:
        frame = truth_at[ts]
        cared = [t for t in frame.people if t.visibility >= MIN_VISIBILITY]
        ignored = [t for t in frame.people if t.visibility < MIN_VISIBILITY]
        preds = by_time.get(ts, [])
        if preds and ignored:
            cared_iou = iou_matrix([p.box for p in preds], [_box(t) for t in cared])
            ignored_iou = iou_matrix([p.box for p in preds], [_box(t) for t in ignored])
            best_cared = cared_iou.max(axis=1) if cared else np.zeros(len(preds))
            keep = ~((ignored_iou.max(axis=1) >= MIN_IOU) & (best_cared < MIN_IOU))
            preds = [p for p, k in zip(preds, keep, strict=True) if k]
        truth_boxes += len(cared)
        iou = iou_matrix([_box(t) for t in cared], [p.box for p in preds])
        distances = np.where(iou >= MIN_IOU, 1.0 - iou, np.nan)
        acc.update([t.person for t in cared], [p.index for p in preds], distances)
    summary = mm.metrics.create().compute(
        acc, metrics=["mota", "idf1", "num_switches", "num_misses", "num_false_positives"], name="run"
    )
    row = summary.loc["run"]
    return TrackingScores(
        mota=float(row["mota"]),
        idf1=float(row["idf1"]),
        id_switches=int(row["num_switches"]),
        misses=int(row["num_misses"]),
        false_positives=int(row["num_false_positives"]),
        truth_boxes=truth_boxes,
        predicted_ids=len({p.index for p in predictions}),
    )
