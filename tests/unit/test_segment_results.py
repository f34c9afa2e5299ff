"""GetSegmentDetection items: frame, millisecond and SMPTE arithmetic as in AWS's own example."""

from __future__ import annotations

from pipelines.decoding import AudioStreamInfo
from pipelines.segments.segment_results import audio_metadata, segment_items, selected_segment_types
from pipelines.segments.spans import FrameRef, FrameSpan, Shot, TechnicalCue
from pipelines.timecode import TimecodeBase

NTSC = TimecodeBase.for_frame_rate(29.97)


def ref(index: int) -> FrameRef:
    return FrameRef(index, index * 1001 // 30)  # 29.97 fps pts, floored like AWS's example


def test_matches_the_aws_developer_guide_example() -> None:
    """AWS's example: 450 frames at 29.97 fps; shot 0 = frames 0-299, shot 1 = 300-449."""
    shots = [Shot(0, FrameSpan(ref(0), ref(299)), 99.9), Shot(1, FrameSpan(ref(300), ref(449)), 99.9)]
    items = segment_items(["SHOT"], shots, [], NTSC)
    first, second = items
    assert first == {
        "Type": "SHOT",
        "StartTimestampMillis": 0,
        "EndTimestampMillis": 9976,
        "DurationMillis": 9976,
        "StartTimecodeSMPTE": "00:00:00;00",
        "EndTimecodeSMPTE": "00:00:09;29",
        "DurationSMPTE": "00:00:09;29",
        "StartFrameNumber": 0,
        "EndFrameNumber": 299,
        "DurationFrames": 299,
        "ShotSegment": {"Index": 0, "Confidence": 99.9},
    }
    assert (second["StartTimestampMillis"], second["EndTimestampMillis"]) == (10010, 14981)
    assert (second["StartTimecodeSMPTE"], second["EndTimecodeSMPTE"]) == ("00:00:10;00", "00:00:14;29")
    assert (second["DurationFrames"], second["DurationSMPTE"]) == (149, "00:00:04;29")


def test_types_in_request_order_each_by_time() -> None:
    shots = [Shot(0, FrameSpan(ref(0), ref(9)), 100.0), Shot(1, FrameSpan(ref(10), ref(20)), 80.0)]
    cues = [
        TechnicalCue("Content", FrameSpan(ref(5), ref(20)), 100.0),
        TechnicalCue("BlackFrames", FrameSpan(ref(0), ref(4)), 97.0),
    ]
    items = segment_items(["TECHNICAL_CUE", "SHOT", "TECHNICAL_CUE"], shots, cues, NTSC)
    assert [(i["Type"], i["StartFrameNumber"]) for i in items] == [
        ("TECHNICAL_CUE", 0),
        ("TECHNICAL_CUE", 5),
        ("SHOT", 0),
        ("SHOT", 10),
    ]
    assert items[0]["TechnicalCueSegment"] == {"Type": "BlackFrames", "Confidence": 97.0}
    assert [t["Type"] for t in selected_segment_types(["SHOT", "TECHNICAL_CUE", "SHOT"])] == [
        "SHOT",
        "TECHNICAL_CUE",
    ]


def test_audio_metadata() -> None:
    streams = (AudioStreamInfo(codec="aac", sample_rate=48000, channels=2, duration_ms=15007),)
    assert audio_metadata(streams) == [
        {"Codec": "aac", "DurationMillis": 15007, "SampleRate": 48000, "NumberOfChannels": 2}
    ]
