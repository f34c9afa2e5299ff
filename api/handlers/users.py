"""Users of face collections: CreateUser, DeleteUser, ListUsers, AssociateFaces, DisassociateFaces,
SearchUsers and SearchUsersByImage.

Storage: :mod:`workers.face_users`; matching rules and the meaning of a user's similarity:
:mod:`pipelines.faces.users`; JSON: :mod:`pipelines.user_results`. ListFaces' ``UserId`` filter and
DescribeCollection's ``UserCount`` are answered in :mod:`api.handlers.collections` from the same store.
"""

from __future__ import annotations

import hashlib
from typing import Any

from api.context import ServiceContext
from api.errors import (
    ConflictException,
    IdempotentParameterMismatchException,
    InvalidPaginationTokenException,
    InvalidParameterException,
    ResourceNotFoundException,
    ServiceQuotaExceededException,
)
from api.handlers import Handler
from api.handlers.collections import collection_store
from api.images import load_image
from api.paging import InvalidPageToken, PagePosition
from pipelines.face_collection_results import unsearched_face_json
from pipelines.faces.analysis import analyse_faces
from pipelines.faces.embedding import FACE_MODEL_VERSION, FaceVector, default_face_embedder
from pipelines.faces.quality_filter import quality_reasons
from pipelines.faces.search import VectorMatch
from pipelines.faces.users import (
    DEFAULT_ASSOCIATION_THRESHOLD,
    DEFAULT_USER_SEARCH_THRESHOLD,
    UserMatch,
    best_user_matches,
)
from pipelines.user_results import (
    association_json,
    disassociation_json,
    searched_face_details_json,
    user_json,
    user_match_json,
)
from workers.collections import CollectionNotFound
from workers.face_models import face_detector_for
from workers.face_users import FaceUserStore, UserExists, UserFaceQuotaExceeded, UserNotFound
from workers.user_request_tokens import TokenReusedForAnotherRequest, UserRequestTokens

#: ListUsers' page size when MaxResults is not given, and SearchUsers*' MaxUsers default: the model's
#: largest value (500).
MAX_USERS = 500

#: SearchUsersByImage's QualityFilter default (AWS: NONE).
DEFAULT_QUALITY_FILTER = "NONE"


def _users(ctx: ServiceContext) -> FaceUserStore:
    return FaceUserStore(ctx.redis_client, collection_store(ctx))


def _tokens(ctx: ServiceContext) -> UserRequestTokens:
    return UserRequestTokens(ctx.redis_client, ctx.settings.result_ttl_seconds)


def _not_found(err: CollectionNotFound | UserNotFound) -> ResourceNotFoundException:
    return ResourceNotFoundException(str(err))


def _idempotent(operation: str, ctx: ServiceContext, params: dict[str, Any], run: Any) -> dict[str, Any]:
    """Answer a repeated ClientRequestToken with the first response; otherwise run and remember."""
    tokens = _tokens(ctx)
    try:
        replayed = tokens.replay(operation, params)
    except TokenReusedForAnotherRequest as err:
        raise IdempotentParameterMismatchException(str(err)) from err
    if replayed is not None:
        return replayed
    try:
        response: dict[str, Any] = run()
    except (CollectionNotFound, UserNotFound) as err:
        raise _not_found(err) from err
    tokens.remember(operation, params, response)
    return response


# --- users -------------------------------------------------------------------------------------------


