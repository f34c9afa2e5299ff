"""The Start* and Get* handlers shared by every video operation (see :mod:`workers.operations`)."""

from __future__ import annotations

from typing import Any

from api.context import ServiceContext
from api.errors import ResourceNotFoundException
from api.handlers import Handler, StartCheck
from api.paging import PagePosition
from workers.job_progress import in_progress_message
from workers.jobs import JobStatus
from workers.notifications.delivery_log import notifications_member
from workers.operations import VIDEO_OPERATIONS, VideoOperation
from workers.sources import S3ObjectRef

#: Rekognition returns at most this many items per Get* page; larger MaxResults are clamped.
MAX_PAGE_SIZE = 1000


def start_handler(operation: VideoOperation) -> Handler:
    def start(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
        ctx.sources.describe(S3ObjectRef.from_request(params["Video"]))
        check = _start_checks().get(operation.name)
        if check is not None:
            check(ctx, params)
        job, created = ctx.stores.jobs.create(operation.name, params)
        if created or not job.enqueued:
            ctx.enqueue(job.job_id)
            ctx.stores.jobs.mark_enqueued(job.job_id)
        return {"JobId": job.job_id}

    return start


def get_handler(operation: VideoOperation) -> Handler:
    def get(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
        job_id = params["JobId"]
        job = ctx.stores.jobs.get(job_id)
        if job is None or job.operation != operation.name:
            raise ResourceNotFoundException(f"The job ID {job_id} was not found (results are kept 7 days).")
        sort_by = params.get("SortBy") or (operation.sort_by[0] if operation.sort_by else None)
        aggregate_by = params.get("AggregateBy") or (
            operation.aggregate_by[0] if operation.aggregate_by else None
        )
        view = operation.view(sort_by, aggregate_by)
        limit = min(int(params.get("MaxResults") or MAX_PAGE_SIZE), MAX_PAGE_SIZE)
        offset = 0
        token = params.get("NextToken")
        if token:
            offset = ctx.page_tokens.decode(token, job_id=job_id, view=view).offset

        response: dict[str, Any] = {"JobStatus": job.status.value, "JobId": job.job_id, "Video": job.video}
        if job.job_tag is not None:
            response["JobTag"] = job.job_tag
        if job.status_message:
            response["StatusMessage"] = job.status_message
        elif job.status is JobStatus.IN_PROGRESS:
            # What the job is doing, in a member every SDK parses: "queued, 3 jobs ahead",
            # "analysing: 42 % of 10:00" (Progress, below, is dropped by SDKs as unknown).
            response["StatusMessage"] = in_progress_message(ctx.redis_client, job)
        if job.video_metadata:
            response["VideoMetadata"] = (
                [job.video_metadata] if operation.video_metadata_as_list else job.video_metadata
            )
        response.update(job.response_members)
        if operation.request_metadata_member:
            metadata = {"SortBy": sort_by}
            if aggregate_by:
                metadata["AggregateBy"] = aggregate_by
            response[operation.request_metadata_member] = metadata
        # Beyond AWS: how much of the video has been analysed, in percent (SDKs ignore unknown members).
        if job.status is not JobStatus.FAILED:
            response["Progress"] = job.progress

        # Beyond AWS: the delivery log of the job's completion notifications (SDKs ignore the member).
        response.update(notifications_member(ctx.stores.delivery_log, job_id))

        items: list[dict[str, Any]] = []
        if job.status is JobStatus.SUCCEEDED:
            items = ctx.stores.results.page(job_id, view, offset, limit)
            total = job.result_counts.get(view, 0)
            if offset + len(items) < total:
                response["NextToken"] = ctx.page_tokens.encode(
                    PagePosition(job_id=job_id, view=view, offset=offset + len(items))
                )
        response[operation.results_member] = items
        return response

    return get


def _start_checks() -> dict[str, StartCheck]:
    from api.operations import START_CHECKS

    return START_CHECKS


HANDLERS: dict[str, Handler] = {}
for _operation in VIDEO_OPERATIONS.values():
    HANDLERS[_operation.start_action] = start_handler(_operation)
    HANDLERS[_operation.get_action] = get_handler(_operation)
