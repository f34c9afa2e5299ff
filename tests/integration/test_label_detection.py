"""StartLabelDetection / GetLabelDetection through boto3 against the live stack, on real video."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from pipelines.geometry import BoundingBox
from tests.stack import get_pages, wait_for_job

BIKES = {"S3Object": {"Bucket": "samples", "Name": "bikes.mp4"}}


def all_labels(rek: Any, job_id: str, **params: Any) -> list[dict[str, Any]]:
    """Every item, paging the way AWS's own sample does (NextToken "" first, stop when it is absent)."""
    return [
        item
        for page in get_pages(rek, "get_label_detection", JobId=job_id, **params)
        for item in page["Labels"]
    ]


def box(instance: dict[str, Any]) -> BoundingBox:
    b = instance["BoundingBox"]
    return BoundingBox(left=b["Left"], top=b["Top"], width=b["Width"], height=b["Height"])


@pytest.fixture(scope="module")
def bikes_job(rek: Any) -> str:
    job_id: str = rek.start_label_detection(Video=BIKES, MinConfidence=50, JobTag="demo")["JobId"]
    page = wait_for_job(rek, job_id)
    assert page["JobStatus"] == "SUCCEEDED", page.get("StatusMessage")
    return job_id


@pytest.fixture(scope="module")
def bikes_labels(rek: Any, bikes_job: str) -> list[dict[str, Any]]:
    return all_labels(rek, bikes_job, SortBy="TIMESTAMP")


def test_bikes_reports_person_bicycle_and_car(bikes_labels: list[dict[str, Any]]) -> None:
    by_name: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in bikes_labels:
        by_name[item["Label"]["Name"]].append(item)
    for expected in ("Person", "Bicycle", "Car"):
        assert expected in by_name, f"{expected} not found; labels: {sorted(by_name)}"
        assert all(i["Label"]["Confidence"] >= 50 for i in by_name[expected])
    # The cyclist rides through a good part of the clip, not in one stray frame.
    assert len(by_name["Person"]) >= 5
    assert len(by_name["Bicycle"]) >= 5
    # Parents are reported as labels too, with the taxonomy on every label.
    car = by_name["Car"][0]["Label"]
    assert {"Name": "Vehicle"} in car["Parents"] and {"Name": "Transportation"} in car["Parents"]
    assert car["Categories"], "Car has no category"
    assert "Vehicle" in by_name and "Transportation" in by_name


def test_cyclist_box_rides_on_a_bicycle_box(bikes_labels: list[dict[str, Any]]) -> None:
    """At some instant a Person box and a Bicycle box overlap, the person above the bicycle's centre."""
    at_time: dict[int, dict[str, list[BoundingBox]]] = defaultdict(lambda: defaultdict(list))
    for item in bikes_labels:
        for instance in item["Label"].get("Instances", []):
            at_time[item["Timestamp"]][item["Label"]["Name"]].append(box(instance))
            assert 0 <= instance["BoundingBox"]["Left"] <= 1 and 0 < instance["BoundingBox"]["Width"] <= 1
    riding = [
        t
        for t, boxes in at_time.items()
        for p in boxes.get("Person", [])
        for b in boxes.get("Bicycle", [])
        if p.iou(b) > 0.1 and p.top < b.top + b.height / 2
    ]
    assert len(set(riding)) >= 3, "no instant where a person box sits on a bicycle box"


def test_timestamps_and_video_metadata(rek: Any, bikes_job: str, bikes_labels: list[dict[str, Any]]) -> None:
    page = rek.get_label_detection(JobId=bikes_job, MaxResults=1)
    meta = page["VideoMetadata"]
    assert meta["Codec"] == "h264"
    assert (meta["FrameWidth"], meta["FrameHeight"]) == (640, 272)
    assert meta["FrameRate"] == pytest.approx(25.0, abs=0.01)
    assert 9500 <= meta["DurationMillis"] <= 10500
    assert page["JobTag"] == "demo"
    assert page["Video"] == BIKES
    assert page["LabelModelVersion"]
    assert page["GetRequestMetadata"] == {"SortBy": "TIMESTAMP", "AggregateBy": "TIMESTAMPS"}
    timestamps = [item["Timestamp"] for item in bikes_labels]
    assert timestamps == sorted(timestamps)
    assert timestamps[0] >= 0 and timestamps[-1] <= meta["DurationMillis"]
    # Every timestamp is a real frame time of the 25 fps clip (a multiple of 40 ms).
    assert all(t % 40 == 0 for t in timestamps)


