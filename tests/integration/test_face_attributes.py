"""The 30 landmarks, EyeDirection and the IndexFaces quality gates, through boto3 against the live stack."""

from __future__ import annotations

import contextlib
import io
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.model
import botocore.session
import numpy as np
import pytest
from PIL import Image, ImageFilter

from pipelines.images import decode_image


def _png(rgb: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, format="PNG")
    return out.getvalue()


def _padded(path: Path) -> bytes:
    """A 150 px TV crop of the pose set with a black border of half its height (MTCNN needs context)."""
    image = decode_image(path.read_bytes()).rgb
    pad = image.shape[0] // 2
    return _png(np.pad(image, ((pad, pad), (pad, pad), (0, 0))))


@pytest.fixture
def collection(rek: Any) -> Iterator[str]:
    name = f"attributes-{uuid.uuid4().hex[:10]}"
    rek.create_collection(CollectionId=name)
    yield name
    with contextlib.suppress(rek.exceptions.ResourceNotFoundException):
        rek.delete_collection(CollectionId=name)


def test_detect_faces_all_returns_30_landmarks_and_eye_direction(rek: Any, shared_media: Path) -> None:
    image = {"Bytes": (shared_media / "faces" / "obama.jpg").read_bytes()}
    (detail,) = rek.detect_faces(Image=image, Attributes=["ALL"])["FaceDetails"]
    shape = botocore.session.get_session().get_service_model("rekognition").shape_for("LandmarkType")
    assert isinstance(shape, botocore.model.StringShape)
    types = [mark["Type"] for mark in detail["Landmarks"]]
    assert len(types) == 30 and set(types) == set(shape.enum)
    box = detail["BoundingBox"]
    for mark in detail["Landmarks"]:  # every landmark on or near the face
        assert box["Left"] - 0.05 < mark["X"] < box["Left"] + box["Width"] + 0.05, mark
        assert box["Top"] - 0.05 < mark["Y"] < box["Top"] + box["Height"] + 0.05, mark
    eyes = detail["EyeDirection"]
    assert set(eyes) == {"Yaw", "Pitch", "Confidence"} and 0 <= eyes["Confidence"] <= 100
    # Obama looks into the camera: head pose + eye direction (the gaze in the camera's frame) is small
    assert abs(detail["Pose"]["Yaw"] + eyes["Yaw"]) < 12 and abs(detail["Pose"]["Pitch"] + eyes["Pitch"]) < 12
    assert "FaceOccluded" not in detail  # no model backs it

    (default,) = rek.detect_faces(Image=image)["FaceDetails"]
    assert [m["Type"] for m in default["Landmarks"]] == [
        "eyeLeft",
        "eyeRight",
        "nose",
        "mouthLeft",
        "mouthRight",
    ]
    assert "EyeDirection" not in default
    assert abs(default["Pose"]["Yaw"] - detail["Pose"]["Yaw"]) < 0.5  # DEFAULT runs facemesh for Pose too
    (eyes_only,) = rek.detect_faces(Image=image, Attributes=["DEFAULT", "EYE_DIRECTION"])["FaceDetails"]
    assert "EyeDirection" in eyes_only and "AgeRange" not in eyes_only and len(eyes_only["Landmarks"]) == 5


def test_index_faces_at_auto_refuses_a_profile_and_a_blurred_face(
    rek: Any, collection: str, shared_media: Path
) -> None:
    pose = shared_media / "faces" / "pose"
    # a full profile (labelled 85 degrees; vidrek reads |Yaw| ~69): refused at AUTO, indexed with NONE
    profile = {"Bytes": _padded(pose / "bbt_raj" / "frjs_raj_20.jpg")}
    answer = rek.index_faces(CollectionId=collection, Image=profile)
    assert answer["FaceRecords"] == []
    (refused,) = answer["UnindexedFaces"]
    assert "EXTREME_POSE" in refused["Reasons"], refused
    assert abs(refused["FaceDetail"]["Pose"]["Yaw"]) > 45
    assert (
        len(rek.index_faces(CollectionId=collection, Image=profile, QualityFilter="NONE")["FaceRecords"]) == 1
    )

    photo = shared_media / "faces" / "biden.jpg"
    sharp = Image.open(photo).convert("RGB")
    assert (
        len(rek.index_faces(CollectionId=collection, Image={"Bytes": photo.read_bytes()})["FaceRecords"]) == 1
    )
    # blurred to sigma = 5 % of the face's side: the descriptor finds nobody in such copies
    (face,) = rek.detect_faces(Image={"Bytes": photo.read_bytes()})["FaceDetails"]
    side = max(face["BoundingBox"]["Width"] * sharp.width, face["BoundingBox"]["Height"] * sharp.height)
    soft = np.asarray(sharp.filter(ImageFilter.GaussianBlur(0.05 * side)))
    answer = rek.index_faces(CollectionId=collection, Image={"Bytes": _png(soft)}, QualityFilter="AUTO")
    assert answer["FaceRecords"] == []
    (refused,) = answer["UnindexedFaces"]
    assert "LOW_FACE_QUALITY" in refused["Reasons"] and "LOW_SHARPNESS" in refused["Reasons"], refused
    assert refused["FaceDetail"]["Quality"]["Sharpness"] < 35
    assert rek.describe_collection(CollectionId=collection)["FaceCount"] == 2
