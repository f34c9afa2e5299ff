"""The canonical result of analysing one face: what the FaceDetail converter turns into Rekognition JSON."""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.faces.detection import FaceDetection


@dataclass(frozen=True)
class Pose:
    """Head rotation in degrees: from facemesh when it ran, else from the five landmarks (see
    :mod:`pipelines.faces.pose`)."""

    roll: float
    yaw: float
    pitch: float


@dataclass(frozen=True)
class Quality:
    """Brightness and Sharpness of the face pixels, 0-100 each (see :mod:`pipelines.faces.quality`)."""

    brightness: float
    sharpness: float


@dataclass(frozen=True)
class EyeDirection:
    """Where the eyes look relative to the head, in degrees, and how far to trust it (0-100); see
    :mod:`pipelines.faces.iris`. Yaw positive towards the image's right, Pitch positive up, as
    :class:`Pose`: a person looking into the camera has ``Pose + EyeDirection`` near 0."""

    yaw: float
    pitch: float
    confidence: float


@dataclass(frozen=True)
class FaceAttributes:
    """What the attribute models (human-models' faceres and emotion) say about one face.

    ``age_low``/``age_high``: years, the 20th and 80th percentiles of faceres' age distribution.
    ``male_probability``: faceres' gender sigmoid (0 female .. 1 male). ``emotions``: Rekognition emotion
    type -> probability 0..1 (the emotion model's softmax; CONFUSED and UNKNOWN have no model output).
    ``eyes_open_probability`` / ``mouth_open_probability``: from facemesh's lid and lip gaps (see
    :mod:`pipelines.faces.mesh`); ``None`` when the mesh did not see a face in the crop.
    """

    age_low: int
    age_high: int
    male_probability: float
    emotions: dict[str, float]
    eyes_open_probability: float | None = None
    mouth_open_probability: float | None = None


@dataclass(frozen=True)
class FaceAnalysis:
    """One analysed face: detection + pose + quality, and what was asked for beyond them.

    ``attributes``: the attribute models' answer (ALL or single attributes). ``landmarks``: the 30 named
    points of Rekognition's ``LandmarkType`` (ratios of the image, :mod:`pipelines.faces.landmarks`),
    when facemesh saw the face; the five of ``detection.landmarks`` are among them unchanged.
    ``eye_direction``: when the iris model ran on the face.
    """

    detection: FaceDetection
    pose: Pose
    quality: Quality
    attributes: FaceAttributes | None = None
    landmarks: dict[str, tuple[float, float]] | None = None
    eye_direction: EyeDirection | None = None
