"""Text detection: sampled frames -> incremental OCR (re-reads only what changed) -> filters ->
GetTextDetection items."""

from __future__ import annotations

import logging
from typing import Any

from pipelines.decoding import sample_frames
from pipelines.text.change_gate import IncrementalTextReader
from pipelines.text.filters import TextFilter, limit_words
from pipelines.text.limits import MAX_WORDS_PER_FRAME
from pipelines.text_results import text_detection_results
from workers.analyses import AnalysisInput, AnalysisResult
from workers.operations import DEFAULT_VIEW

log = logging.getLogger(__name__)


def analyse_text(inp: AnalysisInput) -> AnalysisResult:
    settings = inp.settings
    reader = inp.models.text_reader()
    incremental = IncrementalTextReader(
        reader.engine, rule=reader.rule, max_diff=settings.text_change_threshold
    )
    # Refused at Start time already; a job queued before that check fails with the filter's message.
    text_filter = TextFilter.from_request(inp.request.get("Filters"))
    items: list[dict[str, Any]] = []
    frames = sample_frames(
        inp.video_path,
        interval_ms=1000.0 / settings.text_sample_fps,
        max_side=settings.text_frame_max_side,
        on_progress=inp.progress,
        damage=inp.damage,
    )
    for frame in frames:
        lines = limit_words(text_filter.apply(incremental.read(frame.image)), MAX_WORDS_PER_FRAME)
        items.extend(text_detection_results(frame.timestamp_ms, lines))
    log.info("text detection: %s", incremental.stats)
    return AnalysisResult(
        views={DEFAULT_VIEW: items}, response_members={"TextModelVersion": reader.model_version}
    )
