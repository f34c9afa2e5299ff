"""Label results over time: the canonical types and the aggregator that turns per-frame detections into them.

The aggregator is fed every sampled frame in presentation order (frames with no detection too, because
an empty frame is evidence that a label is absent), with its detections and, optionally, its
image-level labels (name -> calibrated confidence, no boxes: the classifier's and the face models'
labels, :class:`pipelines.frame_labeller.FrameLabeller`), and produces:

* :class:`LabelObservation` - one label at one sampled instant, with its instances (boxes). Parent
  labels (e.g. Vehicle for Car) are observations with no instances.
* :class:`LabelSegment` - consecutive observations of one label merged into a time span.

Converting these to Rekognition JSON is :mod:`pipelines.label_results`' job.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from pipelines.detection import Detection
from pipelines.geometry import BoundingBox
from pipelines.label_fusion import fused_confidence
from pipelines.taxonomy import ALLOW_ALL, LabelFilter, LabelInfo, LabelTaxonomy

#: Rekognition's default MinConfidence for label detection, percent.
DEFAULT_MIN_CONFIDENCE = 50.0


@dataclass(frozen=True, slots=True)
class LabelInstance:
    """One detected object of a label in one frame; ``confidence`` in percent [0, 100]."""

    box: BoundingBox
    confidence: float


@dataclass(frozen=True, slots=True)
class LabelObservation:
    """One label at one sampled instant.

    ``timestamp_ms`` is the frame's presentation time in milliseconds from the container start;
    ``confidence`` is in percent [0, 100]; ``instances`` is empty for parent labels.
    """

    timestamp_ms: int
    info: LabelInfo
    confidence: float
    instances: tuple[LabelInstance, ...] = ()


@dataclass(frozen=True, slots=True)
class LabelSegment:
    """A span during which a label was observed; ``confidence`` is the maximum over the span (percent).

    ``start_ms``/``end_ms`` are the timestamps of the first and last observation in the span, so a
    label seen in a single sampled frame has a zero-length segment.
    """

    info: LabelInfo
    confidence: float
    start_ms: int
    end_ms: int

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms


def merge_segments(observations: Iterable[LabelObservation], max_gap_ms: int) -> list[LabelSegment]:
    """Merge each label's observations into segments, splitting where two consecutive ones are more
    than ``max_gap_ms`` apart. Segment confidence is the maximum of its observations (the value AWS's
    documentation gives for SEGMENTS: "Maximum confidence score for Segment mode").

    Returns segments ordered by start time, then label name.
    """
    by_name: dict[str, list[LabelObservation]] = {}
    for obs in observations:
        by_name.setdefault(obs.info.name, []).append(obs)
    segments: list[LabelSegment] = []
    for series in by_name.values():
        series.sort(key=lambda o: o.timestamp_ms)
        first = series[0]
        start, end, best = first.timestamp_ms, first.timestamp_ms, first.confidence
        for obs in series[1:]:
            if obs.timestamp_ms - end > max_gap_ms:
                segments.append(LabelSegment(first.info, best, start, end))
                start, best = obs.timestamp_ms, obs.confidence
            else:
                best = max(best, obs.confidence)
            end = obs.timestamp_ms
        segments.append(LabelSegment(first.info, best, start, end))
    segments.sort(key=lambda s: (s.start_ms, s.info.name))
    return segments


@dataclass(slots=True)
class _Frame:
    """One sampled frame's detections grouped by label name, with calibrated confidences (percent)."""

    timestamp_ms: int
    detections: dict[str, list[tuple[BoundingBox, float]]] = field(default_factory=dict)
    peaks: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _ScoredLabel:
    """A detected label in one frame after the evidence rule, before thresholds and filters."""

    info: LabelInfo
    confidence: float
    instances: tuple[LabelInstance, ...]


@dataclass(frozen=True, slots=True)
class _ScoredFrame:
    timestamp_ms: int
    labels: tuple[_ScoredLabel, ...]


