"""Hypothesis strategies for request bodies of any Rekognition operation, from botocore's input shapes.

:func:`valid_params` follows the model: required members always, optional ones sometimes, lengths, ranges,
enums and patterns respected (sizes kept small). :func:`request_bodies` mixes those (serialised as boto3
does) with broken ones: a required member dropped, an unknown member, a value of the wrong type, a lone
surrogate, deep nesting, a body over the size limit, or a body that is no JSON object at all.

A few shapes are narrowed so that generated requests reach further than "not found" and stay on this
machine: buckets are the contract suite's local buckets (any other name would be an S3 request to an
endpoint where nothing listens, retried by botocore for seconds), collections and stream processors come
from small pools so that later examples find earlier ones, and image bytes are never a decodable picture
(random bytes, a PNG decompression bomb, a PNG wider than 10,000 px), so image operations stop at decoding
and no model is ever loaded.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from functools import cache
from typing import Any

import botocore.model
from hypothesis import strategies as st
from PIL import Image

from api.model_patterns import compile_model_pattern
from api.service_model import operation_model
from tests.contract.conftest import BUCKET, STREAM_ARN

#: Most items generated in a list or map, and most extra characters beyond a string's minimum length.
MAX_ITEMS = 3
MAX_TEXT = 24
#: Most bytes of a generated (random) blob.
MAX_BLOB = 48

Params = dict[str, Any]


@cache
def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("L", (width, height)).save(out, format="PNG", optimize=True)
    return out.getvalue()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _image_blobs() -> st.SearchStrategy[str]:
    """Image bytes that no model ever sees: random bytes, a PNG signature and garbage, a decompression
    bomb (8900x8900 in ~80 KB) and a PNG wider than 10,000 px."""
    return st.one_of(
        st.binary(min_size=1, max_size=MAX_BLOB).map(_b64),
        st.binary(max_size=MAX_BLOB).map(lambda tail: _b64(b"\x89PNG\r\n\x1a\n" + tail)),
        st.sampled_from([_b64(_png(8900, 8900)), _b64(_png(10_001, 8))]),
    )


#: Shapes generated from a pool (see the module docstring), by shape name.
OVERRIDES: dict[str, Callable[[], st.SearchStrategy[Any]]] = {
    "S3Bucket": lambda: st.sampled_from([BUCKET, "samples"]),
    "S3ObjectName": lambda: st.one_of(
        st.sampled_from(["clip.mp4", "clips/nested.mp4", "huge.mp4", "notes.jpg", "huge.jpg", "bikes.mp4"]),
        st.text(min_size=1, max_size=MAX_TEXT),
    ),
    "ImageBlob": _image_blobs,
    "CollectionId": lambda: st.sampled_from(["fuzz-a", "fuzz-b", "fuzz-c"]),
    "StreamProcessorName": lambda: st.sampled_from(["fuzz-sp-a", "fuzz-sp-b"]),
    "KinesisVideoArn": lambda: st.sampled_from([STREAM_ARN]),
    "UserId": lambda: st.sampled_from(["user-a", "user-b"]),
}


def _bounds(shape: botocore.model.Shape) -> tuple[int | float | None, int | float | None]:
    return shape.metadata.get("min"), shape.metadata.get("max")


def _size_range(shape: botocore.model.Shape, extra: int) -> tuple[int, int]:
    low, high = _bounds(shape)
    lo = int(low or 0)
    hi = lo + extra if high is None else min(int(high), lo + extra)
    return lo, hi


def _string(shape: botocore.model.StringShape) -> st.SearchStrategy[str]:
    if shape.enum:
        return st.sampled_from(list(shape.enum))
    lo, hi = _size_range(shape, MAX_TEXT)
    pattern = shape.metadata.get("pattern")
    if pattern:
        low, high = _bounds(shape)
        lowest, highest = int(low or 0), int(high) if high is not None else None
        return st.from_regex(compile_model_pattern(pattern), fullmatch=True).filter(
            lambda text: len(text) >= lowest and (highest is None or len(text) <= highest)
        )
    return st.text(min_size=lo, max_size=hi)


def _number(shape: botocore.model.Shape) -> st.SearchStrategy[Any]:
    low, high = _bounds(shape)
    if shape.type_name in ("integer", "long"):
        bits = 31 if shape.type_name == "integer" else 63
        lo = int(low) if low is not None else -(2**bits)
        hi = int(high) if high is not None else 2**bits - 1
        return st.integers(lo, hi)
    lo_f = float(low) if low is not None else -1e6
    hi_f = float(high) if high is not None else 1e6
    return st.floats(lo_f, hi_f, allow_nan=False, allow_infinity=False)


_BUILT: dict[str, st.SearchStrategy[Any]] = {}


def _strategy(shape: botocore.model.Shape) -> st.SearchStrategy[Any]:
    """A valid value of ``shape``, built once per shape name."""
    built = _BUILT.get(shape.name)
    if built is None:
        built = _BUILT[shape.name] = _build(shape)
    return built


def _build(shape: botocore.model.Shape) -> st.SearchStrategy[Any]:
    """A valid value of ``shape`` (the model has no recursive shapes, so this terminates)."""
    override = OVERRIDES.get(shape.name)
    if override is not None:
        return override()
    kind = shape.type_name
    if isinstance(shape, botocore.model.StructureShape):
        required = set(shape.required_members)
        members = {name: _strategy(member) for name, member in shape.members.items()}
        return st.fixed_dictionaries(
            {name: members[name] for name in members if name in required},
            optional={name: members[name] for name in members if name not in required},
        )
    if isinstance(shape, botocore.model.ListShape):
        lo, hi = _size_range(shape, MAX_ITEMS)
        return st.lists(_strategy(shape.member), min_size=lo, max_size=hi)
    if isinstance(shape, botocore.model.MapShape):
        lo, hi = _size_range(shape, MAX_ITEMS)
        return st.dictionaries(_strategy(shape.key), _strategy(shape.value), min_size=lo, max_size=hi)
    if isinstance(shape, botocore.model.StringShape):
        return _string(shape)
    if kind in ("integer", "long", "float", "double"):
        return _number(shape)
    if kind == "boolean":
        return st.booleans()
    if kind == "blob":
        lo, hi = _size_range(shape, MAX_BLOB)
        return st.binary(min_size=lo, max_size=hi).map(_b64)
    if kind == "timestamp":
        return st.integers(0, 2**31)
    raise ValueError(f"shape {shape.name} has unsupported type {kind!r}")


def valid_params(operation: str) -> st.SearchStrategy[Params]:
    """Parameters of ``operation`` that its input shape allows."""
    shape = operation_model(operation).input_shape
    return st.just({}) if shape is None else _strategy(shape)


# --- broken requests -------------------------------------------------------------------------------

#: Values of the wrong type (for most members), or hostile values of the right one.
HOSTILE_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    2**70,
    1.5,
    "",
    "\ud800",
    "x" * 5000,
    "\u00e9\u2603\U0001f600",
    [],
    [None],
    {},
    {"Bogus": 1},
    [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],  # 41 levels
]

#: Any text at all, lone surrogates (written as JSON escapes) and other non-ASCII included.
ANY_TEXT = st.one_of(
    st.sampled_from(["\ud800", "a\udfff", "abc.\u00e9\u00e9", "\u2603" * 300, "\x00", "../../etc/passwd"]),
    st.text(st.characters(exclude_categories=()), max_size=12),
)

#: Whole bodies that are no JSON object of this protocol.
HOSTILE_BODIES: list[bytes] = [
    b"[]",
    b"null",
    b'"text"',
    b"{",
    b'{"a": NaN}',
    b"\xff\xfe{\x00}\x00",
    b"\xef\xbb\xbf{}",
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a": ' + b'{"b": ' * 2000 + b"1" + b"}" * 2000 + b"}",
    b'{"a": "\\ud800"}',
]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path (keys and indexes) to a value inside ``value``."""
    found: list[tuple[Any, ...]] = []
    items: list[tuple[Any, Any]] = (
        list(value.items())
        if isinstance(value, dict)
        else list(enumerate(value))
        if isinstance(value, list)
        else []
    )
    for key, child in items:
        found.append((*prefix, key))
        found.extend(_paths(child, (*prefix, key)))
    return found


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        value = value[key]
    return value


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> None:
    for key in path[:-1]:
        value = value[key]
    value[path[-1]] = new


