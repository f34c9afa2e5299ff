"""Re-encoding a video with its annotations drawn on every frame (PyAV), or writing one annotated still.

Frame times are computed as vidrek's analyses compute them (presentation time in ms from the container
start), so a result with ``Timestamp`` t is drawn on the picture shown at t. Pictures are turned upright
(rotation metadata) as the analyses saw them, so the boxes fit. The output is H.264 (libx264, yuv420p,
even sizes: an odd last row or column is dropped) in the container the output's suffix names, keeping
every frame's time; audio is not copied.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import cast

import av
import numpy as np
from PIL import Image

from pipelines.errors import InvalidInput
from pipelines.rendering.draw import RGBImage, draw_frame
from pipelines.rendering.overlays import Timeline

#: libx264 quality (constant rate factor, 0-51; lower is better and larger). 20 keeps thin boxes and small
#: captions sharp; above ~28 they smear.
CRF = 20
#: libx264 speed preset: "veryfast" encodes at several times real time on one core, with larger files
#: than "medium".
PRESET = "veryfast"


class RenderError(InvalidInput):
    """The video cannot be read or written (the message says why)."""


@dataclass(frozen=True)
class RenderReport:
    frames: int
    width: int
    height: int
    first_ms: int
    last_ms: int


@dataclass(frozen=True)
class _Picture:
    time_ms: float
    image: RGBImage


def _upright(frame: av.VideoFrame) -> RGBImage:
    image = cast(RGBImage, frame.to_ndarray(format="rgb24"))
    rotation = (-round(frame.rotation / 90) * 90) % 360
    if rotation:
        image = np.rot90(image, k=-(rotation // 90))
    return np.ascontiguousarray(image)


@contextmanager
def _pictures(
    path: Path, seek_ms: float | None = None
) -> Iterator[tuple[Iterator[_Picture], float, Fraction]]:
    """The pictures of ``path`` in presentation order, upright, with their time in ms; the video's
    declared duration in ms (0 if unknown) and its average frame rate. ``seek_ms``: start at the key frame
    at or before that time."""
    try:
        container = av.open(str(path), mode="r")
    except (av.error.FFmpegError, OSError) as err:
        raise RenderError(f"cannot open {path}: {err}") from err
    try:
        attached = av.stream.Disposition.attached_pic
        streams = [s for s in container.streams.video if not s.disposition & attached]
        if not streams:
            raise RenderError(f"{path} has no video stream")
        stream = streams[0]
        stream.thread_type = "AUTO"
        start = Fraction(container.start_time or 0, 1_000_000)
        duration_ms = (container.duration or 0) / 1000
        if seek_ms and stream.time_base:
            try:
                offset = (Fraction(seek_ms) / 1000 + start) / stream.time_base
                container.seek(int(offset), stream=stream, backward=True, any_frame=False)
            except av.error.FFmpegError:
                container.seek(0, stream=stream)

        def pictures() -> Iterator[_Picture]:
            try:
                for frame in container.decode(stream):
                    if frame.pts is None:
                        continue
                    time_base = frame.time_base or stream.time_base
                    if time_base is None:
                        continue
                    yield _Picture(float((frame.pts * time_base - start) * 1000), _upright(frame))
            except av.error.FFmpegError as err:
                raise RenderError(f"cannot decode {path}: {err}") from err

        yield pictures(), duration_ms, Fraction(stream.average_rate or 30)
    finally:
        container.close()


def _even(image: RGBImage) -> RGBImage:
    height, width = image.shape[:2]
    return image[: height - height % 2, : width - width % 2]


def render_video(
    source: Path,
    target: Path,
    timeline: Timeline,
    *,
    on_progress: Callable[[float], None] | None = None,
) -> RenderReport:
    """Write ``target``: every picture of ``source`` with what ``timeline`` shows at its time."""
    frames, first_ms, last_ms, last_pts = 0, 0.0, 0.0, -1
    size = (0, 0)
    try:
        output = av.open(str(target), mode="w")
    except (av.error.FFmpegError, OSError) as err:
        raise RenderError(f"cannot write {target}: {err}") from err
    try:
        with _pictures(source) as (pictures, duration_ms, rate):
            stream: av.video.stream.VideoStream | None = None
            for picture in pictures:
                image = _even(draw_frame(picture.image, timeline.at(picture.time_ms)))
                pts = round(picture.time_ms)
                if pts <= last_pts:
                    continue  # two pictures within one ms (or out of order): keep the first
                if stream is None:
                    options = {"crf": str(CRF), "preset": PRESET}
                    stream = output.add_stream("libx264", rate=rate, options=options)
                    stream.width, stream.height = image.shape[1], image.shape[0]
                    stream.pix_fmt = "yuv420p"
                    stream.codec_context.time_base = Fraction(1, 1000)
                    size, first_ms = (image.shape[1], image.shape[0]), picture.time_ms
                if (image.shape[1], image.shape[0]) != size:
                    image = np.asarray(Image.fromarray(image).resize(size))
                frame = av.VideoFrame.from_ndarray(image, format="rgb24")
                frame.pts, frame.time_base = pts, Fraction(1, 1000)
                output.mux(stream.encode(frame))
                frames, last_ms, last_pts = frames + 1, picture.time_ms, pts
                if on_progress is not None and duration_ms > 0:
                    on_progress(min(1.0, picture.time_ms / duration_ms))
            if stream is None:
                raise RenderError(f"{source} has no picture to draw on")
            output.mux(stream.encode(None))
    except av.error.FFmpegError as err:
        raise RenderError(f"cannot encode {target}: {err}") from err
    finally:
        output.close()
    return RenderReport(frames, size[0], size[1], round(first_ms), round(last_ms))


def picture_at(source: Path, time_ms: float) -> tuple[float, RGBImage]:
    """The picture a player shows at ``time_ms`` (the last one whose time is <= it; the first picture
    before the video starts) and its time."""
    shown: _Picture | None = None
    with _pictures(source, seek_ms=time_ms) as (pictures, _, _rate):
        for picture in pictures:
            if shown is not None and picture.time_ms > time_ms + 0.5:
                break
            shown = picture
    if shown is None:
        raise RenderError(f"{source} has no picture")
    return shown.time_ms, shown.image


def render_still(source: Path, target: Path, time_ms: float, timeline: Timeline) -> float:
    """Write the annotated picture shown at ``time_ms`` to ``target`` (PNG, JPEG ... by its suffix);
    return the picture's time in ms."""
    shown_ms, image = picture_at(source, time_ms)
    try:
        Image.fromarray(draw_frame(image, timeline.at(shown_ms))).save(target)
    except (OSError, ValueError) as err:
        raise RenderError(f"cannot write {target}: {err}") from err
    return shown_ms
