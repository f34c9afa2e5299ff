"""Quality of a face's pixels: Brightness and Sharpness, 0-100 each.

- Brightness: mean luma (ITU-R BT.601: 0.299 R + 0.587 G + 0.114 B) of the pixels inside the face box,
  as a percentage of 255. 0 is black, 100 white; well-lit faces read 40-70.
- Sharpness: the face box is resized to ``SHARPNESS_SIDE`` x ``SHARPNESS_SIDE`` grey pixels (so the score
  does not depend on the face's size in pixels), the variance ``v`` of its 4-neighbour Laplacian is taken,
  and mapped to ``100 * (1 - exp(-v / SHARPNESS_SCALE))``. Measured on the faces of
  shared/media/faces: 29-86 (median 65) as taken, 1-36 (median 11) after a Gaussian blur of radius 3 px;
  the same face in the 240p..1080p Obama photos reads 64-86. The score is relative, not a standard.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

from pipelines.detection import RGBImage
from pipelines.faces.types import Quality
from pipelines.geometry import BoundingBox

#: Side (pixels) of the grey face crop the Laplacian is measured on.
SHARPNESS_SIDE = 96
#: Laplacian variance (grey levels squared) that maps to 63 % sharpness.
SHARPNESS_SCALE = 400.0


def face_pixels(image: RGBImage, box: BoundingBox) -> RGBImage:
    """The pixels inside ``box`` (at least one pixel)."""
    height, width = image.shape[:2]
    x1 = min(max(int(box.left * width), 0), width - 1)
    y1 = min(max(int(box.top * height), 0), height - 1)
    x2 = max(min(math.ceil(box.right * width), width), x1 + 1)
    y2 = max(min(math.ceil(box.bottom * height), height), y1 + 1)
    return image[y1:y2, x1:x2]


def measure_quality(image: RGBImage, box: BoundingBox) -> Quality:
    pixels = face_pixels(image, box).astype(np.float32)
    luma = pixels[..., 0] * 0.299 + pixels[..., 1] * 0.587 + pixels[..., 2] * 0.114
    brightness = float(luma.mean()) / 255.0 * 100.0
    grey = np.asarray(
        Image.fromarray(np.clip(luma, 0, 255).astype(np.uint8)).resize(
            (SHARPNESS_SIDE, SHARPNESS_SIDE), Image.Resampling.BILINEAR
        ),
        dtype=np.float32,
    )
    laplacian = grey[1:-1, :-2] + grey[1:-1, 2:] + grey[:-2, 1:-1] + grey[2:, 1:-1] - 4.0 * grey[1:-1, 1:-1]
    sharpness = 100.0 * (1.0 - math.exp(-float(laplacian.var()) / SHARPNESS_SCALE))
    return Quality(brightness=brightness, sharpness=sharpness)
