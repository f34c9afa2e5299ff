"""Users of face collections (CreateUser, AssociateFaces, SearchUsersByImage ...) through boto3 against the
live stack, on the identity-labelled photos of shared/media/faces."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import redis

from pipelines.faces.descriptors import fuse
from pipelines.faces.records import IndexedFace
from pipelines.geometry import BoundingBox
from tests.response_shapes import checked_raw_bodies
from tests.stack import Stack
from workers.collections import CollectionStore

NOBODY_FACE = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def raw_bodies(rek: Any) -> Iterator[dict[str, list[Any]]]:
    """Every raw JSON body of each operation; each is checked against the model's output shape."""
    with checked_raw_bodies(rek) as bodies:
        yield bodies


@pytest.fixture(scope="module")
def faces_dir(shared_media: Path) -> Path:
    return shared_media / "faces"


def _image(path: Path) -> dict[str, bytes]:
    return {"Bytes": path.read_bytes()}


@pytest.fixture
def collection(rek: Any) -> Iterator[str]:
    name = f"users-{uuid.uuid4().hex[:10]}"
    rek.create_collection(CollectionId=name)
    yield name
    with contextlib.suppress(rek.exceptions.ResourceNotFoundException):
        rek.delete_collection(CollectionId=name)


def _index(rek: Any, collection: str, path: Path) -> str:
    records = rek.index_faces(CollectionId=collection, Image=_image(path), MaxFaces=1)["FaceRecords"]
    assert len(records) == 1, path
    face_id: str = records[0]["Face"]["FaceId"]
    return face_id


def _user_ids(matches: list[dict[str, Any]]) -> list[str]:
    return [match["User"]["UserId"] for match in matches]


def test_users_find_the_right_person(rek: Any, collection: str, faces_dir: Path, raw_bodies: Any) -> None:
    ids = faces_dir / "identities"
    obama_a = _index(rek, collection, ids / "obama" / "obama2.jpg")
    obama_b = _index(rek, collection, faces_dir / "obama.jpg")
    kit = _index(rek, collection, ids / "kit_harington" / "john1.jpeg")
    rose = _index(rek, collection, ids / "rose_leslie" / "img1.jpg")

    rek.create_user(CollectionId=collection, UserId="obama")
    rek.create_user(CollectionId=collection, UserId="kit")
    assert {u["UserId"]: u["UserStatus"] for u in rek.list_users(CollectionId=collection)["Users"]} == {
        "kit": "CREATED",
        "obama": "CREATED",
    }

    done = rek.associate_faces(CollectionId=collection, UserId="obama", FaceIds=[obama_a, obama_b])
    assert sorted(f["FaceId"] for f in done["AssociatedFaces"]) == sorted([obama_a, obama_b])
    assert done["UnsuccessfulFaceAssociations"] == [] and done["UserStatus"] == "ACTIVE"
    assert rek.associate_faces(CollectionId=collection, UserId="kit", FaceIds=[kit])["AssociatedFaces"] == [
        {"FaceId": kit}
    ]

    # Another person's face, a face of another user, an unknown face, and one already associated.
    refused = rek.associate_faces(
        CollectionId=collection, UserId="kit", FaceIds=[rose, obama_b, NOBODY_FACE, kit]
    )
    assert refused["AssociatedFaces"] == []
    reasons = {item["FaceId"]: item for item in refused["UnsuccessfulFaceAssociations"]}
    assert set(reasons) == {rose, obama_b, NOBODY_FACE}  # the already associated face is ignored
    assert reasons[rose]["Reasons"] == ["LOW_MATCH_CONFIDENCE"] and reasons[rose]["Confidence"] < 75
    assert reasons[obama_b]["Reasons"] == ["ASSOCIATED_TO_A_DIFFERENT_USER"]
    assert reasons[obama_b]["UserId"] == "obama"
    assert reasons[NOBODY_FACE]["Reasons"] == ["FACE_NOT_FOUND"]

    listed = rek.list_faces(CollectionId=collection, UserId="obama")["Faces"]
    assert sorted(f["FaceId"] for f in listed) == sorted([obama_a, obama_b])
    assert {f.get("UserId") for f in listed} == {"obama"}
    everything = {f["FaceId"]: f.get("UserId") for f in rek.list_faces(CollectionId=collection)["Faces"]}
    assert everything == {obama_a: "obama", obama_b: "obama", kit: "kit", rose: None}
    assert rek.describe_collection(CollectionId=collection)["UserCount"] == 2

    # Other photos of the two people find them; strangers find nobody.
    for photo, expected in (
        (faces_dir / "obama3.jpg", "obama"),
        (ids / "kit_harington" / "john2.jpeg", "kit"),
    ):
        found = rek.search_users_by_image(CollectionId=collection, Image=_image(photo))
        assert _user_ids(found["UserMatches"]) == [expected], photo
        assert found["UserMatches"][0]["Similarity"] >= 80
        assert found["UserMatches"][0]["User"]["UserStatus"] == "ACTIVE"
        assert found["SearchedFace"]["FaceDetail"]["Confidence"] > 90
    for stranger in (
        ids / "rose_leslie" / "img2.jpg",
        faces_dir / "biden.jpg",
        ids / "alex_lacamoire" / "img1.jpg",
    ):
        found = rek.search_users_by_image(CollectionId=collection, Image=_image(stranger))
        assert found["UserMatches"] == [], stranger
        assert "SearchedFace" in found
    # Two people: only the largest face is searched, the other is reported as not searched.
    pair = rek.search_users_by_image(CollectionId=collection, Image=_image(faces_dir / "two_people.jpg"))
    assert len(pair["UnsearchedFaces"]) == 1
    assert pair["UnsearchedFaces"][0]["Reasons"] == ["FACE_NOT_LARGEST"]
    assert set(_user_ids(pair["UserMatches"])) <= {"obama"}

    by_face = rek.search_users(CollectionId=collection, FaceId=obama_a)
    assert _user_ids(by_face["UserMatches"]) == ["obama"] and by_face["SearchedFace"] == {"FaceId": obama_a}
    assert rek.search_users(CollectionId=collection, FaceId=rose)["UserMatches"] == []
    by_user = rek.search_users(CollectionId=collection, UserId="obama", UserMatchThreshold=50)
    assert by_user["UserMatches"] == [] and by_user["SearchedUser"] == {"UserId": "obama"}

    gone = rek.disassociate_faces(
        CollectionId=collection, UserId="obama", FaceIds=[obama_b, kit, NOBODY_FACE]
    )
    assert gone["DisassociatedFaces"] == [{"FaceId": obama_b}] and gone["UserStatus"] == "ACTIVE"
    failed = {item["FaceId"]: item for item in gone["UnsuccessfulFaceDisassociations"]}
    assert failed[kit]["Reasons"] == ["ASSOCIATED_TO_A_DIFFERENT_USER"] and failed[kit]["UserId"] == "kit"
    assert failed[NOBODY_FACE]["Reasons"] == ["FACE_NOT_FOUND"]

    # Deleting a face disassociates it; deleting a user keeps its faces.
    rek.delete_faces(CollectionId=collection, FaceIds=[obama_a])
    assert rek.list_faces(CollectionId=collection, UserId="obama")["Faces"] == []
    rek.delete_user(CollectionId=collection, UserId="kit")
    assert "UserId" not in rek.list_faces(CollectionId=collection, FaceIds=[kit])["Faces"][0]
    assert rek.list_users(CollectionId=collection)["Users"] == [{"UserId": "obama", "UserStatus": "CREATED"}]
    assert "UnsearchedFaces" in raw_bodies["SearchUsersByImage"][-1]


