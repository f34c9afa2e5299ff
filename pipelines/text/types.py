"""The canonical text types: lines and their words, with geometry as ratios of the picture size."""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.geometry import BoundingBox


@dataclass(frozen=True, slots=True)
class Point:
    """A point as ratios of the picture's width (``x``) and height (``y``), origin top-left."""

    x: float
    y: float


#: Four corners, clockwise from the top-left corner of the text as it reads (ratios).
Quad = tuple[Point, Point, Point, Point]


def quad_box(quad: Quad) -> BoundingBox:
    """The axis-aligned box around a quadrilateral, clipped to the picture."""
    xs = [p.x for p in quad]
    ys = [p.y for p in quad]
    return BoundingBox.from_corners(min(xs), min(ys), max(xs), max(ys))


@dataclass(frozen=True, slots=True)
class TextWord:
    """One word: ``confidence`` in percent [0, 100] (mean of its characters' recogniser probabilities)."""

    text: str
    confidence: float
    quad: Quad

    @property
    def box(self) -> BoundingBox:
        return quad_box(self.quad)


@dataclass(frozen=True, slots=True)
class TextLine:
    """One line of text (a detector region) and its words, left to right.

    ``text`` is the words joined by single spaces; ``confidence`` in percent [0, 100].
    """

    text: str
    confidence: float
    quad: Quad
    words: tuple[TextWord, ...]

    @property
    def box(self) -> BoundingBox:
        return quad_box(self.quad)
