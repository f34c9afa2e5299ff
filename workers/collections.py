"""Face collections in Redis: collection records, face metadata and face vectors (never image bytes).

Layout (keys in :mod:`workers.keys`): a sorted set of collection ids; per collection a hash record, a hash
face id -> JSON metadata and a hash face id -> vector bytes in the layout of the collection's
``face_model_version`` (:mod:`pipelines.faces.descriptors`: 512 bytes for ``dlib-resnet-v1``, 2,560 for the
fusion). A collection keeps the model version it was created with; a vector computed by a newer model is
stored as the collection's version reads it (a fused vector keeps only its dlib part in a dlib
collection), so old collections go on working unchanged. Every change to a collection's faces
bumps its ``version``; a process caches one :class:`FaceVectorIndex` per collection and reloads it when
``(generation, version)`` differs (``generation`` is a uuid per CreateCollection, so a deleted and
re-created collection never reuses a stale cache). Redis persistence (AOF, on in ``vidrek up`` and in
compose) keeps collections across restarts of every process.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import redis

from pipelines.errors import AlreadyExists, NotFound
from pipelines.faces import descriptors
from pipelines.faces.descriptors import FaceVector
from pipelines.faces.records import IndexedFace
from pipelines.faces.search import FaceVectorIndex
from pipelines.geometry import BoundingBox
from workers import keys

#: The account id in ARNs: vidrek has no accounts.
ACCOUNT_ID = "000000000000"


class CollectionNotFound(NotFound):
    """The collection does not exist (the message names it)."""


class CollectionExists(AlreadyExists):
    """CreateCollection of an id already in use."""


@dataclass(frozen=True)
class CollectionInfo:
    collection_id: str
    arn: str
    created: float  # epoch seconds
    face_model_version: str
    face_count: int


class CollectionStore:
    """Collections of one Redis; safe to share between threads."""

    def __init__(self, client: redis.Redis, region: str) -> None:
        self._redis = client
        pool = client.connection_pool
        kwargs = {**pool.connection_kwargs, "decode_responses": False}
        # Vectors are raw bytes: a second client on the same server that does not decode responses.
        self._raw = redis.Redis(
            connection_pool=redis.ConnectionPool(connection_class=pool.connection_class, **kwargs)
        )
        self._region = region
        self._cache: dict[str, tuple[tuple[str, str], FaceVectorIndex]] = {}
        self._cache_lock = threading.Lock()

    def close(self) -> None:
        """Close the store's own raw-bytes connections (the client it was given stays the caller's)."""
        self._raw.close()
        self._raw.connection_pool.disconnect()

    # --- collections -------------------------------------------------------------------------------

    def arn(self, collection_id: str) -> str:
        return f"arn:aws:rekognition:{self._region}:{ACCOUNT_ID}:collection/{collection_id}"

    def create(self, collection_id: str, face_model_version: str) -> CollectionInfo:
        created = time.time()
        record: dict[Any, str] = {
            "created": repr(created),
            "face_model_version": face_model_version,
            "arn": self.arn(collection_id),
            "generation": _new_id(),
            "version": "0",
        }
        key = keys.collection(collection_id)
        # HSETNX on one field decides the race between two CreateCollection calls.
        if not self._redis.hsetnx(key, "created", record["created"]):
            raise CollectionExists(f"The collection {collection_id} already exists.")
        pipe = self._redis.pipeline(transaction=True)
        # Faces an IndexFaces racing with an earlier DeleteCollection may have left behind are not adopted.
        pipe.delete(
            keys.collection_faces(collection_id),
            keys.collection_vectors(collection_id),
            keys.collection_users(collection_id),
            keys.collection_face_users(collection_id),
        )
        pipe.hset(key, mapping=record)
        pipe.zadd(keys.COLLECTIONS, {collection_id: 0})
        pipe.execute()
        return CollectionInfo(collection_id, self.arn(collection_id), created, face_model_version, 0)

    def describe(self, collection_id: str) -> CollectionInfo:
        pipe = self._redis.pipeline(transaction=False)
        pipe.hgetall(keys.collection(collection_id))
        pipe.hlen(keys.collection_faces(collection_id))
        record, count = pipe.execute()
        if not record or "arn" not in record:
            raise CollectionNotFound(f"The collection {collection_id} does not exist.")
        return CollectionInfo(
            collection_id=collection_id,
            arn=record["arn"],
            created=float(record["created"]),
            face_model_version=record["face_model_version"],
            face_count=int(count),
        )

    def delete(self, collection_id: str) -> None:
        info = self.describe(collection_id)
        pipe = self._redis.pipeline(transaction=True)
        pipe.delete(
            keys.collection(collection_id),
            keys.collection_faces(collection_id),
            keys.collection_vectors(collection_id),
            keys.resource_tags(info.arn),
            keys.collection_users(collection_id),
            keys.collection_face_users(collection_id),
        )
        pipe.zrem(keys.COLLECTIONS, collection_id)
        pipe.execute()
        with self._cache_lock:
            self._cache.pop(collection_id, None)

    def list_collections(self, after: str | None, limit: int) -> tuple[list[CollectionInfo], str | None]:
        """Collections in name order after ``after``; the last id returned if more follow."""
        low = f"({after}" if after else "-"
        ids = [
            str(item) for item in self._redis.zrangebylex(keys.COLLECTIONS, low, "+", start=0, num=limit + 1)
        ]
        more = len(ids) > limit
        ids = ids[:limit]
        infos = []
        for collection_id in ids:
            try:
                infos.append(self.describe(collection_id))
            except CollectionNotFound:
                continue  # deleted between the two reads
        return infos, (ids[-1] if more and ids else None)

    # --- faces -------------------------------------------------------------------------------------

    def add_faces(self, collection_id: str, faces: Sequence[tuple[IndexedFace, FaceVector]]) -> None:
        """Store faces and their vectors (each as the collection's model version keeps it)."""
        version = self.describe(collection_id).face_model_version
        if not faces:
            return
        stored = [(face.face_id, descriptors.encode(vector, version)) for face, vector in faces]
        pipe = self._redis.pipeline(transaction=True)
        pipe.hset(
            keys.collection_faces(collection_id),
            mapping={face.face_id: json.dumps(_face_record(face)) for face, _ in faces},
        )
        pipe.hset(keys.collection_vectors(collection_id), mapping=dict(stored))
        pipe.hincrby(keys.collection(collection_id), "version", 1)
        pipe.execute()

    def delete_faces(self, collection_id: str, face_ids: Iterable[str]) -> list[str]:
        """Delete faces; return the ids that existed (and are now gone)."""
        self.describe(collection_id)
        wanted = list(dict.fromkeys(face_ids))
        pipe = self._redis.pipeline(transaction=True)
        for face_id in wanted:
            pipe.hdel(keys.collection_faces(collection_id), face_id)
        pipe.hdel(keys.collection_vectors(collection_id), *wanted)
        pipe.hdel(keys.collection_face_users(collection_id), *wanted)  # a deleted face leaves its user
        pipe.hincrby(keys.collection(collection_id), "version", 1)
        removed = pipe.execute()[: len(wanted)]
        return [face_id for face_id, gone in zip(wanted, removed, strict=True) if gone]

    def faces(self, collection_id: str, face_ids: Sequence[str]) -> dict[str, IndexedFace]:
        """The metadata of the given faces that exist."""
        if not face_ids:
            return {}
        raw = self._redis.hmget(keys.collection_faces(collection_id), list(face_ids))
        owners = self._redis.hmget(keys.collection_face_users(collection_id), list(face_ids))
        return {
            face_id: _face_from_record(face_id, json.loads(item), None if owner is None else str(owner))
            for face_id, item, owner in zip(face_ids, raw, owners, strict=True)
            if item is not None
        }

    def vector(self, collection_id: str, face_id: str) -> FaceVector | None:
        """The in-memory vector of one face (None if the face or the collection does not exist)."""
        return self.vectors(collection_id, [face_id]).get(face_id)

    def vectors(self, collection_id: str, face_ids: Sequence[str]) -> dict[str, FaceVector]:
        """The vectors of the given faces that exist, in the collection's model version."""
        wanted = list(dict.fromkeys(face_ids))
        if not wanted:
            return {}
        pipe = self._raw.pipeline(transaction=True)
        pipe.hget(keys.collection(collection_id), "face_model_version")
        pipe.hmget(keys.collection_vectors(collection_id), wanted)
        version, raws = pipe.execute()
        if not isinstance(version, bytes):
            return {}
        found = [(face_id, bytes(raw)) for face_id, raw in zip(wanted, raws, strict=True) if raw is not None]
        if not found:
            return {}
        decoded = descriptors.decode_all([raw for _, raw in found], version.decode())
        return {face_id: decoded[i] for i, (face_id, _) in enumerate(found)}

    def list_faces(
        self, collection_id: str, after: str | None, limit: int, only: Sequence[str] | None = None
    ) -> tuple[list[IndexedFace], str | None]:
        """Faces in face-id order after ``after``; the last id returned if more follow."""
        self.describe(collection_id)
        everything = self._redis.hkeys(keys.collection_faces(collection_id)) if only is None else only
        ids = sorted(str(face_id) for face_id in everything)
        if after:
            ids = [face_id for face_id in ids if face_id > after]
        page_ids = ids[:limit]
        found = self.faces(collection_id, page_ids)
        page = [found[face_id] for face_id in page_ids if face_id in found]
        return page, (page_ids[-1] if len(ids) > limit and page_ids else None)

    def vector_index(self, collection_id: str) -> FaceVectorIndex:
        """The collection's descriptors, from this process's cache when nothing changed."""
        record = self._redis.hmget(keys.collection(collection_id), ["generation", "version"])
        if record[0] is None:
            raise CollectionNotFound(f"The collection {collection_id} does not exist.")
        stamp = (str(record[0]), str(record[1]))
        with self._cache_lock:
            cached = self._cache.get(collection_id)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        # Read the vectors and the stamp in one transaction so the cache entry is consistent.
        pipe = self._raw.pipeline(transaction=True)
        pipe.hmget(keys.collection(collection_id), ["generation", "version", "face_model_version"])
        pipe.hgetall(keys.collection_vectors(collection_id))
        raw_stamp, raw_vectors = pipe.execute()
        if raw_stamp[0] is None:
            raise CollectionNotFound(f"The collection {collection_id} does not exist.")
        index = FaceVectorIndex.from_bytes(
            [(face_id.decode(), bytes(vector)) for face_id, vector in raw_vectors.items()],
            raw_stamp[2].decode(),
        )
        with self._cache_lock:
            self._cache[collection_id] = ((raw_stamp[0].decode(), raw_stamp[1].decode()), index)
        return index


def _new_id() -> str:
    return str(uuid.uuid4())


def _face_record(face: IndexedFace) -> dict[str, Any]:
    record: dict[str, Any] = {
        "image_id": face.image_id,
        "box": [face.box.left, face.box.top, face.box.width, face.box.height],
        "confidence": face.confidence,
        "model_version": face.model_version,
    }
    if face.external_image_id is not None:
        record["external_image_id"] = face.external_image_id
    return record


def _face_from_record(face_id: str, record: dict[str, Any], user_id: str | None = None) -> IndexedFace:
    left, top, width, height = record["box"]
    return IndexedFace(
        face_id=face_id,
        image_id=record["image_id"],
        external_image_id=record.get("external_image_id"),
        box=BoundingBox(left=left, top=top, width=width, height=height),
        confidence=float(record["confidence"]),
        model_version=record["model_version"],
        user_id=user_id,
    )
