"""DetectText (images) and the Start-time check of StartTextDetection's Filters."""

from __future__ import annotations

import functools
from typing import Any

from api.context import ServiceContext
from api.errors import InvalidParameterException
from api.handlers import Handler, StartCheck
from api.images import load_image
from pipelines.text.filters import TextFilter, TextFilterError, limit_words
from pipelines.text.limits import MAX_WORDS_PER_IMAGE
from pipelines.text.ocr import OcrParams
from pipelines.text.reader import TextReader
from pipelines.text_results import text_detections


def _text_filter(params: dict[str, Any]) -> TextFilter:
    try:
        return TextFilter.from_request(params.get("Filters"))
    except TextFilterError as err:
        raise InvalidParameterException(f"Filters: {err}") from err


@functools.lru_cache(maxsize=2)
def _reader(det_limit_side_len: int, threads: int) -> TextReader:
    return TextReader(OcrParams(det_limit_side_len=det_limit_side_len, threads=threads))


def detect_text(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    text_filter = _text_filter(params)
    image = load_image(ctx, params["Image"])
    reader = _reader(ctx.settings.text_det_limit_side_len, ctx.settings.onnx_threads)
    lines = limit_words(text_filter.apply(reader.read(image.rgb)), MAX_WORDS_PER_IMAGE)
    return {"TextDetections": text_detections(lines), "TextModelVersion": reader.model_version}


def check_text_detection(ctx: ServiceContext, params: dict[str, Any]) -> None:
    _text_filter(params)


HANDLERS: dict[str, Handler] = {"DetectText": detect_text}
START_CHECKS: dict[str, StartCheck] = {"TextDetection": check_text_detection}
