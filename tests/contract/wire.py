"""What the contract tests look at: errors as boto3 raises them, and raw signed requests.

Nothing here knows vidrek's internals; everything goes through HTTP.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.aws_clients import REGION, TEST_KEY

JSON_11 = "application/x-amz-json-1.1"


def unique(prefix: str) -> str:
    """A resource name no other test uses (the contract suite shares one Redis and never flushes it)."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def check_error(err: ClientError, code: str, status: int) -> None:
    """The error as a boto3 user reads it: code, HTTP status, a message and the request id."""
    response: dict[str, Any] = dict(err.response)
    assert response["Error"]["Code"] == code, response["Error"]
    assert response["Error"]["Message"], "the error has no message"
    metadata = response["ResponseMetadata"]
    assert metadata["HTTPStatusCode"] == status, metadata
    request_id = metadata["HTTPHeaders"].get("x-amzn-requestid")
    assert request_id, "no x-amzn-RequestId header"
    assert metadata["RequestId"] == request_id


@contextmanager
def refused(rek: Any, code: str, *, status: int = 400, match: str | None = None) -> Iterator[None]:
    """The block must fail the way boto3 reports ``code``.

    A code the service model has (``InvalidParameterException`` ...) must come as
    ``rek.exceptions.<code>``; one it lacks (``NotImplementedException``, protocol errors) as a plain
    ``ClientError``. ``match`` is a regular expression the message must contain.
    """
    modelled = getattr(rek.exceptions, code, None)
    expected: type[ClientError] = modelled if modelled is not None else ClientError
    with pytest.raises(expected, match=match) as caught:
        yield
    if modelled is None:
        assert type(caught.value) is ClientError, f"{code} is not modelled, yet boto3 raised {caught.type}"
    check_error(caught.value, code, status)


def sign(target: str | None, body: bytes, url: str, content_type: str = JSON_11) -> dict[str, str]:
    """The headers boto3 would send for ``body`` to ``target``: SigV4-signed with the test key."""
    headers = {"Content-Type": content_type}
    if target is not None:
        headers["X-Amz-Target"] = target
    request = AWSRequest(method="POST", url=url, data=body, headers=headers)
    SigV4Auth(Credentials(TEST_KEY, TEST_KEY), "rekognition", REGION).add_auth(request)
    return {name: str(value) for name, value in request.headers.items()}


def post(http: httpx.Client, endpoint: str, target: str | None, body: bytes) -> httpx.Response:
    """POST ``body`` as it is (no serialisation, no client-side checks), signed like boto3 signs."""
    url = f"{endpoint}/"
    return http.post(url, content=body, headers=sign(target, body, url))


def check_raw_error(answer: httpx.Response, code: str, status: int = 400) -> dict[str, Any]:
    """An AWS JSON 1.1 error answer: status, content type, request id, ``__type`` and a message."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith(JSON_11)
    assert answer.headers.get("x-amzn-requestid")
    body: dict[str, Any] = answer.json()
    assert body["__type"] == code, body
    assert body.get("message") or body.get("Message"), body
    return body
