"""What a request body must be before any operation sees it: announced right, small, UTF-8 JSON, shallow.

Checked in this order, each refusal a fast AWS-style 4xx:

1. ``Content-Type`` (``POST /`` only): ``application/x-amz-json-1.1``, what every SDK sends, or
   ``application/json``; a ``charset`` parameter must be UTF-8. AWS's JSON services pick the protocol by
   content type and do not route a request with another one to the operation at all (a DynamoDB request
   sent as ``x-amz-json-1.1`` is answered 404 "Page Not Found"), so anything else (``text/plain``, a form,
   no header) is ``UnknownOperationException`` here, with a message naming the header, never a 500 or
   a guess at the body.
2. Size: :func:`body_limit` bytes at most (``VIDREK_API_MAX_BODY_BYTES``, plus the base64 size of the
   operation's blob members as the model limits them: ~8 MB for DetectLabels). A ``Content-Length``
   above it is refused before a byte of the body is read; a body without one is read in the chunks the
   server hands over, and refused as soon as it grows past the limit. Never more than the limit is held.
   The answer (:func:`too_large`) is ``ImageTooLargeException`` for image operations, as Rekognition answers
   an image over 5 MB (so a too-large image gets the same error whether the validator or the size cap
   sees it first; boto3 raises the modelled exception and does not retry it), and
   ``SerializationException`` for every other operation, whose body cannot be read as its input.
3. Encoding: UTF-8 only (AWS's JSON protocols are UTF-8; ``json.loads`` would also accept UTF-16 and
   UTF-32 bodies, a leniency AWS does not have): ``SerializationException``.
4. JSON: a single object; ``NaN``/``Infinity`` literals (not JSON) and nesting deeper than
   :data:`MAX_JSON_DEPTH` are ``SerializationException`` (the deepest input of the whole model is 6 levels;
   10^5 levels used to exhaust the parser's recursion).

Lone surrogates (``"\\ud800"``) are valid JSON escapes; the request validator refuses them in every string
member (:mod:`api.validation`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any, NoReturn

from starlette.requests import ClientDisconnect, Request

from api.errors import ImageTooLargeException, SerializationException, UnknownOperationException
from api.service_model import blob_maxima, image_operations
from pipelines.errors import VidrekError

#: Content types of an AWS JSON 1.1 request (media type only, lower case).
JSON_CONTENT_TYPES = ("application/x-amz-json-1.1", "application/json")

#: Deepest nesting of objects and arrays accepted. The model's deepest input is 6 levels
#: (StartTextDetection); the margin leaves room for model updates. Deeper values cannot be valid input, and
#: every later walk over the request (validation, error messages, storing it as JSON) is recursive.
MAX_JSON_DEPTH = 32


class ClientDisconnected(SerializationException):
    """The client went away before its body arrived (or was cut off by the body timeout); nobody reads
    this answer, it only ends the request cleanly."""


def check_content_type(value: str | None) -> None:
    """Raise unless ``value`` announces AWS JSON in UTF-8 (module docstring, step 1)."""
    media_type, _, parameters = (value or "").partition(";")
    if media_type.strip().lower() not in JSON_CONTENT_TYPES:
        shown = f"Content-Type {value!r}" if value else "a request without Content-Type"
        raise UnknownOperationException(
            f"{shown} is not an AWS JSON request; send Content-Type: application/x-amz-json-1.1."
        )
    for parameter in parameters.split(";"):
        name, _, charset = parameter.partition("=")
        if name.strip().lower() == "charset" and charset.strip().strip('"').lower() not in ("utf-8", "utf8"):
            raise SerializationException(f"The request body must be UTF-8, not {charset.strip()}.")


def _base64_size(size: int) -> int:
    return 4 * math.ceil(size / 3)


def body_limit(operation: str, base_bytes: int) -> int:
    """Largest body of ``operation``: ``base_bytes`` plus the base64 size of each blob member's limit."""
    return base_bytes + sum(_base64_size(size) for size in blob_maxima(operation))


def too_large(operation: str, size: int | None, limit: int) -> VidrekError:
    """The refusal of a body over ``limit`` bytes (``size`` when its Content-Length said so)."""
    told = f"of {size} bytes " if size is not None else ""
    text = f"The request body {told}is larger than the {limit} bytes {operation} accepts."
    if operation in image_operations():
        return ImageTooLargeException(f"Image size is too large: {text} Images as bytes may be 5 MB.")
    return SerializationException(text)


async def read_body(request: Request, limit: int, refuse: Callable[[int | None], VidrekError]) -> bytes:
    """The whole body, at most ``limit`` bytes; ``refuse(size)`` is raised for a larger one (module
    docstring, step 2). A client that disconnects raises :class:`ClientDisconnected`."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise refuse(int(declared))
    chunks: list[bytes] = []
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise refuse(None)
            chunks.append(chunk)
    except ClientDisconnect as err:
        raise ClientDisconnected("The client closed the connection before sending the whole body.") from err
    return b"".join(chunks)


def _not_json(literal: str) -> NoReturn:
    raise ValueError(f"{literal} is not a JSON value")


def parse_json_object(raw: bytes) -> dict[str, Any]:
    """``raw`` as the JSON object it must be; an empty body is ``{}`` (module docstring, steps 3-4)."""
    if not raw or raw.isspace():
        return {}
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        reason = f"{err.reason} at byte {err.start}"
        raise SerializationException(f"The request body is not UTF-8: {reason}.") from err
    try:
        value = json.loads(text, parse_constant=_not_json)
    except RecursionError as err:
        raise SerializationException(
            f"The request body is nested too deeply (at most {MAX_JSON_DEPTH} levels of objects and arrays)."
        ) from err
    except ValueError as err:
        raise SerializationException(f"The request body is not valid JSON: {err}") from err
    if not isinstance(value, dict):
        raise SerializationException("The request body must be a JSON object.")
    if deeper_than(value, MAX_JSON_DEPTH):
        raise SerializationException(
            f"The request body is nested too deeply (at most {MAX_JSON_DEPTH} levels of objects and arrays)."
        )
    return value


def deeper_than(value: object, limit: int) -> bool:
    """Whether objects and arrays in ``value`` nest more than ``limit`` levels (without recursion)."""
    pending: list[tuple[object, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False
