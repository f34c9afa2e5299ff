"""The one converter from celebrity types to Rekognition JSON.

RecognizeCelebrities (``Celebrity`` items and ``ComparedFace`` for unrecognised faces), GetCelebrityInfo
and GetCelebrityRecognition (``CelebrityRecognition`` items and their ``TIMESTAMP`` / ``ID`` orderings).
``FaceDetail`` itself comes from :mod:`pipelines.face_results`.
"""

from __future__ import annotations

from typing import Any

from pipelines.celebrities.types import Celebrity, CelebritySighting, RecognizedFace
from pipelines.face_results import face_detail
from pipelines.faces.types import FaceAnalysis

#: ``ComparedFace`` members: the DEFAULT FaceDetail members plus Emotions and Smile when computed.
COMPARED_FACE_MEMBERS = ("BoundingBox", "Confidence", "Landmarks", "Pose", "Quality", "Emotions", "Smile")

#: Attributes RecognizeCelebrities computes for ``ComparedFace`` (the members a model backs).
IMAGE_FACE_ATTRIBUTES = ("EMOTIONS", "SMILE")


def celebrity_info_json(celebrity: Celebrity) -> dict[str, Any]:
    """GetCelebrityInfo's answer: ``{Urls, Name, KnownGender?}``."""
    info: dict[str, Any] = {"Urls": list(celebrity.urls), "Name": celebrity.name}
    if celebrity.known_gender is not None:
        info["KnownGender"] = {"Type": celebrity.known_gender}
    return info


def compared_face_json(face: FaceAnalysis) -> dict[str, Any]:
    """``ComparedFace``: BoundingBox, Confidence, Landmarks, Pose, Quality (+ Emotions, Smile if computed)."""
    detail = face_detail(face, IMAGE_FACE_ATTRIBUTES)
    return {name: detail[name] for name in COMPARED_FACE_MEMBERS if name in detail}


def recognize_celebrities_json(faces: list[RecognizedFace]) -> dict[str, Any]:
    """RecognizeCelebrities' ``CelebrityFaces`` (most confident match first) and ``UnrecognizedFaces``."""
    recognised = sorted(
        (face for face in faces if face.match is not None),
        key=lambda face: -face.match.match_confidence if face.match is not None else 0.0,
    )
    celebrity_faces = []
    for face in recognised:
        assert face.match is not None
        item = celebrity_info_json(face.match.celebrity)
        item["Id"] = face.match.celebrity.celebrity_id
        item["Face"] = compared_face_json(face.face)
        item["MatchConfidence"] = face.match.match_confidence
        celebrity_faces.append(item)
    return {
        "CelebrityFaces": celebrity_faces,
        "UnrecognizedFaces": [compared_face_json(face.face) for face in faces if face.match is None],
    }


def celebrity_recognition_json(sighting: CelebritySighting) -> dict[str, Any]:
    """``CelebrityRecognition``: ``{Timestamp, Celebrity{Urls, Name, Id, Confidence, BoundingBox?, Face,
    KnownGender?}}``. ``BoundingBox`` is the person's body (as Rekognition documents it) and is left out
    when no body was seen carrying the face; ``Confidence`` is the match confidence."""
    celebrity = sighting.match.celebrity
    detail = celebrity_info_json(celebrity)
    detail["Id"] = celebrity.celebrity_id
    detail["Confidence"] = sighting.match.match_confidence
    if sighting.body_box is not None:
        detail["BoundingBox"] = sighting.body_box.to_rekognition()
    detail["Face"] = face_detail(sighting.face, "DEFAULT")
    return {"Timestamp": sighting.timestamp_ms, "Celebrity": detail}


def ordered_views(sightings: list[CelebritySighting]) -> dict[str, list[dict[str, Any]]]:
    """The ``TIMESTAMP`` and ``ID`` orderings of GetCelebrityRecognition's ``Celebrities``."""
    by_time = sorted(sightings, key=lambda s: (s.timestamp_ms, s.match.celebrity.celebrity_id))
    by_id = sorted(sightings, key=lambda s: (s.match.celebrity.celebrity_id, s.timestamp_ms))
    return {
        "TIMESTAMP": [celebrity_recognition_json(s) for s in by_time],
        "ID": [celebrity_recognition_json(s) for s in by_id],
    }
