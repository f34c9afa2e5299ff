"""The one place that turns canonical text lines into Rekognition ``TextDetection`` JSON.

Item shape (botocore ``TextDetection``): ``{"DetectedText", "Type": "LINE"|"WORD", "Id", "ParentId"
(WORDs only), "Confidence", "Geometry": {"BoundingBox", "Polygon": [{"X", "Y"}, ...]}}``. As Rekognition
does, the LINEs come first with Ids 0..n-1, then the WORDs with the following Ids and ``ParentId`` =
their line's Id. DetectText returns these items as is; GetTextDetection wraps each one as
``{"Timestamp", "TextDetection"}`` with Ids numbered per timestamp.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipelines.text.types import Quad, TextLine


def _geometry(quad: Quad, box: Any) -> dict[str, Any]:
    return {
        "BoundingBox": box.to_rekognition(),
        "Polygon": [{"X": float(p.x), "Y": float(p.y)} for p in quad],
    }


def text_detections(lines: Sequence[TextLine]) -> list[dict[str, Any]]:
    """The ``TextDetections`` of one picture: LINEs then WORDs."""
    items: list[dict[str, Any]] = []
    for line_id, line in enumerate(lines):
        items.append(
            {
                "DetectedText": line.text,
                "Type": "LINE",
                "Id": line_id,
                "Confidence": float(line.confidence),
                "Geometry": _geometry(line.quad, line.box),
            }
        )
    next_id = len(lines)
    for line_id, line in enumerate(lines):
        for word in line.words:
            items.append(
                {
                    "DetectedText": word.text,
                    "Type": "WORD",
                    "Id": next_id,
                    "ParentId": line_id,
                    "Confidence": float(word.confidence),
                    "Geometry": _geometry(word.quad, word.box),
                }
            )
            next_id += 1
    return items


def text_detection_results(timestamp_ms: int, lines: Sequence[TextLine]) -> list[dict[str, Any]]:
    """GetTextDetection's ``TextDetections`` items for one sampled frame."""
    return [{"Timestamp": int(timestamp_ms), "TextDetection": item} for item in text_detections(lines)]
