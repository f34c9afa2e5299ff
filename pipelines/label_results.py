"""The one place that turns canonical label results into GetLabelDetection's ``Labels`` items.

Item shapes follow botocore's ``LabelDetection`` structure (rekognition 2016-06-27):
``{"Timestamp", "Label": {"Name", "Confidence", "Instances", "Parents", "Aliases", "Categories"}}``
for AggregateBy=TIMESTAMPS, and for AggregateBy=SEGMENTS the same without ``Instances`` plus
``StartTimestampMillis``, ``EndTimestampMillis`` and ``DurationMillis``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipelines.labels import LabelObservation, LabelSegment
from pipelines.taxonomy import LabelInfo

#: Keys of :func:`ordered_views`: ``"<SortBy>/<AggregateBy>"`` as GetLabelDetection spells them.
VIEW_KEYS = ("TIMESTAMP/TIMESTAMPS", "NAME/TIMESTAMPS", "TIMESTAMP/SEGMENTS", "NAME/SEGMENTS")


def _label_body(info: LabelInfo, confidence: float) -> dict[str, Any]:
    return {
        "Name": info.name,
        "Confidence": float(confidence),
        "Parents": [{"Name": name} for name in info.parents],
        "Aliases": [{"Name": name} for name in info.aliases],
        "Categories": [{"Name": name} for name in info.categories],
    }


def label_detection_item(obs: LabelObservation) -> dict[str, Any]:
    """A ``LabelDetection`` item for AggregateBy=TIMESTAMPS (parents get ``"Instances": []``)."""
    label = _label_body(obs.info, obs.confidence)
    label["Instances"] = [
        {"BoundingBox": inst.box.to_rekognition(), "Confidence": float(inst.confidence)}
        for inst in obs.instances
    ]
    return {"Timestamp": int(obs.timestamp_ms), "Label": label}


def label_segment_item(seg: LabelSegment) -> dict[str, Any]:
    """A ``LabelDetection`` item for AggregateBy=SEGMENTS: no ``Instances`` (AWS: "information about
    detected instances with bounding boxes are not returned"); ``Timestamp`` repeats the start."""
    return {
        "Timestamp": int(seg.start_ms),
        "Label": _label_body(seg.info, seg.confidence),
        "StartTimestampMillis": int(seg.start_ms),
        "EndTimestampMillis": int(seg.end_ms),
        "DurationMillis": int(seg.duration_ms),
    }


def ordered_views(
    observations: Sequence[LabelObservation], segments: Sequence[LabelSegment]
) -> dict[str, list[dict[str, Any]]]:
    """All four orderings of the ``Labels`` array, keyed by ``"<SortBy>/<AggregateBy>"``.

    * TIMESTAMP: by time (``Timestamp`` or segment start), then label name.
    * NAME: grouped by label name (alphabetical); within a name by confidence descending (the API
      doc: "Within each label group, the array elements are sorted by detection confidence"), then
      by time.
    """
    by_time = sorted(observations, key=lambda o: (o.timestamp_ms, o.info.name))
    by_name = sorted(observations, key=lambda o: (o.info.name, -o.confidence, o.timestamp_ms))
    segs_by_time = sorted(segments, key=lambda s: (s.start_ms, s.info.name, s.end_ms))
    segs_by_name = sorted(segments, key=lambda s: (s.info.name, -s.confidence, s.start_ms))
    return {
        "TIMESTAMP/TIMESTAMPS": [label_detection_item(o) for o in by_time],
        "NAME/TIMESTAMPS": [label_detection_item(o) for o in by_name],
        "TIMESTAMP/SEGMENTS": [label_segment_item(s) for s in segs_by_time],
        "NAME/SEGMENTS": [label_segment_item(s) for s in segs_by_name],
    }
