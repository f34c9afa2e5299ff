"""Video analysis jobs: their states and the Redis store that keeps them.

A job is a Redis hash under :func:`workers.keys.job`. The API creates it (``IN_PROGRESS``), the worker
updates progress and heartbeat while it analyses, and writes the final state. Jobs that are still running
are also members of :data:`workers.keys.ACTIVE_JOBS`, so a worker starting up can find and re-queue the
jobs whose worker died without scanning the keyspace.
"""

from __future__ import annotations

import enum
import hashlib
import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import redis

from pipelines.errors import Conflict
from workers import keys
from workers.metrics import JOBS_FINISHED, JOBS_SUBMITTED, count
from workers.notifications.channel import wants_notification


class JobStatus(enum.StrEnum):
    """Rekognition's ``VideoJobStatus``."""

    IN_PROGRESS = "IN_PROGRESS"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"

    @property
    def is_final(self) -> bool:
        return self is not JobStatus.IN_PROGRESS


class IdempotencyConflict(Conflict):
    """A ClientRequestToken was reused with a different request."""

    wire_error = "IdempotentParameterMismatchException"


def _fields(mapping: dict[str, str]) -> Mapping[Any, Any]:
    """redis-py's stubs type hash mappings invariantly; our fields are plain str -> str."""
    return mapping


def new_job_id() -> str:
    """A job id shaped like Rekognition's: 64 lowercase hex characters."""
    return secrets.token_hex(32)


def now_ms() -> int:
    return int(time.time() * 1000)


def request_fingerprint(request: dict[str, Any]) -> str:
    """A stable digest of a Start request without its ClientRequestToken (for idempotency checks)."""
    payload = {k: v for k, v in request.items() if k != "ClientRequestToken"}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


@dataclass
class JobRecord:
    """Everything vidrek knows about one job."""

    job_id: str
    operation: str
    request: dict[str, Any]
    status: JobStatus = JobStatus.IN_PROGRESS
    status_message: str = ""
    progress: float = 0.0
    attempts: int = 0
    created_ms: int = 0
    started_ms: int = 0
    finished_ms: int = 0
    enqueued: bool = False
    video_metadata: dict[str, Any] | None = None
    response_members: dict[str, Any] = field(default_factory=dict)
    result_counts: dict[str, int] = field(default_factory=dict)

    @property
    def job_tag(self) -> str | None:
        tag = self.request.get("JobTag")
        return tag if isinstance(tag, str) else None

    @property
    def video(self) -> dict[str, Any]:
        video = self.request.get("Video")
        return video if isinstance(video, dict) else {}

    def to_hash(self) -> dict[str, str]:
        return {
            "job_id": self.job_id,
            "operation": self.operation,
            "request": json.dumps(self.request),
            "status": self.status.value,
            "status_message": self.status_message,
            "progress": repr(self.progress),
            "attempts": str(self.attempts),
            "created_ms": str(self.created_ms),
            "started_ms": str(self.started_ms),
            "finished_ms": str(self.finished_ms),
            "enqueued": "1" if self.enqueued else "0",
            "video_metadata": json.dumps(self.video_metadata),
            "response_members": json.dumps(self.response_members),
            "result_counts": json.dumps(self.result_counts),
        }

    @classmethod
    def from_hash(cls, data: dict[str, str]) -> JobRecord:
        return cls(
            job_id=data["job_id"],
            operation=data["operation"],
            request=json.loads(data["request"]),
            status=JobStatus(data["status"]),
            status_message=data.get("status_message", ""),
            progress=float(data.get("progress", "0")),
            attempts=int(data.get("attempts", "0")),
            created_ms=int(data.get("created_ms", "0")),
            started_ms=int(data.get("started_ms", "0")),
            finished_ms=int(data.get("finished_ms", "0")),
            enqueued=data.get("enqueued") == "1",
            video_metadata=json.loads(data.get("video_metadata", "null")),
            response_members=json.loads(data.get("response_members", "{}")),
            result_counts=json.loads(data.get("result_counts", "{}")),
        )


