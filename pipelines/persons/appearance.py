"""A cheap appearance embedding of a person box, for re-identification after occlusions and exits.

The embedding is two colour histograms (upper and lower half of the box, the inner part only so the
background around a person weighs little), each 4x4x4 RGB bins, L1-normalised: 128 numbers. Clothing
colours survive pose changes, a partial occlusion of one half and the low resolution of small people;
they do not tell apart two people dressed alike (the tracker's motion model must then decide).

The distance between two embeddings is the Hellinger distance averaged over the two halves: 0 for
identical histograms, 1 for disjoint ones.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from pipelines.detection import RGBImage
from pipelines.geometry import BoundingBox

BINS_PER_CHANNEL = 4
HALF_SIZE = BINS_PER_CHANNEL**3
EMBEDDING_SIZE = 2 * HALF_SIZE
#: Fraction of the box width/height kept around its centre (the rest is mostly background).
INNER_FRACTION = 0.6

Embedding = npt.NDArray[np.float32]


def _histogram(pixels: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
    if pixels.size == 0:
        return np.full(HALF_SIZE, 1.0 / HALF_SIZE, dtype=np.float32)
    quantised = (pixels.reshape(-1, 3) // (256 // BINS_PER_CHANNEL)).astype(np.int64)
    codes = (quantised[:, 0] * BINS_PER_CHANNEL + quantised[:, 1]) * BINS_PER_CHANNEL + quantised[:, 2]
    counts = np.bincount(codes, minlength=HALF_SIZE).astype(np.float32)
    return np.asarray(counts / counts.sum(), dtype=np.float32)


def appearance_embedding(image: RGBImage, box: BoundingBox) -> Embedding:
    """The 128-number embedding of the person in ``box`` (ratios of ``image``)."""
    height, width = image.shape[:2]
    margin_x = box.width * (1.0 - INNER_FRACTION) / 2.0
    margin_y = box.height * (1.0 - INNER_FRACTION) / 4.0
    x1 = int(np.clip((box.left + margin_x) * width, 0, width - 1))
    x2 = int(np.clip((box.right - margin_x) * width, x1 + 1, width))
    y1 = int(np.clip((box.top + margin_y) * height, 0, height - 1))
    y2 = int(np.clip((box.bottom - margin_y) * height, y1 + 1, height))
    middle = (y1 + y2) // 2
    crop = image[y1:y2, x1:x2]
    upper = _histogram(crop[: middle - y1])
    lower = _histogram(crop[middle - y1 :])
    return np.concatenate([upper, lower]).astype(np.float32)


def appearance_distance(a: Embedding, b: Embedding) -> float:
    """Mean Hellinger distance of the two halves, in [0, 1]."""
    root = np.sqrt(a * b)
    upper = 1.0 - float(root[:HALF_SIZE].sum())
    lower = 1.0 - float(root[HALF_SIZE:].sum())
    return float(np.sqrt(max(upper, 0.0)) + np.sqrt(max(lower, 0.0))) / 2.0


def appearance_distances(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
    """:func:`appearance_distance` for every pair of rows of ``a`` [N, 128] and ``b`` [M, 128]: [N, M]."""
    ra = np.sqrt(np.asarray(a, dtype=np.float64))
    rb = np.sqrt(np.asarray(b, dtype=np.float64))
    upper = 1.0 - ra[:, :HALF_SIZE] @ rb[:, :HALF_SIZE].T
    lower = 1.0 - ra[:, HALF_SIZE:] @ rb[:, HALF_SIZE:].T
    return np.asarray((np.sqrt(np.clip(upper, 0.0, None)) + np.sqrt(np.clip(lower, 0.0, None))) / 2.0)