class LabelAggregator:
    """Accumulates per-frame detections and turns them into label observations and segments.

    **Evidence rule.** A detector sees each sampled frame on its own, so a one-frame false positive
    looks as certain as an object that stays in view. The aggregator therefore scores a label ``L``
    in the frame at time ``t`` from its own calibrated confidence and its support in the neighbouring
    sampled frames::

        p(t)  = the highest calibrated confidence (percent) of any detection of L in frame t, or L's
                image-level confidence in frame t if that is higher (pipelines.label_fusion)
        N(t)  = the other sampled frames with |t' - t| <= evidence_window_ms
        m(t)  = mean over N(t) of p(t'), counting 0 where L was not detected
                (m(t) = p(t) when N(t) is empty: no neighbour, no evidence either way)
        C(x)  = (1 - support_weight) * x + support_weight * m(t), clipped to [0, 100]

    The label's confidence at ``t`` is ``C(p(t))``, and each instance (detection) of ``L`` in that
    frame gets ``C(its own confidence)``. A label seen steadily keeps its confidence (m ~= p), a dip in
    one frame between confident neighbours is lifted, and a detection with no support is scaled by
    ``1 - support_weight``: with the default 0.4 an isolated detection needs a calibrated confidence
    above 83.3 to reach Rekognition's default MinConfidence of 50.

    **Parents** are emitted at every timestamp where any child label is detected, with confidence =
    the maximum of the children's confidences (computed before filters, so excluding Car by name does
    not hide Vehicle). A label that is both detected and a parent keeps its instances and takes the
    larger confidence.

    **Memory.** Frames are scored as soon as every frame inside their evidence window has arrived, so
    the raw detections kept are only those of the last ``2 * evidence_window_ms`` of video. The scored
    results are kept until the end: memory is O(number of (label, sampled frame) detections), i.e.
    O(size of the result), because thresholds and filters are applied when results are read.
    """

    def __init__(
        self,
        taxonomy: LabelTaxonomy,
        sample_interval_ms: float,
        *,
        evidence_window_ms: int | None = None,
        support_weight: float = 0.4,
        segment_max_gap_ms: int | None = None,
    ) -> None:
        """Create an aggregator for frames sampled every ``sample_interval_ms``.

        Args:
            taxonomy: maps detector class names to labels; detections of unmapped classes are ignored.
            sample_interval_ms: the nominal time between two sampled frames, ms (> 0), e.g. 200 at
                5 samples per second. Used only for the defaults below.
            evidence_window_ms: half-width of the neighbourhood used by the evidence rule, ms.
                Default ``round(2 * sample_interval_ms)`` (two neighbours on each side). Range: 0 to a
                few seconds; 0 (or anything below the sample interval) disables the rule, so the
                per-frame confidence is reported as is and one-frame blips pass. Too large and objects
                visible only briefly (a car crossing the frame in under a second) are pulled below
                MinConfidence, because most of their window is frames without them.
            support_weight: how much the neighbours' mean counts against the frame's own confidence,
                in [0, 1]; default 0.4. 0 disables the rule; near 1 a frame's own detection hardly
                matters, so boxes from a single bad frame inherit the confidence of their neighbours
                and a label fades in and out late at the edges of its presence.
            segment_max_gap_ms: two consecutive observations of a label further apart than this, ms,
                start a new segment. Default ``round(2.5 * sample_interval_ms)``: one missed sampled
                frame (a gap of two intervals, plus timestamp jitter) does not split a segment, two
                do. Below one sample interval every observation becomes its own segment; far above it
                separate appearances of a label are reported as one long segment.
        """
        if sample_interval_ms <= 0:
            raise ValueError(f"sample_interval_ms must be > 0, got {sample_interval_ms}")
        if not 0.0 <= support_weight <= 1.0:
            raise ValueError(f"support_weight must be in [0, 1], got {support_weight}")
        self._taxonomy = taxonomy
        self.sample_interval_ms = sample_interval_ms
        self.evidence_window_ms = (
            round(2 * sample_interval_ms) if evidence_window_ms is None else evidence_window_ms
        )
        self.support_weight = support_weight
        self.segment_max_gap_ms = (
            round(2.5 * sample_interval_ms) if segment_max_gap_ms is None else segment_max_gap_ms
        )
        if self.evidence_window_ms < 0:
            raise ValueError(f"evidence_window_ms must be >= 0, got {self.evidence_window_ms}")
        if self.segment_max_gap_ms < 0:
            raise ValueError(f"segment_max_gap_ms must be >= 0, got {self.segment_max_gap_ms}")
        # Frames still needed: the unscored ones (the last ``_unscored`` of the buffer) and the scored
        # ones that are still inside the evidence window of an unscored or future frame.
        self._buffer: deque[_Frame] = deque()
        self._unscored = 0
        self._scored: list[_ScoredFrame] = []
        self._last_timestamp_ms: int | None = None

    @property
    def frames_in_memory(self) -> int:
        """How many frames' raw detections are held (bounded by the evidence window, not video length)."""
        return len(self._buffer)

    # --- input ----------------------------------------------------------------------------------

    def add_frame(
        self,
        timestamp_ms: int,
        detections: Sequence[Detection],
        confidence_of: Callable[[Detection], float],
        image_level: Mapping[str, float] | None = None,
    ) -> None:
        """Add one sampled frame (call it for every sampled frame, even one with no detections).

        ``timestamp_ms`` is the frame's pts in ms from the container start and must not decrease;
        ``confidence_of`` gives a detection's calibrated confidence in percent [0, 100];
        ``image_level`` maps label names of the taxonomy to confidences (percent) of labels seen in the
        frame without a box.
        """
        if timestamp_ms < 0:
            raise ValueError(f"timestamp_ms must be >= 0, got {timestamp_ms}")
        if self._last_timestamp_ms is not None and timestamp_ms < self._last_timestamp_ms:
            raise ValueError(
                f"frames must arrive in presentation order: {timestamp_ms} ms after "
                f"{self._last_timestamp_ms} ms"
            )
        self._last_timestamp_ms = timestamp_ms
        frame = _Frame(timestamp_ms)
        for det in detections:
            info = self._taxonomy.for_detector_class(det.label)
            if info is None:
                continue
            confidence = min(max(float(confidence_of(det)), 0.0), 100.0)
            frame.detections.setdefault(info.name, []).append((det.box, confidence))
            frame.peaks[info.name] = max(frame.peaks.get(info.name, 0.0), confidence)
        for name, confidence in (image_level or {}).items():
            self._taxonomy.info(name)  # KeyError for a name the taxonomy does not have
            frame.detections.setdefault(name, [])
            frame.peaks[name] = fused_confidence(frame.peaks.get(name), confidence)
        self._buffer.append(frame)
        self._unscored += 1
        self._score_complete_frames(newest_ms=timestamp_ms)

    def _score_complete_frames(self, newest_ms: int) -> None:
        window = self.evidence_window_ms
        while self._unscored:
            index = len(self._buffer) - self._unscored
            frame = self._buffer[index]
            if frame.timestamp_ms + window >= newest_ms:
                break  # a later frame may still fall inside this frame's window
            self._scored.append(self._score(index))
            self._unscored -= 1
        horizon = (
            self._buffer[len(self._buffer) - self._unscored].timestamp_ms if self._unscored else newest_ms
        )
        while self._buffer and self._buffer[0].timestamp_ms < horizon - window:
            self._buffer.popleft()

    def _score(self, index: int) -> _ScoredFrame:
        frame = self._buffer[index]
        window = self.evidence_window_ms
        neighbours = [
            other
            for j, other in enumerate(self._buffer)
            if j != index and abs(other.timestamp_ms - frame.timestamp_ms) <= window
        ]
        weight = self.support_weight
        scored: list[_ScoredLabel] = []
        for name, dets in frame.detections.items():
            own = frame.peaks[name]
            support = sum(n.peaks.get(name, 0.0) for n in neighbours) / len(neighbours) if neighbours else own

            def combined(x: float, support: float = support) -> float:
                return min(max((1.0 - weight) * x + weight * support, 0.0), 100.0)

            instances = tuple(LabelInstance(box, combined(c)) for box, c in dets)
            scored.append(_ScoredLabel(self._taxonomy.info(name), combined(own), instances))
        return _ScoredFrame(frame.timestamp_ms, tuple(scored))

    def _all_scored(self) -> list[_ScoredFrame]:
        """Scored frames so far plus, scored with the neighbours known now, the frames still pending."""
        pending = [self._score(len(self._buffer) - k) for k in range(self._unscored, 0, -1)]
        return self._scored + pending

    # --- output ---------------------------------------------------------------------------------

    def observations(
        self, min_confidence: float = DEFAULT_MIN_CONFIDENCE, label_filter: LabelFilter = ALLOW_ALL
    ) -> list[LabelObservation]:
        """Observations with confidence >= ``min_confidence`` (percent) that ``label_filter`` allows,
        ordered by timestamp then name. Instances below ``min_confidence`` are dropped."""
        result: list[LabelObservation] = []
        for frame in self._all_scored():
            for obs in self._frame_observations(frame):
                if obs.confidence < min_confidence or not label_filter.allows(obs.info):
                    continue
                kept = tuple(i for i in obs.instances if i.confidence >= min_confidence)
                result.append(LabelObservation(obs.timestamp_ms, obs.info, obs.confidence, kept))
        result.sort(key=lambda o: (o.timestamp_ms, o.info.name))
        return result

    def segments(
        self, min_confidence: float = DEFAULT_MIN_CONFIDENCE, label_filter: LabelFilter = ALLOW_ALL
    ) -> list[LabelSegment]:
        """The observations (same threshold and filter) merged into segments; see
        :func:`merge_segments` and ``segment_max_gap_ms``."""
        return merge_segments(self.observations(min_confidence, label_filter), self.segment_max_gap_ms)

    def _frame_observations(self, frame: _ScoredFrame) -> list[LabelObservation]:
        """Detected labels and their parents at one timestamp, before thresholds and filters."""
        confidence: dict[str, float] = {}
        instances: dict[str, tuple[LabelInstance, ...]] = {}
        for label in frame.labels:
            confidence[label.info.name] = max(confidence.get(label.info.name, 0.0), label.confidence)
            instances[label.info.name] = label.instances
            for parent in label.info.parents:
                confidence[parent] = max(confidence.get(parent, 0.0), label.confidence)
        return [
            LabelObservation(frame.timestamp_ms, self._taxonomy.info(name), conf, instances.get(name, ()))
            for name, conf in confidence.items()
        ]
