"""Reading videos: probing their metadata and sampling upright, downscaled RGB frames by timestamp.

Timestamps are presentation timestamps (pts) in milliseconds relative to the container's start, the
clock a player's seek bar shows: ``(pts * time_base - container.start_time) * 1000``, rounded half up.
They are never derived from a frame's index and a nominal frame rate, so variable-frame-rate videos and
videos whose picture starts after the container (e.g. audio first) get correct times.

Damage policy. A packet the decoder rejects is skipped and decoding continues (H.264 recovers at the next
key frame), as players do. A picture is *damaged* when FFmpeg flags it corrupt (``frame.is_corrupt``: it was
concealed, or it references a damaged picture, until the next key frame) or when its packet could not be
decoded at all. :class:`DecodeDamage` counts them over every picture of the stream (sampled or not). The
file is rejected with a "truncated or corrupt" :class:`VideoDecodeError` when (a) no frame at all can be
decoded, (b) more than :data:`MAX_DAMAGED_FRACTION` of the stream's pictures are damaged, or (c) the last
decoded picture ends well before the duration the container declares (see
:data:`TRUNCATION_TOLERANCE_MS`) - a cut-off upload. Below (b)'s threshold the analysis goes on and
:meth:`DecodeDamage.status_message` says how much was damaged (the job's StatusMessage). Cases (b) and (c)
are raised after the frames that could be read have been yielded, so a consumer of :func:`sample_frames`
may have received frames first.

Measured: a copy of bikes.mp4 (250 pictures) with 1 % of its media bytes flipped has ~170 pictures
flagged corrupt (frame threading moves the count by a few) and 28 undecodable packets (~79 % damaged:
rejected); with 0.01 % flipped, 41 corrupt (16 %: analysed, reported). Packets that silently produce no
picture are not counted: in field-coded video two packets (fields) make one picture.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Literal, cast

import av
import av.container
import av.video.stream
import numpy as np

from pipelines.detection import RGBImage
from pipelines.errors import InvalidInput

#: Largest share of a video's pictures that may be damaged (flagged corrupt by FFmpeg, or in an undecodable
#: packet) before the file is called corrupt and the job FAILS. Unit: fraction in [0, 1]. 0.5: when most
#: pictures are damaged, most of what an analysis reports (or misses) comes from garbage, so a result
#: would mislead; below it, most of the video is intact and the results are useful, so the job SUCCEEDS
#: and its StatusMessage says how much was damaged. Too low fails videos with glitches every player
#: shows fine (one damaged reference marks every picture up to the next key frame); too high turns a
#: mostly-garbage file into a "successful" analysis.
MAX_DAMAGED_FRACTION = 0.5

#: How far (ms) the last decoded picture may end before the container's declared duration before the
#: file is called truncated; the effective tolerance is the larger of this and
#: :data:`TRUNCATION_TOLERANCE_FRACTION` of the duration. Range: about 500-5000 ms. Too small flags
#: legitimate files whose header duration is a little long (e.g. audio padding); too large lets a
#: cut-off upload "succeed" with its end silently missing.
TRUNCATION_TOLERANCE_MS = 2000

#: Share of the declared duration that may be missing at the end before the file is called truncated.
#: Unit: fraction in [0, 1], see :data:`TRUNCATION_TOLERANCE_MS`.
TRUNCATION_TOLERANCE_FRACTION = 0.1

#: How many packets :func:`probe_video` reads at most while looking for the first decodable picture.
#: Range: 50-1000. Too small rejects valid streams that open on a long run of undecodable leading
#: packets (e.g. a recording started mid-GOP); too large makes probing a garbage file slow.
PROBE_MAX_PACKETS = 300

#: Sampling instants closer than this (ms) below a frame's timestamp count as "at" the frame, absorbing
#: float error in ``k * interval_ms``. Far below any real frame spacing (>= ~4 ms at 240 fps).
_INSTANT_EPSILON_MS = 1e-3

#: Containers whose header declares the duration (rather than FFmpeg estimating it from the bitrate);
#: only for these does an early end of the stream prove truncation.
_INDEXED_FORMATS = frozenset({"mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm"})

#: FFmpeg demuxers that open things which are not videos (text as ANSI art, single images).
_NON_VIDEO_FORMATS = {"tty": "text", "image2": "a still image"}

_SUPPORTED = "Supported: MP4/MOV with H.264 or H.265 video (also MKV, WebM, AVI, MPEG-TS)."

ColorRange = Literal["FULL", "LIMITED"]


class VideoDecodeError(InvalidInput):
    """The video cannot be read. The message is shown to the user as the failed job's StatusMessage."""


