"""Deterministic generators of synthetic and broken video files for tests.

Every clip is encoded with PyAV's bundled FFmpeg (libx264, falling back to mpeg4 when a build lacks it).
Each video frame draws its own index as a row of black/white stripes (a binary number, most significant
bit on the left) so a test can tell exactly which frame a decoder handed back: see :func:`read_frame_index`.
Generators that write playable clips return the exact presentation timestamps (milliseconds relative to
the container start) that a correct decoder must report for each frame, in presentation order.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

#: Number of stripes (bits) drawn per frame; clips may hold at most 2**INDEX_BITS frames.
INDEX_BITS = 10
#: Height of the corner marker as a fraction of the frame height (see :func:`make_rotated_clip`).
MARKER_FRACTION = 0.25

RGBArray = npt.NDArray[np.uint8]


def video_encoder_name() -> str:
    """The H.264 encoder when the bundled FFmpeg has it, else MPEG-4 part 2."""
    try:
        av.codec.Codec("libx264", "w")
    except av.error.FFmpegError:
        return "mpeg4"
    return "libx264"


def index_image(index: int, size: tuple[int, int], *, marker: bool = False) -> RGBArray:
    """An RGB image of ``size`` (width, height) showing ``index`` as INDEX_BITS black/white stripes.

    The stripes fill the lower 3/4 of the frame. With ``marker``, a red square sits in the top-left corner
    of the top quarter (the rest of the top quarter is black) so a test can check orientation.
    """
    if not 0 <= index < 2**INDEX_BITS:
        raise ValueError(f"index {index} does not fit in {INDEX_BITS} bits")
    width, height = size
    image = np.zeros((height, width, 3), dtype=np.uint8)
    top = int(height * MARKER_FRACTION)
    for bit in range(INDEX_BITS):
        if index >> (INDEX_BITS - 1 - bit) & 1:
            x0 = bit * width // INDEX_BITS
            x1 = (bit + 1) * width // INDEX_BITS
            image[top:, x0:x1] = 255
    if marker:
        image[:top, :top] = (255, 0, 0)
    return image


def read_frame_index(image: RGBArray) -> int:
    """Read back the index drawn by :func:`index_image` from an upright decoded (possibly scaled) image."""
    height, width = image.shape[:2]
    top = int(height * MARKER_FRACTION)
    rows = image[top + (height - top) // 4 : height - (height - top) // 4]
    value = 0
    for bit in range(INDEX_BITS):
        x0 = bit * width // INDEX_BITS
        x1 = (bit + 1) * width // INDEX_BITS
        centre = rows[:, x0 + (x1 - x0) // 4 : x1 - (x1 - x0) // 4]
        value = value << 1 | int(centre.mean() > 127)
    return value


def _ms(value: Fraction) -> int:
    return round(value * 1000)


def _encode_video(
    container: av.container.OutputContainer,
    stream: av.video.stream.VideoStream,
    pts_list: Sequence[int],
    time_base: Fraction,
    size: tuple[int, int],
    *,
    marker: bool = False,
) -> None:
    for index, pts in enumerate(pts_list):
        frame = av.VideoFrame.from_ndarray(index_image(index, size, marker=marker), format="rgb24")
        frame.pts = pts
        frame.time_base = time_base
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode(None):
        container.mux(packet)


def _add_video_stream(
    container: av.container.OutputContainer,
    size: tuple[int, int],
    rate: Fraction,
    time_base: Fraction | None = None,
) -> av.video.stream.VideoStream:
    """Add a yuv420p video stream; ``time_base`` None keeps the encoder's 1/rate (CFR)."""
    stream = container.add_stream(video_encoder_name(), rate=rate)
    assert isinstance(stream, av.video.stream.VideoStream)
    stream.width, stream.height = size
    stream.pix_fmt = "yuv420p"
    if time_base is not None:
        stream.time_base = time_base
        stream.codec_context.time_base = time_base
    stream.codec_context.gop_size = 12
    return stream


