"""Image quality as DetectLabels reports it: Brightness, Sharpness and Contrast, each 0-100.

All three are measured on the luma Y' = 0.299 R + 0.587 G + 0.114 B (Rec. 601, the JPEG luma) of the
gamma-encoded 0-255 values, at the measuring resolution: the image as it is when its longer side is at
most :data:`QUALITY_SIDE` pixels, otherwise box-averaged by the smallest whole factor that brings it
there (a whole factor, because a fractional resampling blurs by an amount that depends on the factor).

- **Brightness** = mean luma / 255 x 100: 0 is black, 100 white, a mid-grey 50.
- **Contrast** = the luma range spanned by the middle 98 % of the pixels (1st to 99th percentile)
  / 255 x 100: 0 for a flat image, 100 for one half black and half white; ordinary photos ~60-97.
- **Sharpness** = 25 x log10(1 + v), capped at 100, where v is the variance of the 4-neighbour
  Laplacian of the luma (the classic focus measure: blur removes the high frequencies the Laplacian
  responds to). 25 points per decade: v = 0 (flat) -> 0, 10 -> 26, 100 -> 50, 1,000 -> 75, >= 10,000
  -> 100. The in-focus test photos (scikit-image's astronaut and coffee, ../shared/media/images)
  measure 70-80; blurred with a Gaussian of radius 1.5 px 24-44, of 4 px 7-15. Noise is "sharp" too:
  this measures high-frequency energy, not focus on the subject.

For a region (foreground, background) brightness and sharpness are taken over the region's pixels
only (for sharpness, the Laplacian at those pixels, computed on the whole image so that the region's
edge adds nothing); AWS reports no contrast for regions, so none is measured.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from pipelines.detection import RGBImage

#: Longer side, in pixels, above which an image is box-averaged (by a whole factor) before measuring.
QUALITY_SIDE = 1024
#: Sharpness points per decade of Laplacian variance.
SHARPNESS_PER_DECADE = 25.0
#: Rec. 601 luma weights of R, G, B.
LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114], dtype=np.float32)
#: Percentiles of luma whose distance is the contrast.
CONTRAST_PERCENTILES = (1.0, 99.0)

Luma = npt.NDArray[np.float32]
Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class ImageQuality:
    """Brightness, sharpness and (for a whole image) contrast, each 0-100; ``contrast`` is None for a
    region."""

    brightness: float
    sharpness: float
    contrast: float | None = None


@dataclass(frozen=True, slots=True, eq=False)
class MeasuredImage:
    """An image ready to be measured: its luma at the measuring resolution, and the Laplacian of that
    luma at every pixel but the outermost ones (computed once for the image and all its regions)."""

    luma: Luma
    laplacian: Luma

    @classmethod
    def of(cls, rgb: RGBImage) -> MeasuredImage:
        height, width = rgb.shape[:2]
        factor = max(1, math.ceil(max(height, width) / QUALITY_SIDE))
        h, w = max(1, height // factor), max(1, width // factor)
        y = np.asarray(rgb[: h * factor, : w * factor].astype(np.float32) @ LUMA_WEIGHTS, dtype=np.float32)
        if factor > 1:  # an area resize by a whole factor is exactly the mean of factor x factor blocks
            y = np.asarray(cv2.resize(y, (w, h), interpolation=cv2.INTER_AREA), dtype=np.float32)
        laplacian = y[1:-1, :-2] + y[1:-1, 2:] + y[:-2, 1:-1] + y[2:, 1:-1] - 4.0 * y[1:-1, 1:-1]
        return cls(y, np.asarray(laplacian, dtype=np.float32))

    @property
    def shape(self) -> tuple[int, int]:
        return int(self.luma.shape[0]), int(self.luma.shape[1])

    def brightness(self, mask: Mask | None = None) -> float:
        values = self.luma if mask is None else self.luma[mask]
        return float(values.mean(dtype=np.float64)) / 255.0 * 100.0 if values.size else 0.0

    def contrast(self) -> float:
        low, high = np.percentile(self.luma, CONTRAST_PERCENTILES)
        return float(high - low) / 255.0 * 100.0

    def sharpness(self, mask: Mask | None = None) -> float:
        values = self.laplacian if mask is None else self.laplacian[mask[1:-1, 1:-1]]
        if values.size < 2:
            return 0.0
        variance = float(values.var(dtype=np.float64))
        return min(100.0, SHARPNESS_PER_DECADE * math.log10(1.0 + variance))


def image_quality(image: MeasuredImage) -> ImageQuality:
    """The quality of a whole image."""
    return ImageQuality(image.brightness(), image.sharpness(), image.contrast())


def region_quality(image: MeasuredImage, mask: Mask) -> ImageQuality:
    """The quality of the pixels where ``mask`` (of :attr:`MeasuredImage.shape`) is true: no contrast."""
    return ImageQuality(image.brightness(mask), image.sharpness(mask))