@dataclass(frozen=True, slots=True)
class AudioStreamInfo:
    """One audio stream of a video file."""

    codec: str
    sample_rate: int
    channels: int
    #: Stream duration in ms, 0 when the container does not say.
    duration_ms: int


@dataclass(frozen=True, slots=True)
class VideoInfo:
    """What a video is, read from its headers and its first decoded picture.

    ``width`` and ``height`` are the coded picture's after the rotation metadata is applied (a non-square
    sample aspect ratio is not applied). ``rotation`` is the clockwise rotation (0, 90, 180 or 270
    degrees) a player applies to the coded pictures, i.e. the legacy ``rotate`` tag phones write.
    ``format`` follows Rekognition's VideoMetadata (``"QuickTime / MOV"`` for the whole MP4/MOV family).
    ``duration_ms`` is 0 when the container does not declare one. ``start_ms`` is the container's start
    on FFmpeg's clock (all frame timestamps are relative to it); ``video_start_ms`` is when the first
    picture is shown, relative to the container start (e.g. 500 when the video begins after the audio).
    ``color_range`` is FULL for JPEG-range pictures, else LIMITED (also when unspecified, as players do).
    """

    codec: str
    format: str
    duration_ms: int
    frame_rate: float
    width: int
    height: int
    color_range: ColorRange
    rotation: int
    start_ms: int
    video_start_ms: int
    audio_streams: tuple[AudioStreamInfo, ...]

    @property
    def has_audio(self) -> bool:
        return bool(self.audio_streams)


@dataclass(frozen=True, eq=False, slots=True)
class Frame:
    """One decoded picture, upright and scaled, with its presentation time."""

    #: Presentation time in ms relative to the container start (may be > 0 for the first frame).
    timestamp_ms: int
    #: RGB uint8 (height, width, 3), rotated upright, longer side <= the requested ``max_side``.
    image: RGBImage
    #: Position among all decoded, timestamped pictures (presentation order, 0-based), not only the
    #: sampled ones.
    index: int


# --- opening and diagnosing -----------------------------------------------------------------------


def _describe_unreadable(path: Path, error: Exception) -> str:
    """The user-facing reason FFmpeg could not open ``path``, guessed from its first bytes."""
    with path.open("rb") as file:
        head = file.read(4096)
    if not head:
        return "The file is empty (0 bytes). Upload the complete video file."
    detail = getattr(error, "strerror", None) or str(error)
    if head[4:8] in {b"ftyp", b"moov", b"mdat", b"free", b"wide"}:
        return (
            "The video is truncated or corrupt: it is an MP4/MOV file but its index (moov atom) is "
            f"missing or damaged ({detail}). This usually means the upload or recording was cut off "
            "before it finished; upload the complete file, or re-export it."
        )
    printable = sum(32 <= byte < 127 or byte in b"\t\r\n" for byte in head)
    if printable >= 0.95 * len(head):
        preview = head[:40].decode("ascii", errors="replace").splitlines()[0] if head.strip() else ""
        return f"The file is text, not a video (it starts with {preview!r}). {_SUPPORTED}"
    return f"The file is not a video container FFmpeg can read ({detail}). {_SUPPORTED}"


