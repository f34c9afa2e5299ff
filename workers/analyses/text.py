"""Text detection: sampled frames -> incremental OCR (re-reads only what changed) -> filters ->
GetTextDetection items."""

from __future__ import annotations

import logging
from typing import Any

from pipelines.decoding import sample_frames
from pipelines.text.change_gate import IncrementalTextReader
from pipelines.text.filters import TextFilter, TextFilterError, limit_words
from pipelines.text.limits import MAX_WORDS_PER_FRAME
from pipelines.text.ocr import OcrParams
from pipelines.text.reader import TextReader
from pipelines.text_results import text_detection_results
from workers.analyses import AnalysisError, AnalysisInput, AnalysisResult
from workers.operations import DEFAULT_VIEW
from workers.settings import Settings

log = logging.getLogger(__name__)


def text_reader(settings: Settings) -> TextReader:
    """The OCR reader configured by the settings (its models are loaded once per process)."""
    return TextReader(
        OcrParams(det_limit_side_len=settings.text_det_limit_side_len, threads=settings.onnx_threads)
    )


def analyse_text(inp: AnalysisInput) -> AnalysisResult:
    settings = inp.settings
    reader = text_reader(settings)
    incremental = IncrementalTextReader(
        reader.engine, rule=reader.rule, max_diff=settings.text_change_threshold
    )
    try:
        text_filter = TextFilter.from_request(inp.request.get("Filters"))
    except TextFilterError as err:  # refused at Start time already; kept for jobs queued before
        raise AnalysisError(f"Filters: {err}") from err
    items: list[dict[str, Any]] = []
    frames = sample_frames(
        inp.video_path,
        interval_ms=1000.0 / settings.text_sample_fps,
        max_side=settings.text_frame_max_side,
        on_progress=inp.progress,
    )
    for frame in frames:
        lines = limit_words(text_filter.apply(incremental.read(frame.image)), MAX_WORDS_PER_FRAME)
        items.extend(text_detection_results(frame.timestamp_ms, lines))
    log.info("text detection: %s", incremental.stats)
    return AnalysisResult(
        views={DEFAULT_VIEW: items}, response_members={"TextModelVersion": reader.model_version}
    )
