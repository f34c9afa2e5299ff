"""The canonical person detection and the interface every person detector implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from pipelines.detection import RGBImage
from pipelines.geometry import BoundingBox

#: Number of body keypoints (COCO order: nose, eyes, ears, shoulders, elbows, wrists, hips, knees, ankles).
KEYPOINT_COUNT = 17

#: [17, 3] float32: x ratio, y ratio (of the frame, origin top-left), keypoint score 0..1.
Keypoints = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class PersonDetection:
    """One person found in one image.

    ``confidence`` is a Rekognition-style percent [0, 100] (calibrated where a calibration exists);
    ``keypoints`` is present only when the detector estimates a pose.
    """

    box: BoundingBox
    confidence: float
    keypoints: Keypoints | None = None


class PersonDetector(Protocol):
    """Finds people in an RGB image. Implementations are safe to call from one thread at a time."""

    #: A short identifier of the model(s), for logs and benchmarks.
    model_version: str

    def detect(self, image: RGBImage) -> list[PersonDetection]:
        """Return the people in ``image`` whose confidence passes the detector's own floor."""
        ...


def keypoints_array(rows: npt.ArrayLike) -> Keypoints:
    """A validated [17, 3] float32 keypoint array."""
    array = np.asarray(rows, dtype=np.float32)
    if array.shape != (KEYPOINT_COUNT, 3):
        raise ValueError(f"keypoints must have shape ({KEYPOINT_COUNT}, 3), got {array.shape}")
    return array
