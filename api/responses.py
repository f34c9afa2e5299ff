"""How every route of the API answers: AWS JSON 1.1 bodies, and errors rendered one way.

:func:`error_response` is the one renderer of errors for every route (``POST /`` and the ``/vidrek/*``
extension routes): any exception goes through :func:`api.errors.wire_error_for` and is sent as the AWS
JSON error body with the wire error's status. Unexpected exceptions are logged with their traceback and
sent as a bare ``InternalServerError``.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from fastapi import Response

from api.errors import error_body, wire_error_for
from api.validation import printable
from pipelines.errors import VidrekError

log = logging.getLogger(__name__)

CONTENT_TYPE = "application/x-amz-json-1.1"


def new_request_id() -> str:
    return str(uuid.uuid4())


def json_response(status: int, body: dict[str, Any], request_id: str) -> Response:
    return Response(
        content=json.dumps(body, separators=(",", ":")),
        status_code=status,
        media_type=CONTENT_TYPE,
        headers={"x-amzn-RequestId": request_id},
    )


def error_response(err: BaseException, request_id: str, operation: str = "?") -> Response:
    """The AWS-shaped answer to ``err`` (logged: a deliberate error as info, anything else in full)."""
    wire = wire_error_for(err)
    if isinstance(err, VidrekError):
        # A message may quote a request's text, lone surrogates included: logged escaped (the body's JSON
        # escapes them anyway).
        log.info("%s %s -> %s: %s", request_id, printable(operation), wire.code, printable(wire.message))
    else:
        log.error("%s %s failed", request_id, operation, exc_info=err)
    return json_response(wire.status, error_body(wire, request_id=request_id), request_id)
