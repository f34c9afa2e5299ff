"""The canonical results of segment detection: shots and technical cues as spans of frames."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: Technical cue types vidrek detects. Rekognition also names EndCredits, OpeningCredits, StudioLogo and
#: Slate; vidrek has no sound method (no model) for those and never reports them.
CueType = Literal["BlackFrames", "ColorBars", "Content"]


@dataclass(frozen=True, slots=True)
class FrameRef:
    """One decoded frame: its position among all decoded frames (from 0) and its pts in ms."""

    index: int
    timestamp_ms: int


@dataclass(frozen=True, slots=True)
class FrameSpan:
    """Frames ``first`` .. ``last`` (both included) of the video."""

    first: FrameRef
    last: FrameRef

    def __post_init__(self) -> None:
        if self.last.index < self.first.index:
            raise ValueError(
                f"a span cannot end (frame {self.last.index}) before it starts ({self.first.index})"
            )


@dataclass(frozen=True, slots=True)
class Shot:
    """A shot: frames between two cuts. ``index`` counts shots from 0; ``confidence`` is percent 50-100,
    the weaker of the two cuts that bound it (the video's start and end count as certain)."""

    index: int
    span: FrameSpan
    confidence: float


@dataclass(frozen=True, slots=True)
class TechnicalCue:
    """A run of frames of one technical cue type; ``confidence`` in percent 50-100."""

    type: CueType
    span: FrameSpan
    confidence: float
