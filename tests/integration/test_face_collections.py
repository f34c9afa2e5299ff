"""Face collections, face search on images and CompareFaces, through boto3 against the live stack."""

from __future__ import annotations

import contextlib
import io
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import redis
from PIL import Image

from pipelines.faces.descriptors import DLIB_MODEL_VERSION, FUSION_MODEL_VERSION
from tests.response_shapes import checked_raw_bodies
from tests.stack import Stack
from workers import keys
from workers.collections import CollectionStore

#: Members vidrek adds beyond the model (boto3 drops them; they are checked from the raw body).
EXTRA_MEMBERS = {"UnsearchedFaces"}


@pytest.fixture(scope="module")
def raw_bodies(rek: Any) -> Iterator[dict[str, list[Any]]]:
    """Every raw JSON body of each operation; each is checked against the model's output shape."""
    with checked_raw_bodies(rek, frozenset(EXTRA_MEMBERS)) as bodies:
        yield bodies


@pytest.fixture(scope="module")
def faces_dir(shared_media: Path) -> Path:
    return shared_media / "faces"


def _bytes(path: Path) -> dict[str, bytes]:
    return {"Bytes": path.read_bytes()}


def _png(rgb: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def collection(rek: Any) -> Iterator[str]:
    name = f"test-{uuid.uuid4().hex[:10]}"
    rek.create_collection(CollectionId=name)
    yield name
    with contextlib.suppress(rek.exceptions.ResourceNotFoundException):
        rek.delete_collection(CollectionId=name)


def test_index_list_search_and_delete_faces(
    rek: Any, collection: str, faces_dir: Path, raw_bodies: dict[str, list[Any]]
) -> None:
    people = {
        "obama": faces_dir / "identities/obama/obama2.jpg",
        "biden": faces_dir / "identities/biden/biden2.jpg",
        "rose": faces_dir / "identities/rose_leslie/img1.jpg",
        "kit": faces_dir / "identities/kit_harington/john1.jpeg",
    }
    face_ids: dict[str, str] = {}
    for external, path in people.items():
        indexed = rek.index_faces(CollectionId=collection, Image=_bytes(path), ExternalImageId=external)
        assert indexed["FaceModelVersion"]
        assert len(indexed["FaceRecords"]) == 1, external
        record = indexed["FaceRecords"][0]
        assert record["Face"]["ExternalImageId"] == external
        assert record["Face"]["Confidence"] > 95
        assert {lm["Type"] for lm in record["FaceDetail"]["Landmarks"]} >= {"eyeLeft", "eyeRight", "nose"}
        assert indexed["UnindexedFaces"] == []
        face_ids[external] = record["Face"]["FaceId"]
    assert rek.describe_collection(CollectionId=collection)["FaceCount"] == 4

    # ListFaces pages: every face exactly once, the last page has no NextToken.
    listed: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"CollectionId": collection, "MaxResults": 3}
    while True:
        page = rek.list_faces(**kwargs)
        listed += page["Faces"]
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert sorted(f["FaceId"] for f in listed) == sorted(face_ids.values())
    assert {f["ExternalImageId"] for f in listed} == set(people)

    # Another photo of each person finds that person first, above the default threshold, and nobody else.
    probes = {
        "obama": faces_dir / "obama.jpg",
        "biden": faces_dir / "biden.jpg",
        "rose": faces_dir / "identities/rose_leslie/img2.jpg",
        "kit": faces_dir / "identities/kit_harington/john2.jpeg",
    }
    for external, path in probes.items():
        found = rek.search_faces_by_image(CollectionId=collection, Image=_bytes(path))
        assert [m["Face"]["ExternalImageId"] for m in found["FaceMatches"]] == [external], path.name
        assert found["FaceMatches"][0]["Similarity"] >= 80
        assert found["SearchedFaceConfidence"] > 95
        assert 0 < found["SearchedFaceBoundingBox"]["Width"] < 1

    # A threshold of 0 returns everyone, most similar first.
    everyone = rek.search_faces_by_image(
        CollectionId=collection, Image=_bytes(faces_dir / "obama3.jpg"), FaceMatchThreshold=0, MaxFaces=10
    )
    similarities = [m["Similarity"] for m in everyone["FaceMatches"]]
    assert len(similarities) == 4 and similarities == sorted(similarities, reverse=True)
    assert everyone["FaceMatches"][0]["Face"]["ExternalImageId"] == "obama"

    # The other faces of the image are named too (beyond AWS; raw body).
    rek.search_faces_by_image(CollectionId=collection, Image=_bytes(faces_dir / "two_people.jpg"))
    assert len(raw_bodies["SearchFacesByImage"][-1]["UnsearchedFaces"]) == 1
    assert raw_bodies["SearchFacesByImage"][-1]["UnsearchedFaces"][0]["Reasons"] == ["FACE_NOT_LARGEST"]

    # SearchFaces by FaceId: a second Obama face is found; the searched face itself is not returned.
    second = rek.index_faces(CollectionId=collection, Image=_bytes(faces_dir / "obama3.jpg"))
    second_id = second["FaceRecords"][0]["Face"]["FaceId"]
    by_id = rek.search_faces(CollectionId=collection, FaceId=face_ids["obama"])
    assert by_id["SearchedFaceId"] == face_ids["obama"]
    assert [m["Face"]["FaceId"] for m in by_id["FaceMatches"]] == [second_id]
    with pytest.raises(rek.exceptions.ResourceNotFoundException):
        rek.search_faces(CollectionId=collection, FaceId=str(uuid.uuid4()))

    # DeleteFaces: deleted ones are gone from ListFaces and from search; unknown ids are reported.
    unknown = str(uuid.uuid4())
    deleted = rek.delete_faces(CollectionId=collection, FaceIds=[face_ids["biden"], unknown])
    assert deleted["DeletedFaces"] == [face_ids["biden"]]
    assert deleted["UnsuccessfulFaceDeletions"] == [{"FaceId": unknown, "Reasons": ["FACE_NOT_FOUND"]}]
    assert rek.describe_collection(CollectionId=collection)["FaceCount"] == 4
    after = rek.search_faces_by_image(CollectionId=collection, Image=_bytes(faces_dir / "biden.jpg"))
    assert after["FaceMatches"] == []


