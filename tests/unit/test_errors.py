"""Rendered errors read back by botocore exactly as a boto3 user sees them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.awsrequest
import botocore.compat
import botocore.config
import botocore.exceptions
import botocore.parsers
import pytest

from api.errors import (
    ERRORS_BY_CODE,
    HumanLoopQuotaExceededException,
    InternalServerError,
    InvalidParameterException,
    RekognitionError,
    ResourceNotFoundException,
    SerializationException,
    ThrottlingException,
    UnknownOperationException,
    error_body,
)
from api.service_model import operation_from_target, operation_model, operation_names, service_model

MODELLED_CODES = sorted(shape.name for shape in service_model().error_shapes)
PROTOCOL_CODES = sorted(set(ERRORS_BY_CODE) - set(MODELLED_CODES))


class _Raw:
    """The bit of urllib3's response that botocore's AWSResponse reads the body from."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


def _client_answering(err: RekognitionError) -> Any:
    """A boto3 Rekognition client whose every call gets ``err`` rendered as vidrek renders it."""
    client = boto3.client(
        "rekognition",
        region_name="us-east-1",
        endpoint_url="http://vidrek.invalid",
        aws_access_key_id="x",
        aws_secret_access_key="y",
        config=botocore.config.Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )
    body = json.dumps(error_body(err, request_id="req-1")).encode()

    def answer(request: Any, **_: Any) -> botocore.awsrequest.AWSResponse:
        headers = botocore.compat.HTTPHeaders()
        headers["Content-Type"] = "application/x-amz-json-1.1"
        headers["x-amzn-RequestId"] = "req-1"
        return botocore.awsrequest.AWSResponse(request.url, err.status, headers, _Raw(body))

    hook: Any = answer  # botocore-stubs type handlers as returning None; before-send ones return a response
    client.meta.events.register("before-send.rekognition.*", hook)
    return client


def test_every_error_shape_of_the_model_has_a_class_with_its_aws_name() -> None:
    missing = [code for code in MODELLED_CODES if code not in ERRORS_BY_CODE]
    assert not missing
    for code, cls in ERRORS_BY_CODE.items():
        assert cls.code == code
        assert issubclass(cls, RekognitionError)
    assert len(MODELLED_CODES) >= 23


def test_statuses_follow_the_developer_guide() -> None:
    assert InternalServerError.status == 500
    assert ThrottlingException.status == 400
    assert InvalidParameterException.status == 400
    server_side = {code for code, cls in ERRORS_BY_CODE.items() if cls.status >= 500}
    # NotImplementedException (an operation vidrek does not answer) is 501, which SDKs do not retry.
    assert server_side == {"InternalServerError", "NotImplementedException"}
    for code, cls in ERRORS_BY_CODE.items():
        assert cls.status in (400, 403, 500, 501), code


@pytest.mark.parametrize("code", sorted(ERRORS_BY_CODE))
def test_botocore_parser_reads_code_and_message(code: str) -> None:
    err = ERRORS_BY_CODE[code](f"custom text for {code}")
    response = {
        "status_code": err.status,
        "headers": {"x-amzn-requestid": "req-1"},
        "body": json.dumps(error_body(err)).encode(),
    }
    output_shape = operation_model("GetLabelDetection").output_shape
    assert output_shape is not None
    parsed = botocore.parsers.create_parser("json").parse(response, output_shape)
    assert parsed["Error"] == {"Code": code, "Message": f"custom text for {code}"}
    assert parsed["ResponseMetadata"]["RequestId"] == "req-1"


@pytest.mark.parametrize("code", MODELLED_CODES)
def test_boto3_raises_the_modelled_exception_class(code: str) -> None:
    err = ERRORS_BY_CODE[code]()
    client = _client_answering(err)
    expected = getattr(client.exceptions, code)
    with pytest.raises(expected) as caught:
        client.get_label_detection(JobId="job-1")
    assert caught.value.response["Error"]["Code"] == code
    assert caught.value.response["Error"]["Message"] == err.message
    assert err.message  # a default message a user can read


@pytest.mark.parametrize("code", PROTOCOL_CODES)
def test_boto3_raises_plain_client_error_for_protocol_errors(code: str) -> None:
    client = _client_answering(ERRORS_BY_CODE[code]("nope"))
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        client.list_collections()
    assert caught.value.response["Error"] == {"Code": code, "Message": "nope"}
    text = str(caught.value)
    assert text.startswith(f"An error occurred ({code}) when calling the ListCollections operation")
    assert text.endswith(": nope")


def test_boto3_message_is_the_text_given_at_raise() -> None:
    client = _client_answering(ResourceNotFoundException("The job ID abc was not found."))
    with pytest.raises(client.exceptions.ResourceNotFoundException) as caught:
        client.get_label_detection(JobId="abc")
    text = str(caught.value)
    assert text.startswith("An error occurred (ResourceNotFoundException) when calling the GetLabelDetection")
    assert text.endswith(": The job ID abc was not found.")


def test_modelled_extra_error_members_reach_boto3() -> None:
    err = HumanLoopQuotaExceededException(ResourceType="HumanLoop", QuotaCode="L-1", ServiceCode="sagemaker")
    client = _client_answering(err)
    with pytest.raises(client.exceptions.HumanLoopQuotaExceededException) as caught:
        client.detect_moderation_labels(Image={"Bytes": b"x"})
    assert caught.value.response["QuotaCode"] == "L-1"
    assert caught.value.response["ResourceType"] == "HumanLoop"


def test_error_body_matches_what_aws_sends() -> None:
    body = error_body(SerializationException("bad json"), request_id="r-9")
    assert body == {
        "__type": "SerializationException",
        "Code": "SerializationException",
        "message": "bad json",
        "Message": "bad json",
        "Logref": "r-9",
    }
    assert "Logref" not in error_body(SerializationException())
    assert error_body(SerializationException())["Message"] == SerializationException.message


def test_extra_fields_cannot_override_the_error_code() -> None:
    body = error_body(InvalidParameterException("x", Code="Forged"))
    assert body["Code"] == body["__type"] == "InvalidParameterException"


def test_target_header_routes_to_model_operations() -> None:
    assert operation_from_target("RekognitionService.StartLabelDetection") == "StartLabelDetection"
    assert len(operation_names()) >= 75
    for target in (None, "", "RekognitionService.Nope", "Other.StartLabelDetection", "StartLabelDetection"):
        with pytest.raises(UnknownOperationException):
            operation_from_target(target)
    with pytest.raises(UnknownOperationException):
        operation_model("DetectDragons")
    assert operation_model("GetLabelDetection").name == "GetLabelDetection"
