"""The one converter from collection-user types (pipelines.faces.users) to Rekognition JSON.

Used by ListUsers, AssociateFaces, DisassociateFaces, SearchUsers and SearchUsersByImage. ``FaceDetail``
comes from :mod:`pipelines.face_results`; the ``UnsearchedFace`` shape from
:mod:`pipelines.face_collection_results`.
"""

from __future__ import annotations

from typing import Any

from pipelines.face_results import face_detail
from pipelines.faces.types import FaceAnalysis
from pipelines.faces.users import FaceChanges, FaceUser, RefusedFace, UserMatch, UserStatus


def user_json(user: FaceUser) -> dict[str, Any]:
    """Rekognition ``User``: ``{UserId, UserStatus}``."""
    return {"UserId": user.user_id, "UserStatus": user.status.value}


def user_match_json(match: UserMatch) -> dict[str, Any]:
    """Rekognition ``UserMatch``: ``{Similarity, User: {UserId, UserStatus}}``.

    A matched user has at least one face (it matched through one), so its status is ACTIVE.
    """
    return {
        "Similarity": match.similarity,
        "User": {"UserId": match.user_id, "UserStatus": UserStatus.ACTIVE.value},
    }


def refused_face_json(refused: RefusedFace) -> dict[str, Any]:
    """``UnsuccessfulFaceAssociation`` / ``UnsuccessfulFaceDisassociation``."""
    item: dict[str, Any] = {"FaceId": refused.face_id, "Reasons": [refused.reason.value]}
    if refused.user_id is not None:
        item["UserId"] = refused.user_id
    if refused.confidence is not None:
        item["Confidence"] = refused.confidence
    return item


def association_json(changes: FaceChanges) -> dict[str, Any]:
    """AssociateFaces' response."""
    return {
        "AssociatedFaces": [{"FaceId": face_id} for face_id in changes.changed],
        "UnsuccessfulFaceAssociations": [refused_face_json(item) for item in changes.refused],
        "UserStatus": changes.user.status.value,
    }


def disassociation_json(changes: FaceChanges) -> dict[str, Any]:
    """DisassociateFaces' response (``UnsuccessfulFaceDisassociation`` has no Confidence)."""
    return {
        "DisassociatedFaces": [{"FaceId": face_id} for face_id in changes.changed],
        "UnsuccessfulFaceDisassociations": [refused_face_json(item) for item in changes.refused],
        "UserStatus": changes.user.status.value,
    }


def searched_face_details_json(analysis: FaceAnalysis) -> dict[str, Any]:
    """SearchUsersByImage's ``SearchedFace``: ``{FaceDetail}`` of the face that was searched."""
    return {"FaceDetail": face_detail(analysis, "DEFAULT")}
