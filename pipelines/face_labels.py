"""Labels the face models back: Face, Smile, Adult, Man, Woman (``pipelines/data/derived_labels.json``).

For each face MTCNN finds, ``f`` = the calibrated Face confidence of its MTCNN confidence (percent, the
``face`` curve of :mod:`pipelines.image_level_calibration`: on the labelled set every face at >= 99.9 was
a real face, the two cartoon-rabbit "faces" scored 97.9-98.5). Then, per face:

* Face = ``f``;
* Smile = ``f`` x the emotion model's HAPPY probability (what DetectFaces reports as Smile);
* an adult face (faceres' age distribution puts at most 20 % below 18 years: ``age_low >= 18``):
  Adult = ``f``, Man = ``f`` x P(male), Woman = ``f`` x (1 - P(male)) (faceres' gender sigmoid).
  Faces that may be younger get neither: the set has no child to measure Child on.

Each label takes the highest value over the image's faces; parents (Head, Person, Male, Female) follow
from the taxonomy. None of these labels has Instances in vidrek: their boxes would be the face boxes,
which DetectFaces reports. Measured on the labelled set in ``benchmarks/label_quality.md``.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipelines.calibration import ScoreCalibration
from pipelines.faces.detection import FaceDetection
from pipelines.faces.types import FaceAttributes

#: faceres' 20th age percentile at or above which a face counts as an adult's (years).
ADULT_AGE = 18

#: Longest side (pixels) of the picture MTCNN looks at for these labels: the size label detection samples
#: video frames at (640), so photos and frames are judged alike. On the labelled set it finds the same
#: faces as at DetectFaces' 1280 in half the time (a face must be about 20 px at this size).
FACE_MAX_SIDE = 640

FACE, SMILE, ADULT, MAN, WOMAN = "Face", "Smile", "Adult", "Man", "Woman"


def face_label_confidences(
    faces: Sequence[FaceDetection],
    attributes: Sequence[FaceAttributes | None],
    face_calibration: ScoreCalibration,
) -> dict[str, float]:
    """Label -> confidence (percent) from the faces of one image and their attributes (same order;
    ``None`` where attributes were not computed: such a face gives Face only)."""
    if len(attributes) != len(faces):
        raise ValueError(f"{len(faces)} faces but {len(attributes)} attribute results")
    found: dict[str, float] = {}

    def keep(name: str, confidence: float) -> None:
        found[name] = max(found.get(name, 0.0), min(max(confidence, 0.0), 100.0))

    for face, attrs in zip(faces, attributes, strict=True):
        f = face_calibration.confidence(FACE, face.confidence / 100.0)
        keep(FACE, f)
        if attrs is None:
            continue
        keep(SMILE, f * attrs.emotions.get("HAPPY", 0.0))
        if attrs.age_low >= ADULT_AGE:
            keep(ADULT, f)
            keep(MAN, f * attrs.male_probability)
            keep(WOMAN, f * (1.0 - attrs.male_probability))
    return found
