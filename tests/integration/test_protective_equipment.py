"""DetectProtectiveEquipment through boto3: without an equipment model (the shared stack) and with a
small ONNX model built by the test (its own stack with VIDREK_PPE_MODEL)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.session
import numpy as np
import pytest
from botocore.model import ListShape, Shape, StructureShape
from PIL import Image

from pipelines.geometry import BoundingBox
from tests.ppe_model_factory import FakeItem, build_fixed_yolov8_model
from tests.stack import Stack

CLASSES = ["helmet", "mask", "glove", "person"]
CLASS_MAP = {"helmet": "HEAD_COVER", "mask": "FACE_COVER", "glove": "HAND_COVER"}
SUMMARY_ALL = {"MinConfidence": 50, "RequiredEquipmentTypes": ["FACE_COVER", "HEAD_COVER"]}


def _output_shape() -> Shape:
    model = botocore.session.get_session().get_service_model("rekognition")
    return model.operation_model("DetectProtectiveEquipment").output_shape


def _check_against_model(value: Any, shape: Shape, path: str = "") -> None:
    """Every member of the raw response is in botocore's model with the right type."""
    if isinstance(shape, StructureShape):
        assert isinstance(value, dict), path
        for key, item in value.items():
            assert key in shape.members, f"{path}.{key} is not in the model"
            _check_against_model(item, shape.members[key], f"{path}.{key}")
    elif isinstance(shape, ListShape):
        assert isinstance(value, list), path
        for i, item in enumerate(value):
            _check_against_model(item, shape.member, f"{path}[{i}]")
    elif shape.type_name == "float":
        assert isinstance(value, int | float), path
        if "min" in shape.metadata:
            assert shape.metadata["min"] <= value <= shape.metadata["max"], path
    elif shape.type_name == "integer":
        assert isinstance(value, int) and value >= 0, path
    elif shape.type_name == "boolean":
        assert isinstance(value, bool), path
    elif shape.type_name == "string":
        assert isinstance(value, str), path
        if shape.enum:
            assert value in shape.enum, path


def _raw_bodies(client: Any) -> list[dict[str, Any]]:
    bodies: list[dict[str, Any]] = []
    client.meta.events.register(
        "after-call.rekognition.DetectProtectiveEquipment",
        lambda http_response, **_: bodies.append(json.loads(http_response.content)),
    )
    return bodies


def _composite(shared_media: Path) -> bytes:
    """obama.jpg and biden.jpg side by side at the same height, as JPEG bytes."""
    obama = Image.open(shared_media / "faces" / "obama.jpg").convert("RGB")
    biden = Image.open(shared_media / "faces" / "biden.jpg").convert("RGB")
    biden = biden.resize((round(biden.width * obama.height / biden.height), obama.height))
    canvas = Image.fromarray(np.concatenate([np.asarray(obama), np.asarray(biden)], axis=1))
    out = io.BytesIO()
    canvas.save(out, format="JPEG", quality=92)
    return out.getvalue()


def _names(person: dict[str, Any]) -> set[str]:
    return {part["Name"] for part in person["BodyParts"]}


def test_without_a_model_every_person_is_indeterminate(rek: Any, shared_media: Path) -> None:
    bodies = _raw_bodies(rek)
    image = {"Bytes": (shared_media / "faces" / "two_people.jpg").read_bytes()}
    res = rek.detect_protective_equipment(Image=image, SummarizationAttributes=SUMMARY_ALL)
    persons = sorted(res["Persons"], key=lambda p: p["BoundingBox"]["Left"])
    assert len(persons) == 2
    for person in persons:
        assert {"FACE", "HEAD"} <= _names(person)
        assert person["Confidence"] >= 50
        assert all(part["EquipmentDetections"] == [] for part in person["BodyParts"])
        face = next(p for p in person["BodyParts"] if p["Name"] == "FACE")
        assert 50 <= face["Confidence"] <= 100
    assert (
        persons[0]["BoundingBox"]["Left"] + persons[0]["BoundingBox"]["Width"]
        < persons[1]["BoundingBox"]["Left"]
    )
    summary = res["Summary"]
    assert summary["PersonsIndeterminate"] == [0, 1]
    assert summary["PersonsWithRequiredEquipment"] == [] and summary["PersonsWithoutRequiredEquipment"] == []
    assert res["ProtectiveEquipmentModelVersion"]
    (raw,) = bodies
    assert raw["EquipmentModel"].startswith("none: no protective-equipment model is configured")
    _check_against_model({k: v for k, v in raw.items() if k != "EquipmentModel"}, _output_shape())


def test_s3_image_and_no_summary_unless_asked(rek: Any, s3: Any, shared_media: Path) -> None:
    s3.create_bucket(Bucket="ppe-photos")
    s3.upload_file(str(shared_media / "images" / "person.jpg"), "ppe-photos", "person.jpg")
    res = rek.detect_protective_equipment(Image={"S3Object": {"Bucket": "ppe-photos", "Name": "person.jpg"}})
    assert "Summary" not in res
    # person.jpg: one man (beside a horse and a dog)
    (man,) = [p for p in res["Persons"] if p["Confidence"] >= 90]
    assert _names(man) & {"FACE", "HEAD"}
    assert _names(man) & {"LEFT_HAND", "RIGHT_HAND"}


