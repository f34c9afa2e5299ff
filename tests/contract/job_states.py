"""Putting a job in a state that only a worker could reach: the one place these tests touch internals.

No worker runs in the contract suite, so a job started through the API stays IN_PROGRESS at 0 %. Tests
that need progress, or a SUCCEEDED job with many results to page through, ask this helper, which writes
what a worker would write through the job and result stores. Everything else is read back through the API.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import redis

from workers.jobs import JobStatus, JobStore
from workers.operations import VIDEO_OPERATIONS
from workers.results import ResultStore

#: What the worker records about the clip; any plausible values do.
VIDEO_METADATA = {
    "Codec": "h264",
    "DurationMillis": 10000,
    "Format": "QuickTime / MOV",
    "FrameRate": 25.0,
    "FrameHeight": 272,
    "FrameWidth": 640,
    "ColorRange": "LIMITED",
}
#: Long enough that nothing written during a test run expires.
TTL_SECONDS = 24 * 3600


class JobStates:
    def __init__(self, redis_url: str) -> None:
        self._client = redis.Redis.from_url(redis_url, decode_responses=True)
        self._jobs = JobStore(self._client, retention_seconds=TTL_SECONDS, running_grace_seconds=TTL_SECONDS)
        self._results = ResultStore(self._client)

    def close(self) -> None:
        self._client.close()
        self._client.connection_pool.disconnect()

    def progress(self, job_id: str, percent: float) -> None:
        """The job is being analysed and ``percent`` of its video is done."""
        self._jobs.record_progress(job_id, percent)
        self._jobs.record_video_metadata(job_id, VIDEO_METADATA)

    def succeed(
        self,
        job_id: str,
        operation: str,
        views: Mapping[tuple[str | None, str | None], Iterable[dict[str, Any]]],
        response_members: Mapping[str, Any] | None = None,
    ) -> None:
        """The job SUCCEEDED with these result items, per (SortBy, AggregateBy) ordering.

        ``operation`` is the Rekognition name without Start/Get (``"LabelDetection"``).
        """
        video_operation = VIDEO_OPERATIONS[operation]
        stored = {
            video_operation.view(sort_by, aggregate_by): items
            for (sort_by, aggregate_by), items in views.items()
        }
        counts = self._results.replace(job_id, stored, TTL_SECONDS)
        self._jobs.record_video_metadata(job_id, VIDEO_METADATA)
        self._jobs.finish(
            job_id,
            JobStatus.SUCCEEDED,
            response_members=dict(response_members or {}),
            result_counts=counts,
        )