def test_search_users_by_image_without_a_face(rek: Any, collection: str, faces_dir: Path) -> None:
    """No face in the image: empty UserMatches and no SearchedFace (AWS), not an error.

    (The errors, ClientRequestToken replay and paging of users need no model: tests/contract/test_users.py.)
    """
    rek.create_user(CollectionId=collection, UserId="a")
    blank = rek.search_users_by_image(
        CollectionId=collection, Image=_image(faces_dir.parent / "images" / "horses.jpg")
    )
    assert blank["UserMatches"] == [] and "SearchedFace" not in blank


def test_a_user_holds_at_most_100_faces(rek: Any, stack: Stack, collection: str) -> None:
    # 101 faces with near-identical synthetic descriptors, written straight into the collection (indexing
    # 101 photos through IndexFaces would take a minute).
    client = redis.Redis.from_url(stack.redis_url, decode_responses=True)
    rng = np.random.default_rng(7)
    base = rng.standard_normal(128).astype(np.float32) * 0.1
    look = np.abs(rng.standard_normal(1024)).astype(np.float32)

    def near_identical() -> np.ndarray:  # a fused descriptor (new collections are fused)
        faceres = look + np.abs(rng.standard_normal(1024)).astype(np.float32) * 0.001
        return fuse(
            base + rng.standard_normal(128).astype(np.float32) * 0.001, faceres / np.linalg.norm(faceres)
        )

    faces = [
        (
            IndexedFace(
                str(uuid.uuid4()), str(uuid.uuid4()), None, BoundingBox(0.1, 0.1, 0.2, 0.2), 99.9, "v"
            ),
            near_identical(),
        )
        for _ in range(101)
    ]
    store = CollectionStore(client, "us-east-1")
    try:
        store.add_faces(collection, faces)
    finally:
        store.close()
        client.close()
        client.connection_pool.disconnect()
    ids = [face.face_id for face, _ in faces]
    rek.create_user(CollectionId=collection, UserId="crowd")
    done = rek.associate_faces(CollectionId=collection, UserId="crowd", FaceIds=ids[:100])
    assert len(done["AssociatedFaces"]) == 100
    with pytest.raises(rek.exceptions.ServiceQuotaExceededException):
        rek.associate_faces(CollectionId=collection, UserId="crowd", FaceIds=ids[100:])
    assert len(rek.list_faces(CollectionId=collection, UserId="crowd")["Faces"]) == 100
