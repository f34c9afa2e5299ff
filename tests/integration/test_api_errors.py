"""Errors of videos in S3 (the moto server), as boto3 raises them.

The rest of the wire contract (protocol errors, parameter validation, unknown jobs, pagination tokens,
local-bucket objects, VideoTooLargeException) is checked in-process, without a worker: tests/contract.
"""

from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.parametrize(
    "video",
    [
        {"S3Object": {"Bucket": "no-such-bucket", "Name": "bikes.mp4"}},
        {"S3Object": {"Bucket": "videos", "Name": "clips/missing.mp4"}},
    ],
)
def test_unreadable_video_is_invalid_s3_object(rek: Any, video: dict[str, Any]) -> None:
    with pytest.raises(rek.exceptions.InvalidS3ObjectException):
        rek.start_label_detection(Video=video)
