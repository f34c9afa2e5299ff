"""The HTTP face of vidrek: AWS JSON 1.1 on ``POST /``, dispatched on ``X-Amz-Target``."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from api.context import ServiceContext
from api.errors import (
    ImageTooLargeException,
    InternalServerError,
    RekognitionError,
    SerializationException,
    error_body,
)
from api.operations import HANDLERS
from api.service_model import operation_from_target
from api.validation import Constraint, InvalidParametersError, request_validator
from workers.redis_connection import connect
from workers.settings import Settings, get_settings

log = logging.getLogger(__name__)

CONTENT_TYPE = "application/x-amz-json-1.1"


class NotImplementedOperation(RekognitionError):
    """An operation of the Rekognition model that vidrek does not answer (yet)."""

    code = "NotImplementedException"
    status = 501


def _json_response(status: int, body: dict[str, Any], request_id: str) -> Response:
    return Response(
        content=json.dumps(body, separators=(",", ":")),
        status_code=status,
        media_type=CONTENT_TYPE,
        headers={"x-amzn-RequestId": request_id},
    )


def _parse_body(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        params = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as err:
        raise SerializationException(f"The request body is not valid JSON: {err}") from err
    if not isinstance(params, dict):
        raise SerializationException("The request body must be a JSON object.")
    return params


def create_app(settings: Settings | None = None, enqueue: Callable[[str], None] | None = None) -> FastAPI:
    settings = settings or get_settings()
    validator = request_validator()
    state: dict[str, ServiceContext] = {}

    def _validate(operation: str, params: dict[str, Any]) -> None:
        try:
            validator.validate(operation, params)
        except InvalidParametersError as err:
            # Rekognition answers an image over 5 MB with ImageTooLargeException, not a parameter error.
            if any(v.shape == "ImageBlob" and v.constraint is Constraint.MAX for v in err.violations):
                raise ImageTooLargeException(
                    "Image size is too large: images passed as bytes may be at most 5 MB."
                ) from err
            raise

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        queue: Callable[[str], None]
        if enqueue is None:
            from workers.celery_app import enqueue_analysis

            queue = enqueue_analysis
        else:
            queue = enqueue
        state["ctx"] = ServiceContext.create(settings, connect(settings), queue)
        await run_in_threadpool(validator.warm)
        yield
        state["ctx"].redis_client.close()

    app = FastAPI(title="vidrek", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)

    @app.post("/")
    async def dispatch(request: Request) -> Response:
        request_id = str(uuid.uuid4())
        operation = "?"
        try:
            operation = operation_from_target(request.headers.get("x-amz-target"))
            params = _parse_body(await request.body())
            _validate(operation, params)
            handler = HANDLERS.get(operation)
            if handler is None:
                raise NotImplementedOperation(f"vidrek does not implement {operation} yet.")
            result = await run_in_threadpool(handler, state["ctx"], params)
            return _json_response(200, result, request_id)
        except RekognitionError as err:
            log.info("%s %s -> %s: %s", request_id, operation, err.code, err.message)
            return _json_response(err.status, error_body(err, request_id=request_id), request_id)
        except Exception:
            log.exception("%s %s failed", request_id, operation)
            fault = InternalServerError("Internal server error")
            return _json_response(fault.status, error_body(fault, request_id=request_id), request_id)

    @app.get("/health")
    async def health() -> dict[str, str]:
        await run_in_threadpool(state["ctx"].redis_client.ping)
        return {"status": "ok"}

    # Notification extension routes (webhook subscriptions, SNS URLs, delivery logs).
    from api.notification_routes import notification_router

    app.include_router(notification_router(lambda: state["ctx"]))
    return app