@pytest.mark.parametrize("max_results", [1, 2, 3, 7, 50, 5000])
def test_paging_returns_every_label_exactly_once(
    rek: Any, bikes_job: str, bikes_labels: list[dict[str, Any]], max_results: int
) -> None:
    paged = all_labels(rek, bikes_job, SortBy="TIMESTAMP", MaxResults=max_results)
    assert paged == bikes_labels
    if max_results < len(bikes_labels):
        first = rek.get_label_detection(JobId=bikes_job, MaxResults=max_results)
        assert len(first["Labels"]) == max_results and "NextToken" in first
    last = rek.get_label_detection(JobId=bikes_job, MaxResults=5000)
    assert "NextToken" not in last and len(last["Labels"]) == min(1000, len(bikes_labels))


def test_sort_by_name_groups_labels_by_confidence(
    rek: Any, bikes_job: str, bikes_labels: list[dict[str, Any]]
) -> None:
    by_name = all_labels(rek, bikes_job, SortBy="NAME", MaxResults=13)
    names = [i["Label"]["Name"] for i in by_name]
    assert names == sorted(names)
    for name in set(names):
        confidences = [i["Label"]["Confidence"] for i in by_name if i["Label"]["Name"] == name]
        assert confidences == sorted(confidences, reverse=True)
    key = lambda i: (i["Timestamp"], i["Label"]["Name"])  # noqa: E731
    assert sorted(by_name, key=key) == sorted(bikes_labels, key=key)
    page = rek.get_label_detection(JobId=bikes_job, SortBy="NAME", MaxResults=1)
    assert page["GetRequestMetadata"]["SortBy"] == "NAME"


def test_aggregate_by_segments(rek: Any, bikes_job: str, bikes_labels: list[dict[str, Any]]) -> None:
    segments = all_labels(rek, bikes_job, AggregateBy="SEGMENTS", MaxResults=5)
    assert segments
    for item in segments:
        assert "Instances" not in item["Label"] or item["Label"]["Instances"] == []
        assert item["DurationMillis"] == item["EndTimestampMillis"] - item["StartTimestampMillis"] >= 0
    # Every detection time of a label lies inside one of that label's segments.
    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for item in segments:
        spans[item["Label"]["Name"]].append((item["StartTimestampMillis"], item["EndTimestampMillis"]))
    for item in bikes_labels:
        name, t = item["Label"]["Name"], item["Timestamp"]
        assert any(start <= t <= end for start, end in spans[name]), f"{name}@{t} outside its segments"
    # Fewer segments than timestamps: consecutive detections were merged.
    assert len(segments) < len(bikes_labels) / 2


def test_inclusion_and_category_filters(rek: Any) -> None:
    included = rek.start_label_detection(
        Video=BIKES, Settings={"GeneralLabels": {"LabelInclusionFilters": ["Car"]}}
    )["JobId"]
    excluded = rek.start_label_detection(
        Video=BIKES, Settings={"GeneralLabels": {"LabelExclusionFilters": ["Person"]}}
    )["JobId"]
    vehicles = rek.start_label_detection(
        Video=BIKES,
        Settings={"GeneralLabels": {"LabelCategoryInclusionFilters": ["Vehicles and Automotive"]}},
    )["JobId"]
    for job in (included, excluded, vehicles):
        assert wait_for_job(rek, job)["JobStatus"] == "SUCCEEDED"
    assert {i["Label"]["Name"] for i in all_labels(rek, included)} == {"Car"}
    excluded_names = {i["Label"]["Name"] for i in all_labels(rek, excluded)}
    assert "Person" not in excluded_names and "Bicycle" in excluded_names
    vehicle_items = all_labels(rek, vehicles)
    assert {"Car", "Bicycle"} <= {i["Label"]["Name"] for i in vehicle_items}
    assert all({"Name": "Vehicles and Automotive"} in i["Label"]["Categories"] for i in vehicle_items)


def test_higher_min_confidence_returns_a_subset(rek: Any, bikes_labels: list[dict[str, Any]]) -> None:
    job = rek.start_label_detection(Video=BIKES, MinConfidence=80)["JobId"]
    assert wait_for_job(rek, job)["JobStatus"] == "SUCCEEDED"
    strict = all_labels(rek, job)
    assert all(i["Label"]["Confidence"] >= 80 for i in strict)
    assert len(strict) < len(bikes_labels)


def test_s3_video_through_moto(rek: Any, bikes_labels: list[dict[str, Any]]) -> None:
    job = rek.start_label_detection(Video={"S3Object": {"Bucket": "videos", "Name": "clips/bikes.mp4"}})[
        "JobId"
    ]
    page = wait_for_job(rek, job)
    assert page["JobStatus"] == "SUCCEEDED", page.get("StatusMessage")
    assert {i["Label"]["Name"] for i in all_labels(rek, job)} == {i["Label"]["Name"] for i in bikes_labels}