def _container_options(path: Path, faststart: bool) -> dict[str, str]:
    if faststart and path.suffix.lower() in {".mp4", ".mov", ".m4v"}:
        return {"movflags": "+faststart"}
    return {}


def make_cfr_clip(
    path: Path,
    *,
    fps: int = 25,
    seconds: float = 2.0,
    size: tuple[int, int] = (320, 240),
    faststart: bool = False,
) -> list[int]:
    """Write a constant-frame-rate clip (container chosen by ``path``'s suffix, e.g. .mp4, .mov, .ts).

    Returns each frame's expected timestamp in ms: ``round(i * 1000 / fps)`` (MPEG-TS files start at a
    non-zero clock, which the decoder must subtract).
    """
    count = round(fps * seconds)
    with av.open(str(path), "w", options=_container_options(path, faststart)) as container:
        stream = _add_video_stream(container, size, Fraction(fps))
        _encode_video(container, stream, list(range(count)), Fraction(1, fps), size)
    return [_ms(Fraction(i, fps)) for i in range(count)]


def make_vfr_clip(
    path: Path, *, timestamps_ms: Sequence[int], size: tuple[int, int] = (320, 240)
) -> list[int]:
    """Write a variable-frame-rate clip whose frames are shown at ``timestamps_ms`` (increasing, from 0)."""
    if list(timestamps_ms) != sorted(set(timestamps_ms)) or timestamps_ms[0] != 0:
        raise ValueError("timestamps_ms must be strictly increasing and start at 0")
    with av.open(str(path), "w") as container:
        stream = _add_video_stream(container, size, Fraction(30), Fraction(1, 1000))
        # Without B-frames: x264's reordering delay on irregular pts makes the MP4 muxer write a wrong
        # (too short) duration.
        stream.codec_context.max_b_frames = 0
        _encode_video(container, stream, list(timestamps_ms), Fraction(1, 1000), size)
    return list(timestamps_ms)


def _encode_audio(
    container: av.container.OutputContainer, seconds: float, *, rate: int = 48000
) -> av.audio.stream.AudioStream:
    stream = container.add_stream("aac", rate=rate)
    assert isinstance(stream, av.audio.stream.AudioStream)
    stream.layout = "mono"
    samples_per_frame = 1024
    total = int(seconds * rate)
    t = np.arange(total, dtype=np.float32) / rate
    wave = (0.2 * np.sin(2 * np.pi * 440.0 * t)).astype(np.float32)
    for start in range(0, total, samples_per_frame):
        chunk = wave[start : start + samples_per_frame]
        frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="fltp", layout="mono")
        frame.sample_rate = rate
        frame.pts = start
        frame.time_base = Fraction(1, rate)
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode(None):
        container.mux(packet)
    return stream


def make_late_start_clip(
    path: Path,
    *,
    video_offset_ms: int = 500,
    fps: int = 25,
    seconds: float = 2.0,
    size: tuple[int, int] = (320, 240),
) -> list[int]:
    """Write an MP4 whose audio starts at 0 and whose first video frame is shown at ``video_offset_ms``.

    Returns the video frames' expected timestamps: ``video_offset_ms + round(i * 1000 / fps)``.
    """
    count = round(fps * seconds)
    time_base = Fraction(1, 1000)
    pts_list = [video_offset_ms + _ms(Fraction(i, fps)) for i in range(count)]
    with av.open(str(path), "w") as container:
        stream = _add_video_stream(container, size, Fraction(fps), time_base)
        # Audio is muxed in full first; the muxer interleaves by dts when writing the MP4.
        _encode_audio(container, seconds + video_offset_ms / 1000)
        _encode_video(container, stream, pts_list, time_base, size)
    return pts_list


