"""Person tracking with Norfair: detections of sampled frames -> people with a stable ``index``.

**Time, not frames.** Every parameter is given in milliseconds of video and converted to Norfair's unit,
the *tick*, where one tick is the sampling interval (``sample_interval_ms``). When two consecutive sampled
frames are further apart than one interval (a variable-frame-rate gap, a video starting late), the
tracker is advanced with empty updates for the missing ticks, so the Kalman filter predicts over the real
elapsed time and the hit counters age by the real elapsed time: tracks survive the gaps between samples
and are not kept alive longer than ``max_gap_ms`` either. How each parameter scales with the sample rate
(``f`` samples/s, ``T = 1000 / f`` ms):

* ``hit_counter_max = ceil(max_gap_ms / T)``: a track with no detection survives ``max_gap_ms``
  (default 1200 ms: a person crossing behind another).
* ``initialization_delay = clamp(round(confirm_ms / T), 1, hit_counter_max - 1)``: a new track needs
  ``initialization_delay + 1`` matched samples spanning ``confirm_ms`` (default 400 ms) before it is
  confirmed; tracks that die earlier never get an index.
* ``reid_hit_counter_max = ceil(reid_window_ms / T)``: a lost track can be re-identified by appearance
  for ``reid_window_ms`` (default 8000 ms) after it was lost (an exit and re-entry, a long occlusion).
* ``distance_threshold = base_distance + speed_allowance * T / 1000``: the distance is measured in person
  heights, and the Kalman prediction error grows with the time between samples; the allowance is in
  person heights per second (default base 0.5, allowance 1.0: 0.7 at 5 samples/s, 0.6 at 10).

**Distance (vectorised).** For a detection and a track with predicted box corners and keypoints (all in
pixels): the mean distance of the two box corners, divided by the track's box height; with keypoints,
averaged with the mean distance of the keypoints confidently seen in both (at least 3, else the box alone).

**Indexes.** Observations are recorded from a track's first detection on (including the frames before it
was confirmed), but only confirmed tracks are reported. When Norfair merges a re-identified new track
into an old one, the new track's observations move to the old track. At the end, the confirmed tracks
are numbered 0, 1, 2, ... in order of their first observation, so indexes are dense and follow first
appearance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from norfair import Detection as NorfairDetection
from norfair import Tracker
from norfair.distances import Distance
from norfair.tracker import TrackedObject

from pipelines.detection import RGBImage
from pipelines.faces.types import FaceAnalysis
from pipelines.geometry import BoundingBox
from pipelines.persons.appearance import (
    Embedding,
    appearance_distance,
    appearance_distances,
    appearance_embedding,
)
from pipelines.persons.detection import Keypoints, PersonDetection

#: Keypoints with a score at or below this are ignored by the distance and the Kalman update.
KEYPOINT_MIN_SCORE = 0.25
#: Fewest keypoints seen in both the detection and the track for the keypoint term to count.
MIN_SHARED_KEYPOINTS = 3


@dataclass(frozen=True, slots=True)
class PersonObservation:
    """One tracked person at one sampled instant: the canonical result of person tracking.

    ``timestamp_ms``: presentation time of the frame; ``index``: dense from 0 in order of first
    appearance; ``box``: the detected box (ratios); ``confidence``: the detection's percent.
    """

    timestamp_ms: int
    index: int
    box: BoundingBox
    confidence: float
    keypoints: Keypoints | None = None
    face: FaceAnalysis | None = None


@dataclass(frozen=True)
class TrackingParameters:
    """Tracking knobs in units of video time; see the module docstring for how they become ticks.

    * ``sample_interval_ms`` (> 0): time between sampled frames.
    * ``max_gap_ms`` (>= 0, typically 500-3000): how long a track lives without detections. Too short:
      a person hidden for a moment comes back as a new track (then only ReID can save the index); too
      long: a track coasts on its prediction and may grab another person's detection.
    * ``confirm_ms`` (>= 0, typically 200-1000): how long a new track must be seen before it is
      confirmed. Too short: one-frame false positives become extra indexes; too long: short appearances
      are lost.
    * ``reid_window_ms`` (>= 0; 0 disables ReID): how long a lost track can be re-identified.
    * ``reid_threshold`` (0..1): largest appearance distance for a re-identification. Too high merges
      different people; too low gives a returning person a new index.
    * ``base_distance``, ``speed_allowance`` (person heights, person heights/s): the match threshold.
    """

    sample_interval_ms: float
    max_gap_ms: float = 1200.0
    confirm_ms: float = 400.0
    reid_window_ms: float = 8000.0
    reid_threshold: float = 0.15
    base_distance: float = 0.5
    speed_allowance: float = 1.0
    appearance_weight: float = 1.0

    def __post_init__(self) -> None:
        if not self.sample_interval_ms > 0:
            raise ValueError(f"sample_interval_ms must be > 0, got {self.sample_interval_ms}")
        for name in ("max_gap_ms", "confirm_ms", "reid_window_ms", "base_distance", "speed_allowance"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0")
        if not 0.0 <= self.reid_threshold <= 1.0:
            raise ValueError(f"reid_threshold must be in [0, 1], got {self.reid_threshold}")

    def ticks(self, duration_ms: float) -> int:
        return math.ceil(duration_ms / self.sample_interval_ms - 1e-9)

    @property
    def hit_counter_max(self) -> int:
        return max(2, self.ticks(self.max_gap_ms))

    @property
    def initialization_delay(self) -> int:
        delay = round(self.confirm_ms / self.sample_interval_ms)
        return min(max(delay, 1), self.hit_counter_max - 1)

    @property
    def reid_hit_counter_max(self) -> int | None:
        return self.ticks(self.reid_window_ms) if self.reid_window_ms > 0 else None

    @property
    def distance_threshold(self) -> float:
        return self.base_distance + self.speed_allowance * self.sample_interval_ms / 1000.0


@dataclass(frozen=True, slots=True)
class _Record:
    """A detection as the tracker saw it; ``sequence`` orders records of one track."""

    sequence: int
    timestamp_ms: int
    detection: PersonDetection
    face: FaceAnalysis | None


class PersonBoxKeypointDistance(Distance):
    """Vectorised distance in person heights between detections and tracks (see the module docstring).

    Points are laid out as [top-left, bottom-right, keypoint 0..16] in pixels; the first two rows always
    have score 1, keypoint rows have their keypoint score. ``appearance_weight`` (person heights per unit
    of appearance distance, 0..2) adds the appearance distance of the detection to the track's latest
    detection: two people crossing are told apart by their clothes as well as by their predicted motion.
    """

    def __init__(self, appearance_weight: float) -> None:
        self.appearance_weight = appearance_weight

    def get_distances(
        self, objects: Sequence[TrackedObject], candidates: Sequence[Any] | None
    ) -> npt.NDArray[np.float64]:
        if not objects or not candidates:
            return np.full((len(candidates or ()), len(objects)), np.inf, dtype=np.float64)
        obj_points = np.stack([o.estimate for o in objects]).astype(np.float64)  # [M, P, 2]
        obj_scores = np.stack([_scores_of(o.last_detection) for o in objects])  # [M, P]
        cand_points = np.stack([_points_of(c) for c in candidates]).astype(np.float64)  # [N, P, 2]
        cand_scores = np.stack([_scores_of(c) for c in candidates])  # [N, P]
        heights = np.maximum(obj_points[:, 1, 1] - obj_points[:, 0, 1], 1.0)  # [M]
        gaps = np.linalg.norm(cand_points[:, None] - obj_points[None], axis=-1)  # [N, M, P]
        box_term = gaps[:, :, :2].mean(axis=-1) / heights[None]
        if cand_points.shape[1] <= 2:
            return np.asarray(box_term + self.appearance_weight * _appearance_term(objects, candidates))
        shared = (cand_scores[:, None, 2:] > KEYPOINT_MIN_SCORE) & (
            obj_scores[None, :, 2:] > KEYPOINT_MIN_SCORE
        )
        count = shared.sum(axis=-1)
        keypoint_mean = np.where(shared, gaps[:, :, 2:], 0.0).sum(axis=-1) / np.maximum(count, 1)
        keypoint_term = keypoint_mean / heights[None]
        combined = np.where(count >= MIN_SHARED_KEYPOINTS, (box_term + keypoint_term) / 2.0, box_term)
        return np.asarray(combined + self.appearance_weight * _appearance_term(objects, candidates))


def _embedding_of(item: Any) -> Embedding | None:
    detection = item.last_detection if isinstance(item, TrackedObject) else item
    embedding: Embedding | None = detection.embedding
    return embedding


def _appearance_term(objects: Sequence[TrackedObject], candidates: Sequence[Any]) -> npt.NDArray[np.float64]:
    """[N, M] appearance distances; 0 where either side has no embedding."""
    obj_embeddings = [_embedding_of(o) for o in objects]
    cand_embeddings = [_embedding_of(c) for c in candidates]
    term = np.zeros((len(candidates), len(objects)), dtype=np.float64)
    obj_rows = [i for i, e in enumerate(obj_embeddings) if e is not None]
    cand_rows = [i for i, e in enumerate(cand_embeddings) if e is not None]
    if obj_rows and cand_rows:
        a = np.stack([cand_embeddings[i] for i in cand_rows])  # type: ignore[misc]
        b = np.stack([obj_embeddings[i] for i in obj_rows])  # type: ignore[misc]
        term[np.ix_(cand_rows, obj_rows)] = appearance_distances(a, b)
    return term


def _points_of(candidate: Any) -> npt.NDArray[np.float64]:
    if isinstance(candidate, NorfairDetection):
        return np.asarray(candidate.points, dtype=np.float64)
    return np.asarray(candidate.estimate, dtype=np.float64)


def _scores_of(detection: Any) -> npt.NDArray[np.float64]:
    if isinstance(detection, TrackedObject):
        detection = detection.last_detection
    return np.asarray(detection.scores, dtype=np.float64).reshape(-1)


def _reid_distance(new: TrackedObject, old: TrackedObject) -> float:
    """Smallest appearance distance between the new track's latest detection and the old track's past."""
    latest: Embedding | None = new.last_detection.embedding
    if latest is None:
        return 1.0
    past = [d.embedding for d in [*old.past_detections, old.last_detection] if d.embedding is not None]
    if not past:
        return 1.0
    return min(appearance_distance(latest, e) for e in past)


@dataclass
class _TrackHistory:
    records: list[_Record] = field(default_factory=list)


class PersonTracker:
    """Feed sampled frames in presentation order with :meth:`add_frame`; read :meth:`observations`."""

    def __init__(self, params: TrackingParameters) -> None:
        self.params = params
        self._tracker = Tracker(
            distance_function="euclidean",  # replaced below: Tracker only accepts names or callables
            distance_threshold=params.distance_threshold,
            hit_counter_max=params.hit_counter_max,
            initialization_delay=params.initialization_delay,
            detection_threshold=KEYPOINT_MIN_SCORE,
            past_detections_length=8,
            reid_distance_function=_reid_distance if params.reid_hit_counter_max else None,
            reid_distance_threshold=params.reid_threshold,
            reid_hit_counter_max=params.reid_hit_counter_max,
        )
        # A vectorised Distance instance (Norfair wraps plain callables as slow per-pair scalar distances).
        self._tracker.distance_function = PersonBoxKeypointDistance(params.appearance_weight)
        self._histories: dict[TrackedObject, _TrackHistory] = {}
        self._finished: list[_TrackHistory] = []
        self._sequence = 0
        self._last_timestamp_ms: int | None = None

    def add_frame(
        self,
        timestamp_ms: int,
        image: RGBImage,
        people: Sequence[PersonDetection],
        faces: Sequence[FaceAnalysis | None] | None = None,
    ) -> None:
        """Track ``people`` found in the frame at ``timestamp_ms`` (ms, non-decreasing); ``faces``, when
        given, holds each person's face (or None) in the same order, reported with the observation."""
        if self._last_timestamp_ms is not None:
            elapsed = timestamp_ms - self._last_timestamp_ms
            missing = round(elapsed / self.params.sample_interval_ms) - 1
            for _ in range(max(0, missing)):
                self._step([])
        self._last_timestamp_ms = timestamp_ms
        height, width = image.shape[:2]
        detections = []
        for n, person in enumerate(people):
            self._sequence += 1
            detections.append(
                NorfairDetection(
                    points=_person_points(person, width, height),
                    scores=_person_scores(person),
                    data=_Record(self._sequence, timestamp_ms, person, faces[n] if faces else None),
                    embedding=appearance_embedding(image, person.box),
                )
            )
        self._step(detections)

    def _step(self, detections: list[NorfairDetection]) -> None:
        before = list(self._tracker.tracked_objects)
        self._tracker.update(detections=detections or None)
        fresh = {id(d.data) for d in detections}
        current = self._tracker.tracked_objects
        current_set = set(current)
        for obj in current:
            record = obj.last_detection.data
            if isinstance(record, _Record) and id(record) in fresh:
                history = self._histories.setdefault(obj, _TrackHistory())
                if not history.records or history.records[-1] is not record:
                    history.records.append(record)
        for gone in before:
            if gone in current_set:
                continue
            ended = self._histories.pop(gone, None)
            if ended is None:
                continue
            if gone.id is not None:
                self._finished.append(ended)
                continue
            # Never confirmed: either merged into an older track by ReID (which now holds its latest
            # detection), or a short false track that is dropped.
            target = self._merge_target(gone, current, fresh)
            if target is not None:
                merged = self._histories.setdefault(target, _TrackHistory())
                records = {id(r): r for r in [*merged.records, *ended.records]}
                merged.records = sorted(records.values(), key=lambda r: r.sequence)

    @staticmethod
    def _merge_target(
        gone: TrackedObject, current: Sequence[TrackedObject], fresh: set[int]
    ) -> TrackedObject | None:
        record = gone.last_detection.data
        if not isinstance(record, _Record) or id(record) not in fresh:
            return None
        for obj in current:
            if obj.last_detection.data is record and obj.id is not None:
                return obj
        return None

    def observations(self) -> list[PersonObservation]:
        """Observations of confirmed tracks, indexed 0.. in order of first appearance, sorted by time."""
        confirmed = [*self._finished]
        confirmed += [h for obj, h in self._histories.items() if obj.id is not None]
        confirmed = [h for h in confirmed if h.records]
        confirmed.sort(key=lambda h: h.records[0].sequence)
        result = [
            PersonObservation(
                timestamp_ms=r.timestamp_ms,
                index=index,
                box=r.detection.box,
                confidence=r.detection.confidence,
                keypoints=r.detection.keypoints,
                face=r.face,
            )
            for index, history in enumerate(confirmed)
            for r in history.records
        ]
        result.sort(key=lambda o: (o.timestamp_ms, o.index))
        return result


def _person_points(person: PersonDetection, width: int, height: int) -> npt.NDArray[np.float64]:
    box = person.box
    corners = np.array([[box.left * width, box.top * height], [box.right * width, box.bottom * height]])
    if person.keypoints is None:
        return corners
    keypoints = person.keypoints[:, :2].astype(np.float64) * np.array([width, height], dtype=np.float64)
    return np.vstack([corners, keypoints])


def _person_scores(person: PersonDetection) -> npt.NDArray[np.float64]:
    if person.keypoints is None:
        return np.ones(2, dtype=np.float64)
    return np.concatenate([np.ones(2), person.keypoints[:, 2].astype(np.float64)])