def test_progress_is_reported(rek: Any) -> None:
    """boto3 drops members it does not model, so read ``Progress`` the way the README shows: a hook."""
    raw_pages: list[dict[str, Any]] = []

    def keep_raw(http_response: Any, **_: Any) -> None:
        raw_pages.append(json.loads(http_response.content))

    rek.meta.events.register("after-call.rekognition.GetLabelDetection", keep_raw)
    try:
        job = rek.start_label_detection(Video=BIKES)["JobId"]
        while rek.get_label_detection(JobId=job, MaxResults=1)["JobStatus"] == "IN_PROGRESS":
            time.sleep(0.05)
    finally:
        rek.meta.events.unregister("after-call.rekognition.GetLabelDetection", keep_raw)
    progress = [p["Progress"] for p in raw_pages if p["JobId"] == job]
    assert raw_pages[-1]["JobStatus"] == "SUCCEEDED"
    assert all(isinstance(p, (int, float)) and 0 <= p <= 100 for p in progress)
    assert progress == sorted(progress) and progress[-1] == 100.0


def test_boxes_are_where_the_objects_are(bikes_labels: list[dict[str, Any]]) -> None:
    """Every object labelled by hand in bikes_ground_truth.json gets a box of its label near it.

    The hand labels leave out distant cars and people, so they measure recall, not precision.
    Measured (2026-11-25): Person 8/8, Car 31/33, Bicycle 7/12.
    """
    truth = json.loads((Path(__file__).resolve().parents[1] / "data" / "bikes_ground_truth.json").read_text())
    floors = {"Person": ("person", 0.85), "Car": ("car", 0.85), "Bicycle": ("bicycle", 0.5)}
    for name, (coco, floor) in floors.items():
        found = labelled = 0
        for frame in truth["frames"]:
            reported = [
                box(instance)
                for item in bikes_labels
                if item["Label"]["Name"] == name and abs(item["Timestamp"] - frame["timestamp_ms"]) <= 100
                for instance in item["Label"]["Instances"]
            ]
            for corners in frame["present"].get(coco, []):
                labelled += 1
                found += any(r.iou(BoundingBox.from_corners(*corners)) > 0.1 for r in reported)
        assert labelled >= 5
        assert found / labelled >= floor, f"{name}: {found}/{labelled} labelled objects have a box"


# --- the image-level models in video -----------------------------------------------------------------------

CARPHONE = {"S3Object": {"Bucket": "samples", "Name": "carphone_pristine.mp4"}}


@pytest.fixture(scope="module")
def carphone_job(rek: Any) -> str:
    job_id: str = rek.start_label_detection(Video=CARPHONE, MinConfidence=50)["JobId"]
    page = wait_for_job(rek, job_id)
    assert page["JobStatus"] == "SUCCEEDED", page.get("StatusMessage")
    return job_id


@pytest.fixture(scope="module")
def carphone_labels(rek: Any, carphone_job: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    return rek.get_label_detection(JobId=carphone_job, MaxResults=1), all_labels(rek, carphone_job)


def test_a_man_talking_in_a_car_is_a_man_with_a_face_all_along(
    carphone_labels: tuple[dict[str, Any], list[dict[str, Any]]],
) -> None:
    """The face models run every two seconds of video (VIDREK_LABEL_CLASSIFIER_FPS 0.5) and their labels
    hold in between, so Man and Face are reported at the detector's timestamps (5 per second), no boxes."""
    page, items = carphone_labels
    assert "efficientnet" in page["LabelModelVersion"] and "mtcnn" in page["LabelModelVersion"]
    duration = page["VideoMetadata"]["DurationMillis"]
    by_name: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        by_name[item["Label"]["Name"]].append(item)
    for name in ("Man", "Face", "Person"):
        assert name in by_name, f"{name} missing from {sorted(by_name)}"
    man = by_name["Man"]
    assert all(i["Label"]["Instances"] == [] and i["Label"]["Confidence"] >= 50 for i in man)
    assert {"Adult", "Male", "Person"} <= {p["Name"] for p in man[0]["Label"]["Parents"]}
    # Seen through most of the clip, at more timestamps than the classifier ran.
    times = sorted(i["Timestamp"] for i in man)
    assert times[-1] - times[0] >= 0.6 * duration
    assert len(times) > duration / 1000  # more than one timestamp per second
    assert any(i["Label"]["Instances"] for i in by_name["Person"])  # the detector's person boxes


def test_image_level_labels_make_long_segments(rek: Any, carphone_job: str) -> None:
    segments = all_labels(rek, carphone_job, AggregateBy="SEGMENTS")
    faces = [s for s in segments if s["Label"]["Name"] == "Face"]
    assert faces and max(s["DurationMillis"] for s in faces) >= 2000
