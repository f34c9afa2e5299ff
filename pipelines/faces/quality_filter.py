"""Which detected faces IndexFaces (and the search operations) keep: QualityFilter and MaxFaces.

Rekognition's ``QualityFilter`` is NONE | AUTO | LOW | MEDIUM | HIGH; AUTO (IndexFaces' default) is
MEDIUM here. Each level is a set of bars; a face failing a bar gets that bar's reason (a face can have
several): ``LOW_CONFIDENCE``, ``SMALL_BOUNDING_BOX``, ``EXTREME_POSE`` (|Yaw| or |Pitch| over the
level's limit), ``LOW_SHARPNESS`` / ``LOW_BRIGHTNESS``, and with either of those two ``LOW_FACE_QUALITY``
too (the reason recent Rekognition face models give for blurred or dark faces).

The bars were set on measured values (``benchmarks/face_pose.py``, ``benchmarks/README.md`` "Face pose
and quality"; vidrek's MTCNN + :mod:`pipelines.faces.quality` + :mod:`pipelines.faces.pose`):

* Yaw (facemesh's calibrated yaw): the pose set's frontal faces read 0-37 degrees (median 6), its
  three-quarter faces 10-58 (median 32), its profiles 55-86. The descriptors match nearly every
  same-person pair while both faces are within 50 degrees (fused 269/271, dlib 267/271) and fewer beyond
  (faces within 60: 281/287 and 277/287; all faces: 292/306 and 287/306); with dlib, two of the three
  faces beyond 60 degrees match a stranger at >= 80 (two profiles of different men at 86.3). AUTO stops at
  45, below the first misses (45-60) and below every profile of the set; LOW at 60 refuses the profiles
  only; HIGH at 30 keeps the frontal class.
* Sharpness: a blur that still lets the descriptor find the person in 88 % of the copies (sigma = 2 % of
  the face's side) reads 37-55, one that lets it find 13 % (3 %) reads 21-39. At AUTO's bar of 35, 7 %
  of the refused copies would have been found and 88 % of the kept ones are; at 20 (LOW), 1 % and 72 %; at
  50 (HIGH), 23 % and 98 %. Faces as taken read 75-92 (p10-p90), carphone frames 81-89.
* Brightness: the descriptor still found 97 % of faces darkened to Brightness 5-9 (pixels x 0.15), but
  MTCNN starts losing them there (92/104 found, 77/104 at x 0.1), and real dark photos are noisy; AUTO
  refuses below 10 (faces as taken: 33-62), LOW below 5, HIGH below 20.
* Confidence and size (unchanged): 20 faces of shared/media/faces read confidence 99.5-100 and 52-462 px,
  the carphone faces (176x144) >= 99.9 and 44-52 px: HIGH refuses those small faces (side < 64 px).
* Pitch limits (unchanged, 70 / 50 / 35 degrees): there are no pitch labels; the pose set and the
  identity photos read -24..+17, carphone -2..+20.

Tightening a bar refuses faces that search well; loosening it indexes faces whose descriptors are
unreliable (blurred, tiny, dark or turned away), which then fail to match or cause false matches.

After quality, ``MaxFaces`` keeps the largest faces (Rekognition: "the faces with the smallest bounding
boxes are filtered out"); the rest are ``EXCEEDS_MAX_FACES``. At most ``MAX_INDEXED_FACES`` faces of one
image are indexed, as on Rekognition.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.faces.types import FaceAnalysis

#: Rekognition indexes at most the 100 largest faces of an image.
MAX_INDEXED_FACES = 100


@dataclass(frozen=True)
class QualityBars:
    """The minimum quality a face needs at one QualityFilter level.

    ``min_confidence``: detector confidence 0-100. ``min_side_px``: the shorter side of the face box in
    pixels of the image. ``min_brightness`` / ``min_sharpness``: 0-100 (see pipelines.faces.quality).
    ``max_yaw`` / ``max_pitch``: degrees, absolute.
    """

    min_confidence: float
    min_side_px: float
    min_brightness: float
    min_sharpness: float
    max_yaw: float
    max_pitch: float


LEVELS: dict[str, QualityBars] = {
    "LOW": QualityBars(95.0, 20.0, 5.0, 20.0, 60.0, 70.0),
    "MEDIUM": QualityBars(98.0, 32.0, 10.0, 35.0, 45.0, 50.0),
    "HIGH": QualityBars(99.5, 64.0, 20.0, 50.0, 30.0, 35.0),
}
LEVELS["AUTO"] = LEVELS["MEDIUM"]


@dataclass(frozen=True)
class FilteredFaces:
    """The faces kept (largest first) and the refused ones with their Rekognition ``Reasons``."""

    kept: list[FaceAnalysis]
    refused: list[tuple[FaceAnalysis, list[str]]]


def quality_reasons(face: FaceAnalysis, level: str, width: int, height: int) -> list[str]:
    """The reasons ``face`` fails ``level`` (empty: it passes; NONE never refuses)."""
    bars = LEVELS.get(level)
    if bars is None:
        return []
    box = face.detection.box
    reasons = []
    if face.detection.confidence < bars.min_confidence:
        reasons.append("LOW_CONFIDENCE")
    if min(box.width * width, box.height * height) < bars.min_side_px:
        reasons.append("SMALL_BOUNDING_BOX")
    if face.quality.brightness < bars.min_brightness:
        reasons.append("LOW_BRIGHTNESS")
    if face.quality.sharpness < bars.min_sharpness:
        reasons.append("LOW_SHARPNESS")
    if "LOW_BRIGHTNESS" in reasons or "LOW_SHARPNESS" in reasons:
        reasons.append("LOW_FACE_QUALITY")
    if abs(face.pose.yaw) > bars.max_yaw or abs(face.pose.pitch) > bars.max_pitch:
        reasons.append("EXTREME_POSE")
    return reasons


def filter_faces(
    faces: list[FaceAnalysis], level: str, max_faces: int, width: int, height: int
) -> FilteredFaces:
    """Apply ``level`` then keep the ``max_faces`` largest faces (capped at MAX_INDEXED_FACES)."""
    refused: list[tuple[FaceAnalysis, list[str]]] = []
    passing: list[FaceAnalysis] = []
    for face in faces:
        reasons = quality_reasons(face, level, width, height)
        if reasons:
            refused.append((face, reasons))
        else:
            passing.append(face)
    passing.sort(key=lambda face: -face.detection.box.area)
    limit = max(0, min(max_faces, MAX_INDEXED_FACES))
    refused.extend((face, ["EXCEEDS_MAX_FACES"]) for face in passing[limit:])
    return FilteredFaces(kept=passing[:limit], refused=refused)
