"""Live video from any URL PyAV opens (RTSP, HTTP, HLS, SRT, a file), paced to real time and sampled.

:func:`open_live_stream` opens one connection; :func:`live_frames` yields the sampled frames of that
connection until it ends (the peer closed it, a read timed out, the decoder failed), then returns: the
caller decides whether to reconnect. Every frame carries its presentation time on the stream's timeline
(``timestamp_ms``, from the pts) and the wall-clock time it was received.

Pacing: a file, a VOD playlist or a fast server would be read far faster than real time; frames are
released no earlier than ``first wall time + (pts - first pts)``, like ``ffmpeg -re``. A live source
delivers in real time anyway, so pacing never delays it. A pts jump (a new HLS discontinuity, a camera
restart) re-anchors the clock instead of sleeping for the jump.

Fragments: Kinesis Video Streams cuts a stream into fragments that start at key frames; here a fragment
is the run of frames from one key frame to the next, identified by the wall-clock time (epoch ms) its
key frame was received.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import cast

import av
import av.container

from pipelines.detection import RGBImage
from pipelines.errors import Unavailable

#: A pts that is this far (seconds) ahead of the paced clock, or behind it, re-anchors the clock.
REANCHOR_SECONDS = 5.0

#: A sampled frame that arrives this many seconds after its due time is skipped (decoded, not yielded):
#: when the analysis is slower than real time the processor drops frames to stay live instead of falling
#: ever further behind. Must be below REANCHOR_SECONDS.
MAX_LAG_SECONDS = 1.0


class StreamUnavailable(Unavailable):
    """The stream could not be opened (the message says why)."""


@dataclass(frozen=True, slots=True)
class LiveFrame:
    """One sampled frame of a live stream."""

    #: Presentation time in ms on the stream's own timeline (pts-based).
    timestamp_ms: int
    #: RGB uint8 (height, width, 3), longer side <= the requested ``max_side``.
    image: RGBImage
    #: Epoch seconds at which the frame was received (after pacing).
    received: float
    #: Epoch ms at which the key frame starting this frame's fragment was received (the fragment id).
    fragment_received_ms: int
    #: Presentation time (ms) of that key frame.
    fragment_start_ms: int
    #: The key frame's time on the producer's clock, epoch ms: the connection's first frame is placed at
    #: the wall-clock time it arrived and later frames follow their pts (no source sends its own clock).
    fragment_producer_ms: int


def open_live_stream(url: str, timeout_seconds: float) -> av.container.InputContainer:
    """Open ``url`` for reading; raise :class:`StreamUnavailable` with FFmpeg's reason."""
    micros = str(int(timeout_seconds * 1_000_000))
    options = {"rw_timeout": micros}
    if url.startswith("rtsp"):
        options.update({"rtsp_transport": "tcp", "timeout": micros})
    try:
        container = av.open(url, mode="r", options=options, timeout=(timeout_seconds, timeout_seconds))
    except (av.error.FFmpegError, OSError) as err:
        raise StreamUnavailable(str(err)) from err
    if not container.streams.video:
        container.close()
        raise StreamUnavailable("the stream has no video track")
    return container


def _scaled_rgb(frame: av.VideoFrame, max_side: int) -> RGBImage:
    width, height = frame.width, frame.height
    scale = min(1.0, max_side / max(width, height))
    target_w = max(2, round(width * scale))
    target_h = max(2, round(height * scale))
    image = frame.reformat(width=target_w, height=target_h, format="rgb24").to_ndarray()
    return cast(RGBImage, image)


def live_frames(
    container: av.container.InputContainer,
    *,
    interval_ms: float,
    max_side: int,
    should_stop: Callable[[], bool],
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    epoch_clock: Callable[[], float] = time.time,
) -> Iterator[LiveFrame]:
    """The frames of one connection, one per ``interval_ms`` of stream time, paced to real time.

    Returns when the connection ends or ``should_stop()`` is true (checked before every frame).
    Decoding errors end the connection like a drop does. Pacing reads ``clock`` (monotonic seconds) and
    waits with ``sleep``; the frames' receive times are read from ``epoch_clock`` (epoch seconds).
    """
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"
    time_base = stream.time_base or Fraction(1, 90000)
    anchor: tuple[float, float] | None = None  # (monotonic s, pts s)
    anchor_epoch = 0.0
    next_instant_ms = -math.inf
    fragment = (0, 0, 0)  # (received epoch ms, start pts ms, producer epoch ms)
    try:
        for picture in container.decode(stream):
            if should_stop():
                return
            if picture.pts is None:
                continue
            pts_s = float(picture.pts * time_base)
            now = clock()
            due = now if anchor is None else anchor[0] + (pts_s - anchor[1])
            if anchor is None or due - now > REANCHOR_SECONDS or now - due > REANCHOR_SECONDS:
                anchor = (now, pts_s)
                anchor_epoch = epoch_clock()
                due = now
            if due > now:
                sleep(due - now)
            received = epoch_clock()
            pts_ms = round(pts_s * 1000)
            if picture.key_frame or fragment[0] == 0:
                producer_ms = round((anchor_epoch + pts_s - anchor[1]) * 1000)
                fragment = (int(received * 1000), pts_ms, producer_ms)
            if pts_ms < next_instant_ms - interval_ms:  # the timeline restarted (replayed file, new camera)
                next_instant_ms = -math.inf
            if pts_ms < next_instant_ms:
                continue
            if now - due > MAX_LAG_SECONDS:
                continue  # the analysis fell behind real time: skip this sample to catch up
            next_instant_ms = (math.floor(pts_ms / interval_ms) + 1) * interval_ms if interval_ms > 0 else 0
            yield LiveFrame(
                timestamp_ms=pts_ms,
                image=_scaled_rgb(picture, max_side),
                received=received,
                fragment_received_ms=fragment[0],
                fragment_start_ms=fragment[1],
                fragment_producer_ms=fragment[2],
            )
    except (av.error.FFmpegError, OSError):
        return
