"""The HTTP face of vidrek: AWS JSON 1.1 on ``POST /``, dispatched on ``X-Amz-Target``."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.to_thread
from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from api.context import ServiceContext
from api.errors import ImageTooLargeException, InvalidPaginationTokenException, NotImplementedException
from api.operations import HANDLERS
from api.request_body import body_limit, check_content_type, parse_json_object, read_body, too_large
from api.responses import error_response, json_response, new_request_id
from api.service_model import image_operations, operation_from_target
from api.validation import Constraint, InvalidParametersError, request_validator
from pipelines.errors import VidrekError
from workers.models import Models
from workers.settings import Settings, get_settings
from workers.stores import Stores

log = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None,
    enqueue: Callable[[str], None] | None = None,
    models: Models | None = None,
) -> FastAPI:
    """The API. ``enqueue`` queues a job id (default: the Celery analysis queue); ``models`` are the
    process's models (default: built from ``settings`` on first use; tests may hand in doubles)."""
    settings = settings or get_settings()
    validator = request_validator()
    state: dict[str, ServiceContext] = {}
    image_ops = image_operations()
    # Image operations decode pictures (up to image_max_pixels each) and run models: at most
    # api_image_concurrency of them at once, each in a worker thread; the others wait for a slot.
    image_slots = anyio.CapacityLimiter(settings.api_image_concurrency)

    def _parse_and_validate(operation: str, raw: bytes) -> dict[str, Any]:
        params = parse_json_object(raw)
        try:
            validator.validate(operation, params)
        except InvalidParametersError as err:
            # Rekognition answers an image over 5 MB with ImageTooLargeException, not a parameter error.
            if any(v.shape == "ImageBlob" and v.constraint is Constraint.MAX for v in err.violations):
                raise ImageTooLargeException(
                    "Image size is too large: images passed as bytes may be at most 5 MB."
                ) from err
            # A token that is not even text was not issued by this server.
            if all(v.path == "NextToken" and v.constraint is Constraint.ENCODING for v in err.violations):
                raise InvalidPaginationTokenException("Invalid Pagination Token.") from err
            raise
        return params

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        queue: Callable[[str], None]
        if enqueue is None:
            from workers.celery_app import enqueue_analysis

            queue = enqueue_analysis
        else:
            queue = enqueue
        stores = Stores.connect(settings)
        state["ctx"] = ServiceContext.create(settings, stores, models or Models(settings), queue)
        if settings.warm_models:
            threading.Thread(target=state["ctx"].models.warm, name="vidrek-warm-models", daemon=True).start()
        await run_in_threadpool(validator.warm)
        yield
        stores.close()

    app = FastAPI(title="vidrek", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)

    @app.post("/")
    async def dispatch(request: Request) -> Response:
        request_id = new_request_id()
        operation = "?"
        try:
            operation = operation_from_target(request.headers.get("x-amz-target"))
            check_content_type(request.headers.get("content-type"))
            limit = body_limit(operation, settings.api_max_body_bytes)
            raw = await read_body(request, limit, lambda size: too_large(operation, size, limit))
            # Parsing and validating a body of several MB takes milliseconds: off the event loop too.
            params = await run_in_threadpool(_parse_and_validate, operation, raw)
            handler = HANDLERS.get(operation)
            if handler is None:
                raise NotImplementedException(f"vidrek does not implement {operation} yet.")
            call = functools.partial(handler, state["ctx"], params)
            if operation in image_ops:
                result = await anyio.to_thread.run_sync(call, limiter=image_slots)
            else:
                result = await run_in_threadpool(call)
            return json_response(200, result, request_id)
        except Exception as err:  # the one point where errors become wire errors
            return error_response(err, request_id, operation)

    @app.get("/health")
    async def health() -> dict[str, str]:
        await run_in_threadpool(state["ctx"].redis_client.ping)
        return {"status": "ok"}

    # Notification extension routes (webhook subscriptions, SNS URLs, delivery logs).
    from api.notification_routes import notification_router

    app.include_router(notification_router(lambda: state["ctx"]))

    # Job listing (vidrek jobs / results / render) and Prometheus metrics.
    from api.job_routes import job_router
    from api.metrics_routes import mount_metrics

    app.include_router(job_router(lambda: state["ctx"]))
    mount_metrics(app, lambda: state["ctx"])

    async def render_error(request: Request, err: Exception) -> Response:
        """Errors raised by the extension routes, rendered as ``POST /`` renders its own."""
        return error_response(err, new_request_id(), request.url.path)

    app.add_exception_handler(VidrekError, render_error)
    app.add_exception_handler(Exception, render_error)
    return app
