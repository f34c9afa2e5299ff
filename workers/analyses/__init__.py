"""Analyses: each turns a local video file into the stored result views of one operation."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.decoding import DecodeDamage, VideoInfo
from pipelines.errors import VidrekError
from workers.models import Models
from workers.settings import Settings
from workers.stores import Stores


@dataclass(frozen=True)
class AnalysisInput:
    video_path: Path
    info: VideoInfo
    request: dict[str, Any]
    settings: Settings
    #: The process's models and stores (built once per process, see workers.models / workers.stores).
    models: Models
    stores: Stores
    #: Report the fraction (0..1) of the video analysed so far.
    progress: Callable[[float], None]
    #: Filled in by the frame sampler (pass it to ``sample_frames(..., damage=inp.damage)``): how much of
    #: the video was damaged; the job's StatusMessage says so when it SUCCEEDS anyway.
    damage: DecodeDamage = field(default_factory=DecodeDamage)


@dataclass
class AnalysisResult:
    #: Rekognition JSON items per view (see :class:`workers.operations.VideoOperation`).
    views: dict[str, list[dict[str, Any]]]
    #: Extra members of every Get* response, e.g. ``{"LabelModelVersion": "..."}``.
    response_members: dict[str, Any] = field(default_factory=dict)


Analysis = Callable[[AnalysisInput], AnalysisResult]


class AnalysisError(VidrekError):
    """The analysis cannot go on for a reason the user can act on; the message becomes the StatusMessage."""


def load_analysis(spec: str) -> Analysis:
    """Import ``"module:function"`` lazily, so the API process never loads models."""
    module_name, _, function_name = spec.partition(":")
    function: Analysis = getattr(importlib.import_module(module_name), function_name)
    return function
