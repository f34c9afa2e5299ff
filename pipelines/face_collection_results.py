"""The one converter from collection types (IndexedFace, matches, analysed faces) to Rekognition JSON.

Used by IndexFaces, ListFaces, SearchFaces, SearchFacesByImage, CompareFaces and (for ``FaceMatches``)
GetFaceSearch. ``FaceDetail`` itself comes from :mod:`pipelines.face_results`.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from pipelines.face_results import face_detail
from pipelines.faces.records import IndexedFace
from pipelines.faces.types import FaceAnalysis


def face_json(face: IndexedFace) -> dict[str, Any]:
    """Rekognition ``Face`` (FaceId, BoundingBox, ImageId, ExternalImageId, Confidence, model version)."""
    item: dict[str, Any] = {
        "FaceId": face.face_id,
        "BoundingBox": face.box.to_rekognition(),
        "ImageId": face.image_id,
        "Confidence": face.confidence,
        "IndexFacesModelVersion": face.model_version,
    }
    if face.external_image_id is not None:
        item["ExternalImageId"] = face.external_image_id
    if face.user_id is not None:
        item["UserId"] = face.user_id
    return item


def face_match_json(face: IndexedFace, similarity: float) -> dict[str, Any]:
    """Rekognition ``FaceMatch``: ``{Similarity, Face}``."""
    return {"Similarity": similarity, "Face": face_json(face)}


def face_record_json(
    face: IndexedFace, analysis: FaceAnalysis, attributes: str | Collection[str] | None
) -> dict[str, Any]:
    """IndexFaces' ``FaceRecord``: the stored ``Face`` and the ``FaceDetail`` seen while indexing."""
    return {"Face": face_json(face), "FaceDetail": face_detail(analysis, attributes)}


def unindexed_face_json(
    analysis: FaceAnalysis, reasons: list[str], attributes: str | Collection[str] | None
) -> dict[str, Any]:
    """IndexFaces' ``UnindexedFace``: why a detected face was not indexed."""
    return {"Reasons": reasons, "FaceDetail": face_detail(analysis, attributes)}


def compared_face_json(analysis: FaceAnalysis) -> dict[str, Any]:
    """CompareFaces' ``ComparedFace``: BoundingBox, Confidence, Landmarks, Pose, Quality.

    (Emotions and Smile are members of the shape too; CompareFaces does not compute attributes.)
    """
    detail = face_detail(analysis, "DEFAULT")
    keep = ("BoundingBox", "Confidence", "Landmarks", "Pose", "Quality")
    return {name: detail[name] for name in keep if name in detail}


def compare_match_json(analysis: FaceAnalysis, similarity: float) -> dict[str, Any]:
    """CompareFaces' ``CompareFacesMatch``: ``{Similarity, Face: ComparedFace}``."""
    return {"Similarity": similarity, "Face": compared_face_json(analysis)}


def searched_face_json(analysis: FaceAnalysis) -> dict[str, Any]:
    """SearchFacesByImage's ``SearchedFaceBoundingBox`` and ``SearchedFaceConfidence``."""
    return {
        "SearchedFaceBoundingBox": analysis.detection.box.to_rekognition(),
        "SearchedFaceConfidence": analysis.detection.confidence,
    }


def unsearched_face_json(analysis: FaceAnalysis, reasons: list[str]) -> dict[str, Any]:
    """A face of a SearchFacesByImage image that was not searched (vidrek's ``UnsearchedFaces`` member).

    The shape is Rekognition's ``UnsearchedFace`` of SearchUsersByImage: ``{FaceDetails, Reasons}``, with
    the reason ``FACE_NOT_LARGEST`` (only the largest face is searched) or a quality reason.
    """
    return {"FaceDetails": face_detail(analysis, "DEFAULT"), "Reasons": reasons}
