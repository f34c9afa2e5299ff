"""Requests generated from botocore's input shapes, valid and broken, for every operation (hypothesis).

Each is sent as boto3 sends it (signed, ``application/x-amz-json-1.1``) to an in-process API of its own
(its own Redis database, so the collections and processors it makes meet no other test) and must get an
answer that is not a 5xx (except 501 NotImplementedException), that botocore parses into the error its
``__type`` names or into the operation's output, within :data:`ANSWER_TIMEOUT_SECONDS` (the HTTP client's
timeout: a slower answer fails the example). Bounded and reproducible: ``EXAMPLES_PER_OPERATION``
examples per operation, derandomized, no example database. No model is loaded (see
:mod:`tests.contract.shape_strategies`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from botocore.parsers import create_parser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.service_model import operation_model, operation_names
from tests.contract.conftest import InProcessApi, contract_settings, serve_in_process
from tests.contract.shape_strategies import HOSTILE_BODIES, GeneratedBody, request_bodies
from tests.contract.wire import sign

#: Examples per operation (75 operations: ~3,000 requests).
EXAMPLES_PER_OPERATION = 40
#: Longest an answer may take; the HTTP client gives up after it and the example fails.
ANSWER_TIMEOUT_SECONDS = 5.0

GENERATED = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.large_base_example,
    ],
)


@pytest.fixture(scope="session")
def generated_api(
    contract_redis: str, bucket_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[InProcessApi]:
    own_database = contract_redis.rsplit("/", 1)[0] + "/1"
    with serve_in_process(contract_settings(own_database, bucket_dir, tmp_path_factory)) as running:
        yield running


@pytest.fixture(scope="session")
def patient_http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=ANSWER_TIMEOUT_SECONDS) as client:
        yield client


def check_answer(operation: str, valid: bool, answer: httpx.Response) -> None:
    """What boto3 needs of an answer, and what the issue demands of it."""
    what = f"{operation} ({'valid' if valid else 'broken'} request) answered {answer.status_code}"
    body = json.loads(answer.content)
    assert isinstance(body, dict), f"{what} with a body that is no JSON object: {answer.content[:200]!r}"
    code = body.get("__type")
    if answer.status_code >= 500:
        assert (answer.status_code, code) == (501, "NotImplementedException"), f"{what}: {body}"
    response = {"status_code": answer.status_code, "headers": dict(answer.headers), "body": answer.content}
    parsed = create_parser("json").parse(response, operation_model(operation).output_shape)
    if answer.status_code >= 300:
        assert code and parsed["Error"]["Code"] == code, f"{what}: botocore read {parsed['Error']}"
        assert parsed["Error"]["Message"], f"{what} without a message: {body}"
    else:
        assert answer.status_code == 200, what


@pytest.mark.parametrize("operation", sorted(operation_names()))
def test_generated_requests_never_get_a_server_error(
    operation: str, generated_api: InProcessApi, patient_http: httpx.Client
) -> None:
    url = f"{generated_api.endpoint}/"
    target = f"RekognitionService.{operation}"

    @GENERATED
    @given(request=request_bodies(operation))
    def exchange(request: GeneratedBody) -> None:
        answer = patient_http.post(url, content=request.body, headers=sign(target, request.body, url))
        check_answer(operation, request.valid, answer)

    exchange()


@pytest.mark.parametrize("operation", sorted(operation_names()))
def test_every_hostile_body_to_every_operation(
    operation: str, generated_api: InProcessApi, patient_http: httpx.Client
) -> None:
    """The hostile bodies are drawn only now and then by the generator: each operation gets all of them."""
    url = f"{generated_api.endpoint}/"
    target = f"RekognitionService.{operation}"
    for body in HOSTILE_BODIES:
        answer = patient_http.post(url, content=body, headers=sign(target, body, url))
        check_answer(operation, False, answer)


def test_the_strategies_cover_every_operation() -> None:
    """The model has no blob inside a list or map (the body limit counts blobs along structures only)."""
    for operation in operation_names():
        shape = operation_model(operation).input_shape
        assert shape is None or not _blob_in_collection(shape), operation
    assert st.booleans() is not None


def _blob_in_collection(shape: Any, inside: bool = False) -> bool:
    if shape.type_name == "blob":
        return inside
    if shape.type_name == "structure":
        return any(_blob_in_collection(member, inside) for member in shape.members.values())
    if shape.type_name == "list":
        return _blob_in_collection(shape.member, True)
    if shape.type_name == "map":
        return _blob_in_collection(shape.value, True)
    return False
