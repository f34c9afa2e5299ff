"""vidrek's job-listing extension: ``GET /vidrek/jobs`` and ``GET /vidrek/jobs/{JobId}``.

Rekognition has no ListJobs and no way to learn a job's operation from its id, which `vidrek jobs`,
`vidrek results` and `vidrek render` need; these plain HTTP routes (beside ``POST /``, like the
notification extension's) read them from the job store, so the commands work against any vidrek endpoint
with no Redis access. Errors are rendered by the app's one error renderer (AWS JSON error bodies).

- ``GET /vidrek/jobs?Limit=20``: the newest jobs first (``Limit`` 1-1000), ``{"Jobs": [job, ...]}``.
- ``GET /vidrek/jobs/{JobId}``: one job; a unique prefix of at least :data:`MIN_PREFIX` characters of a
  recent job's id also finds it. Unknown: 400 ``ResourceNotFoundException``, as Get* answers.

A job is ``{"JobId", "Operation", "StartAction", "GetAction", "JobStatus", "StatusMessage"?, "Progress",
"Video", "JobTag"?, "CreationTimestamp", "StartTimestamp"?, "CompletionTimestamp"?, "VideoMetadata"?}``
(timestamps in Unix ms); ``StatusMessage`` is what the job's Get* answer says.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from api.context import ServiceContext
from api.errors import InvalidParameterException, ResourceNotFoundException
from workers.job_progress import in_progress_message
from workers.jobs import JobRecord, JobStatus
from workers.operations import VIDEO_OPERATIONS

#: Shortest job-id prefix `GET /vidrek/jobs/{prefix}` resolves (a job id has 64 hex characters).
MIN_PREFIX = 6
#: How many recent jobs a prefix is looked for among.
PREFIX_SEARCH_JOBS = 1000
MAX_LIMIT = 1000


def describe_job(ctx: ServiceContext, job: JobRecord) -> dict[str, Any]:
    operation = VIDEO_OPERATIONS.get(job.operation)
    described: dict[str, Any] = {
        "JobId": job.job_id,
        "Operation": job.operation,
        "StartAction": operation.start_action if operation else "",
        "GetAction": operation.get_action if operation else "",
        "JobStatus": job.status.value,
        "Progress": job.progress if job.status is not JobStatus.FAILED else 0.0,
        "Video": job.video,
        "CreationTimestamp": job.created_ms,
    }
    message = job.status_message
    if not message and job.status is JobStatus.IN_PROGRESS:
        message = in_progress_message(ctx.redis_client, job)
    if message:
        described["StatusMessage"] = message
    if job.job_tag is not None:
        described["JobTag"] = job.job_tag
    if job.started_ms:
        described["StartTimestamp"] = job.started_ms
    if job.finished_ms:
        described["CompletionTimestamp"] = job.finished_ms
    if job.video_metadata:
        described["VideoMetadata"] = job.video_metadata
    return described


def find_job(ctx: ServiceContext, job_id: str) -> JobRecord:
    """The job ``job_id`` names, exactly or as a unique prefix of a recent job's id."""
    job = ctx.stores.jobs.get(job_id)
    if job is not None:
        return job
    if len(job_id) >= MIN_PREFIX:
        matches = [j for j in ctx.stores.jobs.recent(PREFIX_SEARCH_JOBS) if j.job_id.startswith(job_id)]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise InvalidParameterException(
                f"The job ID prefix {job_id} matches {len(matches)} jobs; give more of the id."
            )
    raise ResourceNotFoundException(f"The job ID {job_id} was not found (results are kept 7 days).")


def job_router(context: Callable[[], ServiceContext]) -> APIRouter:
    router = APIRouter()

    @router.get("/vidrek/jobs")
    async def list_jobs(Limit: int = 20) -> dict[str, Any]:
        if not 1 <= Limit <= MAX_LIMIT:
            raise InvalidParameterException(f"Limit must be between 1 and {MAX_LIMIT}.")
        ctx = context()

        def listing() -> list[dict[str, Any]]:
            return [describe_job(ctx, job) for job in ctx.stores.jobs.recent(Limit)]

        return {"Jobs": await run_in_threadpool(listing)}

    @router.get("/vidrek/jobs/{job_id}")
    async def get_job(job_id: str) -> dict[str, Any]:
        ctx = context()

        def lookup() -> dict[str, Any]:
            return describe_job(ctx, find_job(ctx, job_id))

        return await run_in_threadpool(lookup)

    return router
