"""Moderation labels over a video's sampled frames: observations and the segments they form."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pipelines.moderation.taxonomy import ModerationLabel


@dataclass(frozen=True, slots=True)
class ModerationObservation:
    """One label in the sampled frame at ``timestamp_ms`` (the frame's pts, ms)."""

    timestamp_ms: int
    label: ModerationLabel


@dataclass(frozen=True, slots=True)
class ModerationSegment:
    """Consecutive observations of one label: ``start_ms``/``end_ms`` are the first and last observed
    timestamps; ``label.confidence`` is the maximum over the span (percent)."""

    label: ModerationLabel
    start_ms: int
    end_ms: int

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms


def merge_segments(observations: Iterable[ModerationObservation], max_gap_ms: int) -> list[ModerationSegment]:
    """Each label's observations joined while consecutive ones are at most ``max_gap_ms`` apart
    (use about 2.5 sample intervals: one missed sample does not split a segment, two do). Ordered by
    start, then level and name."""
    by_name: dict[str, list[ModerationObservation]] = {}
    for obs in observations:
        by_name.setdefault(obs.label.name, []).append(obs)
    segments: list[ModerationSegment] = []
    for series in by_name.values():
        series.sort(key=lambda o: o.timestamp_ms)
        first = series[0]
        start = end = first.timestamp_ms
        best = first.label
        for obs in series[1:]:
            if obs.timestamp_ms - end > max_gap_ms:
                segments.append(ModerationSegment(best, start, end))
                start, best = obs.timestamp_ms, obs.label
            elif obs.label.confidence > best.confidence:
                best = obs.label
            end = obs.timestamp_ms
        segments.append(ModerationSegment(best, start, end))
    segments.sort(key=lambda s: (s.start_ms, s.label.level, s.label.name))
    return segments