def test_index_faces_max_faces_and_quality_filter(rek: Any, collection: str, faces_dir: Path) -> None:
    both = rek.index_faces(
        CollectionId=collection,
        Image=_bytes(faces_dir / "two_people.jpg"),
        MaxFaces=1,
        ExternalImageId="pair",
    )
    assert len(both["FaceRecords"]) == 1
    assert [u["Reasons"] for u in both["UnindexedFaces"]] == [["EXCEEDS_MAX_FACES"]]
    # HIGH needs a face side of at least 64 px: the 240p Obama's face (~52 px) is refused, NONE keeps it.
    small = faces_dir / "obama-240p.jpg"
    high = rek.index_faces(CollectionId=collection, Image=_bytes(small), QualityFilter="HIGH")
    assert high["FaceRecords"] == []
    assert "SMALL_BOUNDING_BOX" in high["UnindexedFaces"][0]["Reasons"]
    none = rek.index_faces(CollectionId=collection, Image=_bytes(small), QualityFilter="NONE")
    assert len(none["FaceRecords"]) == 1
    # DetectionAttributes ALL adds the attributes a model backs (age, gender, emotions, smile) to FaceDetail.
    detailed = rek.index_faces(
        CollectionId=collection, Image=_bytes(faces_dir / "obama.jpg"), DetectionAttributes=["ALL"]
    )
    detail = detailed["FaceRecords"][0]["FaceDetail"]
    assert {"AgeRange", "Gender", "Emotions"} <= set(detail)
    assert "AgeRange" not in none["FaceRecords"][0]["FaceDetail"]
    # Faces of one IndexFaces call share an ImageId; another call gets another one.
    two = rek.index_faces(CollectionId=collection, Image=_bytes(faces_dir / "two_people.jpg"))
    image_ids = {r["Face"]["ImageId"] for r in two["FaceRecords"]}
    assert len(two["FaceRecords"]) == 2 and len(image_ids) == 1
    assert image_ids != {both["FaceRecords"][0]["Face"]["ImageId"]}


