"""SMPTE timecodes, drop-frame arithmetic at its known boundaries."""

from __future__ import annotations

import pytest

from pipelines.timecode import TimecodeBase

DF30 = TimecodeBase.for_frame_rate(29.97002997)
DF60 = TimecodeBase.for_frame_rate(59.94005994)


@pytest.mark.parametrize(
    ("frames", "label"),
    [
        (0, "00:00:00;00"),
        (29, "00:00:00;29"),
        (1799, "00:00:59;29"),  # last label of minute 0
        (1800, "00:01:00;02"),  # ;00 and ;01 skipped at minute 1
        (3597, "00:01:59;29"),
        (3598, "00:02:00;02"),
        (17981, "00:09:59;29"),
        (17982, "00:10:00;00"),  # minute 10: no labels skipped
        (17983, "00:10:00;01"),
        (19781, "00:10:59;29"),
        (19782, "00:11:00;02"),
        (107892, "01:00:00;00"),  # one drop-frame hour
        (24 * 107892, "00:00:00;00"),  # wraps after 24 h
        (299, "00:00:09;29"),  # AWS's GetSegmentDetection example
        (149, "00:00:04;29"),
    ],
)
def test_drop_frame_29_97(frames: int, label: str) -> None:
    assert DF30.is_drop_frame and DF30.nominal == 30
    assert DF30.format(frames) == label


@pytest.mark.parametrize(
    ("frames", "label"),
    [
        (3599, "00:00:59;59"),
        (3600, "00:01:00;04"),  # four labels skipped at 59.94
        (35963, "00:09:59;59"),
        (35964, "00:10:00;00"),
        (215784, "01:00:00;00"),
    ],
)
def test_drop_frame_59_94(frames: int, label: str) -> None:
    assert DF60.format(frames) == label


def test_drop_frame_labels_never_skip_a_frame_or_repeat() -> None:
    labels = [DF30.format(n) for n in range(0, 40_000)]
    assert len(set(labels)) == len(labels)
    skipped = [label for label in labels if label.endswith((";00", ";01")) and label[6:8] == "00"]
    assert all(int(label[3:5]) % 10 == 0 for label in skipped)


@pytest.mark.parametrize(
    ("fps", "frames", "label"),
    [
        (25.0, 90_000, "01:00:00:00"),
        (25.0, 24, "00:00:00:24"),
        (24.0, 24, "00:00:01:00"),
        (30.0, 1800, "00:01:00:00"),  # true 30 fps: non-drop
        (23.976, 24, "00:00:01:00"),  # 23.976 counts at 24 without dropping
        (50.0, 3_000, "00:01:00:00"),
    ],
)
def test_non_drop_frame(fps: float, frames: int, label: str) -> None:
    base = TimecodeBase.for_frame_rate(fps)
    assert not base.is_drop_frame
    assert base.format(frames) == label


def test_frame_at_uses_the_exact_ntsc_rate() -> None:
    assert DF30.frame_at(10010) == 300  # 10.010 s at 30000/1001 fps
    assert DF30.frame_at(9976) == 299
    assert TimecodeBase.for_frame_rate(25.0).frame_at(1000) == 25


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError):
        TimecodeBase.for_frame_rate(0.0)
    with pytest.raises(ValueError):
        DF30.format(-1)
