"""The celebrity gallery: an operator-curated face collection plus per-person metadata, in Redis.

Faces live in an ordinary face collection (:class:`workers.collections.CollectionStore`, id
``VIDREK_CELEBRITY_COLLECTION``, created on first use) so they are stored, cached and searched exactly like
IndexFaces' faces; each face's ``ExternalImageId`` is its person's id. The people are one Redis hash
(``keys.celebrities(collection id)``): celebrity id -> JSON ``{Name, Urls, KnownGender, FaceIds}``.

Ids are stable: derived from the person's name (:func:`celebrity_id_for`) unless the operator gives one,
so re-adding a person after a removal, or on another vidrek, gives the same ``Id``. Face ids are derived
from the person's id and the photo's bytes (uuid5), so adding the same photo twice stores one face.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import redis

from pipelines.celebrities import KNOWN_GENDERS
from pipelines.celebrities.types import Celebrity
from pipelines.errors import InvalidInput
from pipelines.faces.embedding import FACE_MODEL_VERSION, FaceVector
from pipelines.faces.records import IndexedFace
from pipelines.faces.search import FaceVectorIndex
from pipelines.geometry import BoundingBox
from workers import keys
from workers.collections import CollectionExists, CollectionNotFound, CollectionStore

#: Namespace of the uuid5 face ids of gallery faces.
FACE_ID_NAMESPACE = uuid.UUID("6f1d9a52-2f0e-4a8e-9d55-1c0de1eb2a11")

#: Characters of the hex digest used as a derived celebrity id.
DERIVED_ID_LENGTH = 16

#: Rekognition's ``RekognitionUniqueId`` pattern (and a sane length).
ID_PATTERN = re.compile(r"[0-9A-Za-z]{1,64}")

#: Largest number of Urls per person (the model's ``Urls`` max).
MAX_URLS = 255


class GalleryError(InvalidInput, ValueError):
    """Bad gallery input (the message says what to fix)."""


@dataclass(frozen=True)
class GalleryFace:
    """One photo's face to store: which photo (sha256 of its bytes), where the face is, its descriptor."""

    photo_sha256: str
    box: BoundingBox
    confidence: float
    vector: FaceVector


@dataclass(frozen=True)
class GalleryPerson:
    """A person of the gallery and the ids of their stored faces."""

    celebrity: Celebrity
    face_ids: tuple[str, ...]


@dataclass(frozen=True)
class GallerySnapshot:
    """What recognition needs: every gallery descriptor and which person each face id belongs to."""

    index: FaceVectorIndex
    people: dict[str, Celebrity]


def celebrity_id_for(name: str) -> str:
    """The stable id derived from a name (case, accents' composition and spacing do not matter)."""
    normal = " ".join(unicodedata.normalize("NFC", name).casefold().split())
    return hashlib.sha256(normal.encode()).hexdigest()[:DERIVED_ID_LENGTH]


def make_celebrity(
    name: str, urls: Sequence[str] = (), known_gender: str | None = None, celebrity_id: str | None = None
) -> Celebrity:
    """A validated :class:`Celebrity` (id derived from the name when not given)."""
    name = " ".join(name.split())
    if not name:
        raise GalleryError("A person needs a non-empty Name.")
    if known_gender is not None and known_gender not in KNOWN_GENDERS:
        raise GalleryError(f"KnownGender {known_gender!r} of {name}: use one of {', '.join(KNOWN_GENDERS)}.")
    if len(urls) > MAX_URLS:
        raise GalleryError(f"{name} has {len(urls)} Urls; at most {MAX_URLS} are allowed.")
    if any(not isinstance(url, str) or not url for url in urls):
        raise GalleryError(f"Urls of {name} must be non-empty strings.")
    chosen = celebrity_id or celebrity_id_for(name)
    if not ID_PATTERN.fullmatch(chosen):
        raise GalleryError(f"Id {chosen!r} of {name}: use 1-64 letters and digits only.")
    return Celebrity(celebrity_id=chosen, name=name, urls=tuple(urls), known_gender=known_gender)


def face_id_for(celebrity_id: str, photo_sha256: str) -> str:
    return str(uuid.uuid5(FACE_ID_NAMESPACE, f"{celebrity_id}/{photo_sha256}"))