def test_image_errors(rek: Any, collection: str, faces_dir: Path, s3: Any) -> None:
    grey = np.full((240, 320, 3), 128, dtype=np.uint8)
    with pytest.raises(rek.exceptions.InvalidParameterException):
        rek.search_faces_by_image(CollectionId=collection, Image={"Bytes": _png(grey)})
    with pytest.raises(rek.exceptions.InvalidParameterException):
        rek.compare_faces(SourceImage={"Bytes": _png(grey)}, TargetImage=_bytes(faces_dir / "obama.jpg"))
    with pytest.raises(rek.exceptions.InvalidImageFormatException):
        rek.index_faces(CollectionId=collection, Image={"Bytes": b"this is not an image at all"})
    with pytest.raises(rek.exceptions.InvalidImageFormatException):
        rek.compare_faces(SourceImage=_bytes(faces_dir / "obama.jpg"), TargetImage={"Bytes": b"GIF89a..."})
    big = b"\xff\xd8\xff" + bytes(5 * 1024 * 1024)
    with pytest.raises(rek.exceptions.ImageTooLargeException):
        rek.search_faces_by_image(CollectionId=collection, Image={"Bytes": big})
    s3.put_object(Bucket="videos", Key="images/huge.jpg", Body=b"\xff\xd8\xff" + bytes(15 * 1024 * 1024))
    s3.put_object(Bucket="videos", Key="images/obama.jpg", Body=(faces_dir / "obama.jpg").read_bytes())
    with pytest.raises(rek.exceptions.ImageTooLargeException):
        rek.index_faces(
            CollectionId=collection, Image={"S3Object": {"Bucket": "videos", "Name": "images/huge.jpg"}}
        )
    from_s3 = rek.index_faces(
        CollectionId=collection, Image={"S3Object": {"Bucket": "videos", "Name": "images/obama.jpg"}}
    )
    assert len(from_s3["FaceRecords"]) == 1


def test_compare_faces(rek: Any, faces_dir: Path) -> None:
    result = rek.compare_faces(
        SourceImage=_bytes(faces_dir / "obama.jpg"), TargetImage=_bytes(faces_dir / "two_people.jpg")
    )
    assert result["SourceImageFace"]["Confidence"] > 95
    assert len(result["FaceMatches"]) == 1 and len(result["UnmatchedFaces"]) == 1
    match = result["FaceMatches"][0]
    assert match["Similarity"] >= 80
    # Obama stands on the left of two_people.jpg, Biden on the right.
    assert match["Face"]["BoundingBox"]["Left"] < result["UnmatchedFaces"][0]["BoundingBox"]["Left"]
    assert {"Pose", "Quality", "Landmarks"} <= set(match["Face"])
    # A threshold of 0 makes both faces matches, Obama the more similar.
    loose = rek.compare_faces(
        SourceImage=_bytes(faces_dir / "obama.jpg"),
        TargetImage=_bytes(faces_dir / "two_people.jpg"),
        SimilarityThreshold=0,
    )
    assert len(loose["FaceMatches"]) == 2 and loose["UnmatchedFaces"] == []
    assert loose["FaceMatches"][0]["Similarity"] >= 80 > loose["FaceMatches"][1]["Similarity"]
    # Different people do not match.
    other = rek.compare_faces(
        SourceImage=_bytes(faces_dir / "biden.jpg"), TargetImage=_bytes(faces_dir / "obama2.jpg")
    )
    assert other["FaceMatches"] == [] and len(other["UnmatchedFaces"]) == 1


def test_search_faces_never_returns_the_face_searched_for(rek: Any, collection: str, faces_dir: Path) -> None:
    ids = {}
    for name in ("identities/obama/obama2.jpg", "obama3.jpg", "biden.jpg", "identities/rose_leslie/img1.jpg"):
        indexed = rek.index_faces(CollectionId=collection, Image=_bytes(faces_dir / name))
        ids[name] = indexed["FaceRecords"][0]["Face"]["FaceId"]
    probe = ids["identities/obama/obama2.jpg"]
    for threshold in (0, 50, 80):
        found = rek.search_faces(CollectionId=collection, FaceId=probe, FaceMatchThreshold=threshold)
        returned = [m["Face"]["FaceId"] for m in found["FaceMatches"]]
        assert probe not in returned, threshold
        assert all(m["Similarity"] >= threshold for m in found["FaceMatches"])
    # At 0 every other face comes back, the other Obama photo first.
    everyone = rek.search_faces(CollectionId=collection, FaceId=probe, FaceMatchThreshold=0)
    assert sorted(m["Face"]["FaceId"] for m in everyone["FaceMatches"]) == sorted(set(ids.values()) - {probe})
    assert everyone["FaceMatches"][0]["Face"]["FaceId"] == ids["obama3.jpg"]