@contextmanager
def _open_input(path: Path) -> Iterator[av.container.InputContainer]:
    """Open ``path`` for demuxing, turning every failure into an actionable :class:`VideoDecodeError`."""
    if not path.is_file():
        raise VideoDecodeError(f"The file {path.name!r} does not exist or is not a regular file.")
    if path.stat().st_size == 0:
        raise VideoDecodeError("The file is empty (0 bytes). Upload the complete video file.")
    try:
        container = av.open(str(path), mode="r")
    except (av.error.FFmpegError, OSError) as error:
        raise VideoDecodeError(_describe_unreadable(path, error)) from error
    try:
        kind = _NON_VIDEO_FORMATS.get(container.format.name)
        if kind is None and container.format.name.endswith("_pipe"):
            kind = "a still image"
        if kind is not None:
            raise VideoDecodeError(f"The file is {kind}, not a video. {_SUPPORTED}")
        yield container
    finally:
        container.close()


def _video_stream(container: av.container.InputContainer) -> av.video.stream.VideoStream:
    """The main video stream (cover-art pictures are not videos)."""
    streams = [
        stream
        for stream in container.streams.video
        if not stream.disposition & av.stream.Disposition.attached_pic
    ]
    if not streams:
        audio = ", ".join(stream.codec_context.name for stream in container.streams.audio)
        what = f"audio only: {audio}" if audio else "no audio either"
        raise VideoDecodeError(f"The file has no video stream ({what}). Upload a file that contains video.")
    return streams[0]


# --- time ------------------------------------------------------------------------------------------


def _container_start(container: av.container.InputContainer) -> Fraction:
    """The container start in seconds (FFmpeg's ``start_time``, 0 when unknown)."""
    return Fraction(container.start_time or 0, 1_000_000)


def _round_ms(seconds: Fraction) -> int:
    """Seconds to whole milliseconds, rounding halves up (deterministic, unlike banker's rounding)."""
    return math.floor(seconds * 1000 + Fraction(1, 2))


def _declared_end(container: av.container.InputContainer, stream: av.video.stream.VideoStream) -> Fraction:
    """When the video stream ends per the headers, in seconds from the container start; 0 if unknown."""
    start = _container_start(container)
    if stream.duration and stream.time_base:
        first = stream.start_time if stream.start_time is not None else 0
        return (first + stream.duration) * stream.time_base - start
    if container.duration:
        return Fraction(container.duration, 1_000_000)
    return Fraction(0)


# --- pictures --------------------------------------------------------------------------------------


def _clockwise_rotation(frame: av.VideoFrame) -> int:
    """The clockwise display rotation of ``frame`` (0/90/180/270), from its display-matrix side data."""
    return (-round(frame.rotation / 90) * 90) % 360


def _displayed_size(coded_width: int, coded_height: int, rotation: int) -> tuple[int, int]:
    """(width, height) of the picture once rotated upright."""
    return (coded_height, coded_width) if rotation in (90, 270) else (coded_width, coded_height)


