"""Rendered text with known ground truth: pictures and a video of title cards (for OCR tests and the
text benchmark). Fonts: the DejaVu family when the system has it (Debian's fonts-dejavu-core), and
always Pillow's bundled default font."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

from tests.media_factory import video_encoder_name

RGBArray = npt.NDArray[np.uint8]
DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
FontLike = ImageFont.FreeTypeFont | ImageFont.ImageFont


def fonts(size: int) -> dict[str, FontLike]:
    """Named fonts at ``size`` px: Pillow's default plus every DejaVu face found."""
    found: dict[str, FontLike] = {"pillow-default": ImageFont.load_default(size=size)}
    for name in ("DejaVuSans", "DejaVuSerif", "DejaVuSansMono", "DejaVuSans-Bold", "DejaVuSerif-Italic"):
        path = DEJAVU_DIR / f"{name}.ttf"
        if path.exists():
            found[name] = ImageFont.truetype(str(path), size)
    return found


@dataclass(frozen=True)
class Background:
    name: str
    colour: tuple[int, int, int]
    ink: tuple[int, int, int]
    noise: float = 0.0  # standard deviation of Gaussian pixel noise, grey levels


BACKGROUNDS = (
    Background("white", (255, 255, 255), (0, 0, 0)),
    Background("dark-blue", (20, 40, 90), (255, 255, 255)),
    Background("grey-noisy", (150, 150, 150), (10, 10, 10), noise=18.0),
)


def render_lines(
    lines: Sequence[str],
    font: FontLike,
    background: Background,
    size: tuple[int, int] = (960, 540),
    seed: int = 0,
) -> RGBArray:
    """The lines drawn top-left to bottom, one per row with 1.8 line heights between baselines."""
    image = Image.new("RGB", size, background.colour)
    draw = ImageDraw.Draw(image)
    _, top, _, bottom = draw.textbbox((0, 0), "Ag", font=font)
    step = int((bottom - top) * 1.8) + 4
    y = 20
    for line in lines:
        draw.text((30, y), line, font=font, fill=background.ink)
        y += step
    pixels = np.asarray(image, dtype=np.float32)
    if background.noise:
        pixels = pixels + np.random.default_rng(seed).normal(0.0, background.noise, pixels.shape)
    return np.clip(pixels, 0, 255).astype(np.uint8)


def png_bytes(rgb: RGBArray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass(frozen=True)
class TitleCard:
    text: str
    start_s: float
    end_s: float


TITLE_CARDS = (
    TitleCard("OPENING NIGHT", 0.0, 2.0),
    TitleCard("Second card here", 2.0, 4.0),
    TitleCard("THE END", 4.0, 6.0),
)


def make_title_card_video(
    path: Path,
    cards: Sequence[TitleCard] = TITLE_CARDS,
    fps: int = 10,
    size: tuple[int, int] = (640, 360),
    moving_square: bool = True,
) -> None:
    """An H.264 clip showing each card's text (white on dark blue, a moving grey square in the corner
    unless ``moving_square`` is False, so that frames are not all identical) from ``start_s`` to
    ``end_s``."""
    font = ImageFont.load_default(size=44)
    end = max(card.end_s for card in cards)
    with av.open(str(path), "w") as container:
        stream = container.add_stream(video_encoder_name(), rate=Fraction(fps))
        assert isinstance(stream, av.video.stream.VideoStream)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        for index in range(round(end * fps)):
            t = index / fps
            image = Image.new("RGB", size, (20, 40, 90))
            draw = ImageDraw.Draw(image)
            for card in cards:
                if card.start_s <= t < card.end_s:
                    draw.text((40, 150), card.text, font=font, fill=(255, 255, 255))
            if moving_square:
                corner = (size[0] - 40, 10 + index % 20, size[0] - 20, 30 + index % 20)
                draw.rectangle(corner, fill=(128, 128, 128))
            frame = av.VideoFrame.from_ndarray(np.asarray(image), format="rgb24")
            frame.pts = index
            frame.time_base = Fraction(1, fps)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


#: scikit-image's page.png, transcribed by hand (the cut-off URL in the bottom-left corner is left out).
PAGE_PNG_LINES = (
    "Region-based segmentation",
    "Let us first determine markers of the coins and the",
    "background. These markers are pixels that we can label",
    "unambiguously as either object or background. Here,",
    "the markers are found at the two extreme parts of the",
    "histogram of grey values:",
    ">>> markers = np.zeros_like(coins)",
)
