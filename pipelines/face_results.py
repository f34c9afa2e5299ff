"""The one converter from :class:`pipelines.faces.types.FaceAnalysis` to Rekognition's ``FaceDetail``.

``Attributes`` semantics follow Rekognition: the DEFAULT set (BoundingBox, Confidence, Landmarks, Pose,
Quality) is always returned, with the five landmarks; ``ALL`` adds every attribute a model backs and the
30 landmarks (when facemesh saw the face, :mod:`pipelines.faces.landmarks`); single names (``AGE_RANGE``,
``GENDER``, ``EMOTIONS``, ``SMILE``, ``EYES_OPEN``, ``MOUTH_OPEN``, ``EYE_DIRECTION``) add just those.
Attributes no model backs here (Eyeglasses, Sunglasses, Beard, Mustache, FaceOccluded) are never
returned, even when asked for: a field without a model behind it is left out, not invented.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from pipelines.faces.types import FaceAnalysis

#: The optional attributes a model backs here, by their Rekognition ``Attribute`` enum name.
BACKED_ATTRIBUTES = frozenset(
    {"AGE_RANGE", "GENDER", "EMOTIONS", "SMILE", "EYES_OPEN", "MOUTH_OPEN", "EYE_DIRECTION"}
)


def requested_attributes(attributes: str | Collection[str] | None) -> frozenset[str]:
    """The backed optional attributes a request's ``Attributes`` / ``FaceAttributes`` asks for."""
    names = {attributes} if isinstance(attributes, str) else set(attributes or ())
    if "ALL" in names:
        return BACKED_ATTRIBUTES
    return frozenset(names & BACKED_ATTRIBUTES)


def face_detail(face: FaceAnalysis, attributes: str | Collection[str] | None = "DEFAULT") -> dict[str, Any]:
    """Rekognition ``FaceDetail`` of ``face``; optional members only if requested and computed."""
    detection = face.detection
    landmarks = detection.landmarks
    if face.landmarks is not None and _asks_for_all(attributes):
        landmarks = face.landmarks
    detail: dict[str, Any] = {
        "BoundingBox": detection.box.to_rekognition(),
        "Landmarks": [{"Type": name, "X": x, "Y": y} for name, (x, y) in landmarks.items()],
        "Pose": {"Roll": face.pose.roll, "Yaw": face.pose.yaw, "Pitch": face.pose.pitch},
        "Quality": {"Brightness": face.quality.brightness, "Sharpness": face.quality.sharpness},
        "Confidence": detection.confidence,
    }
    wanted = requested_attributes(attributes)
    eyes = face.eye_direction
    if "EYE_DIRECTION" in wanted and eyes is not None:
        detail["EyeDirection"] = {"Yaw": eyes.yaw, "Pitch": eyes.pitch, "Confidence": eyes.confidence}
    found = face.attributes
    if found is None or not wanted:
        return detail
    if "AGE_RANGE" in wanted:
        detail["AgeRange"] = {"Low": found.age_low, "High": found.age_high}
    if "GENDER" in wanted:
        male = found.male_probability >= 0.5
        detail["Gender"] = {
            "Value": "Male" if male else "Female",
            "Confidence": 100.0 * (found.male_probability if male else 1.0 - found.male_probability),
        }
    if "SMILE" in wanted:
        # Smile is read from the emotion model's HAPPY probability (no mouth-geometry model is used).
        detail["Smile"] = _boolean(found.emotions["HAPPY"])
    if "EYES_OPEN" in wanted and found.eyes_open_probability is not None:
        detail["EyesOpen"] = _boolean(found.eyes_open_probability)
    if "MOUTH_OPEN" in wanted and found.mouth_open_probability is not None:
        detail["MouthOpen"] = _boolean(found.mouth_open_probability)
    if "EMOTIONS" in wanted:
        detail["Emotions"] = [
            {"Type": name, "Confidence": 100.0 * p}
            for name, p in sorted(found.emotions.items(), key=lambda item: -item[1])
        ]
    return detail


def _asks_for_all(attributes: str | Collection[str] | None) -> bool:
    return attributes == "ALL" or (not isinstance(attributes, str) and "ALL" in (attributes or ()))


def _boolean(probability: float) -> dict[str, Any]:
    """A ``{Value, Confidence}`` attribute from the probability that it is true."""
    return {"Value": probability >= 0.5, "Confidence": 100.0 * max(probability, 1.0 - probability)}
