"""Face similarity as Rekognition reports it: a percentage whose default threshold, 80, means "same person".

dlib's descriptors (:mod:`pipelines.faces.embedding`) are compared by Euclidean distance ``d``; the
percentage is a logistic function of ``d``::

    similarity = 100 / (1 + exp((d - MIDPOINT_DISTANCE) / SCALE))

anchored so that ``d = THRESHOLD_DISTANCE`` gives exactly 80 (Rekognition's default FaceMatchThreshold)
and ``d = MIDPOINT_DISTANCE`` gives 50.

Calibration (measured with vidrek's MTCNN boxes + dlib, ``benchmarks/face_identification.py``; the
figures are in ``benchmarks/face_identification.md``):

* same person, different photos (identities/ and the other photos of shared/media/faces, 5 people):
  distances 0.04-0.53 (the largest: alex_lacamoire's two photos, 0.53);
* same person across the carphone clip (every 6th frame vs the first): at most 0.47;
* different people: at least 0.62 (carphone's man vs the photos), 0.69 among the photos.

The threshold distance 0.58 sits in that gap, a little nearer the same-person side; dlib's own rule
("same person below 0.6", 99.38 % on LFW) agrees. So: same-person pairs score >= 92 (most >= 98),
different people <= 62 (most < 25), and FaceMatchThreshold 80 separates them, as on Rekognition. A
higher threshold (90, 95, 99) trades recall for fewer false matches, also as on Rekognition.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

#: Distance that maps to similarity 80 (Rekognition's default FaceMatchThreshold). Unit: dlib descriptor
#: Euclidean distance. Range that makes sense: 0.5-0.65. Lower rejects true matches of the same person in
#: different photos (their distances reach 0.53); higher accepts look-alikes (different people from 0.62).
THRESHOLD_DISTANCE = 0.58

#: Distance that maps to similarity 50.
MIDPOINT_DISTANCE = 0.64

#: Logistic scale, derived: similarity(THRESHOLD_DISTANCE) == 80.
SCALE = (MIDPOINT_DISTANCE - THRESHOLD_DISTANCE) / math.log(4.0)

#: Rekognition's default FaceMatchThreshold / SimilarityThreshold.
DEFAULT_THRESHOLD = 80.0


def similarity_from_distances(distances: npt.NDArray[np.floating]) -> npt.NDArray[np.float64]:
    """Percentages 0-100 for an array of descriptor distances (vectorised)."""
    z = (np.asarray(distances, dtype=np.float64) - MIDPOINT_DISTANCE) / SCALE
    return 100.0 / (1.0 + np.exp(np.clip(z, -60.0, 60.0)))


def similarity(distance: float) -> float:
    """The percentage 0-100 for one descriptor distance."""
    return float(similarity_from_distances(np.asarray([distance]))[0])


def distance_for_similarity(percent: float) -> float:
    """The largest distance whose similarity is at least ``percent`` (for 0 < percent < 100)."""
    clipped = min(max(percent, 1e-9), 100.0 - 1e-9)
    return MIDPOINT_DISTANCE + SCALE * math.log(100.0 / clipped - 1.0)
