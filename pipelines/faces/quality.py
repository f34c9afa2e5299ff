"""Quality of a face's pixels: Brightness and Sharpness, 0-100 each.

- Brightness: mean luma (ITU-R BT.601: 0.299 R + 0.587 G + 0.114 B) of the pixels inside the face box,
  as a percentage of 255. 0 is black, 100 white; well-lit faces read 33-62 (p10-p90 of the pose set and
  shared/media/faces).
- Sharpness: the face box's grey pixels are resized to ``SHARPNESS_SIDE`` x ``SHARPNESS_SIDE`` (so the
  score does not depend on the face's size in pixels), the variance of their 4-neighbour Laplacian is
  divided by the variance of the grey levels themselves (so darkening or a flat light, which scale both,
  do not read as blur), and its log10 ``r`` is mapped linearly: ``100 * (r - SHARPNESS_LOG_FLOOR) /
  (SHARPNESS_LOG_CEILING - SHARPNESS_LOG_FLOOR)``, clipped to 0-100.

Measured on 104 faces turned < 30 degrees (``benchmarks/face_pose.py``, section quality), with Gaussian
blur of sigma = k x the face box's side: as taken p10-median-p90 Sharpness 75-85-92; k = 0.01: 60-69-77;
0.02: 37-46-55; 0.03: 21-30-39; 0.05: 3-14-24; 0.08: 0-4-18. Darkening (pixels x 0.1 .. 0.5) moves the
median by at most 2 points; carphone's 44-52 px faces read 81-89. The descriptor finds the person in
99 % of the copies up to k = 0.01, 88 % at 0.02, 13 % at 0.03 and never beyond (hence the quality
gates of :mod:`pipelines.faces.quality_filter`). The previous measure (raw Laplacian variance at 96
px, ``100 (1 - exp(-v / 400))``) read 11 at k = 0.01, 2 at 0.02 and 1 beyond, and 3 for a sharp face
darkened x 0.15: it could not tell blur from darkness.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

from pipelines.detection import RGBImage
from pipelines.faces.types import Quality
from pipelines.geometry import BoundingBox

#: Side (pixels) of the grey face crop the Laplacian is measured on. 48 puts the blur that breaks the face
#: descriptor (sigma ~3 % of the face's side, ~1.5 px here) in the middle of the scale; at 96 px the scale
#: is spent on blur the descriptor does not mind (1 % of the side already halved the old score).
SHARPNESS_SIDE = 48
#: log10(Laplacian variance / grey variance) that map to Sharpness 0 and 100 (sharp faces: -0.6..-0.2;
#: a face blurred to sigma = 8 % of its side: -2.4).
SHARPNESS_LOG_FLOOR = -2.5
SHARPNESS_LOG_CEILING = 0.0


def face_pixels(image: RGBImage, box: BoundingBox) -> RGBImage:
    """The pixels inside ``box`` (at least one pixel)."""
    height, width = image.shape[:2]
    x1 = min(max(int(box.left * width), 0), width - 1)
    y1 = min(max(int(box.top * height), 0), height - 1)
    x2 = max(min(math.ceil(box.right * width), width), x1 + 1)
    y2 = max(min(math.ceil(box.bottom * height), height), y1 + 1)
    return image[y1:y2, x1:x2]


def sharpness_of(luma: np.ndarray) -> float:
    """Sharpness 0-100 of a grey face crop (any size; values 0-255)."""
    grey = np.asarray(
        Image.fromarray(np.clip(luma, 0, 255).astype(np.uint8)).resize(
            (SHARPNESS_SIDE, SHARPNESS_SIDE), Image.Resampling.BILINEAR
        ),
        dtype=np.float32,
    )
    laplacian = grey[1:-1, :-2] + grey[1:-1, 2:] + grey[:-2, 1:-1] + grey[2:, 1:-1] - 4.0 * grey[1:-1, 1:-1]
    contrast = float(grey.var())
    if contrast < 1e-6:
        return 0.0
    ratio = math.log10(max(float(laplacian.var()) / contrast, 1e-12))
    span = SHARPNESS_LOG_CEILING - SHARPNESS_LOG_FLOOR
    return min(100.0, max(0.0, 100.0 * (ratio - SHARPNESS_LOG_FLOOR) / span))


def measure_quality(image: RGBImage, box: BoundingBox) -> Quality:
    pixels = face_pixels(image, box).astype(np.float32)
    luma = pixels[..., 0] * 0.299 + pixels[..., 1] * 0.587 + pixels[..., 2] * 0.114
    brightness = float(luma.mean()) / 255.0 * 100.0
    return Quality(brightness=brightness, sharpness=sharpness_of(luma))
