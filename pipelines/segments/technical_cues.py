"""Technical cues over time: per-frame verdicts (black, colour bars, content) merged into segments.

Each frame is, in this order of precedence: ``ColorBars`` (:mod:`.color_bars`), ``BlackFrames``
(:mod:`.black_frames`, with the request's BlackFrame filter), else ``Content``: the programme itself,
reported as Rekognition does for the spans between the other cues. Consecutive frames with the same
verdict form one cue; its confidence is the mean of its frames' confidences (percent 50-100). Cues
below the request's ``MinSegmentConfidence`` are not reported.

Not detected (no sound method without a trained model): EndCredits, OpeningCredits, StudioLogo, Slate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipelines.detection import RGBImage
from pipelines.segments.black_frames import BlackFrameRule
from pipelines.segments.color_bars import color_bars_confidence
from pipelines.segments.luma import Luma
from pipelines.segments.spans import CueType, FrameRef, FrameSpan, TechnicalCue


@dataclass(slots=True)
class _Run:
    type: CueType
    first: FrameRef
    last: FrameRef
    confidences: list[float] = field(default_factory=list)


class TechnicalCueDetector:
    """Feed every decoded frame with :meth:`add`, in presentation order; then :meth:`cues`."""

    def __init__(self, black_frame_rule: BlackFrameRule) -> None:
        self.rule = black_frame_rule
        self._runs: list[_Run] = []

    def classify(self, image: RGBImage, luma: Luma) -> tuple[CueType, float]:
        """One frame's verdict and its confidence (percent 50-100)."""
        bars = color_bars_confidence(image)
        if bars is not None:
            return "ColorBars", bars
        black = self.rule.blackness(luma)
        if black is not None:
            return "BlackFrames", black
        return "Content", self.rule.content_confidence(luma)

    def add(self, ref: FrameRef, image: RGBImage, luma: Luma) -> None:
        cue_type, confidence = self.classify(image, luma)
        current = self._runs[-1] if self._runs else None
        if current is not None and current.type == cue_type:
            current.last = ref
            current.confidences.append(confidence)
        else:
            self._runs.append(_Run(cue_type, ref, ref, [confidence]))

    def cues(self, min_confidence: float = 50.0) -> list[TechnicalCue]:
        """The cue segments with confidence >= ``min_confidence`` (percent), in time order."""
        result = []
        for run in self._runs:
            confidence = sum(run.confidences) / len(run.confidences)
            if confidence >= min_confidence:
                result.append(TechnicalCue(run.type, FrameSpan(run.first, run.last), confidence))
        return result