def create_user(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        try:
            _users(ctx).create(params["CollectionId"], params["UserId"])
        except UserExists as err:
            raise ConflictException(str(err)) from err
        return {}

    return _idempotent("CreateUser", ctx, params, run)


def delete_user(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        _users(ctx).delete(params["CollectionId"], params["UserId"])
        return {}

    return _idempotent("DeleteUser", ctx, params, run)


def list_users(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    collection_id = params["CollectionId"]
    scope = "users-" + hashlib.sha256(collection_id.encode()).hexdigest()[:16]
    limit = int(params.get("MaxResults") or MAX_USERS)
    offset = 0
    token = params.get("NextToken")
    if token:
        try:
            offset = ctx.page_tokens.decode(token, job_id=scope, view="ListUsers").offset
        except (InvalidPageToken, ValueError) as err:
            raise InvalidPaginationTokenException(str(err) or "Invalid Pagination Token.") from err
    try:
        users, more = _users(ctx).list_users(collection_id, offset, limit)
    except CollectionNotFound as err:
        raise _not_found(err) from err
    response: dict[str, Any] = {"Users": [user_json(user) for user in users]}
    if more:
        response["NextToken"] = ctx.page_tokens.encode(
            PagePosition(job_id=scope, view="ListUsers", offset=offset + limit)
        )
    return response


# --- associations ------------------------------------------------------------------------------------


def associate_faces(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        try:
            changes = _users(ctx).associate(
                params["CollectionId"],
                params["UserId"],
                params["FaceIds"],
                float(params.get("UserMatchThreshold", DEFAULT_ASSOCIATION_THRESHOLD)),
            )
        except UserFaceQuotaExceeded as err:
            raise ServiceQuotaExceededException(str(err)) from err
        return association_json(changes)

    return _idempotent("AssociateFaces", ctx, params, run)


def disassociate_faces(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        changes = _users(ctx).disassociate(params["CollectionId"], params["UserId"], params["FaceIds"])
        return disassociation_json(changes)

    return _idempotent("DisassociateFaces", ctx, params, run)


# --- search ------------------------------------------------------------------------------------------


def search_users(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    collection_id = params["CollectionId"]
    user_id, face_id = params.get("UserId"), params.get("FaceId")
    if (user_id is None) == (face_id is None):
        raise InvalidParameterException("SearchUsers needs exactly one of UserId and FaceId.")
    users = _users(ctx)
    response: dict[str, Any] = {"FaceModelVersion": FACE_MODEL_VERSION}
    try:
        if face_id is not None:
            vector = collection_store(ctx).vector(collection_id, face_id)
            if vector is None:
                collection_store(ctx).describe(collection_id)  # ResourceNotFound for the collection first
                raise ResourceNotFoundException(
                    f"The face {face_id} is not in the collection {collection_id}."
                )
            queries, exclude_face, exclude_user = [vector], face_id, None
            response["SearchedFace"] = {"FaceId": face_id}
        else:
            assert user_id is not None
            user = users.user(collection_id, user_id)
            queries = list(users.vectors(collection_id, user.face_ids).values())
            exclude_face, exclude_user = None, user_id
            response["SearchedUser"] = {"UserId": user_id}
        matches = _match_users(ctx, collection_id, queries, params, exclude_face, exclude_user)
    except (CollectionNotFound, UserNotFound) as err:
        raise _not_found(err) from err
    response["UserMatches"] = [user_match_json(match) for match in matches]
    return response


def search_users_by_image(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    collection_id = params["CollectionId"]
    try:
        collection_store(ctx).describe(collection_id)
    except CollectionNotFound as err:
        raise _not_found(err) from err
    image = load_image(ctx, params["Image"])
    faces = analyse_faces(image.rgb, face_detector_for(ctx.settings))
    faces.sort(key=lambda face: -face.detection.box.area)
    response: dict[str, Any] = {"UserMatches": [], "FaceModelVersion": FACE_MODEL_VERSION}
    unsearched = [unsearched_face_json(face, ["FACE_NOT_LARGEST"]) for face in faces[1:]]
    if faces:
        largest = faces[0]
        level = params.get("QualityFilter") or DEFAULT_QUALITY_FILTER
        refused = quality_reasons(largest, level, image.width, image.height)
        if refused:
            # AWS: "If no valid face is detected ... an empty UserMatches list and no SearchedFace".
            unsearched.insert(0, unsearched_face_json(largest, refused))
        else:
            vector = default_face_embedder().embed(image.rgb, largest.detection.box)
            try:
                matches = _match_users(ctx, collection_id, [vector], params, None, None)
            except CollectionNotFound as err:
                raise _not_found(err) from err
            response["UserMatches"] = [user_match_json(match) for match in matches]
            response["SearchedFace"] = searched_face_details_json(largest)
    response["UnsearchedFaces"] = unsearched
    return response


def _match_users(
    ctx: ServiceContext,
    collection_id: str,
    queries: list[FaceVector],
    params: dict[str, Any],
    exclude_face: str | None,
    exclude_user: str | None,
) -> list[UserMatch]:
    """Users whose nearest face is at least UserMatchThreshold similar to any of ``queries``."""
    index = collection_store(ctx).vector_index(collection_id)
    owners = _users(ctx).owners(collection_id)
    threshold = float(params.get("UserMatchThreshold", DEFAULT_USER_SEARCH_THRESHOLD))
    found: list[VectorMatch] = []
    for query in queries:
        found.extend(index.search(query, threshold=threshold, max_faces=len(index), exclude=exclude_face))
    max_users = int(params.get("MaxUsers") or MAX_USERS)
    return best_user_matches(found, owners, max_users=max_users, exclude_user=exclude_user)


HANDLERS: dict[str, Handler] = {
    "CreateUser": create_user,
    "DeleteUser": delete_user,
    "ListUsers": list_users,
    "AssociateFaces": associate_faces,
    "DisassociateFaces": disassociate_faces,
    "SearchUsers": search_users,
    "SearchUsersByImage": search_users_by_image,
}
