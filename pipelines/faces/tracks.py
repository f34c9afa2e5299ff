"""Which face in a sampled frame belongs to which person: a simple tracker on face boxes and descriptors.

A face continues a person's track when the person was seen at most ``max_gap_ms`` ago and either their
boxes overlap (IoU >= ``MIN_IOU``) or their descriptors are the same person's (distance <=
``THRESHOLD_DISTANCE``, i.e. similarity >= 80). A face that continues no recent track is matched to any
earlier track by descriptor only, with the stricter ``REIDENTIFY_DISTANCE``, so a person who leaves and
comes back keeps their index. Otherwise it starts a new person. Assignment is greedy, best pair first,
one face per track per frame.

This tracks faces only (no body detector): a person whose face is not visible is not tracked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pipelines.faces.embedding import FaceVector
from pipelines.faces.similarity import THRESHOLD_DISTANCE
from pipelines.geometry import BoundingBox

#: Boxes of one face in consecutive samples overlap at least this much (IoU, 0-1). Lower links passers-by
#: who cross; higher breaks tracks of faces that move fast between samples (then descriptors still link).
MIN_IOU = 0.3

#: Descriptor distance for re-identifying a person after a gap longer than the tracker's ``max_gap_ms``.
#: Stricter than the match threshold (same person across carphone frames: <= 0.47).
REIDENTIFY_DISTANCE = 0.5


@dataclass
class _Track:
    index: int
    box: BoundingBox
    vector: FaceVector
    last_ms: int
    vectors_seen: int = 1
    mean: FaceVector = field(init=False)

    def __post_init__(self) -> None:
        self.mean = self.vector.copy()

    def update(self, box: BoundingBox, vector: FaceVector, timestamp_ms: int) -> None:
        self.box, self.vector, self.last_ms = box, vector, timestamp_ms
        self.vectors_seen += 1
        self.mean = (self.mean + (vector - self.mean) / self.vectors_seen).astype(np.float32)


class FaceTracker:
    """Give each face of successive frames a person index (0, 1, 2 ... in order of first appearance)."""

    def __init__(self, max_gap_ms: float) -> None:
        self._max_gap_ms = max_gap_ms
        self._tracks: list[_Track] = []

    def assign(self, timestamp_ms: int, boxes: list[BoundingBox], vectors: list[FaceVector]) -> list[int]:
        """Person indices of the faces of one frame, in the order given."""
        result: list[int | None] = [None] * len(boxes)
        recent = [t for t in self._tracks if timestamp_ms - t.last_ms <= self._max_gap_ms]
        pairs: list[tuple[float, int, _Track]] = []
        for i, (box, vector) in enumerate(zip(boxes, vectors, strict=True)):
            for track in recent:
                iou = box.iou(track.box)
                distance = float(np.linalg.norm(vector - track.vector))
                if iou >= MIN_IOU or distance <= THRESHOLD_DISTANCE:
                    # Rank by overlap first, then by descriptor closeness.
                    pairs.append((-(iou + (1.0 - distance)), i, track))
        used: set[int] = set()
        for _, i, track in sorted(pairs, key=lambda p: p[0]):
            if result[i] is None and track.index not in used:
                result[i] = track.index
                used.add(track.index)
                track.update(boxes[i], vectors[i], timestamp_ms)
        for i, index in enumerate(result):
            if index is not None:
                continue
            earlier = [t for t in self._tracks if t.index not in used]
            best = min(earlier, key=lambda t: float(np.linalg.norm(vectors[i] - t.mean)), default=None)
            if best is not None and float(np.linalg.norm(vectors[i] - best.mean)) <= REIDENTIFY_DISTANCE:
                best.update(boxes[i], vectors[i], timestamp_ms)
            else:
                best = _Track(len(self._tracks), boxes[i], vectors[i], timestamp_ms)
                self._tracks.append(best)
            used.add(best.index)
            result[i] = best.index
        return [int(index) for index in result if index is not None]
