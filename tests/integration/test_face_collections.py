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
from PIL import Image

from tests.response_shapes import checked_raw_bodies

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
