"""Which handler answers each Rekognition operation."""

from __future__ import annotations

from api.video_jobs import Handler, get_handler, start_handler
from workers.operations import VIDEO_OPERATIONS


def build_handlers() -> dict[str, Handler]:
    handlers: dict[str, Handler] = {}
    for operation in VIDEO_OPERATIONS.values():
        handlers[operation.start_action] = start_handler(operation)
        handlers[operation.get_action] = get_handler(operation)
    return handlers


HANDLERS = build_handlers()
