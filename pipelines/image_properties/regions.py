"""Where the foreground is, and the pixels of a box.

**Foreground = the union of the boxes of the objects the label detector finds** (DetectLabels'
instances at its default settings); the background is everything else. A box is a rectangle, so the
foreground also holds whatever surrounds an object inside its box. An image in which nothing is
detected has no foreground: all of it is background.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from pipelines.detection import RGBImage
from pipelines.geometry import BoundingBox
from pipelines.image_labels import ImageLabel


def foreground_boxes(labels: Iterable[ImageLabel]) -> list[BoundingBox]:
    """The boxes whose union is the foreground: every instance of ``labels`` (DetectLabels' labels at its
    default MinConfidence, without filters), each box once."""
    return list(dict.fromkeys(instance.box for label in labels for instance in label.instances))


def box_mask(height: int, width: int, boxes: Iterable[BoundingBox]) -> npt.NDArray[np.bool_]:
    """A (height, width) mask, true at the pixels whose centre lies inside any of ``boxes``."""
    mask = np.zeros((height, width), dtype=bool)
    for box in boxes:
        left, right = _pixel_span(box.left, box.right, width)
        top, bottom = _pixel_span(box.top, box.bottom, height)
        mask[top:bottom, left:right] = True
    return mask


def crop(rgb: RGBImage, box: BoundingBox) -> RGBImage:
    """The pixels of ``rgb`` whose centre lies inside ``box`` (empty for a box thinner than a pixel)."""
    height, width = rgb.shape[:2]
    left, right = _pixel_span(box.left, box.right, width)
    top, bottom = _pixel_span(box.top, box.bottom, height)
    return rgb[top:bottom, left:right]


def _pixel_span(start: float, end: float, size: int) -> tuple[int, int]:
    """Indices [first, last + 1) of the pixels whose centre (i + 0.5) / size lies in [start, end]."""
    first = max(0, int(np.ceil(start * size - 0.5)))
    last = min(size, int(np.floor(end * size - 0.5)) + 1)
    return first, max(first, last)
