"""Face collections without faces: lifecycle, listing, and the errors every face operation gives for a
collection or face that does not exist (moved here from tests/integration/test_face_collections.py)."""

from __future__ import annotations

import io
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PIL import Image

from tests.contract.wire import refused, unique
from tests.response_shapes import checked_raw_bodies

ARN_PREFIX = "arn:aws:rekognition:us-east-1:000000000000:collection/"


def jpeg() -> dict[str, bytes]:
    out = io.BytesIO()
    Image.new("RGB", (160, 120), (200, 180, 160)).save(out, format="JPEG")
    return {"Bytes": out.getvalue()}


@pytest.fixture
def raw_bodies(rek: Any) -> Iterator[dict[str, list[Any]]]:
    """Every successful raw body of the test, checked against the model's output shape at the end."""
    with checked_raw_bodies(rek) as bodies:
        yield bodies


@pytest.fixture
def collection(rek: Any) -> str:
    name = unique("collection")
    rek.create_collection(CollectionId=name)
    return name


def test_collection_lifecycle(rek: Any, raw_bodies: dict[str, list[Any]]) -> None:
    name = unique("life")
    before = time.time()
    created = rek.create_collection(CollectionId=name)
    assert created["StatusCode"] == 200
    assert created["CollectionArn"] == ARN_PREFIX + name
    assert created["FaceModelVersion"]
    with refused(rek, "ResourceAlreadyExistsException"):
        rek.create_collection(CollectionId=name)

    described = rek.describe_collection(CollectionId=name)
    after = time.time()
    assert described["FaceCount"] == 0 and described["UserCount"] == 0
    assert described["CollectionARN"] == created["CollectionArn"]
    assert described["FaceModelVersion"] == created["FaceModelVersion"]
    created_at = raw_bodies["DescribeCollection"][-1]["CreationTimestamp"]
    assert isinstance(created_at, float)  # epoch seconds on the wire
    assert before - 1 <= created_at <= after + 1
    assert described["CreationTimestamp"].timestamp() == pytest.approx(created_at)

    assert name in rek.list_collections()["CollectionIds"]
    assert rek.delete_collection(CollectionId=name)["StatusCode"] == 200
    for call in (rek.describe_collection, rek.delete_collection):
        with refused(rek, "ResourceNotFoundException"):
            call(CollectionId=name)
    assert name not in rek.list_collections()["CollectionIds"]
    # The id is free again.
    assert rek.create_collection(CollectionId=name)["CollectionArn"] == ARN_PREFIX + name


def test_list_collections_pages_through_every_collection(rek: Any) -> None:
    names = [f"{unique('page')}-{i}" for i in range(5)]
    for name in names:
        rek.create_collection(CollectionId=name)
    seen: list[str] = []
    kwargs: dict[str, Any] = {"MaxResults": 2}
    pages = 0
    while pages < 100:  # a NextToken that never goes away fails below instead of looping forever
        page = rek.list_collections(**kwargs)
        assert len(page["CollectionIds"]) <= 2
        assert len(page["FaceModelVersions"]) == len(page["CollectionIds"])
        seen += page["CollectionIds"]
        pages += 1
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert "NextToken" not in page
    assert set(names) <= set(seen)
    assert len(seen) == len(set(seen))
    assert pages >= 3
    # boto3's own paginator works too, and an empty first token is the first page.
    all_ids = [
        cid for page in rek.get_paginator("list_collections").paginate() for cid in page["CollectionIds"]
    ]
    assert all_ids == seen
    assert rek.list_collections(NextToken="", MaxResults=2)["CollectionIds"] == seen[:2]
    with refused(rek, "InvalidPaginationTokenException"):
        rek.list_collections(NextToken="not-a-token")


def test_unknown_collection_is_resource_not_found(rek: Any) -> None:
    missing = unique("nope")
    face_id = str(uuid.uuid4())
    calls: list[Callable[[], Any]] = [
        lambda: rek.describe_collection(CollectionId=missing),
        lambda: rek.delete_collection(CollectionId=missing),
        lambda: rek.index_faces(CollectionId=missing, Image=jpeg()),
        lambda: rek.list_faces(CollectionId=missing),
        lambda: rek.search_faces_by_image(CollectionId=missing, Image=jpeg()),
        lambda: rek.search_faces(CollectionId=missing, FaceId=face_id),
        lambda: rek.delete_faces(CollectionId=missing, FaceIds=[face_id]),
        lambda: rek.list_users(CollectionId=missing),
        lambda: rek.create_user(CollectionId=missing, UserId="u"),
        lambda: rek.search_users(CollectionId=missing, FaceId=face_id),
        lambda: rek.search_users_by_image(CollectionId=missing, Image=jpeg()),
    ]
    for call in calls:
        with refused(rek, "ResourceNotFoundException"):
            call()


def test_an_empty_collection(rek: Any, collection: str) -> None:
    listed = rek.list_faces(CollectionId=collection)
    assert listed["Faces"] == [] and "NextToken" not in listed and listed["FaceModelVersion"]
    unknown = str(uuid.uuid4())
    with refused(rek, "ResourceNotFoundException"):
        rek.search_faces(CollectionId=collection, FaceId=unknown)
    deleted = rek.delete_faces(CollectionId=collection, FaceIds=[unknown])
    # (vidrek answers "DeletedFaces": [], which the model's FaceIdList, min 1, does not allow.)
    assert deleted.get("DeletedFaces", []) == []
    assert deleted["UnsuccessfulFaceDeletions"] == [{"FaceId": unknown, "Reasons": ["FACE_NOT_FOUND"]}]


def test_list_faces_tokens_belong_to_their_listing(rek: Any, collection: str) -> None:
    for token in ("not-a-token", "A"):
        with refused(rek, "InvalidPaginationTokenException"):
            rek.list_faces(CollectionId=collection, NextToken=token)
    for name in (unique("a"), unique("b")):
        rek.create_collection(CollectionId=name)
    collections_token = rek.list_collections(MaxResults=1)["NextToken"]
    with refused(rek, "InvalidPaginationTokenException"):
        rek.list_faces(CollectionId=collection, NextToken=collections_token)


def test_images_are_read_before_they_are_analysed(rek: Any, collection: str) -> None:
    """Bad images are refused without any model: InvalidImageFormatException / ImageTooLargeException."""
    with refused(rek, "InvalidImageFormatException"):
        rek.index_faces(CollectionId=collection, Image={"Bytes": b"this is not an image at all"})
    with refused(rek, "InvalidImageFormatException"):
        rek.search_faces_by_image(CollectionId=collection, Image={"Bytes": b"GIF89a..."})
    with refused(rek, "InvalidImageFormatException"):
        rek.compare_faces(SourceImage={"Bytes": b"GIF89a..."}, TargetImage=jpeg())
    with refused(rek, "ImageTooLargeException"):
        rek.search_faces_by_image(
            CollectionId=collection, Image={"Bytes": b"\xff\xd8\xff" + bytes(5 * 1024 * 1024)}
        )
