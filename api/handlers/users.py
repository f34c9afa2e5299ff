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
from api.errors import InvalidParameterException, ResourceNotFoundException
from api.handlers import Handler
from api.images import load_image
from api.paging import PagePosition
from pipelines.face_collection_results import unsearched_face_json
from pipelines.faces.analysis import analyse_faces
from pipelines.faces.embedding import FaceVector
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

#: ListUsers' page size when MaxResults is not given, and SearchUsers*' MaxUsers default: the model's
#: largest value (500).
MAX_USERS = 500

#: SearchUsersByImage's QualityFilter default (AWS: NONE).
DEFAULT_QUALITY_FILTER = "NONE"


def _idempotent(operation: str, ctx: ServiceContext, params: dict[str, Any], run: Any) -> dict[str, Any]:
    """Answer a repeated ClientRequestToken with the first response; otherwise run and remember."""
    tokens = ctx.stores.user_request_tokens
    replayed = tokens.replay(operation, params)
    if replayed is not None:
        return replayed
    response: dict[str, Any] = run()
    tokens.remember(operation, params, response)
    return response


# --- users -------------------------------------------------------------------------------------------


def create_user(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        ctx.stores.users.create(params["CollectionId"], params["UserId"])
        return {}

    return _idempotent("CreateUser", ctx, params, run)


def delete_user(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        ctx.stores.users.delete(params["CollectionId"], params["UserId"])
        return {}

    return _idempotent("DeleteUser", ctx, params, run)


def list_users(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    collection_id = params["CollectionId"]
    scope = "users-" + hashlib.sha256(collection_id.encode()).hexdigest()[:16]
    limit = int(params.get("MaxResults") or MAX_USERS)
    offset = 0
    token = params.get("NextToken")
    if token:
        offset = ctx.page_tokens.decode(token, job_id=scope, view="ListUsers").offset
    users, more = ctx.stores.users.list_users(collection_id, offset, limit)
    response: dict[str, Any] = {"Users": [user_json(user) for user in users]}
    if more:
        response["NextToken"] = ctx.page_tokens.encode(
            PagePosition(job_id=scope, view="ListUsers", offset=offset + limit)
        )
    return response


# --- associations ------------------------------------------------------------------------------------


def associate_faces(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        changes = ctx.stores.users.associate(
            params["CollectionId"],
            params["UserId"],
            params["FaceIds"],
            float(params.get("UserMatchThreshold", DEFAULT_ASSOCIATION_THRESHOLD)),
        )
        return association_json(changes)

    return _idempotent("AssociateFaces", ctx, params, run)


def disassociate_faces(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        changes = ctx.stores.users.disassociate(params["CollectionId"], params["UserId"], params["FaceIds"])
        return disassociation_json(changes)

    return _idempotent("DisassociateFaces", ctx, params, run)


# --- search ------------------------------------------------------------------------------------------


def search_users(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    collection_id = params["CollectionId"]
    user_id, face_id = params.get("UserId"), params.get("FaceId")
    if (user_id is None) == (face_id is None):
        raise InvalidParameterException("SearchUsers needs exactly one of UserId and FaceId.")
    users = ctx.stores.users
    # ResourceNotFound for the collection first.
    version = ctx.stores.collections.describe(collection_id).face_model_version
    response: dict[str, Any] = {"FaceModelVersion": version}
    if face_id is not None:
        vector = ctx.stores.collections.vector(collection_id, face_id)
        if vector is None:
            raise ResourceNotFoundException(f"The face {face_id} is not in the collection {collection_id}.")
        queries, exclude_face, exclude_user = [vector], face_id, None
        response["SearchedFace"] = {"FaceId": face_id}
    else:
        assert user_id is not None
        user = users.user(collection_id, user_id)
        queries = list(users.vectors(collection_id, user.face_ids).values())
        exclude_face, exclude_user = None, user_id
        response["SearchedUser"] = {"UserId": user_id}
    matches = _match_users(ctx, collection_id, queries, params, exclude_face, exclude_user)
    response["UserMatches"] = [user_match_json(match) for match in matches]
    return response


def search_users_by_image(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    collection_id = params["CollectionId"]
    version = ctx.stores.collections.describe(collection_id).face_model_version
    image = load_image(ctx, params["Image"])
    faces = analyse_faces(image.rgb, ctx.models.face_detector())
    faces.sort(key=lambda face: -face.detection.box.area)
    response: dict[str, Any] = {"UserMatches": [], "FaceModelVersion": version}
    unsearched = [unsearched_face_json(face, ["FACE_NOT_LARGEST"]) for face in faces[1:]]
    if faces:
        largest = faces[0]
        level = params.get("QualityFilter") or DEFAULT_QUALITY_FILTER
        refused = quality_reasons(largest, level, image.width, image.height)
        if refused:
            # AWS: "If no valid face is detected ... an empty UserMatches list and no SearchedFace".
            unsearched.insert(0, unsearched_face_json(largest, refused))
        else:
            vector = ctx.models.face_embedder_for(version).embed(image.rgb, largest.detection.box)
            matches = _match_users(ctx, collection_id, [vector], params, None, None)
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
    index = ctx.stores.collections.vector_index(collection_id)
    owners = ctx.stores.users.owners(collection_id)
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
