"""AWS JSON 1.1 as boto3 and hand-written clients see it: routing on X-Amz-Target, bodies, error shape."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.aws_clients import aws_client
from tests.contract.conftest import InProcessApi
from tests.contract.wire import JSON_11, check_error, check_raw_error, post, refused

GET_LABELS = "RekognitionService.GetLabelDetection"


@contextmanager
def rewritten(rek: Any, *, target: str | None = None, body: bytes | None = None) -> Iterator[None]:
    """boto3 sends this target and/or body instead of its own (changed before signing, as a proxy or a
    broken SDK might), so the answer is parsed by botocore exactly as a real error would be."""

    def rewrite(request: Any, **_: Any) -> None:
        if target is not None:
            request.headers.replace_header("X-Amz-Target", target)
        if body is not None:
            request.data = body

    rek.meta.events.register("before-sign.rekognition", rewrite)
    try:
        yield
    finally:
        rek.meta.events.unregister("before-sign.rekognition", rewrite)


@pytest.mark.parametrize(
    "target",
    [
        "RekognitionService.NoSuchOperation",
        "RekognitionService.",
        "SomeOtherService.ListCollections",
        "ListCollections",
        None,
    ],
)
def test_unknown_or_missing_target_is_unknown_operation(
    http: httpx.Client, api: InProcessApi, target: str | None
) -> None:
    check_raw_error(post(http, api.endpoint, target, b"{}"), "UnknownOperationException")


def test_boto3_sees_an_unknown_operation_as_a_plain_client_error(rek: Any) -> None:
    with (
        rewritten(rek, target="RekognitionService.NoSuchOperation"),
        refused(rek, "UnknownOperationException"),
    ):
        rek.list_collections()


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2]", b'"a string"', b"42", b"null", b"\xff\xfe{}", b'{"JobId": "a"'],
    ids=["broken", "array", "string", "number", "null", "not-utf8", "truncated"],
)
def test_a_body_that_is_not_a_json_object_is_a_serialization_error(
    http: httpx.Client, api: InProcessApi, body: bytes
) -> None:
    check_raw_error(post(http, api.endpoint, GET_LABELS, body), "SerializationException")


def test_boto3_sees_a_serialization_error_as_a_plain_client_error(rek: Any) -> None:
    with rewritten(rek, body=b"[1, 2]"), refused(rek, "SerializationException"):
        rek.get_label_detection(JobId="a" * 64)


def test_an_empty_body_is_an_empty_request(http: httpx.Client, api: InProcessApi) -> None:
    answer = post(http, api.endpoint, "RekognitionService.ListCollections", b"")
    assert answer.status_code == 200, answer.text
    assert set(answer.json()) >= {"CollectionIds", "FaceModelVersions"}
    # ... which for an operation with required members is a parameter error, not a serialization one.
    body = check_raw_error(post(http, api.endpoint, GET_LABELS, b""), "InvalidParameterException")
    assert "'JobId'" in body["message"]


def test_error_bodies_have_aws_shape(http: httpx.Client, api: InProcessApi) -> None:
    answer = post(http, api.endpoint, GET_LABELS, b'{"JobId": "' + b"0" * 64 + b'"}')
    body = check_raw_error(answer, "ResourceNotFoundException")
    # botocore reads the code from __type and the message from "message", other SDKs from "Message".
    assert body["message"] == body["Message"]
    assert body["message"]


def test_successes_carry_the_json_11_content_type_and_a_fresh_request_id(
    http: httpx.Client, api: InProcessApi, rek: Any
) -> None:
    answers = [post(http, api.endpoint, "RekognitionService.ListCollections", b"{}") for _ in range(2)]
    for answer in answers:
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith(JSON_11)
    ids = {answer.headers["x-amzn-requestid"] for answer in answers}
    assert len(ids) == 2 and all(ids)
    listed = rek.list_collections()
    assert (
        listed["ResponseMetadata"]["RequestId"]
        == listed["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
    )


def test_errors_carry_a_fresh_request_id_too(rek: Any) -> None:
    ids = set()
    for _ in range(2):
        with pytest.raises(rek.exceptions.ResourceNotFoundException) as caught:
            rek.get_label_detection(JobId="f" * 64)
        check_error(caught.value, "ResourceNotFoundException", 400)
        ids.add(caught.value.response["ResponseMetadata"]["RequestId"])
    assert len(ids) == 2


@pytest.mark.parametrize(
    ("call", "params"),
    [
        ("create_project", {"ProjectName": "my-project"}),
        ("create_face_liveness_session", {}),
        (
            "detect_custom_labels",
            {
                "ProjectVersionArn": "arn:aws:rekognition:us-east-1:123456789012:project/p/version/v/1",
                "Image": {"Bytes": b"x"},
            },
        ),
    ],
)
def test_unimplemented_operations_are_501_and_not_retried(
    rek: Any, call: str, params: dict[str, Any]
) -> None:
    with pytest.raises(ClientError) as caught:
        getattr(rek, call)(**params)
    # Not in the service model: a plain ClientError, HTTP 501.
    assert type(caught.value) is ClientError
    check_error(caught.value, "NotImplementedException", 501)
    assert "does not implement" in caught.value.response["Error"]["Message"]
    # boto3 retries 500/502/503/504; a 501 is final, so the user gets the answer at once.
    assert caught.value.response["ResponseMetadata"]["RetryAttempts"] == 0


def test_unimplemented_operations_are_validated_first(rek_unchecked: Any) -> None:
    with refused(rek_unchecked, "InvalidParameterException", match="'ProjectName'"):
        rek_unchecked.create_project()


def test_any_credentials_are_accepted(api: InProcessApi) -> None:
    """README: credentials and signatures are not checked (any key works)."""
    for key in ("AKIDEXAMPLE", "someone-else"):
        client = aws_client("rekognition", api.endpoint, access_key_id=key, secret_access_key=key + "-secret")
        try:
            assert "CollectionIds" in client.list_collections()
        finally:
            client.close()
