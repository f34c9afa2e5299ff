"""The users of face collections in Redis (CreateUser, AssociateFaces ... ; rules in pipelines.faces.users).

Layout (keys in :mod:`workers.keys`), two hashes per collection next to the collection's own keys:
``collection_users`` user id -> JSON record, and ``collection_face_users`` face id -> user id (only the
associated faces). A user's faces are the entries of the second hash that name it, so a face has at most
one user by construction, DeleteFaces removes a face's association in the MULTI that deletes the face,
and DeleteCollection deletes both hashes with the collection. Reading a user's faces scans the associated
faces of the collection (at most 100 per user), not the collection's faces.

Every change runs in a WATCH/MULTI transaction on the collection record (whose ``version`` any face
change bumps), the users hash and the face-users hash, so a racing DeleteFaces, DeleteCollection or
second AssociateFaces makes the transaction retry on fresh data instead of associating a deleted face or
giving a face two users.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

import redis
from redis.client import Pipeline

from pipelines.errors import Conflict, NotFound, QuotaExceeded
from pipelines.faces.descriptors import FaceVector
from pipelines.faces.users import (
    MAX_FACES_PER_USER,
    FaceChanges,
    FaceUser,
    plan_association,
    plan_disassociation,
)
from workers import keys
from workers.collections import CollectionNotFound, CollectionStore


class UserNotFound(NotFound):
    """The user does not exist in the collection (the message names both)."""


class UserExists(Conflict):
    """CreateUser of a user id already in use in the collection (AWS answers ConflictException)."""


class UserFaceQuotaExceeded(QuotaExceeded):
    """The association would give the user more than MAX_FACES_PER_USER faces."""


class FaceUserStore:
    """Users of the collections of one Redis (``client`` decodes responses); safe to share."""

    def __init__(self, client: redis.Redis, collections: CollectionStore) -> None:
        self._redis = client
        self._collections = collections

    # --- users -------------------------------------------------------------------------------------

    def create(self, collection_id: str, user_id: str) -> FaceUser:
        def write(pipe: Pipeline) -> None:
            self._require_collection(pipe, collection_id)
            if pipe.hexists(keys.collection_users(collection_id), user_id):
                raise UserExists(f"The user {user_id} already exists in the collection {collection_id}.")
            pipe.multi()
            pipe.hset(keys.collection_users(collection_id), user_id, json.dumps({"created": time.time()}))

        self._transaction(collection_id, write)
        return FaceUser(user_id, ())

    def delete(self, collection_id: str, user_id: str) -> None:
        """Delete a user; its faces stay in the collection, associated with no one (AWS)."""

        def write(pipe: Pipeline) -> None:
            user = self._read_user(pipe, collection_id, user_id)
            pipe.multi()
            pipe.hdel(keys.collection_users(collection_id), user_id)
            if user.face_ids:
                pipe.hdel(keys.collection_face_users(collection_id), *user.face_ids)

        self._transaction(collection_id, write)

    def user(self, collection_id: str, user_id: str) -> FaceUser:
        return self._read_user(self._redis, collection_id, user_id)

    def list_users(self, collection_id: str, offset: int, limit: int) -> tuple[list[FaceUser], bool]:
        """Users in user-id order from ``offset``; whether more follow."""
        pipe = self._redis.pipeline(transaction=True)
        pipe.exists(keys.collection(collection_id))
        pipe.hkeys(keys.collection_users(collection_id))
        pipe.hgetall(keys.collection_face_users(collection_id))
        exists, user_ids, owners = pipe.execute()
        if not exists:
            raise CollectionNotFound(f"The collection {collection_id} does not exist.")
        page = sorted(str(user_id) for user_id in user_ids)[offset : offset + limit + 1]
        faces = _faces_by_user(owners)
        users = [FaceUser(user_id, tuple(faces.get(user_id, ()))) for user_id in page[:limit]]
        return users, len(page) > limit

    def faces_of(self, collection_id: str, user_id: str, within: Sequence[str] | None = None) -> list[str]:
        """The face ids of a user (only those in ``within`` when given): ListFaces' UserId filter."""
        faces = self.user(collection_id, user_id).face_ids
        return list(faces) if within is None else [face_id for face_id in faces if face_id in set(within)]

    def count(self, collection_id: str) -> int:
        return int(self._redis.hlen(keys.collection_users(collection_id)))

    def owners(self, collection_id: str) -> dict[str, str]:
        """Face id -> user id of every associated face of the collection."""
        return {
            str(k): str(v) for k, v in self._redis.hgetall(keys.collection_face_users(collection_id)).items()
        }

    def vectors(self, collection_id: str, face_ids: Sequence[str]) -> dict[str, FaceVector]:
        """Descriptors of the given faces that exist (face vectors never change once indexed)."""
        return self._collections.vectors(collection_id, face_ids)

    # --- associations ------------------------------------------------------------------------------

    def associate(
        self, collection_id: str, user_id: str, face_ids: Sequence[str], threshold: float
    ) -> FaceChanges:
        result: list[FaceChanges] = []

        def write(pipe: Pipeline) -> None:
            result.clear()
            user = self._read_user(pipe, collection_id, user_id)
            wanted = list(dict.fromkeys(face_ids))
            known = self._known_faces(pipe, collection_id, wanted + list(user.face_ids))
            vectors = self.vectors(collection_id, known)
            owners = _owners_of(pipe, collection_id, wanted)
            version = str(pipe.hget(keys.collection(collection_id), "face_model_version"))
            accepted, refused = plan_association(user, wanted, vectors, owners, threshold, version)
            if accepted and len(user.face_ids) + len(accepted) > MAX_FACES_PER_USER:
                raise UserFaceQuotaExceeded(
                    f"The user {user_id} has {len(user.face_ids)} faces; {len(accepted)} more would exceed "
                    f"the limit of {MAX_FACES_PER_USER} faces per user."
                )
            pipe.multi()
            if accepted:
                pipe.hset(keys.collection_face_users(collection_id), mapping=dict.fromkeys(accepted, user_id))
            result.append(
                FaceChanges(
                    tuple(accepted), tuple(refused), FaceUser(user_id, user.face_ids + tuple(accepted))
                )
            )

        self._transaction(collection_id, write)
        return result[0]

    def disassociate(self, collection_id: str, user_id: str, face_ids: Sequence[str]) -> FaceChanges:
        result: list[FaceChanges] = []

        def write(pipe: Pipeline) -> None:
            result.clear()
            user = self._read_user(pipe, collection_id, user_id)
            wanted = list(dict.fromkeys(face_ids))
            known = self._known_faces(pipe, collection_id, wanted)
            removed, refused = plan_disassociation(
                user, wanted, known, _owners_of(pipe, collection_id, wanted)
            )
            pipe.multi()
            if removed:
                pipe.hdel(keys.collection_face_users(collection_id), *removed)
            left = tuple(face_id for face_id in user.face_ids if face_id not in set(removed))
            result.append(FaceChanges(tuple(removed), tuple(refused), FaceUser(user_id, left)))

        self._transaction(collection_id, write)
        return result[0]

    # --- shared steps ------------------------------------------------------------------------------

    def _transaction(self, collection_id: str, write: Any) -> None:
        self._redis.transaction(
            write,
            keys.collection(collection_id),
            keys.collection_users(collection_id),
            keys.collection_face_users(collection_id),
        )

    @staticmethod
    def _require_collection(client: redis.Redis | Pipeline, collection_id: str) -> None:
        if not client.exists(keys.collection(collection_id)):
            raise CollectionNotFound(f"The collection {collection_id} does not exist.")

    def _read_user(self, client: redis.Redis | Pipeline, collection_id: str, user_id: str) -> FaceUser:
        self._require_collection(client, collection_id)
        if not client.hexists(keys.collection_users(collection_id), user_id):
            raise UserNotFound(f"The user {user_id} does not exist in the collection {collection_id}.")
        owners = client.hgetall(keys.collection_face_users(collection_id))
        return FaceUser(user_id, tuple(_faces_by_user(owners).get(user_id, ())))

    @staticmethod
    def _known_faces(pipe: Pipeline, collection_id: str, face_ids: Sequence[str]) -> list[str]:
        if not face_ids:
            return []
        present = pipe.hmget(keys.collection_faces(collection_id), list(face_ids))
        return [face_id for face_id, item in zip(face_ids, present, strict=True) if item is not None]


def _owners_of(pipe: Pipeline, collection_id: str, face_ids: Sequence[str]) -> dict[str, str]:
    if not face_ids:
        return {}
    found = pipe.hmget(keys.collection_face_users(collection_id), list(face_ids))
    return {face_id: str(owner) for face_id, owner in zip(face_ids, found, strict=True) if owner is not None}


def _faces_by_user(owners: dict[Any, Any]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for face_id, user_id in sorted(owners.items()):
        grouped.setdefault(str(user_id), []).append(str(face_id))
    return grouped