@st.composite
def broken_body(draw: st.DrawFn, operation: str) -> bytes:
    """A body ``operation`` must refuse with a 4xx (or, for an unimplemented one, a 501)."""
    params = draw(valid_params(operation))
    required = list(operation_model(operation).input_shape.required_members) if params else []
    kind = draw(
        st.sampled_from(["drop", "unknown", "hostile", "hostile", "text", "text", "text", "raw", "oversize"])
    )
    paths = _paths(params)
    texts = [path for path in paths if isinstance(_get(params, path), str)]
    if kind == "drop" and required:
        del params[draw(st.sampled_from(required))]
    elif kind == "text" and texts:
        _replace(params, draw(st.sampled_from(texts)), draw(ANY_TEXT))
    elif kind == "hostile" and paths:
        _replace(params, draw(st.sampled_from(paths)), draw(st.sampled_from(HOSTILE_VALUES)))
    elif kind == "raw":
        return draw(st.one_of(st.sampled_from(HOSTILE_BODIES), st.binary(max_size=64)))
    elif kind == "oversize":
        params["Padding"] = "x" * (1024 * 1024 + 1)
    else:
        params[draw(st.sampled_from(["Bogus", "maxResults", "\ud800"]))] = draw(
            st.sampled_from(HOSTILE_VALUES)
        )
    return json.dumps(params).encode()


class GeneratedBody:
    """A generated request body; its repr (shown for a failing example) is cut short."""

    __slots__ = ("body", "valid")

    def __init__(self, valid: bool, body: bytes) -> None:
        self.valid = valid
        self.body = body

    def __repr__(self) -> str:
        shown = self.body if len(self.body) <= 300 else self.body[:300] + b"..."
        return f"GeneratedBody(valid={self.valid}, {len(self.body)} bytes: {shown!r})"


def request_bodies(operation: str) -> st.SearchStrategy[GeneratedBody]:
    """A body serialised as boto3 serialises valid parameters, or a broken one."""
    valid = valid_params(operation).map(lambda params: GeneratedBody(True, json.dumps(params).encode()))
    return st.one_of(valid, broken_body(operation).map(lambda body: GeneratedBody(False, body)))
