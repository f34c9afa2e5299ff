"""What a request body must be: limits per operation, nesting, content types (api/request_body.py)."""

from __future__ import annotations

import pytest

from api.errors import SerializationException, UnknownOperationException
from api.request_body import (
    MAX_JSON_DEPTH,
    body_limit,
    check_content_type,
    deeper_than,
    parse_json_object,
)

MIB = 1024 * 1024


def test_body_limits_add_the_base64_size_of_each_image_to_the_base() -> None:
    five_mb_in_base64 = 4 * -(-5 * MIB // 3)  # 6,990,508 characters
    assert body_limit("ListCollections", MIB) == MIB
    assert body_limit("DetectLabels", MIB) == MIB + five_mb_in_base64
    assert body_limit("CompareFaces", MIB) == MIB + 2 * five_mb_in_base64


def test_nesting_is_measured_without_recursion() -> None:
    deep: list[object] = []
    for _ in range(100_000):
        deep = [deep]
    assert deeper_than({"a": deep}, MAX_JSON_DEPTH)
    assert not deeper_than({"a": [{"b": [1, 2]}]}, 4)  # object, array, object, array
    assert deeper_than({"a": [{"b": [1, 2]}]}, 3)


@pytest.mark.parametrize(
    "raw",
    [b"[" * 100_000 + b"]" * 100_000, '{"a": 1}'.encode("utf-16"), b"\xef\xbb\xbf{}", b'{"a": NaN}', b"[]"],
    ids=["deep", "utf-16", "bom", "nan", "array"],
)
def test_bodies_that_are_no_utf8_json_object_are_serialization_errors(raw: bytes) -> None:
    with pytest.raises(SerializationException):
        parse_json_object(raw)


def test_an_empty_body_is_an_empty_object() -> None:
    assert parse_json_object(b"") == {} and parse_json_object(b" \n") == {}


@pytest.mark.parametrize(
    "value", ["application/x-amz-json-1.1", "application/json", "Application/JSON; charset=utf-8"]
)
def test_aws_json_content_types_are_accepted(value: str) -> None:
    check_content_type(value)


@pytest.mark.parametrize("value", ["text/plain", "application/x-amz-json-1.0", "", None])
def test_other_content_types_are_unknown_operations(value: str | None) -> None:
    with pytest.raises(UnknownOperationException):
        check_content_type(value)


def test_a_charset_other_than_utf8_is_a_serialization_error() -> None:
    with pytest.raises(SerializationException, match="UTF-8"):
        check_content_type("application/x-amz-json-1.1; charset=latin-1")
