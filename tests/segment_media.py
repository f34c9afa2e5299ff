"""Videos with known shot boundaries and black frames, for segment detection tests and benchmarks.

A video is an edit list of :class:`Shot` pieces built from real photos (a moving, zooming crop window:
camera pans, with optional shake and sensor noise) or real clips, joined by hard cuts, fades through
black, cross-dissolves, black slugs and flashes. :func:`render` encodes it with PyAV (H.264, yuv420p,
limited range) and returns the ground truth computed from the edit list itself, never from a detector:

* ``cuts``: first frame of every new shot after a hard cut;
* ``gradual``: ``(first, last)`` frame spans of fades through black and dissolves (one boundary each,
  placed anywhere inside the span);
* ``black``: ``(first, last)`` frame spans where the rendered (pre-encoding) frames are black under
  Rekognition's default rule (luma <= 0.2 of the range on >= 99 % of the pixels).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
from PIL import Image

from tests.media_factory import video_encoder_name

RGBArray = npt.NDArray[np.uint8]
FloatImage = npt.NDArray[np.float32]


def load_photo(path: Path) -> FloatImage:
    return np.asarray(Image.open(path).convert("RGB"), dtype=np.float32)


@dataclass(frozen=True)
class PhotoMotion:
    """A crop window moving over a photo: a camera pan/zoom. Speeds are fractions of the photo per frame."""

    photo: FloatImage
    start: tuple[float, float] = (0.1, 0.1)  # window centre, fractions of the photo
    velocity: tuple[float, float] = (0.002, 0.001)
    window: float = 0.6  # window width as a fraction of the photo width
    zoom_per_frame: float = 0.0
    shake_px: float = 0.0
    seed: int = 0

    def frame(self, k: int, size: tuple[int, int]) -> FloatImage:
        width, height = size
        ph, pw = self.photo.shape[:2]
        win_w = pw * max(0.15, min(1.0, self.window * (1.0 - self.zoom_per_frame * k)))
        win_h = min(ph, win_w * height / width)
        win_w = win_h * width / height
        rng = np.random.default_rng(self.seed * 100_003 + k)
        cx = (self.start[0] + self.velocity[0] * k) * pw + rng.normal(0, self.shake_px)
        cy = (self.start[1] + self.velocity[1] * k) * ph + rng.normal(0, self.shake_px)
        # Bounce inside the photo so long pans stay in the picture.
        cx = _bounce(cx, win_w / 2, pw - win_w / 2)
        cy = _bounce(cy, win_h / 2, ph - win_h / 2)
        box = (cx - win_w / 2, cy - win_h / 2, cx + win_w / 2, cy + win_h / 2)
        image = Image.fromarray(self.photo.astype(np.uint8)).resize(size, Image.Resampling.BILINEAR, box=box)
        return np.asarray(image, dtype=np.float32)


def _bounce(value: float, low: float, high: float) -> float:
    if high <= low:
        return (low + high) / 2
    span = high - low
    phase = (value - low) % (2 * span)
    return low + (phase if phase <= span else 2 * span - phase)


@dataclass(frozen=True)
class ClipFrames:
    """Frames of a real clip (decoded once, resized to the output size), from ``offset``."""

    frames: Sequence[FloatImage]
    offset: int = 0

    def frame(self, k: int, size: tuple[int, int]) -> FloatImage:
        # Play forwards, then backwards (never jump: a jump would be an unlisted cut).
        period = max(1, 2 * (len(self.frames) - 1))
        phase = (self.offset + k) % period
        return self.frames[phase if phase < len(self.frames) else period - phase]


def load_clip(path: Path, size: tuple[int, int], max_frames: int = 300) -> list[FloatImage]:
    frames: list[FloatImage] = []
    with av.open(str(path)) as container:
        for picture in container.decode(video=0):
            rgb = picture.to_ndarray(format="rgb24", width=size[0], height=size[1])
            frames.append(rgb.astype(np.float32))
            if len(frames) >= max_frames:
                break
    return frames


Source = PhotoMotion | ClipFrames


@dataclass(frozen=True)
class Shot:
    """``frames`` frames of ``source``; ``flashes`` are frame offsets (within the shot) of 2-frame flashes."""

    source: Source
    frames: int
    flashes: tuple[int, ...] = ()


@dataclass(frozen=True)
class Transition:
    """How a shot joins the next one: ``cut``, ``fade`` (through black), ``dissolve`` or ``slug``
    (hard cut to ``hold`` black frames, hard cut back). ``frames``: fade/dissolve length."""

    kind: str = "cut"
    frames: int = 12
    hold: int = 0


@dataclass
class GroundTruth:
    frame_count: int = 0
    cuts: list[int] = field(default_factory=list)
    gradual: list[tuple[int, int]] = field(default_factory=list)
    black: list[tuple[int, int]] = field(default_factory=list)


def is_black(image: FloatImage, threshold: float = 0.2, coverage: float = 99.0) -> bool:
    luma = image @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    return bool(np.percentile(luma, coverage) <= threshold * 255)


def _frames(
    shots: Sequence[Shot], transitions: Sequence[Transition], size: tuple[int, int], truth: GroundTruth
) -> Iterator[tuple[int, FloatImage]]:
    """Every output frame with its index, filling ``truth`` (cuts and gradual spans) as it goes."""
    if len(transitions) != len(shots) - 1:
        raise ValueError("one transition between each pair of shots")
    black = np.zeros((size[1], size[0], 3), dtype=np.float32)
    index = 0
    for n, shot in enumerate(shots):
        incoming = transitions[n - 1] if n > 0 else None
        outgoing = transitions[n] if n < len(transitions) else None
        first = incoming.frames if incoming is not None and incoming.kind == "dissolve" else 0
        end = shot.frames - (outgoing.frames if outgoing is not None and outgoing.kind == "dissolve" else 0)
        for k in range(first, end):
            image = shot.source.frame(k, size)
            if any(f <= k < f + 2 for f in shot.flashes):
                image = 0.25 * image + 0.75 * 255
            if incoming is not None and incoming.kind == "fade" and k < incoming.frames:
                image = image * (k / incoming.frames)
            if outgoing is not None and outgoing.kind == "fade" and k >= end - outgoing.frames:
                image = image * ((end - 1 - k) / outgoing.frames)
            yield index, image
            index += 1
        if outgoing is None:
            continue
        if outgoing.kind == "cut":
            truth.cuts.append(index)
        elif outgoing.kind == "slug":
            truth.cuts.append(index)
            for _ in range(outgoing.hold):
                yield index, black
                index += 1
            truth.cuts.append(index)
        elif outgoing.kind == "fade":
            fade_start = index - outgoing.frames
            for _ in range(outgoing.hold):
                yield index, black
                index += 1
            truth.gradual.append((fade_start, index + outgoing.frames - 1))
        elif outgoing.kind == "dissolve":
            start = index
            following = shots[n + 1].source
            for j in range(outgoing.frames):
                alpha = (j + 1) / (outgoing.frames + 1)
                yield index, (1 - alpha) * shot.source.frame(end + j, size) + alpha * following.frame(j, size)
                index += 1
            truth.gradual.append((start, index))
        else:
            raise ValueError(f"unknown transition {outgoing.kind!r}")


def render(
    path: Path,
    shots: Sequence[Shot],
    transitions: Sequence[Transition],
    *,
    size: tuple[int, int] = (320, 180),
    rate: Fraction = Fraction(25),
    noise: float = 2.0,
    seed: int = 0,
    on_frame: Callable[[int, RGBArray], None] | None = None,
) -> GroundTruth:
    """Encode the edit list to ``path`` (H.264 CRF ~20, yuv420p) and return its ground truth."""
    truth = GroundTruth()
    rng = np.random.default_rng(seed)
    black_run: int | None = None
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream(video_encoder_name(), rate=rate)
        assert isinstance(stream, av.video.stream.VideoStream)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.codec_context.gop_size = 50
        if stream.codec_context.name == "libx264":
            stream.options = {"crf": "20", "preset": "veryfast"}
        count = 0
        for index, image in _frames(shots, transitions, size, truth):
            if is_black(image):
                black_run = index if black_run is None else black_run
            elif black_run is not None:
                truth.black.append((black_run, index - 1))
                black_run = None
            noisy = image + rng.normal(0, noise, image.shape).astype(np.float32) if noise else image
            rgb = np.clip(noisy, 0, 255).astype(np.uint8)
            if on_frame is not None:
                on_frame(index, rgb)
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts = index
            for packet in stream.encode(frame):
                container.mux(packet)
            count = index + 1
        for packet in stream.encode(None):
            container.mux(packet)
    if black_run is not None:
        truth.black.append((black_run, count - 1))
    truth.frame_count = count
    return truth


def lavfi_frames(source: str, size: tuple[int, int], count: int) -> list[FloatImage]:
    """``count`` frames of an FFmpeg test source (e.g. ``smptebars``), resized to ``size``."""
    frames: list[FloatImage] = []
    with av.open(f"{source}=size={size[0]}x{size[1]}:rate=25", format="lavfi") as container:
        for picture in container.decode(video=0):
            frames.append(picture.to_ndarray(format="rgb24").astype(np.float32))
            if len(frames) >= count:
                break
    return frames


@dataclass
class ProgrammeTruth:
    """Ground truth of :func:`make_programme`: frame spans (first, last) and cut frames."""

    frame_count: int
    color_bars: tuple[int, int]
    black: list[tuple[int, int]]
    cuts: list[int]


def make_programme(
    path: Path, photos: Sequence[FloatImage], *, size: tuple[int, int] = (320, 180)
) -> ProgrammeTruth:
    """A 25 fps "broadcast master": 1 s SMPTE colour bars, 1 s black, then three shots of real photos
    (slow pans) joined by a hard cut and a 0.5 s black slug."""
    if len(photos) < 3:
        raise ValueError("make_programme needs three photos")
    bars = ClipFrames(lavfi_frames("smptebars", size, 25))
    black = ClipFrames([np.zeros((size[1], size[0], 3), dtype=np.float32)])
    shots = [
        Shot(bars, 25),
        Shot(black, 25),
        Shot(PhotoMotion(photos[0], velocity=(0.003, 0.0), seed=1), 50),
        Shot(PhotoMotion(photos[1], velocity=(-0.002, 0.001), seed=2), 50),
        Shot(PhotoMotion(photos[2], velocity=(0.0, 0.002), seed=3), 40),
    ]
    transitions = [Transition("cut"), Transition("cut"), Transition("cut"), Transition("slug", hold=12)]
    truth = render(path, shots, transitions, size=size, rate=Fraction(25), noise=1.0)
    return ProgrammeTruth(
        frame_count=truth.frame_count,
        color_bars=(0, 24),
        black=[(25, 49), (150, 161)],
        cuts=[25, 50, 100, 150, 162],
    )
