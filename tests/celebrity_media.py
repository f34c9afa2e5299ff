"""A short video made of real photos shown one after another (for celebrity recognition on video)."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageOps

from tests.media_factory import video_encoder_name


def make_photo_slideshow(
    path: Path,
    photos: Sequence[Path],
    *,
    seconds_each: float = 1.0,
    fps: int = 10,
    size: tuple[int, int] = (640, 480),
) -> list[tuple[int, int]]:
    """Show each photo (letterboxed into ``size``) for ``seconds_each``; return each photo's
    ``[start_ms, end_ms)`` span on the video's timeline."""
    frames_each = round(seconds_each * fps)
    spans = []
    with av.open(str(path), "w") as container:
        stream = container.add_stream(video_encoder_name(), rate=fps)
        assert isinstance(stream, av.video.stream.VideoStream)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        index = 0
        for photo in photos:
            with Image.open(photo) as opened:
                picture = ImageOps.pad(ImageOps.exif_transpose(opened).convert("RGB"), size, color=(0, 0, 0))
            pixels = np.asarray(picture, dtype=np.uint8)
            spans.append((round(index * 1000 / fps), round((index + frames_each) * 1000 / fps)))
            for _ in range(frames_each):
                frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
                frame.pts = index
                frame.time_base = Fraction(1, fps)
                for packet in stream.encode(frame):
                    container.mux(packet)
                index += 1
        for packet in stream.encode(None):
            container.mux(packet)
    return spans