class JobStore:
    """Jobs in Redis.

    ``retention_seconds`` is how long a finished job and its results stay readable (Rekognition keeps them
    7 days); a running job's keys live ``retention_seconds + running_grace_seconds`` so that no job
    expires while a worker still works on it.
    """

    def __init__(self, client: redis.Redis, *, retention_seconds: int, running_grace_seconds: int) -> None:
        self._redis = client
        self.retention_seconds = retention_seconds
        self._running_ttl = retention_seconds + running_grace_seconds

    # --- creation and idempotency ------------------------------------------------------------------
    def create(self, operation: str, request: dict[str, Any]) -> tuple[JobRecord, bool]:
        """Create a job for ``request``; return ``(job, created)``.

        With a ``ClientRequestToken``, the same token and the same request return the job made the
        first time (``created`` False); the same token with a different request raises
        :class:`IdempotencyConflict`.
        """
        job = JobRecord(job_id=new_job_id(), operation=operation, request=request, created_ms=now_ms())
        token = request.get("ClientRequestToken")
        if not isinstance(token, str):
            self._write_new(job)
            count(self._redis, JOBS_SUBMITTED, {"operation": operation})
            return job, True
        token_key = keys.client_token(operation, token)
        claim = json.dumps({"job_id": job.job_id, "fingerprint": request_fingerprint(request)})
        # The job is written before the token claims it, so a token never points at a missing job.
        self._write_new(job)
        if self._redis.set(token_key, claim, nx=True, ex=self.retention_seconds):
            count(self._redis, JOBS_SUBMITTED, {"operation": operation})
            return job, True
        self.delete(job.job_id)
        existing = json.loads(str(self._redis.get(token_key) or "{}"))
        if existing.get("fingerprint") != request_fingerprint(request):
            raise IdempotencyConflict(f"The ClientRequestToken: {token} you have supplied is already in use.")
        previous = self.get(str(existing.get("job_id")))
        if previous is None:
            raise IdempotencyConflict(f"The ClientRequestToken: {token} refers to a job that has expired.")
        return previous, False

    def _write_new(self, job: JobRecord) -> None:
        pipe = self._redis.pipeline(transaction=True)
        pipe.hset(keys.job(job.job_id), mapping=_fields(job.to_hash()))
        pipe.expire(keys.job(job.job_id), self._running_ttl)
        pipe.sadd(keys.ACTIVE_JOBS, job.job_id)
        pipe.zadd(keys.RECENT_JOBS, {job.job_id: job.created_ms})
        # No job lives longer than its running TTL: older entries of the listing are gone for good.
        pipe.zremrangebyscore(keys.RECENT_JOBS, "-inf", job.created_ms - self._running_ttl * 1000)
        pipe.execute()

    def delete(self, job_id: str) -> None:
        pipe = self._redis.pipeline(transaction=True)
        pipe.delete(keys.job(job_id))
        pipe.srem(keys.ACTIVE_JOBS, job_id)
        pipe.zrem(keys.RECENT_JOBS, job_id)
        pipe.execute()

    # --- reads -----------------------------------------------------------------------------------
    def get(self, job_id: str) -> JobRecord | None:
        data = self._redis.hgetall(keys.job(job_id))
        if not data:
            return None
        return JobRecord.from_hash({str(k): str(v) for k, v in data.items()})

    def active_job_ids(self) -> list[str]:
        return sorted(str(m) for m in self._redis.smembers(keys.ACTIVE_JOBS))

    def recent(self, limit: int) -> list[JobRecord]:
        """The newest jobs first, at most ``limit`` (ids whose job expired are dropped from the listing)."""
        found: list[JobRecord] = []
        start = 0
        while len(found) < limit:
            batch = [str(i) for i in self._redis.zrevrange(keys.RECENT_JOBS, start, start + limit - 1)]
            if not batch:
                break
            pipe = self._redis.pipeline(transaction=False)
            for job_id in batch:
                pipe.hgetall(keys.job(job_id))
            expired = []
            for job_id, data in zip(batch, pipe.execute(), strict=True):
                if data:
                    found.append(JobRecord.from_hash({str(k): str(v) for k, v in data.items()}))
                else:
                    expired.append(job_id)
            if expired:
                self._redis.zrem(keys.RECENT_JOBS, *expired)
            start += len(batch) - len(expired)
        return found[:limit]

    def active_operations(self) -> list[tuple[str, bool]]:
        """``(operation, started)`` of every job that has not reached a final state."""
        ids = self.active_job_ids()
        pipe = self._redis.pipeline(transaction=False)
        for job_id in ids:
            pipe.hmget(keys.job(job_id), ["operation", "started_ms", "status"])
        active = []
        for operation, started_ms, status in pipe.execute():
            if operation is not None and status == JobStatus.IN_PROGRESS.value:
                active.append((str(operation), int(started_ms or 0) > 0))
        return active

    # --- updates by the API and the worker --------------------------------------------------------
    def mark_enqueued(self, job_id: str) -> None:
        self._redis.hset(keys.job(job_id), "enqueued", "1")

    def mark_requeued(self, job_id: str) -> None:
        """The job is back in the queue: not started until a runner takes it again."""
        self._redis.hset(keys.job(job_id), mapping={"enqueued": "1", "started_ms": "0"})

    def forget_active(self, job_id: str) -> None:
        self._redis.srem(keys.ACTIVE_JOBS, job_id)

    def begin_attempt(self, job_id: str) -> int:
        """Count an attempt at running the job; return the attempt number (1 for the first)."""
        pipe = self._redis.pipeline(transaction=True)
        pipe.hincrby(keys.job(job_id), "attempts", 1)
        pipe.hset(keys.job(job_id), "started_ms", str(now_ms()))
        attempts, _ = pipe.execute()
        return int(attempts)

    def record_progress(self, job_id: str, percent: float) -> None:
        self._redis.hset(
            keys.job(job_id), "progress", repr(round(percent, 1))
        )

    def record_video_metadata(self, job_id: str, metadata: dict[str, Any]) -> None:
        self._redis.hset(keys.job(job_id), "video_metadata", json.dumps(metadata))

    def finish(
        self,
        job_id: str,
        status: JobStatus,
        *,
        message: str = "",
        response_members: dict[str, Any] | None = None,
        result_counts: dict[str, int] | None = None,
    ) -> None:
        """Write a final state; start the retention clock of the job and its results."""
        fields = {
            "status": status.value,
            "status_message": message,
            "finished_ms": str(now_ms()),
            "progress": repr(100.0) if status is JobStatus.SUCCEEDED else "0.0",
        }
        if response_members is not None:
            fields["response_members"] = json.dumps(response_members)
        if result_counts is not None:
            fields["result_counts"] = json.dumps(result_counts)
        # Completion notification (workers/notifications): queued in the outbox in the same transaction
        # as the final state, so a worker dying right after this cannot lose it.
        request, operation = self._redis.hmget(keys.job(job_id), ["request", "operation"])
        notify = wants_notification(request)
        pipe = self._redis.pipeline(transaction=True)
        pipe.hset(keys.job(job_id), mapping=_fields(fields))
        count(pipe, JOBS_FINISHED, {"operation": str(operation), "status": status.value})
        pipe.expire(keys.job(job_id), self.retention_seconds)
        if notify:
            pipe.zadd(keys.NOTIFICATION_OUTBOX, {job_id: int(fields["finished_ms"])})
        for view in result_counts or {}:
            pipe.expire(keys.results(job_id, view), self.retention_seconds)
        pipe.srem(keys.ACTIVE_JOBS, job_id)
        pipe.execute()

    # --- one runner at a time ----------------------------------------------------------------------
    def acquire_run_lock(self, job_id: str, owner: str, ttl_seconds: int) -> bool:
        return bool(self._redis.set(keys.run_lock(job_id), owner, nx=True, ex=ttl_seconds))

    def refresh_run_lock(self, job_id: str, owner: str, ttl_seconds: int) -> None:
        if self._redis.get(keys.run_lock(job_id)) == owner:
            self._redis.expire(keys.run_lock(job_id), ttl_seconds)

    def release_run_lock(self, job_id: str, owner: str) -> None:
        if self._redis.get(keys.run_lock(job_id)) == owner:
            self._redis.delete(keys.run_lock(job_id))

    def is_run_locked(self, job_id: str) -> bool:
        return bool(self._redis.exists(keys.run_lock(job_id)))