class CelebrityGallery:
    """The gallery of one Redis. Safe to share between threads (one per process is enough)."""

    def __init__(self, client: redis.Redis, faces: CollectionStore, collection_id: str) -> None:
        self._redis = client
        self._faces = faces
        self.collection_id = collection_id
        self._people_key = keys.celebrities(collection_id)

    # --- reading -----------------------------------------------------------------------------------

    def get(self, celebrity_id: str) -> GalleryPerson | None:
        raw = self._redis.hget(self._people_key, celebrity_id)
        return None if raw is None else _person_from_record(celebrity_id, json.loads(str(raw)))

    def people(self) -> list[GalleryPerson]:
        """Every person, by name."""
        raw: dict[str, str] = self._redis.hgetall(self._people_key)  # type: ignore[assignment]
        people = [_person_from_record(cid, json.loads(record)) for cid, record in raw.items()]
        return sorted(people, key=lambda p: (p.celebrity.name.casefold(), p.celebrity.celebrity_id))

    def find(self, name_or_id: str) -> GalleryPerson | None:
        """A person by id, else by name (case-insensitive)."""
        by_id = self.get(name_or_id) if ID_PATTERN.fullmatch(name_or_id) else None
        if by_id is not None:
            return by_id
        return self.get(celebrity_id_for(name_or_id)) or next(
            (p for p in self.people() if p.celebrity.name.casefold() == name_or_id.casefold()), None
        )

    def snapshot(self) -> GallerySnapshot:
        """Descriptors and face -> person map; an empty gallery (or a deleted collection) gives no faces."""
        people = {face_id: person.celebrity for person in self.people() for face_id in person.face_ids}
        try:
            index = self._faces.vector_index(self.collection_id)
        except CollectionNotFound:
            index = FaceVectorIndex.from_bytes([])
        return GallerySnapshot(index=index, people=people)

    # --- writing -----------------------------------------------------------------------------------

    def put(
        self, celebrity: Celebrity, faces: Sequence[GalleryFace], *, replace_faces: bool
    ) -> GalleryPerson:
        """Store a person and their faces. ``replace_faces``: the person's faces become exactly ``faces``
        (faces of photos no longer given are deleted); otherwise ``faces`` are added to the ones stored.
        The faces' vectors are stored as the gallery collection's model version keeps them."""
        version = self._ensure_collection()
        new = [
            (
                IndexedFace(
                    face_id=face_id_for(celebrity.celebrity_id, face.photo_sha256),
                    image_id=str(uuid.uuid5(FACE_ID_NAMESPACE, face.photo_sha256)),
                    external_image_id=celebrity.celebrity_id,
                    box=face.box,
                    confidence=face.confidence,
                    model_version=version,
                ),
                face.vector,
            )
            for face in faces
        ]
        self._faces.add_faces(self.collection_id, new)
        before = self.get(celebrity.celebrity_id)
        kept = [] if before is None or replace_faces else list(before.face_ids)
        face_ids = tuple(dict.fromkeys(kept + [record.face_id for record, _ in new]))
        self._redis.hset(self._people_key, celebrity.celebrity_id, json.dumps(_record(celebrity, face_ids)))
        if before is not None:
            stale = [face_id for face_id in before.face_ids if face_id not in face_ids]
            if stale:
                self._faces.delete_faces(self.collection_id, stale)
        return GalleryPerson(celebrity, face_ids)

    def remove(self, celebrity_id: str) -> GalleryPerson | None:
        """Remove a person and their faces; the removed person, or None if there was none."""
        person = self.get(celebrity_id)
        if person is None:
            return None
        self._redis.hdel(self._people_key, celebrity_id)
        if person.face_ids:
            with contextlib.suppress(CollectionNotFound):
                self._faces.delete_faces(self.collection_id, person.face_ids)
        return person

    def _ensure_collection(self) -> str:
        """Create the gallery's collection if needed; its FaceModelVersion (a gallery created before the
        fusion keeps dlib-resnet-v1, as any collection does)."""
        try:
            return self._faces.describe(self.collection_id).face_model_version
        except CollectionNotFound:
            with contextlib.suppress(CollectionExists):  # created by a concurrent call
                self._faces.create(self.collection_id, FACE_MODEL_VERSION)
            return self._faces.describe(self.collection_id).face_model_version


def _record(celebrity: Celebrity, face_ids: Sequence[str]) -> dict[str, Any]:
    return {
        "Name": celebrity.name,
        "Urls": list(celebrity.urls),
        "KnownGender": celebrity.known_gender,
        "FaceIds": list(face_ids),
    }


def _person_from_record(celebrity_id: str, record: dict[str, Any]) -> GalleryPerson:
    celebrity = Celebrity(
        celebrity_id=celebrity_id,
        name=str(record["Name"]),
        urls=tuple(record.get("Urls") or ()),
        known_gender=record.get("KnownGender"),
    )
    return GalleryPerson(celebrity, tuple(record.get("FaceIds") or ()))
