"""vidrek's Prometheus metrics, counted in Redis so that every process counts into one place.

The API and the workers are separate processes (under docker-compose, separate containers; a worker may
run on another machine), so the API's own prometheus-client registry would see none of the workers'
counts, and prometheus-client's multiprocess mode only joins processes that share one directory on one
machine. Every vidrek process already shares Redis: a counter is a field of one hash (``HINCRBY``), a
histogram one field per bucket plus its sum; ``GET /metrics`` (:mod:`api.metrics_routes`) reads both
hashes and renders them with prometheus-client. The counts survive restarts of the API and workers (and of
Redis, with its append-only file), as Prometheus counters should.

Counts on hot paths (every model inference, every Get* request) go through a :class:`MetricsBuffer`: kept
in the process and written in one pipeline at most every :data:`FLUSH_SECONDS`. Job counts are written in
the same Redis transaction as the job's state (:mod:`workers.jobs`), so they are exact.
"""

from __future__ import annotations

import bisect
import json
import logging
import math
import os
import threading
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import redis

from workers import keys

if TYPE_CHECKING:
    from workers.settings import Settings

log = logging.getLogger(__name__)

#: Longest time, in seconds, a buffered count waits in its process before it is written to Redis. Range
#: 0.1-60. Smaller: /metrics is more current, one more Redis round trip per process per interval; larger:
#: counts lag (and a process killed with SIGKILL loses up to this much of them).
FLUSH_SECONDS = 1.0

Labels = Mapping[str, str]


@dataclass(frozen=True)
class CounterSpec:
    """A counter; ``name`` without Prometheus's ``_total`` suffix (the exposition adds it)."""

    name: str
    documentation: str
    labels: tuple[str, ...]


@dataclass(frozen=True)
class HistogramSpec:
    """A histogram with fixed bucket upper bounds (the ``+Inf`` bucket is implied)."""

    name: str
    documentation: str
    labels: tuple[str, ...]
    buckets: tuple[float, ...]


