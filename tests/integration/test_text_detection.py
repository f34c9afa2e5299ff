"""DetectText and StartTextDetection / GetTextDetection through boto3 against the live stack."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.stack import get_pages, wait_for_job
from tests.text_media import BACKGROUNDS, TITLE_CARDS, fonts, make_title_card_video, png_bytes, render_lines

CARDS = {"S3Object": {"Bucket": "videos", "Name": "text/cards.mp4"}}


@pytest.fixture(scope="module")
def cards_video(moto_s3: str, s3: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The title-card clip, uploaded to the moto S3 bucket the stack reads (moto_s3 makes the bucket)."""
    path = tmp_path_factory.mktemp("text") / "cards.mp4"
    make_title_card_video(path)
    s3.upload_file(str(path), "videos", "text/cards.mp4")
    return CARDS


@pytest.fixture(scope="module")
def page_png() -> bytes:
    font = fonts(30)["pillow-default"]
    return png_bytes(render_lines(["Hello World from vidrek", "price 12.50 today"], font, BACKGROUNDS[0]))


def _check_structure(items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    lines = [i for i in items if i["Type"] == "LINE"]
    words = [i for i in items if i["Type"] == "WORD"]
    line_ids = {line["Id"] for line in lines}
    assert sorted(i["Id"] for i in items) == list(range(len(items)))
    for word in words:
        assert word["ParentId"] in line_ids
    for line in lines:
        assert "ParentId" not in line
        children = [w["DetectedText"] for w in words if w["ParentId"] == line["Id"]]
        assert " ".join(children) == line["DetectedText"]
    for item in items:
        box = item["Geometry"]["BoundingBox"]
        assert 0 <= box["Left"] <= 1 and 0 <= box["Top"] <= 1
        assert 0 < box["Width"] <= 1 and 0 < box["Height"] <= 1
        assert len(item["Geometry"]["Polygon"]) == 4
        assert all(0 <= p["X"] <= 1 and 0 <= p["Y"] <= 1 for p in item["Geometry"]["Polygon"])
        assert 0 <= item["Confidence"] <= 100
    return lines, words


def test_detect_text_reads_lines_and_words(rek: Any, page_png: bytes) -> None:
    result = rek.detect_text(Image={"Bytes": page_png})
    assert "PP-OCR" in result["TextModelVersion"]
    lines, words = _check_structure(result["TextDetections"])
    assert [line["DetectedText"] for line in lines] == ["Hello World from vidrek", "price 12.50 today"]
    assert [w["DetectedText"] for w in words] == [
        "Hello",
        "World",
        "from",
        "vidrek",
        "price",
        "12.50",
        "today",
    ]
    # Words lie left to right inside their line.
    hello, world = words[0]["Geometry"]["BoundingBox"], words[1]["Geometry"]["BoundingBox"]
    assert hello["Left"] + hello["Width"] <= world["Left"] + 0.01


def test_detect_text_filters(rek: Any, page_png: bytes) -> None:
    # Only the top quarter of the picture: the first line.
    top = {"BoundingBox": {"Left": 0.0, "Top": 0.0, "Width": 1.0, "Height": 0.12}}
    result = rek.detect_text(Image={"Bytes": page_png}, Filters={"RegionsOfInterest": [top]})
    lines, _ = _check_structure(result["TextDetections"])
    assert [line["DetectedText"] for line in lines] == ["Hello World from vidrek"]
    # A polygon around the left part of the first line keeps the words more than half inside it.
    left = {
        "Polygon": [{"X": 0.0, "Y": 0.0}, {"X": 0.2, "Y": 0.0}, {"X": 0.2, "Y": 0.12}, {"X": 0.0, "Y": 0.12}]
    }
    result = rek.detect_text(Image={"Bytes": page_png}, Filters={"RegionsOfInterest": [left]})
    lines, words = _check_structure(result["TextDetections"])
    assert [w["DetectedText"] for w in words] == ["Hello", "World"]
    # Words smaller than the minimum box height are left out: nothing here is 30% of the picture high.
    result = rek.detect_text(Image={"Bytes": page_png}, Filters={"WordFilter": {"MinBoundingBoxHeight": 0.3}})
    assert result["TextDetections"] == []
    result = rek.detect_text(Image={"Bytes": page_png}, Filters={"WordFilter": {"MinConfidence": 0}})
    assert len([i for i in result["TextDetections"] if i["Type"] == "WORD"]) >= 7


def test_detect_text_errors(rek: Any) -> None:
    with pytest.raises(rek.exceptions.InvalidImageFormatException):
        rek.detect_text(Image={"Bytes": b"GIF89a not an image"})
    with pytest.raises(rek.exceptions.InvalidParameterException):
        rek.detect_text(
            Image={"Bytes": png_bytes(render_lines(["x"], fonts(20)["pillow-default"], BACKGROUNDS[0]))},
            Filters={"RegionsOfInterest": [{}]},
        )
    with pytest.raises(rek.exceptions.InvalidParameterException):
        rek.detect_text(Image={"Bytes": b"x"}, Filters={"WordFilter": {"MinConfidence": 101}})


def test_text_in_video(rek: Any, cards_video: dict[str, Any]) -> None:
    job_id = rek.start_text_detection(
        Video=cards_video, JobTag="cards", Filters={"WordFilter": {"MinConfidence": 70}}
    )["JobId"]
    first = wait_for_job(rek, job_id, get="get_text_detection")
    assert first["JobStatus"] == "SUCCEEDED", first.get("StatusMessage")
    assert "PP-OCR" in first["TextModelVersion"]
    assert first["JobTag"] == "cards"
    assert first["VideoMetadata"]["FrameWidth"] == 640
    items: list[dict[str, Any]] = []
    pages = 0
    for page in get_pages(rek, "get_text_detection", JobId=job_id, MaxResults=4):
        assert len(page["TextDetections"]) <= 4
        items += page["TextDetections"]
        pages += 1
    assert pages > 3
    timestamps = [i["Timestamp"] for i in items]
    assert timestamps == sorted(timestamps)
    by_time: dict[int, list[dict[str, Any]]] = {}
    for item in items:
        by_time.setdefault(item["Timestamp"], []).append(item["TextDetection"])
    for detections in by_time.values():
        _check_structure(detections)
    for card in TITLE_CARDS:
        inside = [t for t in by_time if card.start_s * 1000 <= t < card.end_s * 1000]
        assert len(inside) >= 2, f"{card.text}: sampled at {sorted(by_time)}"
        read = [[d["DetectedText"] for d in by_time[t] if d["Type"] == "LINE"] for t in inside]
        assert all(r == [card.text] for r in read), f"{card.text}: {read}"


def test_start_text_detection_errors(rek: Any) -> None:
    video = {"S3Object": {"Bucket": "samples", "Name": "bikes.mp4"}}
    with pytest.raises(rek.exceptions.InvalidParameterException):
        rek.start_text_detection(
            Video=video, Filters={"RegionsOfInterest": [{"Polygon": [{"X": 0.1, "Y": 0.1}]}]}
        )
    with pytest.raises(rek.exceptions.InvalidS3ObjectException):
        rek.start_text_detection(Video={"S3Object": {"Bucket": "samples", "Name": "missing.mp4"}})
    with pytest.raises(rek.exceptions.ResourceNotFoundException):
        rek.get_text_detection(JobId="0" * 32)


def test_detect_text_finds_nothing_in_photos_without_text(rek: Any, shared_media: Path) -> None:
    # No text in these photos: an empty answer (no texture read as words), not an error.
    for name in ("horses.jpg", "dog.jpg", "kite.jpg"):
        result = rek.detect_text(Image={"Bytes": (shared_media / "images" / name).read_bytes()})
        assert result["TextDetections"] == [], name
