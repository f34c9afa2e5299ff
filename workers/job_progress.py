"""What a running job is doing, in words: the StatusMessage of an IN_PROGRESS job's Get* answer.

``queued, 3 jobs ahead`` while the job waits in the Celery queue, ``analysing: 42 % of 10:00`` once a worker
runs it. SDKs parse StatusMessage (it is in the AWS model), unlike vidrek's extra ``Progress`` member.

The queue position is read from the broker's list in Redis: Celery's Redis transport LPUSHes each message
onto a list named after the queue and workers pop from its other end, so the analysis messages between a
job's message and the popping end are the jobs ahead of it. A job whose message is not in the list has
been handed to a worker that has not started it yet, or waits for a retry (its message is scheduled): it
just says ``queued``.
"""

from __future__ import annotations

import math

import redis

from workers.celery_names import ANALYSE_TASK, ANALYSIS_QUEUE
from workers.jobs import JobRecord

#: Most queued messages read to find a job's position (from the popping end). Range 100-1,000,000.
#: Larger finds the position of jobs deeper in a long queue at the cost of reading that many messages per
#: Get* of a queued job (~100 bytes each); beyond it the message says "more than N jobs ahead".
MAX_QUEUE_SCAN = 10_000


def jobs_ahead(client: redis.Redis, job_id: str, queue: str = ANALYSIS_QUEUE) -> int | None:
    """How many analysis jobs wait before ``job_id`` in ``queue``; None when its message is not queued
    there (a worker took it, or it waits for a retry). At most :data:`MAX_QUEUE_SCAN`."""
    raw = client.lrange(queue, -MAX_QUEUE_SCAN, -1)
    ahead = 0
    task_marker = f'"{ANALYSE_TASK}"'
    for message in reversed(raw):  # the popping end (the oldest message) first
        text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
        if job_id in text:
            return ahead
        if task_marker in text:
            ahead += 1
    return MAX_QUEUE_SCAN if len(raw) >= MAX_QUEUE_SCAN else None


def queue_depth(client: redis.Redis, queue: str) -> int:
    """Messages waiting in a Celery queue (not those a worker has taken)."""
    return int(client.llen(queue))


def clock(ms: float) -> str:
    """``m:ss``, or ``h:mm:ss`` from one hour on."""
    seconds = max(0, round(ms / 1000))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def queued_message(ahead: int | None) -> str:
    if ahead is None:
        return "queued"
    if ahead >= MAX_QUEUE_SCAN:
        return f"queued, more than {MAX_QUEUE_SCAN} jobs ahead"
    return f"queued, {ahead} job{'' if ahead == 1 else 's'} ahead"


def running_message(job: JobRecord) -> str:
    duration = (job.video_metadata or {}).get("DurationMillis")
    if not isinstance(duration, (int, float)):
        return "analysing: reading the video"
    return f"analysing: {math.floor(job.progress)} % of {clock(duration)}"


def in_progress_message(client: redis.Redis, job: JobRecord) -> str:
    """The StatusMessage of an IN_PROGRESS job (see the module docstring)."""
    if job.started_ms <= 0:
        return queued_message(jobs_ahead(client, job.job_id))
    return running_message(job)
