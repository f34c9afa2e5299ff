"""Which detected faces IndexFaces (and the search operations) keep: QualityFilter and MaxFaces.

Rekognition's ``QualityFilter`` is NONE | AUTO | LOW | MEDIUM | HIGH; AUTO (IndexFaces' default) is
MEDIUM here. Each level is a set of bars; a face failing a bar gets that bar's reason (a face can have
several). The bars were set on measured values (vidrek's MTCNN + :mod:`pipelines.faces.quality` +
:mod:`pipelines.faces.pose`):

* 20 faces of shared/media/faces: confidence 99.5-100, face side 52-462 px, brightness 42-60,
  sharpness 29-86, |yaw| <= 22, |pitch| <= 18;
* carphone (176x144): confidence >= 99.9, side 44-52 px, brightness 41-45, sharpness 10-19, pitch up to 33.

So every one of those faces passes LOW and MEDIUM (AUTO); HIGH refuses the small, soft carphone faces
(side < 64 px). Tightening a bar refuses faces that search well; loosening it indexes faces whose
descriptors are unreliable (blurred, tiny, dark or turned away), which then cause false matches.

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
    "LOW": QualityBars(95.0, 20.0, 10.0, 3.0, 80.0, 70.0),
    "MEDIUM": QualityBars(98.0, 32.0, 20.0, 6.0, 60.0, 50.0),
    "HIGH": QualityBars(99.5, 64.0, 30.0, 20.0, 40.0, 35.0),
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
