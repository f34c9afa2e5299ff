"""DetectText (images) and the Start-time check of StartTextDetection's Filters."""

from __future__ import annotations

from typing import Any

from api.context import ServiceContext
from api.handlers import Handler, StartCheck
from api.images import load_image
from pipelines.text.filters import TextFilter, limit_words
from pipelines.text.limits import MAX_WORDS_PER_IMAGE
from pipelines.text_results import text_detections


def detect_text(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    text_filter = TextFilter.from_request(params.get("Filters"))
    image = load_image(ctx, params["Image"])
    reader = ctx.models.text_reader()
    lines = limit_words(text_filter.apply(reader.read(image.rgb)), MAX_WORDS_PER_IMAGE)
    return {"TextDetections": text_detections(lines), "TextModelVersion": reader.model_version}


def check_text_detection(ctx: ServiceContext, params: dict[str, Any]) -> None:
    """StartTextDetection refuses Filters it cannot mean at once (InvalidParameterException)."""
    TextFilter.from_request(params.get("Filters"))


HANDLERS: dict[str, Handler] = {"DetectText": detect_text}
START_CHECKS: dict[str, StartCheck] = {"TextDetection": check_text_detection}
