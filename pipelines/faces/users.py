"""Users of a face collection (Rekognition's "user vectors"): the canonical types and the matching rules.

A user is a named group of up to :data:`MAX_FACES_PER_USER` indexed faces of one person
(AssociateFaces). How a face is compared with a user:

**similarity(face, user) = the highest similarity between the face and any face of the user.**

AWS describes a user vector as an aggregate of the user's face vectors and does not say how it is built.
vidrek keeps every face of the user and takes the best match ("nearest face"), not the mean of the
descriptors, because the percentage comes from :mod:`pipelines.faces.similarity`, which is calibrated on
face-to-face descriptor distances (threshold 80 = same person). A mean descriptor sits closer to every
face of the person *and* to look-alikes, so its distances follow another distribution and the same
UserMatchThreshold would mean something else. With the nearest face, a user with several photos
(lighting, pose, age) matches a new photo as soon as one of its photos does, which is the robustness AWS
promises for users, and thresholds keep their face-search meaning.

Association rules (AWS documentation of AssociateFaces/DisassociateFaces): a face already associated
with the user is ignored (not returned); a face of another user is refused
``ASSOCIATED_TO_A_DIFFERENT_USER``; a face not in the collection ``FACE_NOT_FOUND``; a face whose
similarity to a user that already has faces is below UserMatchThreshold (default 75)
``LOW_MATCH_CONFIDENCE`` with that similarity as ``Confidence``. "Already has faces" means before the
call: the first batch of a new user is accepted as given (AWS: the threshold applies to "a UserID that has
at least one FaceID already associated").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from pipelines.faces.descriptors import DLIB_MODEL_VERSION, FaceVector
from pipelines.faces.distances import pairwise
from pipelines.faces.search import VectorMatch
from pipelines.faces.similarity import calibration_for

#: AWS: at most 100 faces can be associated with one user (ServiceQuotaExceededException beyond).
MAX_FACES_PER_USER = 100

#: AWS default UserMatchThreshold of AssociateFaces (percent).
DEFAULT_ASSOCIATION_THRESHOLD = 75.0

#: AWS default UserMatchThreshold of SearchUsers / SearchUsersByImage (percent).
DEFAULT_USER_SEARCH_THRESHOLD = 80.0


class UserStatus(StrEnum):
    """Rekognition's ``UserStatus``. Associations are synchronous here, so UPDATING is never reported."""

    CREATED = "CREATED"  # the user has no face
    ACTIVE = "ACTIVE"  # every association is complete and the user has faces


@dataclass(frozen=True)
class FaceUser:
    """One user of a collection and the ids of its associated faces (in face-id order)."""

    user_id: str
    face_ids: tuple[str, ...]

    @property
    def status(self) -> UserStatus:
        return UserStatus.ACTIVE if self.face_ids else UserStatus.CREATED


@dataclass(frozen=True)
class UserMatch:
    """A user close to a query face: its id and the similarity percentage 0-100 of its nearest face."""

    user_id: str
    similarity: float


class AssociationReason(StrEnum):
    FACE_NOT_FOUND = "FACE_NOT_FOUND"
    ASSOCIATED_TO_A_DIFFERENT_USER = "ASSOCIATED_TO_A_DIFFERENT_USER"
    LOW_MATCH_CONFIDENCE = "LOW_MATCH_CONFIDENCE"


@dataclass(frozen=True)
class RefusedFace:
    """A face AssociateFaces/DisassociateFaces did not act on, and why.

    ``user_id``: the user that owns the face (ASSOCIATED_TO_A_DIFFERENT_USER) or the user it was compared
    with (LOW_MATCH_CONFIDENCE); ``confidence``: its similarity to that user (LOW_MATCH_CONFIDENCE only).
    """

    face_id: str
    reason: AssociationReason
    user_id: str | None = None
    confidence: float | None = None


@dataclass(frozen=True)
class FaceChanges:
    """The outcome of AssociateFaces/DisassociateFaces: faces changed, faces refused, the user after."""

    changed: tuple[str, ...]
    refused: tuple[RefusedFace, ...]
    user: FaceUser


def user_similarity(
    face: FaceVector, user_faces: Sequence[FaceVector], model_version: str = DLIB_MODEL_VERSION
) -> float:
    """The similarity (0-100) of ``face`` to a user whose faces' descriptors are ``user_faces`` (vectors
    of the collection's ``model_version``)."""
    if not user_faces:
        return 0.0
    distances = pairwise(face, np.stack(user_faces), model_version)
    return float(calibration_for(model_version).similarities(distances).max())


def best_user_matches(
    face_matches: Iterable[VectorMatch],
    owners: Mapping[str, str],
    *,
    max_users: int,
    exclude_user: str | None = None,
) -> list[UserMatch]:
    """Users ranked by their best face match: ``face_matches`` are face-level matches of one or more
    query faces, ``owners`` maps face id -> user id (faces of no user are skipped)."""
    best: dict[str, float] = {}
    for match in face_matches:
        user_id = owners.get(match.face_id)
        if user_id is None or user_id == exclude_user:
            continue
        if match.similarity > best.get(user_id, -1.0):
            best[user_id] = match.similarity
    ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
    return [UserMatch(user_id=user_id, similarity=score) for user_id, score in ranked[:max_users]]


def plan_association(
    user: FaceUser,
    requested: Sequence[str],
    vectors: Mapping[str, FaceVector],
    owners: Mapping[str, str],
    threshold: float,
    model_version: str = DLIB_MODEL_VERSION,
) -> tuple[list[str], list[RefusedFace]]:
    """Which of ``requested`` join ``user`` and which are refused.

    ``vectors``: descriptors of every face that exists among ``requested`` and of the user's faces (of the
    collection's ``model_version``); ``owners``: face id -> user id of the associated faces concerned.
    """
    existing = [vectors[face_id] for face_id in user.face_ids if face_id in vectors]
    accepted: list[str] = []
    refused: list[RefusedFace] = []
    for face_id in dict.fromkeys(requested):
        owner = owners.get(face_id)
        if face_id not in vectors:
            refused.append(RefusedFace(face_id, AssociationReason.FACE_NOT_FOUND))
        elif owner == user.user_id:
            continue  # already associated: ignored, not returned (AWS)
        elif owner is not None:
            refused.append(RefusedFace(face_id, AssociationReason.ASSOCIATED_TO_A_DIFFERENT_USER, owner))
        elif existing and (score := user_similarity(vectors[face_id], existing, model_version)) < threshold:
            refused.append(RefusedFace(face_id, AssociationReason.LOW_MATCH_CONFIDENCE, user.user_id, score))
        else:
            accepted.append(face_id)
    return accepted, refused


def plan_disassociation(
    user: FaceUser, requested: Sequence[str], known_faces: Iterable[str], owners: Mapping[str, str]
) -> tuple[list[str], list[RefusedFace]]:
    """Which of ``requested`` leave ``user`` and which are refused (``known_faces``: ids in the
    collection). A face of no user is ignored (AWS: "already disassociated ... not returned")."""
    known = set(known_faces)
    removed: list[str] = []
    refused: list[RefusedFace] = []
    for face_id in dict.fromkeys(requested):
        owner = owners.get(face_id)
        if face_id not in known:
            refused.append(RefusedFace(face_id, AssociationReason.FACE_NOT_FOUND))
        elif owner == user.user_id:
            removed.append(face_id)
        elif owner is not None:
            refused.append(RefusedFace(face_id, AssociationReason.ASSOCIATED_TO_A_DIFFERENT_USER, owner))
    return removed, refused
