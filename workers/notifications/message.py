"""The Rekognition completion message: the JSON string Rekognition publishes to the SNS topic.

``{"JobId", "Status", "API", "JobTag" (only when the Start request had one), "Timestamp" (Unix ms of the
job's end), "Video": {"S3ObjectName", "S3Bucket"}}``, as captured from real Rekognition deliveries.
This module is the one place that builds it.
"""

from __future__ import annotations

import json
from typing import Any

from workers.jobs import JobRecord
from workers.operations import VIDEO_OPERATIONS


def completion_message(job: JobRecord) -> str:
    """The message for a finished job (its status must be final)."""
    if not job.status.is_final:
        raise ValueError(f"job {job.job_id} is not finished")
    body: dict[str, Any] = {
        "JobId": job.job_id,
        "Status": job.status.value,
        "API": VIDEO_OPERATIONS[job.operation].start_action,
    }
    if job.job_tag is not None:
        body["JobTag"] = job.job_tag
    body["Timestamp"] = job.finished_ms
    s3_object = job.video.get("S3Object") or {}
    body["Video"] = {"S3ObjectName": s3_object.get("Name", ""), "S3Bucket": s3_object.get("Bucket", "")}
    return json.dumps(body, separators=(",", ":"))
