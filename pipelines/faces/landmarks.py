"""The 30 landmarks Rekognition names with ``ALL`` (botocore's ``LandmarkType``), from facemesh's points.

"Left" and "right" are as seen in the image, as for the five MTCNN landmarks (``eyeLeft`` is the eye on
the image's left, the person's right eye). The five DEFAULT landmarks (``eyeLeft``, ``eyeRight``,
``nose``, ``mouthLeft``, ``mouthRight``) stay MTCNN's, so a face's DEFAULT landmarks are the same points
with ``ALL``; the other 25 are MediaPipe Face Mesh points (indices as in MediaPipe's
``mesh_map.jpg`` / Human's ``meshAnnotations``), checked by drawing them on the pose-set photos:

- leftEyeBrowLeft 70, leftEyeBrowRight 107, leftEyeBrowUp 105: outer end, inner end and top of the brow
  over the image-left eye; rightEyeBrowLeft 336, rightEyeBrowRight 300, rightEyeBrowUp 334: inner end,
  outer end and top of the other brow;
- leftEyeLeft 33, leftEyeRight 133, leftEyeUp 159, leftEyeDown 145: outer and inner corner, middle of the
  upper and lower lid; rightEyeLeft 362, rightEyeRight 263, rightEyeUp 386, rightEyeDown 374: inner and
  outer corner, upper and lower lid;
- noseLeft 98, noseRight 327: the nostril wings; mouthUp 0, mouthDown 17: top of the upper lip and bottom
  of the lower lip, in the middle;
- leftPupil, rightPupil: the iris model's iris centres (:mod:`pipelines.faces.iris`); without them, the
  mean of the eye's corners and lid points (33, 133, 159, 145 / 362, 263, 386, 374);
- upperJawlineLeft 132, midJawlineLeft 172, chinBottom 152, midJawlineRight 397, upperJawlineRight 361:
  the face contour below the ear (at nose height), at the jaw's angle (at mouth height), the chin.
"""

from __future__ import annotations

from pipelines.faces.detection import LANDMARK_NAMES, FaceDetection
from pipelines.faces.mesh import MeshPoints

#: Rekognition landmark -> facemesh point (the pupils come from the iris model, see the module docstring).
MESH_LANDMARKS: dict[str, int] = {
    "leftEyeBrowLeft": 70,
    "leftEyeBrowRight": 107,
    "leftEyeBrowUp": 105,
    "rightEyeBrowLeft": 336,
    "rightEyeBrowRight": 300,
    "rightEyeBrowUp": 334,
    "leftEyeLeft": 33,
    "leftEyeRight": 133,
    "leftEyeUp": 159,
    "leftEyeDown": 145,
    "rightEyeLeft": 362,
    "rightEyeRight": 263,
    "rightEyeUp": 386,
    "rightEyeDown": 374,
    "noseLeft": 98,
    "noseRight": 327,
    "mouthUp": 0,
    "mouthDown": 17,
    "upperJawlineLeft": 132,
    "midJawlineLeft": 172,
    "chinBottom": 152,
    "midJawlineRight": 397,
    "upperJawlineRight": 361,
}

#: The eye contour points whose mean stands in for a pupil when the iris model gave none.
PUPIL_FALLBACK = {"leftPupil": (33, 133, 159, 145), "rightPupil": (362, 263, 386, 374)}

#: The 30 names in botocore's ``LandmarkType`` order.
ALL_LANDMARKS = (
    *LANDMARK_NAMES,
    "leftEyeBrowLeft",
    "leftEyeBrowRight",
    "leftEyeBrowUp",
    "rightEyeBrowLeft",
    "rightEyeBrowRight",
    "rightEyeBrowUp",
    "leftEyeLeft",
    "leftEyeRight",
    "leftEyeUp",
    "leftEyeDown",
    "rightEyeLeft",
    "rightEyeRight",
    "rightEyeUp",
    "rightEyeDown",
    "noseLeft",
    "noseRight",
    "mouthUp",
    "mouthDown",
    "leftPupil",
    "rightPupil",
    "upperJawlineLeft",
    "midJawlineLeft",
    "chinBottom",
    "midJawlineRight",
    "upperJawlineRight",
)


def named_landmarks(
    face: FaceDetection,
    points: MeshPoints,
    width: int,
    height: int,
    pupils: tuple[tuple[float, float], tuple[float, float]] | None = None,
) -> dict[str, tuple[float, float]]:
    """All 30 landmarks as ratios of the image (may lie slightly outside [0, 1] for a face cut by the
    border); ``pupils``: the iris centres (image-left eye first) in pixels, if the iris model ran."""

    def ratio(x: float, y: float) -> tuple[float, float]:
        return float(x) / width, float(y) / height

    found = dict(face.landmarks)
    for name, index in MESH_LANDMARKS.items():
        found[name] = ratio(points[index, 0], points[index, 1])
    for name, pupil in zip(("leftPupil", "rightPupil"), pupils or (None, None), strict=True):
        if pupil is None:
            contour = points[list(PUPIL_FALLBACK[name]), :2].mean(axis=0)
            pupil = (float(contour[0]), float(contour[1]))
        found[name] = ratio(*pupil)
    return {name: found[name] for name in ALL_LANDMARKS}
