"""DetectText / StartTextDetection ``Filters``: WordFilter and RegionsOfInterest, applied to words.

Semantics (AWS API reference, DetectTextFilters / StartTextDetectionFilters / DetectionFilter /
RegionOfInterest):

* ``WordFilter.MinConfidence`` (percent, default 80): words below it are left out.
* ``WordFilter.MinBoundingBoxHeight`` / ``MinBoundingBoxWidth`` (ratios of the picture's height /
  width, 0-1): words whose bounding box is smaller are left out.
* ``RegionsOfInterest`` (up to 10, each a ``BoundingBox`` or a ``Polygon``): a word is kept when more
  than half of its area lies inside one region.

A line is kept when at least one of its words is; its text, confidence and geometry are then rebuilt
from the kept words, so a LINE always spells exactly its WORD children.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shapely.geometry import Polygon

from pipelines.errors import InvalidInput
from pipelines.text.types import Point, TextLine, TextWord

#: Rekognition's default WordFilter.MinConfidence, percent.
DEFAULT_MIN_CONFIDENCE = 80.0
#: A word is inside a region of interest when more than this fraction of its area is.
ROI_MIN_OVERLAP = 0.5


class TextFilterError(InvalidInput, ValueError):
    """A filter the request cannot mean (e.g. a region with neither BoundingBox nor Polygon)."""


def _quad_polygon(points: Sequence[Point]) -> Polygon:
    return Polygon([(p.x, p.y) for p in points])


@dataclass(frozen=True)
class TextFilter:
    min_confidence: float = DEFAULT_MIN_CONFIDENCE
    min_box_height: float = 0.0
    min_box_width: float = 0.0
    regions: tuple[Polygon, ...] = ()

    @classmethod
    def from_request(cls, filters: Mapping[str, Any] | None) -> TextFilter:
        """Build from the request's ``Filters`` member (already validated against the model)."""
        filters = filters or {}
        word = filters.get("WordFilter") or {}
        regions: list[Polygon] = []
        for i, region in enumerate(filters.get("RegionsOfInterest") or []):
            if region.get("BoundingBox"):
                box = region["BoundingBox"]
                left, top = float(box.get("Left", 0.0)), float(box.get("Top", 0.0))
                width, height = float(box.get("Width", 0.0)), float(box.get("Height", 0.0))
                if width <= 0 or height <= 0:
                    raise TextFilterError(
                        f"Filters: RegionsOfInterest[{i}].BoundingBox needs a positive Width and Height."
                    )
                corners = [
                    (left, top),
                    (left + width, top),
                    (left + width, top + height),
                    (left, top + height),
                ]
                regions.append(Polygon(corners))
            elif region.get("Polygon"):
                points = [(float(p.get("X", 0.0)), float(p.get("Y", 0.0))) for p in region["Polygon"]]
                polygon = Polygon(points) if len(points) >= 3 else None
                if polygon is None or polygon.area <= 0:
                    raise TextFilterError(
                        f"Filters: RegionsOfInterest[{i}].Polygon needs at least 3 points enclosing an area."
                    )
                regions.append(polygon if polygon.is_valid else polygon.buffer(0))
            else:
                raise TextFilterError(f"Filters: RegionsOfInterest[{i}] needs a BoundingBox or a Polygon.")
        return cls(
            min_confidence=float(word.get("MinConfidence", DEFAULT_MIN_CONFIDENCE)),
            min_box_height=float(word.get("MinBoundingBoxHeight", 0.0)),
            min_box_width=float(word.get("MinBoundingBoxWidth", 0.0)),
            regions=tuple(regions),
        )

    def keeps(self, word: TextWord) -> bool:
        if word.confidence < self.min_confidence:
            return False
        box = word.box
        if box.height < self.min_box_height or box.width < self.min_box_width:
            return False
        if not self.regions:
            return True
        shape = _quad_polygon(word.quad)
        area = shape.area
        if area <= 0:
            return False
        return any(shape.intersection(region).area > ROI_MIN_OVERLAP * area for region in self.regions)

    def apply(self, lines: Sequence[TextLine]) -> list[TextLine]:
        result: list[TextLine] = []
        for line in lines:
            kept = tuple(w for w in line.words if self.keeps(w))
            if not kept:
                continue
            if len(kept) == len(line.words):
                result.append(line)
                continue
            result.append(line_of(kept))
        return result


def line_of(words: Sequence[TextWord]) -> TextLine:
    """A line made of some of a line's words (in order): their text, their character-weighted mean
    confidence, and the quadrilateral from the first word's left edge to the last word's right edge."""
    chars = sum(len(w.text) for w in words)
    confidence = sum(w.confidence * len(w.text) for w in words) / max(chars, 1)
    first, last = words[0].quad, words[-1].quad
    quad = (first[0], last[1], last[2], first[3])
    return TextLine(" ".join(w.text for w in words), confidence, quad, tuple(words))


def limit_words(lines: Sequence[TextLine], max_words: int) -> list[TextLine]:
    """The first ``max_words`` words in reading order (Rekognition's per-image / per-frame limit);
    a line cut in the middle keeps only its first words."""
    result: list[TextLine] = []
    left = max_words
    for line in lines:
        if left <= 0:
            break
        if len(line.words) <= left:
            result.append(line)
            left -= len(line.words)
            continue
        kept = line.words[:left]
        first, last = kept[0].quad, kept[-1].quad
        chars = sum(len(w.text) for w in kept)
        confidence = sum(w.confidence * len(w.text) for w in kept) / max(chars, 1)
        result.append(
            TextLine(" ".join(w.text for w in kept), confidence, (first[0], last[1], last[2], first[3]), kept)
        )
        left = 0
    return result
