"""Drawing one annotated picture with Pillow: boxes with captions, frame captions, the shot banner."""

from __future__ import annotations

import functools

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

from pipelines.rendering.overlays import SHOT_COLOUR, Box, Frame

RGBImage = npt.NDArray[np.uint8]

#: Most frame-level captions (labels without boxes, moderation labels) listed in the corner; the rest are
#: summarised as "+N more".
MAX_CAPTIONS = 6


@functools.lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _sizes(width: int, height: int) -> tuple[int, int]:
    """(line width, font size) that read well at this picture size."""
    short = min(width, height)
    return max(2, round(short / 180)), max(11, round(short / 24))


def _label(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    text: str,
    colour: tuple[int, int, int],
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    bounds: tuple[int, int],
) -> None:
    """``text`` on a filled tag whose bottom-left corner is at ``xy`` (moved inside the picture)."""
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    pad = 2
    w, h = right - left + 2 * pad, bottom - top + 2 * pad
    x = min(max(0.0, xy[0]), max(0.0, bounds[0] - w))
    y = xy[1] - h
    if y < 0:
        y = xy[1]
    y = min(y, max(0.0, bounds[1] - h))
    draw.rectangle((x, y, x + w, y + h), fill=colour)
    dark = sum(colour) > 380
    draw.text((x + pad - left, y + pad - top), text, fill=(0, 0, 0) if dark else (255, 255, 255), font=font)


def _box(
    draw: ImageDraw.ImageDraw,
    box: Box,
    size: tuple[int, int],
    line: int,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
) -> None:
    width, height = size
    x0, y0 = box.left * width, box.top * height
    x1, y1 = (box.left + box.width) * width, (box.top + box.height) * height
    x0, x1 = sorted((min(max(x0, 0), width - 1), min(max(x1, 0), width - 1)))
    y0, y1 = sorted((min(max(y0, 0), height - 1), min(max(y1, 0), height - 1)))
    draw.rectangle((x0, y0, x1, y1), outline=box.colour, width=line)
    if box.caption:
        _label(draw, (x0, y0), box.caption, box.colour, font, size)


def draw_frame(image: RGBImage, frame: Frame) -> RGBImage:
    """A copy of ``image`` (RGB, height x width x 3) with ``frame``'s annotations drawn on it."""
    picture = Image.fromarray(np.ascontiguousarray(image), mode="RGB")
    size = picture.size
    line, font_size = _sizes(*size)
    font = _font(font_size)
    small = _font(max(10, round(font_size * 0.8)))
    draw = ImageDraw.Draw(picture)
    for box in frame.boxes:
        _box(draw, box, size, line, font)
    captions = list(dict.fromkeys(frame.captions))
    if len(captions) > MAX_CAPTIONS:
        captions = [*captions[: MAX_CAPTIONS - 1], f"+{len(captions) - MAX_CAPTIONS + 1} more"]
    y = float(size[1] - line)
    for caption in reversed(captions):
        top = draw.textbbox((0, 0), caption, font=small)
        _label(draw, (line, y), caption, (32, 32, 32), small, size)
        y -= top[3] - top[1] + 6
    if frame.shot:  # top right, where no box caption starts
        _label(draw, (size[0], 0), frame.shot, SHOT_COLOUR, font, size)
    if frame.shot_starts:
        draw.rectangle((0, 0, size[0] - 1, size[1] - 1), outline=SHOT_COLOUR, width=3 * line)
    return np.asarray(picture, dtype=np.uint8).copy()
