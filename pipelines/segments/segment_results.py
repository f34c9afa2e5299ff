"""The one place that turns segment detection results into GetSegmentDetection's JSON.

Frame arithmetic follows the example in AWS's developer guide (segments.md): ``StartFrameNumber`` and
``EndFrameNumber`` are the indices (from 0) of the first and the last frame of the segment, and every
duration is end minus start - ``DurationFrames = EndFrameNumber - StartFrameNumber``,
``DurationMillis = EndTimestampMillis - StartTimestampMillis`` and ``DurationSMPTE`` the timecode of the
difference of the two timecodes' frame counts (so a one-frame segment lasts 0). Timestamps are the pts
(ms) of those two frames; timecodes are :mod:`pipelines.timecode` labels of the same instants.

Segments are ordered as AWS documents: by segment type in the order the request's ``SegmentTypes``
lists them, then by start time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipelines.decoding import AudioStreamInfo
from pipelines.segments.spans import FrameSpan, Shot, TechnicalCue
from pipelines.timecode import TimecodeBase

#: ``SelectedSegmentTypes[].ModelVersion`` of each detector.
MODEL_VERSIONS = {"SHOT": "vidrek-shots-1.0", "TECHNICAL_CUE": "vidrek-technical-cues-1.0"}


def _span_members(span: FrameSpan, timecode: TimecodeBase) -> dict[str, Any]:
    start_count = timecode.frame_at(span.first.timestamp_ms)
    end_count = max(start_count, timecode.frame_at(span.last.timestamp_ms))
    return {
        "StartTimestampMillis": int(span.first.timestamp_ms),
        "EndTimestampMillis": int(span.last.timestamp_ms),
        "DurationMillis": int(span.last.timestamp_ms - span.first.timestamp_ms),
        "StartTimecodeSMPTE": timecode.format(start_count),
        "EndTimecodeSMPTE": timecode.format(end_count),
        "DurationSMPTE": timecode.format(end_count - start_count),
        "StartFrameNumber": int(span.first.index),
        "EndFrameNumber": int(span.last.index),
        "DurationFrames": int(span.last.index - span.first.index),
    }


def shot_item(shot: Shot, timecode: TimecodeBase) -> dict[str, Any]:
    item: dict[str, Any] = {"Type": "SHOT"}
    item.update(_span_members(shot.span, timecode))
    item["ShotSegment"] = {"Index": int(shot.index), "Confidence": float(shot.confidence)}
    return item


def technical_cue_item(cue: TechnicalCue, timecode: TimecodeBase) -> dict[str, Any]:
    item: dict[str, Any] = {"Type": "TECHNICAL_CUE"}
    item.update(_span_members(cue.span, timecode))
    item["TechnicalCueSegment"] = {"Type": cue.type, "Confidence": float(cue.confidence)}
    return item


def segment_items(
    segment_types: Sequence[str],
    shots: Sequence[Shot],
    cues: Sequence[TechnicalCue],
    timecode: TimecodeBase,
) -> list[dict[str, Any]]:
    """The ``Segments`` array: requested types in request order, each by start time."""
    items: list[dict[str, Any]] = []
    for segment_type in dict.fromkeys(segment_types):
        if segment_type == "SHOT":
            ordered_shots = sorted(shots, key=lambda s: (s.span.first.index, s.index))
            items.extend(shot_item(shot, timecode) for shot in ordered_shots)
        elif segment_type == "TECHNICAL_CUE":
            ordered_cues = sorted(cues, key=lambda c: (c.span.first.index, c.type))
            items.extend(technical_cue_item(cue, timecode) for cue in ordered_cues)
    return items


def selected_segment_types(segment_types: Sequence[str]) -> list[dict[str, str]]:
    """``SelectedSegmentTypes``: each requested type once, in request order, with its model version."""
    return [{"Type": t, "ModelVersion": MODEL_VERSIONS[t]} for t in dict.fromkeys(segment_types)]


def audio_metadata(streams: Sequence[AudioStreamInfo]) -> list[dict[str, Any]]:
    """``AudioMetadata``: one item per audio stream of the file."""
    return [
        {
            "Codec": stream.codec,
            "DurationMillis": int(stream.duration_ms),
            "SampleRate": int(stream.sample_rate),
            "NumberOfChannels": int(stream.channels),
        }
        for stream in streams
    ]
