"""The image properties of one image: quality and dominant colours of the whole image, of its
foreground and of its background (:mod:`pipelines.image_properties.regions` says what the foreground
is), and the dominant colours of any box."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipelines.detection import RGBImage
from pipelines.geometry import BoundingBox
from pipelines.image_properties.dominant_colors import DominantColor, dominant_colors, shrink_for_colors
from pipelines.image_properties.quality import (
    ImageQuality,
    Mask,
    MeasuredImage,
    image_quality,
    region_quality,
)
from pipelines.image_properties.regions import box_mask, crop

#: MaxDominantColors when a request gives none, and its largest value (AWS: default 10, range 0-20).
DEFAULT_MAX_DOMINANT_COLORS = 10
MAX_DOMINANT_COLORS = 20


@dataclass(frozen=True, slots=True)
class RegionProperties:
    """Quality (brightness and sharpness) and dominant colours of a foreground or background."""

    quality: ImageQuality
    dominant_colors: tuple[DominantColor, ...]


@dataclass(frozen=True, slots=True)
class ImageProperties:
    """DetectLabels' ImageProperties. ``foreground`` is None when nothing was detected (the background
    is then the whole image); ``background`` is None when the objects' boxes cover the whole image."""

    quality: ImageQuality
    dominant_colors: tuple[DominantColor, ...]
    foreground: RegionProperties | None
    background: RegionProperties | None


def image_properties(
    rgb: RGBImage, foreground: Sequence[BoundingBox], max_colors: int = DEFAULT_MAX_DOMINANT_COLORS
) -> ImageProperties:
    """The properties of ``rgb`` whose foreground is the union of the ``foreground`` boxes; at most
    ``max_colors`` dominant colours per part."""
    measured = MeasuredImage.of(rgb)
    small = shrink_for_colors(rgb)
    quality_mask = box_mask(*measured.shape, foreground)
    color_mask = box_mask(small.shape[0], small.shape[1], foreground)
    return ImageProperties(
        quality=image_quality(measured),
        dominant_colors=dominant_colors(small.reshape(-1, 3), max_colors),
        foreground=_region(measured, quality_mask, small, color_mask, max_colors),
        background=_region(measured, ~quality_mask, small, ~color_mask, max_colors),
    )


def box_colors(
    rgb: RGBImage, box: BoundingBox, max_colors: int = DEFAULT_MAX_DOMINANT_COLORS
) -> tuple[DominantColor, ...]:
    """The dominant colours inside ``box`` (a label instance's ``DominantColors``)."""
    return dominant_colors(shrink_for_colors(crop(rgb, box)).reshape(-1, 3), max_colors)


def _region(
    measured: MeasuredImage, quality_mask: Mask, small: RGBImage, color_mask: Mask, max_colors: int
) -> RegionProperties | None:
    if not quality_mask.any() or not color_mask.any():
        return None
    return RegionProperties(
        region_quality(measured, quality_mask), dominant_colors(np.asarray(small[color_mask]), max_colors)
    )
