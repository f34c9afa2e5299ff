"""Every error a user can provoke comes back as the right boto3 exception (or AWS-style error body)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.stack import Stack, wait_for_job

BIKES = {"S3Object": {"Bucket": "samples", "Name": "bikes.mp4"}}


def raw_post(stack: Stack, target: str | None, body: bytes) -> tuple[int, dict[str, str], dict[str, Any]]:
    headers = {"Content-Type": "application/x-amz-json-1.1"}
    if target:
        headers["X-Amz-Target"] = target
    request = urllib.request.Request(stack.endpoint + "/", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, raw_headers, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as err:
        status, raw_headers, body = err.code, err.headers, err.read()
    return status, {k.lower(): v for k, v in raw_headers.items()}, json.loads(body)


def test_unknown_job_id(rek: Any) -> None:
    with pytest.raises(rek.exceptions.ResourceNotFoundException):
        rek.get_label_detection(JobId="0" * 64)


def test_bad_pagination_token(rek: Any) -> None:
    job = rek.start_label_detection(Video=BIKES)["JobId"]
    with pytest.raises(rek.exceptions.InvalidPaginationTokenException):
        rek.get_label_detection(JobId=job, NextToken="not-a-token")


def test_token_of_another_sort_order_is_refused(rek: Any) -> None:
    job = rek.start_label_detection(Video=BIKES, JobTag="tok")["JobId"]
    assert wait_for_job(rek, job)["JobStatus"] == "SUCCEEDED"
    token = rek.get_label_detection(JobId=job, MaxResults=1)["NextToken"]
    with pytest.raises(rek.exceptions.InvalidPaginationTokenException):
        rek.get_label_detection(JobId=job, MaxResults=1, SortBy="NAME", NextToken=token)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(rek.exceptions.InvalidPaginationTokenException):
        rek.get_label_detection(JobId=job, NextToken=tampered)


@pytest.mark.parametrize(
    "params",
    [
        {"Video": BIKES, "MinConfidence": 150.0},
        {"Video": BIKES, "JobTag": "has spaces"},
        {"Video": BIKES, "ClientRequestToken": "bad token!"},
        {"Video": BIKES, "Features": ["GENERAL_LABELS", "GENERAL_LABELS"]},
        {"Video": BIKES, "Features": ["IMAGE_PROPERTIES"]},
        {"Video": {"S3Object": {"Bucket": "samples", "Name": "bikes.mp4", "Version": "v" * 1025}}},
        {
            "Video": BIKES,
            "NotificationChannel": {
                "SNSTopicArn": "not-an-arn",
                "RoleArn": "arn:aws:iam::123456789012:role/r",
            },
        },
        {"Video": {}},
    ],
)
def test_invalid_start_parameters(rek: Any, params: dict[str, Any]) -> None:
    with pytest.raises((rek.exceptions.InvalidParameterException, ClientError)) as caught:
        rek.start_label_detection(**params)
    assert caught.value.response["Error"]["Code"] in ("InvalidParameterException",), caught.value


@pytest.mark.parametrize("params", [{"SortBy": "BOGUS"}, {"AggregateBy": "HOURS"}, {"JobId": "x" * 100}])
def test_invalid_get_parameters(rek: Any, params: dict[str, Any]) -> None:
    with pytest.raises(rek.exceptions.InvalidParameterException):
        rek.get_label_detection(**{"JobId": "a" * 64, **params})


@pytest.mark.parametrize(
    "video",
    [
        {"S3Object": {"Bucket": "no-such-bucket", "Name": "bikes.mp4"}},
        {"S3Object": {"Bucket": "samples", "Name": "no-such-video.mp4"}},
        {"S3Object": {"Bucket": "samples", "Name": "../../../../etc/passwd"}},
        {"S3Object": {"Bucket": "videos", "Name": "clips/missing.mp4"}},
    ],
)
def test_unreadable_video_is_invalid_s3_object(rek: Any, video: dict[str, Any]) -> None:
    with pytest.raises(rek.exceptions.InvalidS3ObjectException):
        rek.start_label_detection(Video=video)


def test_video_too_large(rek: Any) -> None:
    with pytest.raises(rek.exceptions.VideoTooLargeException):
        rek.start_label_detection(Video={"S3Object": {"Bucket": "media", "Name": "huge.mp4"}})


def test_protocol_errors_have_aws_shape(stack: Stack) -> None:
    status, headers, body = raw_post(stack, "RekognitionService.NoSuchOperation", b"{}")
    assert status == 400 and body["__type"] == "UnknownOperationException"
    assert headers.get("x-amzn-requestid")
    status, _, body = raw_post(stack, "RekognitionService.GetLabelDetection", b"{not json")
    assert status == 400 and body["__type"] == "SerializationException"
    status, _, body = raw_post(stack, "RekognitionService.GetLabelDetection", b"[1, 2]")
    assert status == 400 and body["__type"] == "SerializationException"
    status, _, body = raw_post(stack, "RekognitionService.GetLabelDetection", b'{"JobId": 5}')
    assert status == 400 and body["__type"] in ("InvalidParameterException", "SerializationException")
    status, _, body = raw_post(stack, None, b"{}")
    assert status == 400 and body["__type"] == "UnknownOperationException"


def test_every_response_has_a_request_id(rek: Any) -> None:
    job = rek.start_label_detection(Video=BIKES)
    assert job["ResponseMetadata"]["RequestId"]
    with pytest.raises(rek.exceptions.ResourceNotFoundException) as caught:
        rek.get_label_detection(JobId="f" * 64)
    assert caught.value.response["ResponseMetadata"]["RequestId"]
