"""``GET /metrics``: vidrek's Prometheus metrics, in the text exposition format.

Counters and histograms are read from Redis, where every process counts (see :mod:`workers.metrics` for
why Redis and not prometheus-client's multiprocess mode); gauges are read at scrape time:

- ``vidrek_jobs_submitted_total{operation}``, ``vidrek_jobs_finished_total{operation,status}``
- ``vidrek_jobs_in_progress{operation,state}`` (state ``queued`` or ``running``), ``vidrek_jobs_running``
- ``vidrek_queue_depth{queue}``: messages waiting in each Celery queue
- ``vidrek_frames_analysed_total{operation}``
- ``vidrek_model_inference_seconds{model}``: one ONNX run, in the API and the workers
- ``vidrek_get_request_seconds{operation}``: the API's answer to one video Get* request (measured here)
- ``vidrek_notification_deliveries_total{protocol,outcome}``
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator

from fastapi import APIRouter, FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from api.context import ServiceContext
from workers.celery_names import ANALYSIS_QUEUE
from workers.job_progress import queue_depth
from workers.jobs import JobStatus
from workers.metrics import (
    COUNTERS,
    GET_REQUEST_SECONDS,
    HISTOGRAMS,
    JOBS_FINISHED,
    JOBS_SUBMITTED,
    LabelItems,
    read_metrics,
)
from workers.operations import VIDEO_OPERATIONS

#: The video Get* actions whose latency is measured (``X-Amz-Target: RekognitionService.<action>``).
GET_ACTIONS = frozenset(op.get_action for op in VIDEO_OPERATIONS.values())


def _format_bound(bound: float) -> str:
    return repr(float(bound))


class RedisCollector(Collector):
    """Builds every metric family from Redis (counts) and the job store and queues (gauges)."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def collect(self) -> Iterator[Metric]:
        snapshot = read_metrics(self.ctx.redis_client)
        defaults: dict[str, list[LabelItems]] = {
            JOBS_SUBMITTED.name: [(("operation", op),) for op in VIDEO_OPERATIONS],
            JOBS_FINISHED.name: [
                (("operation", op), ("status", status.value))
                for op in VIDEO_OPERATIONS
                for status in (JobStatus.SUCCEEDED, JobStatus.FAILED)
            ],
        }
        for counter in COUNTERS:
            family = CounterMetricFamily(counter.name, counter.documentation, labels=counter.labels)
            series = dict.fromkeys(defaults.get(counter.name, []), 0.0)
            series.update(snapshot.counters.get(counter.name, {}))
            for labels, value in sorted(series.items()):
                values = dict(labels)
                family.add_metric([values.get(name, "") for name in counter.labels], value)
            yield family
        for histogram in HISTOGRAMS:
            hist_family = HistogramMetricFamily(
                histogram.name, histogram.documentation, labels=histogram.labels
            )
            for labels, hist in sorted(snapshot.histograms.get(histogram.name, {}).items()):
                cumulative, buckets = 0, []
                bounds = [*map(_format_bound, histogram.buckets), "+Inf"]
                for bound, observed in zip(bounds, hist.bucket_counts, strict=True):
                    cumulative += observed
                    buckets.append((bound, float(cumulative)))
                values = dict(labels)
                hist_family.add_metric(
                    [values.get(name, "") for name in histogram.labels], buckets, sum_value=hist.total
                )
            yield hist_family
        yield from self._gauges()

    def _gauges(self) -> Iterator[Metric]:
        queues = GaugeMetricFamily(
            "vidrek_queue_depth",
            "Messages waiting in each Celery queue (not yet taken by a worker).",
            labels=["queue"],
        )
        for queue in sorted({ANALYSIS_QUEUE, self.ctx.settings.notification_queue}):
            queues.add_metric([queue], queue_depth(self.ctx.redis_client, queue))
        yield queues
        active = Counter(self.ctx.stores.jobs.active_operations())
        in_progress = GaugeMetricFamily(
            "vidrek_jobs_in_progress",
            "Jobs not yet final: queued (waiting for a worker) or running (a worker analyses them).",
            labels=["operation", "state"],
        )
        for op in sorted(VIDEO_OPERATIONS):
            in_progress.add_metric([op, "queued"], active[(op, False)])
            in_progress.add_metric([op, "running"], active[(op, True)])
        yield in_progress
        yield GaugeMetricFamily(
            "vidrek_jobs_running",
            "Jobs a worker is analysing now, all operations.",
            value=sum(n for (_, started), n in active.items() if started),
        )


def render_metrics(ctx: ServiceContext) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(RedisCollector(ctx))
    return generate_latest(registry)


class GetLatencyMiddleware:
    """Times every video Get* request to ``POST /`` (from its arrival to the end of the answer)."""

    def __init__(self, app: ASGIApp, context: Callable[[], ServiceContext]) -> None:
        self.app = app
        self.context = context

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        action = self._get_action(scope)
        if action is None:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            self.context().stores.metrics.observe(
                GET_REQUEST_SECONDS, {"operation": action}, time.perf_counter() - started
            )

    @staticmethod
    def _get_action(scope: Scope) -> str | None:
        if scope["type"] != "http" or scope.get("method") != "POST" or scope.get("path") != "/":
            return None
        headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
        target = next((v for k, v in headers if k.lower() == b"x-amz-target"), b"").decode("latin-1")
        action = target.rpartition(".")[2]
        return action if action in GET_ACTIONS else None


def mount_metrics(app: FastAPI, context: Callable[[], ServiceContext]) -> None:
    """Add ``GET /metrics`` and the Get* latency measurement to ``app``."""
    router = APIRouter()

    @router.get("/metrics")
    async def metrics() -> Response:
        body = await run_in_threadpool(render_metrics, context())
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    app.include_router(router)
    app.add_middleware(GetLatencyMiddleware, context=context)