JOBS_SUBMITTED = CounterSpec(
    "vidrek_jobs_submitted", "Video jobs created by Start* requests.", ("operation",)
)
JOBS_FINISHED = CounterSpec(
    "vidrek_jobs_finished",
    "Video jobs that reached a final state, by status (SUCCEEDED or FAILED).",
    ("operation", "status"),
)
FRAMES_ANALYSED = CounterSpec(
    "vidrek_frames_analysed",
    "Video frames analysed by succeeded jobs: the sampled frames (duration x the operation's sample rate, "
    "at most every frame; segment detection reads every frame).",
    ("operation",),
)
NOTIFICATION_DELIVERIES = CounterSpec(
    "vidrek_notification_deliveries",
    "Completion-notification delivery attempts by outcome: delivered, retry (failed, tried again later) "
    "or dead_letter (failed for good).",
    ("protocol", "outcome"),
)
MODEL_INFERENCE_SECONDS = HistogramSpec(
    "vidrek_model_inference_seconds",
    "Time of one ONNX model run (one session.run call), by model file, in the API and the workers.",
    ("model",),
    (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
GET_REQUEST_SECONDS = HistogramSpec(
    "vidrek_get_request_seconds",
    "Time the API took to answer one Get* request (validation, Redis reads, the page), by operation.",
    ("operation",),
    (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)

COUNTERS: tuple[CounterSpec, ...] = (JOBS_SUBMITTED, JOBS_FINISHED, FRAMES_ANALYSED, NOTIFICATION_DELIVERIES)
HISTOGRAMS: tuple[HistogramSpec, ...] = (MODEL_INFERENCE_SECONDS, GET_REQUEST_SECONDS)


def _check_labels(spec: CounterSpec | HistogramSpec, labels: Labels) -> dict[str, str]:
    if set(labels) != set(spec.labels):
        raise ValueError(f"{spec.name} takes the labels {spec.labels}, got {sorted(labels)}")
    return {name: str(labels[name]) for name in spec.labels}


def counter_field(spec: CounterSpec, labels: Labels) -> str:
    """The field of :data:`workers.keys.METRIC_COUNTERS` that holds one series of ``spec``."""
    return json.dumps([spec.name, _check_labels(spec, labels)], separators=(",", ":"))


def histogram_field(spec: HistogramSpec, labels: Labels, part: int | str) -> str:
    """The field of :data:`workers.keys.METRIC_HISTOGRAMS` of one series: a bucket index or ``"sum"``."""
    return json.dumps([spec.name, _check_labels(spec, labels), part], separators=(",", ":"))


def bucket_index(spec: HistogramSpec, value: float) -> int:
    """The bucket an observation falls in: the first whose upper bound is >= ``value``
    (``len(spec.buckets)`` is the +Inf bucket)."""
    return bisect.bisect_left(spec.buckets, value)


def count(client: Any, spec: CounterSpec, labels: Labels, amount: int = 1) -> None:
    """Add ``amount`` to a counter now, on ``client`` (a Redis client or a pipeline of a transaction)."""
    client.hincrby(keys.METRIC_COUNTERS, counter_field(spec, labels), amount)


class MetricsBuffer:
    """Counts and observations of one process, written to Redis at most every ``flush_seconds``.

    Thread-safe. A background thread of the process that counts writes the buffer; after a fork the
    child starts with an empty buffer and a thread of its own. A failed write keeps the counts for the
    next one.
    """

    def __init__(self, client: redis.Redis, flush_seconds: float = FLUSH_SECONDS) -> None:
        self._client = client
        self._flush_seconds = flush_seconds
        self._lock = threading.Lock()
        self._counts: dict[str, int] = defaultdict(int)
        self._buckets: dict[str, int] = defaultdict(int)
        self._sums: dict[str, float] = defaultdict(float)
        self._owner_pid = -1
        self._stop = threading.Event()

    def count(self, spec: CounterSpec, labels: Labels, amount: int = 1) -> None:
        name = counter_field(spec, labels)
        with self._lock:
            self._own()
            self._counts[name] += amount

    def observe(self, spec: HistogramSpec, labels: Labels, value: float) -> None:
        bucket = histogram_field(spec, labels, bucket_index(spec, value))
        total = histogram_field(spec, labels, "sum")
        with self._lock:
            self._own()
            self._buckets[bucket] += 1
            self._sums[total] += value

    def _own(self) -> None:
        """Start this process's flusher (under the lock); a forked child drops its parent's counts."""
        pid = os.getpid()
        if self._owner_pid == pid:
            return
        self._counts.clear()
        self._buckets.clear()
        self._sums.clear()
        self._owner_pid = pid
        self._stop = threading.Event()
        threading.Thread(
            target=self._flush_loop, args=(self._stop,), daemon=True, name="vidrek-metrics"
        ).start()

    def _flush_loop(self, stop: threading.Event) -> None:
        while not stop.wait(self._flush_seconds):
            self.flush()

    def flush(self) -> None:
        """Write what is buffered now (a no-op when nothing is)."""
        with self._lock:
            counts, buckets, sums = dict(self._counts), dict(self._buckets), dict(self._sums)
            self._counts.clear()
            self._buckets.clear()
            self._sums.clear()
        if not (counts or buckets or sums):
            return
        try:
            pipe = self._client.pipeline(transaction=False)
            for name, amount in counts.items():
                pipe.hincrby(keys.METRIC_COUNTERS, name, amount)
            for name, amount in buckets.items():
                pipe.hincrby(keys.METRIC_HISTOGRAMS, name, amount)
            for name, total in sums.items():
                pipe.hincrbyfloat(keys.METRIC_HISTOGRAMS, name, total)
            pipe.execute()
        except redis.RedisError as err:
            log.warning("could not write metrics to Redis (kept for the next try): %s", err)
            with self._lock:
                for name, amount in counts.items():
                    self._counts[name] += amount
                for name, amount in buckets.items():
                    self._buckets[name] += amount
                for name, total in sums.items():
                    self._sums[name] += total

    def close(self) -> None:
        """Stop the flusher and write what is left (best effort)."""
        self._stop.set()
        self.flush()


def count_inferences(buffer: MetricsBuffer) -> None:
    """Count every ONNX inference of this process into ``buffer`` (:data:`MODEL_INFERENCE_SECONDS`)."""
    from pipelines.onnx_session import observe_inferences

    def observe(model: str, seconds: float) -> None:
        buffer.observe(MODEL_INFERENCE_SECONDS, {"model": model}, seconds)

    observe_inferences(observe)


# --- reading ------------------------------------------------------------------------------------------

LabelItems = tuple[tuple[str, str], ...]


@dataclass
class HistogramSeries:
    """One labelled series of a histogram: observations per bucket (not cumulative) and their sum."""

    bucket_counts: list[int]
    total: float = 0.0

    @property
    def count(self) -> int:
        return sum(self.bucket_counts)


@dataclass
class MetricsSnapshot:
    """Every counted series: ``counters[name][labels]`` and ``histograms[name][labels]``."""

    counters: dict[str, dict[LabelItems, float]] = field(default_factory=dict)
    histograms: dict[str, dict[LabelItems, HistogramSeries]] = field(default_factory=dict)


def _parse(name: str) -> tuple[str, LabelItems, Any] | None:
    try:
        parsed = json.loads(name)
        metric, labels = str(parsed[0]), parsed[1]
        part = parsed[2] if len(parsed) > 2 else None
        return metric, tuple((str(k), str(v)) for k, v in labels.items()), part
    except (ValueError, TypeError, IndexError, KeyError, AttributeError):
        return None


def read_metrics(client: redis.Redis) -> MetricsSnapshot:
    """Every counter and histogram series in Redis (fields that name no known metric are skipped)."""
    pipe = client.pipeline(transaction=False)
    pipe.hgetall(keys.METRIC_COUNTERS)
    pipe.hgetall(keys.METRIC_HISTOGRAMS)
    raw_counters, raw_histograms = pipe.execute()
    snapshot = MetricsSnapshot()
    counter_names = {spec.name for spec in COUNTERS}
    for name, value in raw_counters.items():
        parsed = _parse(str(name))
        if parsed is None or parsed[0] not in counter_names:
            continue
        snapshot.counters.setdefault(parsed[0], {})[parsed[1]] = float(value)
    specs = {spec.name: spec for spec in HISTOGRAMS}
    for name, value in raw_histograms.items():
        parsed = _parse(str(name))
        if parsed is None or parsed[0] not in specs:
            continue
        metric, labels, part = parsed
        spec = specs[metric]
        series = snapshot.histograms.setdefault(metric, {}).setdefault(
            labels, HistogramSeries([0] * (len(spec.buckets) + 1))
        )
        if part == "sum":
            series.total = float(value)
        elif isinstance(part, int) and 0 <= part <= len(spec.buckets):
            series.bucket_counts[part] = int(float(value))
    return snapshot


# --- frames analysed ------------------------------------------------------------------------------

#: The setting that gives each operation's sample rate (frames/s); None: every frame is analysed.
#: tests/unit/test_metrics.py checks that every operation of workers.operations has an entry.
SAMPLE_RATE_SETTINGS: dict[str, str | None] = {
    "LabelDetection": "label_sample_fps",
    "PersonTracking": "person_sample_fps",
    "FaceDetection": "face_sample_fps",
    "FaceSearch": "face_search_sample_fps",
    "CelebrityRecognition": "celebrity_sample_fps",
    "TextDetection": "text_sample_fps",
    "ContentModeration": "moderation_sample_fps",
    "SegmentDetection": None,
}


def frames_analysed(duration_ms: int, frame_rate: float, sample_fps: float | None) -> int:
    """The number of frames an analysis samples from a video of ``duration_ms`` at ``frame_rate``:
    one per sampling instant (every ``1000 / sample_fps`` ms) and never more than the video has."""
    if duration_ms <= 0:
        return 0
    every_frame = math.ceil(duration_ms * frame_rate / 1000) if frame_rate > 0 else 0
    if sample_fps is None or sample_fps <= 0:
        return every_frame
    sampled = math.ceil(duration_ms * sample_fps / 1000)
    return min(sampled, every_frame) if every_frame else sampled


def operation_frames_analysed(operation: str, duration_ms: int, frame_rate: float, settings: Settings) -> int:
    """:func:`frames_analysed` with the sample rate ``settings`` give ``operation``."""
    setting = SAMPLE_RATE_SETTINGS.get(operation)
    sample_fps = float(getattr(settings, setting)) if setting else None
    return frames_analysed(duration_ms, frame_rate, sample_fps)
