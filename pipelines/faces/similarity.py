"""Face similarity as Rekognition reports it: a percentage whose default threshold, 80, means "same person".

Each ``FaceModelVersion`` has its own distance (:mod:`pipelines.faces.distances`) and its own calibration,
a logistic function of the distance ``d``::

    similarity = 100 / (1 + exp((d - midpoint) / scale))

anchored so that ``d = threshold_distance`` gives exactly 80 (Rekognition's default FaceMatchThreshold)
and ``d = midpoint`` gives 50. A higher threshold (90, 95, 99) trades true matches for fewer false ones.

**vidrek-dlib-faceres-fusion-1** (new collections), calibrated on the measured set of
``benchmarks/face_descriptors.py`` (138 MTCNN faces of 26 people, 9,076 different-person pairs; figures in
``benchmarks/README.md``, section "Face descriptors"): 80 sits where 0.05 % of the different-person pairs
are nearer (half the 0.1 % target, a margin for people not in the set), 90 a quarter of their standard
deviation below the nearest different-person pair, so no measured stranger reaches 90.

**dlib-resnet-v1** (collections created before the fusion) keeps its calibration unchanged, so an old
collection answers as it always did: 0.58 -> 80, 0.64 -> 50, chosen on the first identity photos (same
person <= 0.53, different people >= 0.62; dlib's own rule is "same person below 0.6"). On the pose-varied
set it holds 0.1 % false matches at 80 but is too generous at the top: a stranger scores 98.5, and only
0.905 of the turned same-person pairs reach 80; re-index into a new collection to get the fusion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from pipelines.faces.descriptors import is_fused

#: Rekognition's default FaceMatchThreshold / SimilarityThreshold.
DEFAULT_THRESHOLD = 80.0


@dataclass(frozen=True)
class SimilarityCalibration:
    """The logistic map of one model version's distances to percentages."""

    threshold_distance: float  # distance -> similarity 80
    midpoint_distance: float  # distance -> similarity 50 (larger than threshold_distance)

    @property
    def scale(self) -> float:
        """Logistic scale, derived: similarity(threshold_distance) == 80."""
        return (self.midpoint_distance - self.threshold_distance) / math.log(4.0)

    def similarities(self, distances: npt.NDArray[np.floating]) -> npt.NDArray[np.float64]:
        """Percentages 0-100 for an array of distances (vectorised)."""
        z = (np.asarray(distances, dtype=np.float64) - self.midpoint_distance) / self.scale
        return 100.0 / (1.0 + np.exp(np.clip(z, -60.0, 60.0)))

    def similarity(self, distance: float) -> float:
        """The percentage 0-100 for one distance."""
        return float(self.similarities(np.asarray([distance]))[0])

    def distance_for(self, percent: float) -> float:
        """The largest distance whose similarity is at least ``percent`` (for 0 < percent < 100)."""
        clipped = min(max(percent, 1e-9), 100.0 - 1e-9)
        return self.midpoint_distance + self.scale * math.log(100.0 / clipped - 1.0)


#: dlib-resnet-v1, unchanged: Euclidean distance 0.58 -> 80, 0.64 -> 50. Range that makes sense for the
#: threshold distance: 0.5-0.65 (same person in different photos reaches 0.53, strangers from 0.46 on the
#: pose-varied set, 0.62 on the first photos).
DLIB_CALIBRATION = SimilarityCalibration(threshold_distance=0.58, midpoint_distance=0.64)

#: vidrek-dlib-faceres-fusion-1: fused distance (standard deviations of the different-person pairs,
#:   :mod:`pipelines.faces.distances`) -3.28 -> 80, -2.0 -> 50 (see the module docstring for the rule).
#: Lower threshold distances reject more turned same-person pairs; higher accept more strangers.
FUSION_CALIBRATION = SimilarityCalibration(threshold_distance=-3.28, midpoint_distance=-2.0)


def calibration_for(model_version: str) -> SimilarityCalibration:
    """The calibration of ``model_version`` (any version but the fusion is read as dlib's)."""
    return FUSION_CALIBRATION if is_fused(model_version) else DLIB_CALIBRATION


# dlib's calibration as module constants and functions (the face tracker and older callers use them).

#: Distance that maps to similarity 80 for dlib-resnet-v1 (Euclidean distance of dlib descriptors).
THRESHOLD_DISTANCE = DLIB_CALIBRATION.threshold_distance

#: Distance that maps to similarity 50 for dlib-resnet-v1.
MIDPOINT_DISTANCE = DLIB_CALIBRATION.midpoint_distance

#: Logistic scale of dlib-resnet-v1, derived: similarity(THRESHOLD_DISTANCE) == 80.
SCALE = DLIB_CALIBRATION.scale


def similarity_from_distances(distances: npt.NDArray[np.floating]) -> npt.NDArray[np.float64]:
    """dlib-resnet-v1 percentages 0-100 for an array of dlib descriptor distances."""
    return DLIB_CALIBRATION.similarities(distances)


def similarity(distance: float) -> float:
    """The dlib-resnet-v1 percentage 0-100 for one dlib descriptor distance."""
    return DLIB_CALIBRATION.similarity(distance)


def distance_for_similarity(percent: float) -> float:
    """The largest dlib distance whose dlib-resnet-v1 similarity is at least ``percent``."""
    return DLIB_CALIBRATION.distance_for(percent)
