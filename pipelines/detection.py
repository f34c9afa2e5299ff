"""The canonical object detection and the interface every object detector implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from pipelines.geometry import BoundingBox

#: An RGB image, uint8, shape (height, width, 3).
RGBImage = npt.NDArray[np.uint8]


@dataclass(frozen=True, slots=True)
class Detection:
    """One object found in one image.

    ``label`` is the detector's class name (e.g. COCO's ``person``, ``bicycle``); the taxonomy maps it to
    a Rekognition label. ``score`` is the detector's raw score in [0, 1], not yet calibrated.
    """

    label: str
    score: float
    box: BoundingBox


class ObjectDetector(Protocol):
    """Finds objects in an RGB image. Implementations are safe to call from one thread at a time."""

    #: A short identifier of the model and its version, reported as ``LabelModelVersion``.
    model_version: str

    def detect(self, image: RGBImage) -> list[Detection]:
        """Return the detections in ``image`` with raw score >= the detector's minimum score."""
        ...