def test_bad_requests(rek: Any, shared_media: Path) -> None:
    image = {"Bytes": (shared_media / "faces" / "obama.jpg").read_bytes()}
    with pytest.raises(rek.exceptions.InvalidParameterException, match="RequiredEquipmentTypes"):
        rek.detect_protective_equipment(
            Image=image, SummarizationAttributes={"MinConfidence": 80, "RequiredEquipmentTypes": []}
        )
    with pytest.raises(rek.exceptions.InvalidParameterException):
        rek.detect_protective_equipment(
            Image=image,
            SummarizationAttributes={"MinConfidence": 101, "RequiredEquipmentTypes": ["FACE_COVER"]},
        )
    with pytest.raises(rek.exceptions.InvalidImageFormatException):
        rek.detect_protective_equipment(Image={"Bytes": b"this is not a picture"})


@pytest.fixture(scope="module")
def model_case(
    rek: Any, shared_media: Path, model_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Any, bytes]]:
    """A stack whose VIDREK_PPE_MODEL emits a helmet and a mask on Obama and a mask on Biden's chest,
    placed from the faces that DetectFaces finds in the composite photo."""
    photo = _composite(shared_media)
    width, height = Image.open(io.BytesIO(photo)).size
    faces = sorted(
        rek.detect_faces(Image={"Bytes": photo})["FaceDetails"], key=lambda f: f["BoundingBox"]["Left"]
    )
    assert len(faces) == 2
    obama, biden = (
        BoundingBox(
            f["BoundingBox"]["Left"],
            f["BoundingBox"]["Top"],
            f["BoundingBox"]["Width"],
            f["BoundingBox"]["Height"],
        )
        for f in faces
    )
    helmet = BoundingBox.from_corners(
        obama.left - 0.2 * obama.width,
        obama.top - 0.5 * obama.height,
        obama.right + 0.2 * obama.width,
        obama.bottom,
    )
    chest = BoundingBox(biden.left, biden.bottom + 0.6 * biden.height, biden.width, 0.5 * biden.height)
    workdir = tmp_path_factory.mktemp("ppe-stack")
    model = build_fixed_yolov8_model(
        workdir / "ppe.onnx",
        [FakeItem(0, 0.9, helmet), FakeItem(1, 0.85, obama), FakeItem(1, 0.8, chest)],
        len(CLASSES),
        width,
        height,
    )
    settings = {
        "VIDREK_MODEL_DIR": str(model_dir),
        "VIDREK_PPE_MODEL": str(model),
        "VIDREK_PPE_MODEL_CLASSES": json.dumps(CLASSES),
        "VIDREK_PPE_CLASS_MAP": json.dumps(CLASS_MAP),
    }
    with Stack(workdir, settings) as stack:
        yield stack.client(), photo


def test_with_a_model_equipment_covers_and_summary(model_case: tuple[Any, bytes]) -> None:
    client, photo = model_case
    bodies = _raw_bodies(client)
    res = client.detect_protective_equipment(Image={"Bytes": photo}, SummarizationAttributes=SUMMARY_ALL)
    faced = sorted((p for p in res["Persons"] if "FACE" in _names(p)), key=lambda p: p["BoundingBox"]["Left"])
    assert len(faced) == 2
    obama, biden = faced

    def items(person: dict[str, Any], name: str) -> list[tuple[str, bool]]:
        part = next(p for p in person["BodyParts"] if p["Name"] == name)
        return [(e["Type"], e["CoversBodyPart"]["Value"]) for e in part["EquipmentDetections"]]

    assert items(obama, "HEAD") == [("HEAD_COVER", True)]
    assert items(obama, "FACE") == [("FACE_COVER", True)]
    assert items(biden, "FACE") == [("FACE_COVER", False)]
    assert items(biden, "HEAD") == []
    for part in obama["BodyParts"]:
        for item in part["EquipmentDetections"]:
            assert item["Confidence"] >= 80 and item["CoversBodyPart"]["Confidence"] >= 50
            box = item["BoundingBox"]
            assert box["Left"] >= 0 and box["Left"] + box["Width"] <= 0.6, "Obama is in the left part"
    summary = res["Summary"]
    assert summary["PersonsWithRequiredEquipment"] == [obama["Id"]]
    assert summary["PersonsWithoutRequiredEquipment"] == [biden["Id"]]
    others = sorted(p["Id"] for p in res["Persons"] if p not in faced)
    assert summary["PersonsIndeterminate"] == others
    (raw,) = bodies
    assert raw["EquipmentModel"] == "ppe-yolov8: looks for FACE_COVER, HAND_COVER, HEAD_COVER"
    _check_against_model({k: v for k, v in raw.items() if k != "EquipmentModel"}, _output_shape())
    # gloves are looked for, but no hand is visible in these portraits: nobody can be judged on them
    res = client.detect_protective_equipment(
        Image={"Bytes": photo},
        SummarizationAttributes={"MinConfidence": 50, "RequiredEquipmentTypes": ["HAND_COVER"]},
    )
    assert res["Summary"]["PersonsWithRequiredEquipment"] == []
    assert res["Summary"]["PersonsWithoutRequiredEquipment"] == []
