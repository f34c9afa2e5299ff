"""Segment detection: every frame, downscaled -> shot cuts and technical cues -> the Segments array."""

from __future__ import annotations

from typing import Any

from pipelines.decoding import sample_frames
from pipelines.prefetch import prefetched
from pipelines.segments.black_frames import BlackFrameRule
from pipelines.segments.luma import luma_of
from pipelines.segments.segment_results import audio_metadata, segment_items, selected_segment_types
from pipelines.segments.shots import ShotDetector
from pipelines.segments.spans import FrameRef
from pipelines.segments.technical_cues import TechnicalCueDetector
from pipelines.timecode import TimecodeBase
from workers.analyses import AnalysisInput, AnalysisResult
from workers.operations import DEFAULT_VIEW

#: Rekognition's default MinSegmentConfidence (also its minimum), percent.
DEFAULT_MIN_SEGMENT_CONFIDENCE = 50.0


def _min_confidence(segment_filter: dict[str, Any] | None) -> float:
    return float((segment_filter or {}).get("MinSegmentConfidence", DEFAULT_MIN_SEGMENT_CONFIDENCE))


def analyse_segments(inp: AnalysisInput) -> AnalysisResult:
    request = inp.request
    segment_types = list(dict.fromkeys(request["SegmentTypes"]))
    filters = request.get("Filters") or {}
    cue_filter = filters.get("TechnicalCueFilter") or {}
    shot_filter = filters.get("ShotFilter") or {}

    shot_detector = ShotDetector() if "SHOT" in segment_types else None
    cue_detector = (
        TechnicalCueDetector(BlackFrameRule.from_request(cue_filter.get("BlackFrame")))
        if "TECHNICAL_CUE" in segment_types
        else None
    )
    first_ms: int | None = None
    last_ms = 0
    count = 0
    frames = sample_frames(
        inp.video_path,
        interval_ms=0,
        max_side=inp.settings.segment_frame_side,
        on_progress=inp.progress,
        damage=inp.damage,
    )
    for frame in prefetched(frames, depth=16):
        ref = FrameRef(frame.index, frame.timestamp_ms)
        luma = luma_of(frame.image)
        if shot_detector is not None:
            shot_detector.add(ref, luma)
        if cue_detector is not None:
            cue_detector.add(ref, frame.image, luma)
        first_ms = frame.timestamp_ms if first_ms is None else first_ms
        last_ms = frame.timestamp_ms
        count += 1

    frame_rate = inp.info.frame_rate
    if frame_rate <= 0 and count > 1 and first_ms is not None and last_ms > first_ms:
        frame_rate = (count - 1) * 1000.0 / (last_ms - first_ms)
    timecode = TimecodeBase.for_frame_rate(frame_rate if frame_rate > 0 else 25.0)
    shots = shot_detector.shots(_min_confidence(shot_filter)) if shot_detector is not None else []
    cues = cue_detector.cues(_min_confidence(cue_filter)) if cue_detector is not None else []
    return AnalysisResult(
        views={DEFAULT_VIEW: segment_items(segment_types, shots, cues, timecode)},
        response_members={
            "AudioMetadata": audio_metadata(inp.info.audio_streams),
            "SelectedSegmentTypes": selected_segment_types(segment_types),
        },
    )