def make_rotated_clip(
    path: Path,
    *,
    rotation: int = 90,
    fps: int = 25,
    seconds: float = 1.0,
    size: tuple[int, int] = (320, 180),
) -> list[int]:
    """Write a clip coded at ``size`` whose metadata asks players to rotate it ``rotation`` degrees clockwise.

    This is what a phone held upright records (legacy ``rotate=90`` tag). Each coded frame carries the
    index stripes and a red marker in its top-left corner; after a 90 degree clockwise rotation the marker
    appears in the top-RIGHT corner of the displayed (portrait) frame.
    """
    count = round(fps * seconds)
    with av.open(str(path), "w") as container:
        stream = _add_video_stream(container, size, Fraction(fps))
        # PyAV's degrees are counter-clockwise (as VideoFrame.rotation reads them back).
        stream.set_display_rotation(-rotation)
        _encode_video(container, stream, list(range(count)), Fraction(1, fps), size, marker=True)
    return [_ms(Fraction(i, fps)) for i in range(count)]


def make_audio_only_file(path: Path, *, seconds: float = 1.0) -> None:
    """Write an AAC-in-MP4 file (.mp4 or .m4a) with no video stream."""
    with av.open(str(path), "w", format="mp4") as container:
        _encode_audio(container, seconds)


def make_empty_file(path: Path) -> None:
    """Write a 0-byte file."""
    path.write_bytes(b"")


def make_random_bytes_file(path: Path, *, size: int = 64 * 1024, seed: int = 1234) -> None:
    """Write ``size`` pseudo-random bytes (deterministic per ``seed``)."""
    path.write_bytes(np.random.default_rng(seed).integers(0, 256, size, dtype=np.uint8).tobytes())


def make_text_file(path: Path) -> None:
    """Write a plain text file (what an upload of an error page or a note looks like)."""
    path.write_text(
        "This is not a video.\n" * 200 + "<html><body>404 Not Found</body></html>\n", encoding="utf-8"
    )


def make_truncated_clip(path: Path, *, faststart: bool, keep_fraction: float = 0.5) -> list[int]:
    """Write a 4 s CFR MP4 then cut it to ``keep_fraction`` of its bytes (an interrupted upload).

    With ``faststart`` the index (moov) is at the front, so the file opens but the media data ends early;
    without it the index was at the end and is lost. Returns the timestamps the full clip had.
    """
    expected = make_cfr_clip(path, fps=25, seconds=4.0, size=(320, 240), faststart=faststart)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep_fraction)])
    return expected


def make_damaged_clip(path: Path, *, damaged_fraction: float = 0.02, seed: int = 7) -> list[int]:
    """Write a 4 s CFR MP4 (index at the front) and overwrite ``damaged_fraction`` of its bytes, taken
    from the middle of the media data, with random bytes (a bit-rotted or badly transferred file).

    Returns the timestamps the undamaged clip had.
    """
    expected = make_cfr_clip(path, fps=25, seconds=4.0, size=(320, 240), faststart=True)
    data = bytearray(path.read_bytes())
    length = max(1, int(len(data) * damaged_fraction))
    start = len(data) // 2
    noise = np.random.default_rng(seed).integers(0, 256, length, dtype=np.uint8).tobytes()
    data[start : start + length] = noise
    path.write_bytes(bytes(data))
    return expected


def make_bit_flipped_copy(source: Path, path: Path, *, flipped_fraction: float, seed: int = 7) -> None:
    """Copy the MP4 ``source`` to ``path`` with ``flipped_fraction`` of the bytes of its media data (the
    ``mdat`` box: the coded pictures and sound, never the index) inverted at random places, as a failing
    disk or a bad transfer leaves a file: it still opens, and FFmpeg decodes damaged pictures."""
    data = bytearray(source.read_bytes())
    box = data.find(b"mdat") - 4
    if box < 0:
        raise ValueError(f"{source} has no mdat box")
    size = int.from_bytes(data[box : box + 4], "big")
    start, end = box + 8, box + size
    count = max(1, int((end - start) * flipped_fraction))
    positions = np.random.default_rng(seed).choice(np.arange(start, end), count, replace=False)
    for position in positions:
        data[position] ^= 0xFF
    path.write_bytes(bytes(data))