def _to_upright_rgb(frame: av.VideoFrame, max_side: int | None) -> RGBImage:
    """Convert one decoded picture to upright RGB, scaled (by swscale) so its longer side <= max_side.

    Pixels keep the coded aspect: a non-square sample aspect ratio (rare; e.g. 12:11 in QCIF clips) is
    not stretched, matching the coded width and height reported by :func:`probe_video`.
    """
    width, height = frame.width, frame.height
    scale = 1.0 if max_side is None else min(1.0, max_side / max(width, height))
    out_width = max(1, round(width * scale))
    out_height = max(1, round(height * scale))
    if (out_width, out_height) == (width, height):
        image = cast(RGBImage, frame.to_ndarray(format="rgb24"))
    else:
        image = cast(
            RGBImage,
            frame.to_ndarray(format="rgb24", width=out_width, height=out_height, interpolation="AREA"),
        )
    rotation = _clockwise_rotation(frame)
    if rotation:
        image = np.rot90(image, k=-(rotation // 90))
    # swscale rows may be padded (a strided view); consumers get a compact array.
    return np.ascontiguousarray(image)


def _color_range(frame: av.VideoFrame) -> ColorRange:
    """FULL for JPEG-range (yuvj*, RGB) pictures; LIMITED otherwise, also when unspecified (as players)."""
    name = frame.format.name
    if frame.color_range == 2 or name.startswith(("yuvj", "rgb", "bgr", "gbr", "argb", "abgr")):
        return "FULL"
    return "LIMITED"


# --- decoding --------------------------------------------------------------------------------------


@dataclass
class _DecodeHealth:
    """What went wrong while decoding one stream."""

    packets: int = 0
    broken_packets: int = 0
    pictures: int = 0
    corrupt_pictures: int = 0
    untimed_pictures: int = 0
    read_error: str | None = None
    last_decode_error: str | None = None

    @property
    def damaged(self) -> int:
        return self.corrupt_pictures + self.broken_packets

    @property
    def expected_pictures(self) -> int:
        return max(self.packets, self.pictures)


@dataclass
class DecodeDamage:
    """How much of a video's picture was damaged, filled in by :func:`sample_frames` when it has read the
    whole stream (module docstring: damage policy). All zero until then, and for an undamaged video."""

    #: Pictures the stream has (its non-empty video packets, or the decoded pictures if more).
    pictures: int = 0
    #: Pictures FFmpeg flagged corrupt (concealed errors, or references to damaged pictures).
    corrupt: int = 0
    #: Packets the decoder could not decode at all.
    undecodable: int = 0

    @property
    def damaged(self) -> int:
        return self.corrupt + self.undecodable

    @property
    def fraction(self) -> float:
        """Damaged share of the pictures, 0..1."""
        return min(1.0, self.damaged / self.pictures) if self.pictures else 0.0

    def record(self, health: _DecodeHealth) -> None:
        self.pictures = health.expected_pictures
        self.corrupt = health.corrupt_pictures
        self.undecodable = health.broken_packets

    def status_message(self) -> str:
        """What a job's StatusMessage says about the damage: empty when there is none."""
        if not self.damaged:
            return ""
        return (
            f"The video is partly damaged: {self.damaged} of {self.pictures} pictures "
            f"({100 * self.fraction:.0f} %) could not be decoded cleanly ({self.corrupt} flagged corrupt by "
            f"the decoder, {self.undecodable} undecodable). Results near those pictures may be missing or "
            "wrong; re-export the video or upload the original file for complete results."
        )


def _decoded_pictures(
    container: av.container.InputContainer,
    stream: av.video.stream.VideoStream,
    health: _DecodeHealth,
    *,
    max_packets: int | None = None,
) -> Iterator[av.VideoFrame]:
    """Every decodable picture of ``stream`` in presentation order, skipping packets the decoder rejects.

    Stops after ``max_packets`` non-empty packets when given. When reading stops before the demuxer's own
    end (read error or ``max_packets``), the pictures still buffered in the decoder are drained.
    """
    packets = container.demux(stream)
    while max_packets is None or health.packets < max_packets:
        try:
            packet = next(packets)
        except StopIteration:
            return
        except (av.error.FFmpegError, OSError) as error:
            health.read_error = getattr(error, "strerror", None) or str(error)
            break
        if packet.size:
            health.packets += 1
        try:
            pictures = packet.decode()
        except av.error.FFmpegError as error:
            health.broken_packets += 1
            health.last_decode_error = error.strerror or str(error)
            continue
        for picture in pictures:
            if isinstance(picture, av.VideoFrame):
                _count_picture(health, picture)
                yield picture
    # Reading stopped early: drain the pictures still buffered in the (threaded) decoder.
    try:
        pictures = stream.codec_context.decode(None)
    except av.error.FFmpegError:
        return
    for picture in pictures:
        if isinstance(picture, av.VideoFrame):
            _count_picture(health, picture)
            yield picture


def _count_picture(health: _DecodeHealth, picture: av.VideoFrame) -> None:
    health.pictures += 1
    if picture.is_corrupt:
        health.corrupt_pictures += 1


def _timestamp(
    picture: av.VideoFrame, stream: av.video.stream.VideoStream, start: Fraction
) -> Fraction | None:
    """Presentation time of ``picture`` in seconds from the container start; None without a pts."""
    if picture.pts is None:
        return None
    time_base = picture.time_base or stream.time_base
    if time_base is None:
        return None
    return picture.pts * time_base - start


def _check_health(
    health: _DecodeHealth,
    *,
    decoded: int,
    last_end_s: Fraction | None,
    declared_end_s: Fraction,
    end_is_declared: bool,
) -> None:
    """Raise a "truncated or corrupt" VideoDecodeError when the damage policy (module doc) says so."""
    reason = health.read_error or health.last_decode_error or "no decodable picture"
    if decoded == 0 and health.untimed_pictures:
        raise VideoDecodeError(
            f"The video's {health.untimed_pictures} pictures carry no timestamps, so they cannot be placed "
            "on the timeline. Remux the video into MP4 (e.g. ffmpeg -i in -c copy out.mp4) and retry."
        )
    if decoded == 0:
        raise VideoDecodeError(
            f"The video is truncated or corrupt: no picture could be decoded ({reason}). "
            "Re-export the video or upload the original file."
        )
    expected = health.expected_pictures
    if expected and health.damaged > MAX_DAMAGED_FRACTION * expected:
        detail = (
            f"{health.corrupt_pictures} flagged corrupt by the decoder, {health.broken_packets} undecodable"
        )
        if health.last_decode_error:
            detail += f": {health.last_decode_error}"
        raise VideoDecodeError(
            f"The video is truncated or corrupt: {health.damaged} of {expected} pictures "
            f"({100 * health.damaged / expected:.0f} %) are damaged ({detail}). Re-export the video or "
            "upload the original file."
        )
    if last_end_s is None or declared_end_s <= 0:
        if health.read_error is not None:
            raise VideoDecodeError(
                f"The video is truncated or corrupt: reading stopped early ({health.read_error})."
            )
        return
    if not (end_is_declared or health.read_error is not None):
        return
    missing_ms = float(declared_end_s - last_end_s) * 1000
    tolerance_ms = max(TRUNCATION_TOLERANCE_MS, TRUNCATION_TOLERANCE_FRACTION * float(declared_end_s) * 1000)
    if missing_ms > tolerance_ms:
        raise VideoDecodeError(
            f"The video is truncated or corrupt: pictures stop at {float(last_end_s):.1f} s but the file "
            f"declares {float(declared_end_s):.1f} s. The upload or recording was probably cut off; "
            "upload the complete file."
        )


def probe_video(path: Path) -> VideoInfo:
    """Read ``path``'s metadata and decode its first picture (to prove the video stream is decodable).

    Cost: header parsing plus decoding up to the first picture (milliseconds), independent of length.
    Raises :class:`VideoDecodeError` with a user-facing message when the file is not a decodable video.
    """
    with _open_input(path) as container:
        stream = _video_stream(container)
        start = _container_start(container)
        health = _DecodeHealth()
        first: av.VideoFrame | None = None
        first_time: Fraction | None = None
        for picture in _decoded_pictures(container, stream, health, max_packets=PROBE_MAX_PACKETS):
            first_time = _timestamp(picture, stream, start)
            first = picture
            break
        if first is None:
            reason = health.read_error or health.last_decode_error or "no picture in the first packets"
            raise VideoDecodeError(
                f"The video is truncated or corrupt: its {stream.codec_context.name} video stream could not "
                f"be decoded ({reason}). Re-export the video or upload the original file."
            )
        rotation = _clockwise_rotation(first)
        width, height = _displayed_size(first.width, first.height, rotation)
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        declared = container.duration
        duration = Fraction(declared, 1_000_000) if declared else _declared_end(container, stream)
        audio = tuple(
            AudioStreamInfo(
                codec=audio_stream.codec_context.name,
                sample_rate=audio_stream.sample_rate or 0,
                channels=audio_stream.channels or 0,
                duration_ms=_round_ms(audio_stream.duration * audio_stream.time_base)
                if audio_stream.duration and audio_stream.time_base
                else 0,
            )
            for audio_stream in container.streams.audio
        )
        format_name = (
            "QuickTime / MOV" if container.format.name.startswith("mov,") else container.format.long_name
        )
        return VideoInfo(
            codec=stream.codec_context.name,
            format=format_name,
            duration_ms=_round_ms(duration),
            frame_rate=float(rate) if rate else 0.0,
            width=width,
            height=height,
            color_range=_color_range(first),
            rotation=rotation,
            start_ms=_round_ms(start),
            video_start_ms=_round_ms(first_time) if first_time is not None else 0,
            audio_streams=audio,
        )


def sample_frames(
    path: Path,
    *,
    interval_ms: float | None,
    max_side: int | None,
    on_progress: Callable[[float], None] | None = None,
    damage: DecodeDamage | None = None,
) -> Iterator[Frame]:
    """Yield the first picture at or after each instant 0, interval_ms, 2*interval_ms, ... of the timeline.

    ``interval_ms``: spacing of the sampling instants in ms on the player's timeline (e.g. 200 for 5
    samples/s); 0 or None yields every picture. A picture that is the first at or after several instants
    (a gap in a variable-frame-rate video, or a video starting late) is yielded once. Only the yielded
    pictures are converted to RGB, so sparse sampling costs little more than decoding.
    ``max_side``: longest side of the yielded images in pixels (never upscaled); None keeps the displayed
    size. Smaller is faster for the consumer but loses small objects.
    ``on_progress``: called with a non-decreasing fraction in [0, 1] (timestamp / duration) as pictures are
    yielded, and with exactly 1.0 once the whole stream is read.

    ``damage``: filled in with the stream's damage once it is read (even when the damage policy then
    raises), for the job's StatusMessage.

    Pictures without a pts are skipped (they cannot be placed on the timeline). Damage policy: see the
    module docstring. Raises :class:`VideoDecodeError` (possibly after some frames were yielded).
    """
    if interval_ms is not None and interval_ms < 0:
        raise ValueError(f"interval_ms must be >= 0, got {interval_ms}")
    if max_side is not None and max_side < 1:
        raise ValueError(f"max_side must be >= 1, got {max_side}")
    step = float(interval_ms or 0.0)
    with _open_input(path) as container:
        stream = _video_stream(container)
        stream.thread_type = "AUTO"
        start = _container_start(container)
        declared_end = _declared_end(container, stream)
        duration_ms = float(declared_end) * 1000
        health = _DecodeHealth()
        decoded = 0
        last_time: Fraction | None = None
        next_instant_ms = 0.0
        reported = 0.0
        for picture in _decoded_pictures(container, stream, health):
            time = _timestamp(picture, stream, start)
            if time is None:
                health.untimed_pictures += 1
                continue
            index = decoded
            decoded += 1
            last_time = time if last_time is None else max(last_time, time)
            time_ms = float(time * 1000)
            if step > 0:
                if time_ms + _INSTANT_EPSILON_MS < next_instant_ms:
                    continue
                next_instant_ms = (math.floor((time_ms + _INSTANT_EPSILON_MS) / step) + 1) * step
            yield Frame(
                timestamp_ms=_round_ms(time),
                image=_to_upright_rgb(picture, max_side),
                index=index,
            )
            if on_progress is not None and duration_ms > 0:
                fraction = min(1.0, max(0.0, time_ms / duration_ms))
                if fraction >= reported + 0.001:
                    reported = fraction
                    on_progress(fraction)
        frame_spacing = Fraction(1) / stream.average_rate if stream.average_rate else Fraction(0)
        if damage is not None:
            damage.record(health)
        _check_health(
            health,
            decoded=decoded,
            last_end_s=None if last_time is None else last_time + frame_spacing,
            declared_end_s=declared_end,
            end_is_declared=container.format.name in _INDEXED_FORMATS,
        )
        if on_progress is not None:
            on_progress(1.0)
