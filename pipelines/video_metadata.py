"""Rekognition's ``VideoMetadata`` from a probed video: the one place it is converted."""

from __future__ import annotations

from typing import Any

from pipelines.decoding import VideoInfo


def video_metadata_item(info: VideoInfo) -> dict[str, Any]:
    item: dict[str, Any] = {
        "Codec": info.codec,
        "DurationMillis": int(info.duration_ms),
        "Format": info.format,
        "FrameRate": float(info.frame_rate),
        "FrameHeight": int(info.height),
        "FrameWidth": int(info.width),
    }
    if info.color_range in ("FULL", "LIMITED"):
        item["ColorRange"] = info.color_range
    return item
