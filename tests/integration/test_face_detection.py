"""DetectFaces and StartFaceDetection / GetFaceDetection through boto3 against the live stack."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.stack import get_pages, wait_for_job

CARPHONE = {"S3Object": {"Bucket": "samples", "Name": "carphone_pristine.mp4"}}


def image_bytes(shared_media: Path, name: str) -> dict[str, bytes]:
    return {"Bytes": (shared_media / "faces" / name).read_bytes()}


def test_detect_faces_finds_both_people_with_default_attributes(rek: Any, shared_media: Path) -> None:
    res = rek.detect_faces(Image=image_bytes(shared_media, "two_people.jpg"))
    assert "OrientationCorrection" not in res
    faces = sorted(res["FaceDetails"], key=lambda f: f["BoundingBox"]["Left"])
    assert len(faces) == 2
    for face in faces:
        assert set(face) == {"BoundingBox", "Confidence", "Landmarks", "Pose", "Quality"}
        assert face["Confidence"] > 99
        box = face["BoundingBox"]
        # heads of standing people: small boxes in the upper half of the picture
        assert 0.05 < box["Width"] < 0.3 and box["Top"] < 0.3 and box["Top"] + box["Height"] < 0.5
        types = {lm["Type"] for lm in face["Landmarks"]}
        assert {"eyeLeft", "eyeRight", "nose", "mouthLeft", "mouthRight"} <= types
        for lm in face["Landmarks"]:
            assert box["Left"] <= lm["X"] <= box["Left"] + box["Width"]
            assert box["Top"] <= lm["Y"] <= box["Top"] + box["Height"]
        assert 0 < face["Quality"]["Brightness"] < 100 and 0 < face["Quality"]["Sharpness"] <= 100
        assert all(-90 <= face["Pose"][k] <= 90 for k in ("Yaw", "Pitch"))
    # Obama (left) and Biden (right) are side by side, not overlapping
    assert (
        faces[0]["BoundingBox"]["Left"] + faces[0]["BoundingBox"]["Width"] < faces[1]["BoundingBox"]["Left"]
    )


def test_detect_faces_all_attributes(rek: Any, shared_media: Path) -> None:
    cases = {"obama.jpg": "Male", "identities/rose_leslie/img1.jpg": "Female"}
    for name, gender in cases.items():
        (face,) = rek.detect_faces(Image=image_bytes(shared_media, name), Attributes=["ALL"])["FaceDetails"]
        assert face["Gender"]["Value"] == gender, name
        assert 12 <= face["AgeRange"]["Low"] <= face["AgeRange"]["High"] <= 80
        emotions = face["Emotions"]
        assert len(emotions) == 7 and abs(sum(e["Confidence"] for e in emotions) - 100) < 1
        assert emotions == sorted(emotions, key=lambda e: -e["Confidence"])
        assert isinstance(face["Smile"]["Value"], bool) and 50 <= face["Smile"]["Confidence"] <= 100
        for unbacked in ("Eyeglasses", "Sunglasses", "Beard", "Mustache", "FaceOccluded"):
            assert unbacked not in face


def test_detect_faces_on_an_image_without_faces(rek: Any, shared_media: Path) -> None:
    res = rek.detect_faces(Image={"Bytes": (shared_media / "images" / "horses.jpg").read_bytes()})
    assert res["FaceDetails"] == []


def test_detect_faces_errors(rek: Any) -> None:
    with pytest.raises(rek.exceptions.InvalidImageFormatException):
        rek.detect_faces(Image={"Bytes": b"this is not an image at all"})
    with pytest.raises(rek.exceptions.ImageTooLargeException):
        rek.detect_faces(Image={"Bytes": b"\xff\xd8\xff" + bytes(5 * 1024 * 1024 + 1)})
    with pytest.raises(rek.exceptions.InvalidParameterException):
        rek.detect_faces(Image={"Bytes": b"x"}, Attributes=["NOT_AN_ATTRIBUTE"])


@pytest.mark.slow
def test_face_detection_on_carphone_finds_the_face_at_every_sampled_timestamp(rek: Any) -> None:
    job_id = rek.start_face_detection(Video=CARPHONE, FaceAttributes="ALL", JobTag="faces")["JobId"]
    first = wait_for_job(rek, job_id, get="get_face_detection")
    assert first["JobStatus"] == "SUCCEEDED", first.get("StatusMessage")
    assert first["JobTag"] == "faces"
    items: list[dict[str, Any]] = []
    for page in get_pages(rek, "get_face_detection", JobId=job_id, MaxResults=10):
        items += page["Faces"]
    meta = page["VideoMetadata"]
    timestamps = [item["Timestamp"] for item in items]
    assert timestamps == sorted(timestamps)
    # 5 samples/s over the clip: one face per sampled frame, the man seen in (nearly) all of them
    expected = meta["DurationMillis"] / 200
    assert len(set(timestamps)) >= 0.95 * expected, (len(set(timestamps)), expected)
    assert len(items) <= len(set(timestamps)) * 1.05  # no phantom second faces
    for item in items:
        face = item["Face"]
        assert face["Confidence"] > 95 and face["Gender"]["Value"] == "Male"
        assert face["BoundingBox"]["Width"] > 0.2  # a close-up
    # he talks on the phone: the mouth opens in some sampled frames and is closed in others
    mouth = [item["Face"]["MouthOpen"]["Value"] for item in items]
    assert 2 <= sum(mouth) <= len(mouth) - 2, mouth
    assert all(item["Face"]["EyesOpen"]["Value"] for item in items)


def test_detect_faces_reads_an_s3_object(rek: Any, s3: Any, shared_media: Path) -> None:
    s3.upload_file(str(shared_media / "faces" / "biden.jpg"), "videos", "faces/biden.jpg")
    res = rek.detect_faces(Image={"S3Object": {"Bucket": "videos", "Name": "faces/biden.jpg"}})
    assert len(res["FaceDetails"]) == 1 and res["FaceDetails"][0]["Confidence"] > 99
    with pytest.raises(rek.exceptions.InvalidS3ObjectException):
        rek.detect_faces(Image={"S3Object": {"Bucket": "videos", "Name": "faces/missing.jpg"}})


def test_face_detection_of_a_file_that_is_not_a_video_fails_with_a_reason(rek: Any) -> None:
    video = {"S3Object": {"Bucket": "media", "Name": "text.mp4"}}
    job_id = rek.start_face_detection(Video=video)["JobId"]
    page = wait_for_job(rek, job_id, get="get_face_detection")
    assert page["JobStatus"] == "FAILED" and page["StatusMessage"]
    with pytest.raises(rek.exceptions.InvalidParameterException):
        rek.start_face_detection(Video=CARPHONE, FaceAttributes="SOME")
