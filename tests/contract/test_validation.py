"""Every request is validated against botocore's model; a broken rule is InvalidParameterException naming
the member path. boto3 itself checks only required members, types and minimums (the ``unchecked`` client
here skips even those), so the server's checks are what a user of any SDK meets."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.contract.conftest import BUCKET, InProcessApi
from tests.contract.wire import check_error, check_raw_error, post, refused

VIDEO = {"S3Object": {"Bucket": BUCKET, "Name": "clip.mp4"}}
JOB_ID = "a" * 64
ROLE = "arn:aws:iam::123456789012:role/rekognition"
TOPIC = "arn:aws:sns:us-east-1:123456789012:AmazonRekognitionTopic"
FIVE_MB = 5 * 1024 * 1024


def jpeg(size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (90, 120, 150)).save(out, format="JPEG")
    return out.getvalue()


def gif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48)).save(out, format="GIF")
    return out.getvalue()


# (how it is sent, operation, parameters, member path the message must name). "checked": boto3 as users
# have it (it sends these); "unchecked": boto3 without its own parameter checks; "raw": JSON posted as it is.
RULES: list[tuple[str, str, dict[str, Any], str]] = [
    # required members, at the top and deeper down
    ("unchecked", "get_label_detection", {}, "JobId"),
    ("unchecked", "start_label_detection", {}, "Video"),
    ("unchecked", "start_face_search", {"Video": VIDEO}, "CollectionId"),
    ("unchecked", "start_segment_detection", {"Video": VIDEO}, "SegmentTypes"),
    (
        "unchecked",
        "start_label_detection",
        {"Video": VIDEO, "NotificationChannel": {"SNSTopicArn": TOPIC}},
        "NotificationChannel.RoleArn",
    ),
    # wrong JSON types
    ("unchecked", "get_label_detection", {"JobId": 5}, "JobId"),
    ("unchecked", "get_label_detection", {"JobId": JOB_ID, "MaxResults": "ten"}, "MaxResults"),
    ("unchecked", "start_label_detection", {"Video": VIDEO, "Features": "GENERAL_LABELS"}, "Features"),
    # (botocore cannot even serialise these: posted as raw JSON)
    ("raw", "start_label_detection", {"Video": VIDEO, "MinConfidence": "high"}, "MinConfidence"),
    ("raw", "start_label_detection", {"Video": VIDEO, "MinConfidence": True}, "MinConfidence"),
    ("raw", "get_label_detection", {"JobId": JOB_ID, "MaxResults": 5.0}, "MaxResults"),
    ("raw", "start_label_detection", {"Video": "clip.mp4"}, "Video"),
    ("raw", "create_collection", {"CollectionId": "c", "Tags": ["a"]}, "Tags"),
    ("raw", "detect_labels", {"Image": {"Bytes": "not base64!"}}, "Image.Bytes"),
    # too long / too short / too many
    ("checked", "get_label_detection", {"JobId": "a" * 65}, "JobId"),
    ("checked", "get_label_detection", {"JobId": JOB_ID, "NextToken": "t" * 256}, "NextToken"),
    ("checked", "start_label_detection", {"Video": VIDEO, "JobTag": "t" * 1025}, "JobTag"),
    (
        "checked",
        "start_label_detection",
        {"Video": {"S3Object": {"Bucket": BUCKET, "Name": "clip.mp4", "Version": "v" * 1025}}},
        "Video.S3Object.Version",
    ),
    ("unchecked", "start_label_detection", {"Video": VIDEO, "ClientRequestToken": ""}, "ClientRequestToken"),
    ("unchecked", "start_segment_detection", {"Video": VIDEO, "SegmentTypes": []}, "SegmentTypes"),
    (
        "checked",
        "start_label_detection",
        {"Video": VIDEO, "Features": ["GENERAL_LABELS", "GENERAL_LABELS"]},
        "Features",
    ),
    (
        "checked",
        "start_label_detection",
        {"Video": VIDEO, "Settings": {"GeneralLabels": {"LabelInclusionFilters": ["x" * 51]}}},
        "Settings.GeneralLabels.LabelInclusionFilters[0]",
    ),
    ("checked", "create_collection", {"CollectionId": "c" * 256}, "CollectionId"),
    # out of range
    ("checked", "start_label_detection", {"Video": VIDEO, "MinConfidence": 150.0}, "MinConfidence"),
    ("unchecked", "start_label_detection", {"Video": VIDEO, "MinConfidence": -1.0}, "MinConfidence"),
    ("unchecked", "get_label_detection", {"JobId": JOB_ID, "MaxResults": 0}, "MaxResults"),
    ("unchecked", "get_label_detection", {"JobId": JOB_ID, "MaxResults": 2**40}, "MaxResults"),
    ("checked", "start_content_moderation", {"Video": VIDEO, "MinConfidence": 101.0}, "MinConfidence"),
    (
        "checked",
        "detect_moderation_labels",
        {"Image": {"Bytes": b"x"}, "MinConfidence": 150.0},
        "MinConfidence",
    ),
    # bad enum values
    ("checked", "get_label_detection", {"JobId": JOB_ID, "SortBy": "BOGUS"}, "SortBy"),
    ("checked", "get_label_detection", {"JobId": JOB_ID, "AggregateBy": "HOURS"}, "AggregateBy"),
    ("checked", "get_person_tracking", {"JobId": JOB_ID, "SortBy": "NAME"}, "SortBy"),
    ("checked", "get_content_moderation", {"JobId": JOB_ID, "SortBy": "BOGUS"}, "SortBy"),
    ("checked", "start_label_detection", {"Video": VIDEO, "Features": ["IMAGE_PROPERTIES"]}, "Features[0]"),
    ("checked", "start_face_detection", {"Video": VIDEO, "FaceAttributes": "SOME"}, "FaceAttributes"),
    ("checked", "start_segment_detection", {"Video": VIDEO, "SegmentTypes": ["SCENE"]}, "SegmentTypes[0]"),
    (
        "checked",
        "detect_faces",
        {"Image": {"Bytes": b"x"}, "Attributes": ["NOT_AN_ATTRIBUTE"]},
        "Attributes[0]",
    ),
    # patterns (matched against the whole value)
    ("checked", "get_label_detection", {"JobId": "not a job id!"}, "JobId"),
    ("checked", "start_label_detection", {"Video": VIDEO, "JobTag": "has spaces"}, "JobTag"),
    (
        "checked",
        "start_label_detection",
        {"Video": VIDEO, "ClientRequestToken": "bad token!"},
        "ClientRequestToken",
    ),
    (
        "checked",
        "start_label_detection",
        {"Video": VIDEO, "NotificationChannel": {"SNSTopicArn": "not-an-arn", "RoleArn": ROLE}},
        "NotificationChannel.SNSTopicArn",
    ),
    (
        "checked",
        "start_label_detection",
        {"Video": VIDEO, "NotificationChannel": {"SNSTopicArn": TOPIC, "RoleArn": "arn:aws:iam::1:role/r"}},
        "NotificationChannel.RoleArn",
    ),
    (
        "checked",
        "start_label_detection",
        {"Video": {"S3Object": {"Bucket": "no/slashes", "Name": "clip.mp4"}}},
        "Video.S3Object.Bucket",
    ),
    ("checked", "create_collection", {"CollectionId": "has space"}, "CollectionId"),
]


@pytest.mark.parametrize(("client", "call", "params", "path"), RULES)
def test_a_broken_rule_is_an_invalid_parameter_naming_the_member(
    rek: Any,
    rek_unchecked: Any,
    http: httpx.Client,
    api: InProcessApi,
    enqueued: list[str],
    client: str,
    call: str,
    params: dict[str, Any],
    path: str,
) -> None:
    if client == "raw":
        target = "RekognitionService." + "".join(word.capitalize() for word in call.split("_"))
        body = check_raw_error(
            post(http, api.endpoint, target, json.dumps(params).encode()), "InvalidParameterException"
        )
        assert f"'{path}'" in body["message"], body["message"]
    else:
        chosen = rek if client == "checked" else rek_unchecked
        with refused(chosen, "InvalidParameterException", match=re.escape(f"'{path}'")):
            getattr(chosen, call)(**params)
    assert enqueued == []


def test_every_broken_rule_is_named_in_one_answer(rek: Any) -> None:
    with pytest.raises(rek.exceptions.InvalidParameterException) as caught:
        rek.get_label_detection(JobId="a" * 65, SortBy="BOGUS")
    check_error(caught.value, "InvalidParameterException", 400)
    message = caught.value.response["Error"]["Message"]
    assert message.startswith("2 validation errors detected")
    assert "'JobId'" in message and "'SortBy'" in message


@pytest.mark.parametrize(
    ("body", "path"),
    [
        (b'{"JobId": "' + JOB_ID.encode() + b'", "MaxResult": 3}', "MaxResult"),  # a typo no SDK would send
        (b'{"JobId": null}', "JobId"),
        (b'{"JobId": "' + JOB_ID.encode() + b'", "SortBy": null}', "SortBy"),
    ],
    ids=["unknown-member", "null-required", "null-optional"],
)
def test_members_no_sdk_sends_are_invalid_parameters(
    http: httpx.Client, api: InProcessApi, body: bytes, path: str
) -> None:
    answer = check_raw_error(
        post(http, api.endpoint, "RekognitionService.GetLabelDetection", body), "InvalidParameterException"
    )
    assert f"'{path}'" in answer["message"]


@pytest.mark.parametrize(
    ("call", "extra"),
    [
        ("detect_labels", {}),
        ("detect_faces", {}),
        ("detect_text", {}),
        ("detect_moderation_labels", {}),
        ("detect_protective_equipment", {}),
        ("recognize_celebrities", {}),
        ("index_faces", {"CollectionId": "any-collection"}),
        ("search_faces_by_image", {"CollectionId": "any-collection"}),
        ("search_users_by_image", {"CollectionId": "any-collection"}),
    ],
)
def test_image_bytes_over_5_mb_are_image_too_large(rek: Any, call: str, extra: dict[str, Any]) -> None:
    with refused(rek, "ImageTooLargeException"):
        getattr(rek, call)(Image={"Bytes": b"\xff\xd8\xff" + bytes(FIVE_MB - 2)}, **extra)


def test_compare_faces_images_over_5_mb_are_image_too_large(rek: Any) -> None:
    big = {"Bytes": bytes(FIVE_MB + 1)}
    with refused(rek, "ImageTooLargeException"):
        rek.compare_faces(SourceImage={"Bytes": jpeg()}, TargetImage=big)
    with refused(rek, "ImageTooLargeException"):
        rek.compare_faces(SourceImage=big, TargetImage={"Bytes": jpeg()})


def test_exactly_5_mb_of_bytes_is_not_too_large(rek: Any) -> None:
    """The limit is 5 MiB included: such bytes are read (and, being no image, refused as such)."""
    with refused(rek, "InvalidImageFormatException"):
        rek.detect_labels(Image={"Bytes": bytes(FIVE_MB)})


@pytest.mark.parametrize(
    "data", [b"this is not an image at all", b"GIF89a...", gif()], ids=["text", "gif-magic", "gif"]
)
@pytest.mark.parametrize("call", ["detect_labels", "detect_faces", "detect_text", "detect_moderation_labels"])
def test_bytes_that_are_no_jpeg_or_png_are_an_invalid_image_format(rek: Any, call: str, data: bytes) -> None:
    with refused(rek, "InvalidImageFormatException"):
        getattr(rek, call)(Image={"Bytes": data})


def test_image_objects_in_a_local_bucket(rek: Any) -> None:
    with refused(rek, "InvalidImageFormatException"):
        rek.detect_faces(Image={"S3Object": {"Bucket": BUCKET, "Name": "notes.jpg"}})
    # An image in S3 may have up to 15 MB (bytes in the request only 5).
    with refused(rek, "ImageTooLargeException"):
        rek.detect_faces(Image={"S3Object": {"Bucket": BUCKET, "Name": "huge.jpg"}})
    for name in ("missing.jpg", "../outside.jpg", "/etc/hostname"):
        with refused(rek, "InvalidS3ObjectException"):
            rek.detect_labels(Image={"S3Object": {"Bucket": BUCKET, "Name": name}})


def test_an_image_needs_bytes_or_an_s3_object(rek: Any) -> None:
    with refused(rek, "InvalidParameterException", match="Image"):
        rek.detect_faces(Image={})


def test_custom_moderation_adapters_are_refused(rek: Any) -> None:
    with refused(rek, "InvalidParameterException", match="ProjectVersion"):
        rek.detect_moderation_labels(
            Image={"Bytes": jpeg()},
            ProjectVersion="arn:aws:rekognition:us-east-1:123456789012:project/p/version/v/1",
        )
