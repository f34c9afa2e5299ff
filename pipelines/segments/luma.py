"""Luma of decoded frames, on the full 0-255 range.

Frames come from :func:`pipelines.decoding.sample_frames` as RGB, which swscale converts from the coded
YUV honouring the stream's range: limited-range (16-235) luma is expanded to 0-255, full-range is kept.
Luma recomputed from that RGB is therefore full-range for every video, and a threshold ``t`` of the full
range (``t * 255``) is the same test as AWS's ``16 + t * (235 - 16)`` on limited-range code values.
BT.601 weights are used for every video; for the near-grey pixels black-frame detection is about, the
difference to BT.709 is below one code value.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from pipelines.detection import RGBImage

Luma = npt.NDArray[np.float32]

_WEIGHTS = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def luma_of(image: RGBImage) -> Luma:
    """Luma (float32, 0..255) of an RGB uint8 image, shape (height, width)."""
    result: Luma = image.astype(np.float32) @ _WEIGHTS
    return result
