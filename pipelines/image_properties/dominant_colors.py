"""The dominant colours of a region of an image: clusters of its pixels in L*a*b*, each named by the
nearest CSS colour.

1. The region is looked at small: the image is shrunk (area averaging) so that its longer side is at
   most :data:`COLOR_SIDE` pixels; colours do not need more.
2. Its distinct colours, weighted by their pixel counts, are clustered in CIE L*a*b* by
   :func:`pipelines.image_properties.clustering.weighted_kmeans` into at most :data:`CLUSTERS` clusters.
3. Each cluster is named by the CSS colour nearest to its centre; clusters with the same name are one
   dominant colour. Like AWS, the colour is reported as that CSS colour (its RGB and hex code), so the
   RGB, hex code and CSS name of an answer always agree.
4. ``PixelPercent`` is the share of the region's pixels in the colour's clusters; colours come most
   frequent first (then by name), at most ``max_colors`` of them. The clustering does not depend on
   ``max_colors``: asking for 3 gives the first 3 of the 10 a default request gets.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from pipelines.detection import RGBImage
from pipelines.image_properties.clustering import weighted_kmeans
from pipelines.image_properties.colors import NamedColor, nearest_css_colors
from pipelines.image_properties.lab import srgb_to_lab

#: Longer side, in pixels, of the shrunk image colours are taken from (at most 10,000 pixels).
COLOR_SIDE = 100
#: k of the k-means: as many clusters as AWS's largest MaxDominantColors, so any request can be filled.
CLUSTERS = 20


@dataclass(frozen=True, slots=True)
class DominantColor:
    """One dominant colour of a region: a CSS colour and the percentage (0-100) of the region's pixels
    that have it."""

    color: NamedColor
    pixel_percent: float


def shrink_for_colors(rgb: RGBImage) -> RGBImage:
    """``rgb`` with its longer side at most :data:`COLOR_SIDE` (area averaging; never enlarged)."""
    height, width = rgb.shape[:2]
    scale = COLOR_SIDE / max(height, width, 1)
    if scale >= 1.0:
        return rgb
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return np.asarray(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)


def dominant_colors(pixels: npt.NDArray[np.uint8], max_colors: int) -> tuple[DominantColor, ...]:
    """The dominant colours of [N, 3] RGB ``pixels`` (the pixels of a shrunk region), at most
    ``max_colors``; none for no pixels."""
    flat = pixels.reshape(-1, 3)
    if len(flat) == 0 or max_colors <= 0:
        return ()
    codes = (flat[:, 0].astype(np.int32) << 16) | (flat[:, 1].astype(np.int32) << 8) | flat[:, 2]
    distinct, counts = np.unique(codes, return_counts=True)
    rgb = np.stack([distinct >> 16, (distinct >> 8) & 0xFF, distinct & 0xFF], axis=1)
    clusters = weighted_kmeans(srgb_to_lab(rgb), counts.astype(np.float64), CLUSTERS)
    share: dict[NamedColor, float] = {}
    for color, weight in zip(nearest_css_colors(clusters.centres), clusters.weights, strict=True):
        share[color] = share.get(color, 0.0) + float(weight)
    ranked = sorted(share.items(), key=lambda item: (-item[1], item[0].css_name))
    return tuple(DominantColor(color, 100.0 * weight / len(flat)) for color, weight in ranked[:max_colors])
