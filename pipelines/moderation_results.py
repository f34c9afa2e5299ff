"""The one place that turns moderation labels into Rekognition JSON.

``ModerationLabel`` (botocore): ``{"Confidence", "Name", "ParentName", "TaxonomyLevel"}`` with
``ParentName`` ``""`` for top-level labels. DetectModerationLabels returns a list of these;
GetContentModeration wraps them as ``ContentModerationDetection`` items: ``{"Timestamp",
"ModerationLabel"}`` for AggregateBy=TIMESTAMPS, plus ``StartTimestampMillis``, ``EndTimestampMillis``
and ``DurationMillis`` for AggregateBy=SEGMENTS. ``ContentTypes`` (Animated, Illustrated) is left out:
no model here tells them apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipelines.moderation.taxonomy import ModerationLabel
from pipelines.moderation.timeline import ModerationObservation, ModerationSegment


def moderation_label(label: ModerationLabel) -> dict[str, Any]:
    return {
        "Confidence": float(label.confidence),
        "Name": label.name,
        "ParentName": label.parent,
        "TaxonomyLevel": int(label.level),
    }


def moderation_labels(labels: Sequence[ModerationLabel]) -> list[dict[str, Any]]:
    """DetectModerationLabels' ``ModerationLabels``: most confident first, then by level and name."""
    ordered = sorted(labels, key=lambda label: (-label.confidence, label.level, label.name))
    return [moderation_label(label) for label in ordered]


def _observation_item(obs: ModerationObservation) -> dict[str, Any]:
    return {"Timestamp": int(obs.timestamp_ms), "ModerationLabel": moderation_label(obs.label)}


def _segment_item(seg: ModerationSegment) -> dict[str, Any]:
    return {
        "Timestamp": int(seg.start_ms),
        "ModerationLabel": moderation_label(seg.label),
        "StartTimestampMillis": int(seg.start_ms),
        "EndTimestampMillis": int(seg.end_ms),
        "DurationMillis": int(seg.duration_ms),
    }


def ordered_views(
    observations: Sequence[ModerationObservation], segments: Sequence[ModerationSegment]
) -> dict[str, list[dict[str, Any]]]:
    """The four orderings of ``ModerationLabels`` keyed ``"<SortBy>/<AggregateBy>"``: TIMESTAMP sorts by
    time then level and name; NAME groups by label name, most confident first, then by time."""
    by_time = sorted(observations, key=lambda o: (o.timestamp_ms, o.label.level, o.label.name))
    by_name = sorted(observations, key=lambda o: (o.label.name, -o.label.confidence, o.timestamp_ms))
    segs_by_time = sorted(segments, key=lambda s: (s.start_ms, s.label.level, s.label.name))
    segs_by_name = sorted(segments, key=lambda s: (s.label.name, -s.label.confidence, s.start_ms))
    return {
        "TIMESTAMP/TIMESTAMPS": [_observation_item(o) for o in by_time],
        "NAME/TIMESTAMPS": [_observation_item(o) for o in by_name],
        "TIMESTAMP/SEGMENTS": [_segment_item(s) for s in segs_by_time],
        "NAME/SEGMENTS": [_segment_item(s) for s in segs_by_name],
    }