def test_new_collections_use_the_fusion_and_old_dlib_collections_keep_dlib(
    rek: Any, stack: Stack, faces_dir: Path
) -> None:
    new, old = f"fused-{uuid.uuid4().hex[:8]}", f"old-{uuid.uuid4().hex[:8]}"
    client = redis.Redis.from_url(stack.redis_url, decode_responses=True)
    store = CollectionStore(client, "us-east-1")
    try:
        assert rek.create_collection(CollectionId=new)["FaceModelVersion"] == FUSION_MODEL_VERSION
        store.create(old, DLIB_MODEL_VERSION)  # as vidrek created collections before the fusion
        versions = {new: FUSION_MODEL_VERSION, old: DLIB_MODEL_VERSION}
        listed = rek.list_collections()
        by_id = dict(zip(listed["CollectionIds"], listed["FaceModelVersions"], strict=True))
        for collection, version in versions.items():
            assert by_id[collection] == version
            assert rek.describe_collection(CollectionId=collection)["FaceModelVersion"] == version
            for name in ("identities/obama/obama2.jpg", "biden.jpg"):
                indexed = rek.index_faces(CollectionId=collection, Image=_bytes(faces_dir / name))
                assert indexed["FaceModelVersion"] == version
                assert indexed["FaceRecords"][0]["Face"]["IndexFacesModelVersion"] == version
            assert rek.list_faces(CollectionId=collection)["FaceModelVersion"] == version
            found = rek.search_faces_by_image(CollectionId=collection, Image=_bytes(faces_dir / "obama.jpg"))
            assert found["FaceModelVersion"] == version
            assert len(found["FaceMatches"]) == 1 and found["FaceMatches"][0]["Similarity"] >= 90
            face_id = found["FaceMatches"][0]["Face"]["FaceId"]
            by_face = rek.search_faces(CollectionId=collection, FaceId=face_id, FaceMatchThreshold=0)
            assert by_face["FaceModelVersion"] == version and len(by_face["FaceMatches"]) == 1
        # The old collection stores dlib's 128 float32 per face, as before; the new one dlib + faceres.
        raw = redis.Redis.from_url(stack.redis_url)
        sizes = {c: {len(v) for v in raw.hgetall(keys.collection_vectors(c)).values()} for c in versions}
        raw.close()
        assert sizes == {old: {512}, new: {2560}}
    finally:
        for collection in (new, old):
            with contextlib.suppress(rek.exceptions.ResourceNotFoundException):
                rek.delete_collection(CollectionId=collection)
        store.close()
        client.close()


def test_compare_faces_compares_the_100_largest_target_faces(rek: Any, faces_dir: Path) -> None:
    source = (faces_dir / "obama.jpg").read_bytes()
    box = rek.detect_faces(Image={"Bytes": source})["FaceDetails"][0]["BoundingBox"]
    photo = Image.open(io.BytesIO(source)).convert("RGB")
    width, height = photo.size
    cx, cy = (box["Left"] + box["Width"] / 2) * width, (box["Top"] + box["Height"] / 2) * height
    half = 0.625 * max(box["Width"] * width, box["Height"] * height)
    face = photo.crop((int(cx - half), int(cy - half), int(cx + half), int(cy + half)))
    # 121 copies of the face: 11 tiny (48 px tiles), 11 small (64 px), 99 large (100 px).
    cell, canvas = 116, Image.new("RGB", (116 * 11, 116 * 11), (120, 120, 120))
    for row in range(11):
        side = 48 if row == 0 else 64 if row == 1 else 100
        for column in range(11):
            offset = (cell - side) // 2
            canvas.paste(face.resize((side, side)), (column * cell + offset, row * cell + offset))
    target = io.BytesIO()
    canvas.save(target, format="JPEG", quality=92)
    result = rek.compare_faces(
        SourceImage={"Bytes": source}, TargetImage={"Bytes": target.getvalue()}, SimilarityThreshold=0
    )
    compared = [m["Face"] for m in result["FaceMatches"]] + result["UnmatchedFaces"]
    pixels = sorted(face["BoundingBox"]["Width"] * canvas.width for face in compared)
    assert len(compared) == 100  # MTCNN finds all 121 faces; AWS compares the 100 largest
    assert pixels[0] > 35  # no tiny face (~30 px boxes) ...
    assert sum(p < 45 for p in pixels) == 1  # ... and one small face (~40 px) with the 99 large ones
