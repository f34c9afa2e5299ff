"""DetectProtectiveEquipment's pipeline: body parts on real photos, coverage and Summary rules, and the
equipment path with a small ONNX model built here (tests/ppe_model_factory.py)."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipelines.calibration import DEFAULT_CALIBRATION
from pipelines.detection import ObjectDetector, RGBImage
from pipelines.detectors.factory import create_detector
from pipelines.faces.detection import FaceDetection, FaceDetector
from pipelines.geometry import BoundingBox
from pipelines.images import decode_image
from pipelines.models.registry import model_path
from pipelines.persons.movenet import MoveNetPersonDetector
from pipelines.protective_equipment.analysis import ProtectiveEquipmentAnalyser
from pipelines.protective_equipment.body_parts import body_part_regions
from pipelines.protective_equipment.coverage import assign_equipment, coverage_ratio
from pipelines.protective_equipment.equipment import EquipmentDetector
from pipelines.protective_equipment.summary import summarize
from pipelines.protective_equipment.types import (
    BodyPart,
    BodyPartName,
    BodyPartRegion,
    EquipmentDetection,
    EquipmentModelInfo,
    EquipmentPerson,
    EquipmentType,
    ProtectiveEquipmentAnalysis,
)
from pipelines.protective_equipment_results import NO_MODEL_NOTE, protective_equipment_response
from tests.ppe_model_factory import FakeItem, build_fixed_yolov8_model
from workers.models import Models as WorkerModels
from workers.settings import Settings

#: Photos where a person is more than a head (portraits whose person box is the face are left out).
PEOPLE_PHOTOS = (
    "faces/two_people.jpg",
    "faces/obama.jpg",
    "faces/biden.jpg",
    "faces/obama2.jpg",
    "faces/obama3.jpg",
)
#: Measured: IoU of the FACE region with MTCNN's face box 0.75-0.95 on these photos.
FACE_IOU_FLOOR = 0.65
#: Measured: 0.82-0.97 of MTCNN's face box lies inside the FACE region.
FACE_INSIDE_FLOOR = 0.75
#: Measured: the FACE centre lies at 0.10-0.25 of the person box height from its top.
FACE_CENTRE_CEILING = 0.35
Models = tuple[ObjectDetector, MoveNetPersonDetector]
CLASSES = ["helmet", "mask", "glove", "vest"]
CLASS_MAP = {"helmet": "HEAD_COVER", "mask": "FACE_COVER", "glove": "HAND_COVER"}


def _load(shared_media: Path, name: str) -> RGBImage:
    return decode_image((shared_media / name).read_bytes()).rgb


@pytest.fixture(scope="module")
def models(model_dir: Path) -> Models:
    detector = create_detector(
        "centernet", model_dir, layout="yolov8", classes_file=None, input_size=512, threads=2, min_score=0.15
    )
    return detector, MoveNetPersonDetector(model_path("movenet-multipose", model_dir), 2, min_score=0.1)


def _analyser(models: Models, equipment: EquipmentDetector | None = None) -> ProtectiveEquipmentAnalyser:
    detector, poses = models
    return ProtectiveEquipmentAnalyser(detector, DEFAULT_CALIBRATION, poses, equipment)


@pytest.fixture(scope="module")
def composite(shared_media: Path) -> RGBImage:
    """obama.jpg and biden.jpg side by side at the same height (two large, frontal people)."""
    obama = _load(shared_media, "faces/obama.jpg")
    biden = _load(shared_media, "faces/biden.jpg")
    height = obama.shape[0]
    width = round(biden.shape[1] * height / biden.shape[0])
    biden = np.asarray(Image.fromarray(biden).resize((width, height), Image.Resampling.BILINEAR))
    return np.ascontiguousarray(np.concatenate([obama, biden], axis=1))


@functools.cache
def _face_detector(model_dir: Path) -> FaceDetector:
    return WorkerModels(Settings(model_dir=model_dir, onnx_threads=2)).face_detector()


def _faces(model_dir: Path, image: RGBImage) -> list[FaceDetection]:
    return _face_detector(model_dir).detect(image)


@pytest.mark.parametrize("photo", PEOPLE_PHOTOS)
def test_face_and_head_regions_match_the_detected_faces(
    photo: str, shared_media: Path, model_dir: Path, models: Models
) -> None:
    image = _load(shared_media, photo)
    analysis = _analyser(models).analyse(image)
    faces = _faces(model_dir, image)
    assert faces, "MTCNN should find the faces on this photo"
    for face in faces:
        candidates = [(p, part) for p in analysis.persons if (part := p.part("FACE")) is not None]
        assert candidates, f"no FACE body part on {photo}"
        person, part = max(candidates, key=lambda c: c[1].region.box.iou(face.box))
        region = part.region.box
        assert region.iou(face.box) >= FACE_IOU_FLOOR
        assert coverage_ratio(region, face.box) >= FACE_INSIDE_FLOOR
        centre = (region.top + region.height / 2 - person.box.top) / person.box.height
        assert 0.0 <= centre <= FACE_CENTRE_CEILING, "the face is in the upper part of the person box"
        head = person.part("HEAD")
        assert head is not None
        assert coverage_ratio(head.region.box, region) >= 0.95, "the HEAD region contains the FACE"
        assert head.region.box.top <= region.top
        assert 0.0 < part.region.confidence <= 100.0


def test_every_confident_person_is_reported_with_dense_ids(shared_media: Path, models: Models) -> None:
    analysis = _analyser(models).analyse(_load(shared_media, "images/kite.jpg"))
    # kite.jpg: two people in the foreground and many small ones on the beach.
    assert 5 <= len(analysis.persons) <= 15
    assert [p.id for p in analysis.persons] == list(range(len(analysis.persons)))
    assert all(p.confidence >= 50 for p in analysis.persons)
    with_faces = [p for p in analysis.persons if p.part("FACE") is not None]
    assert len(with_faces) >= 2
    tall = sorted(analysis.persons, key=lambda p: -p.box.height)[:2]
    assert all(p.part("HEAD") is not None for p in tall), "the two foreground people have a HEAD"


def test_hand_regions_sit_at_the_person(shared_media: Path, models: Models) -> None:
    analysis = _analyser(models).analyse(_load(shared_media, "images/person.jpg"))
    (person,) = [p for p in analysis.persons if p.confidence >= 90]
    hands = [p for p in person.body_parts if p.region.name in ("LEFT_HAND", "RIGHT_HAND")]
    assert hands, "the man's visible hand is found"
    for hand in hands:
        box = hand.region.box
        cx, cy = box.left + box.width / 2, box.top + box.height / 2
        assert person.box.left - 0.05 <= cx <= person.box.right + 0.05
        assert person.box.top + 0.2 * person.box.height <= cy <= person.box.bottom
        assert box.height <= 0.3 * person.box.height


def test_back_of_the_head_gives_a_head_but_no_face() -> None:
    keypoints = np.zeros((17, 3), dtype=np.float32)
    keypoints[3] = [0.45, 0.2, 0.8]  # left ear
    keypoints[4] = [0.55, 0.2, 0.8]  # right ear
    regions = body_part_regions(keypoints, BoundingBox(0.3, 0.1, 0.4, 0.8), 1000, 1000)
    assert [r.name for r in regions] == ["HEAD"]


def test_hand_continues_the_forearm() -> None:
    keypoints = np.zeros((17, 3), dtype=np.float32)
    keypoints[7] = [0.5, 0.5, 0.9]  # left elbow
    keypoints[9] = [0.5, 0.6, 0.7]  # left wrist, forearm pointing down
    (hand,) = body_part_regions(keypoints, BoundingBox(0.3, 0.1, 0.4, 0.8), 1000, 1000)
    assert hand.name == "LEFT_HAND"
    assert hand.confidence == pytest.approx(70.0, abs=0.01)
    assert hand.box.top + hand.box.height / 2 > 0.6, "the hand is beyond the wrist"
    assert hand.box.height == pytest.approx(0.1, abs=1e-3)


def _person(pid: int, *parts: tuple[BodyPartName, BoundingBox, float]) -> EquipmentPerson:
    person = EquipmentPerson(pid, BoundingBox(0.0, 0.0, 1.0, 1.0), 99.0)
    person.body_parts = [BodyPart(BodyPartRegion(n, b, c)) for n, b, c in parts]
    return person


def test_coverage_rule_and_summary() -> None:
    face = BoundingBox(0.4, 0.1, 0.2, 0.2)
    wearer = _person(0, ("FACE", face, 80.0))
    bare = _person(1, ("FACE", BoundingBox(0.4, 0.5, 0.2, 0.2), 80.0))
    unseen = _person(2)
    mask_on = EquipmentDetection("FACE_COVER", BoundingBox(0.4, 0.15, 0.2, 0.15), 90.0)  # 75 % of the face
    assign_equipment([wearer, bare, unseen], [mask_on])
    (worn,) = wearer.body_parts[0].equipment
    assert worn.coverage.value and worn.coverage.ratio == pytest.approx(0.75, abs=1e-6)
    assert 50.0 < worn.coverage.confidence <= 80.0
    model = EquipmentModelInfo("fake", frozenset({"FACE_COVER"}))
    summary = summarize([wearer, bare, unseen], ["FACE_COVER"], model, 50.0)
    assert (summary.with_equipment, summary.without_equipment, summary.indeterminate) == ([0], [1], [2])
    # a type the model never looked for is indeterminate, never "without"
    summary = summarize([wearer, bare], ["FACE_COVER", "HEAD_COVER"], model, 50.0)
    assert summary.without_equipment == [1] and summary.indeterminate == [0]
    # no model at all: nobody wears or lacks anything
    summary = summarize([wearer, bare, unseen], ["FACE_COVER"], None, 50.0)
    assert summary.indeterminate == [0, 1, 2]
    # MinConfidence above the body part's confidence: cannot judge
    summary = summarize([wearer, bare], ["FACE_COVER"], model, 85.0)
    assert summary.indeterminate == [0, 1]


def test_no_model_response_says_so(shared_media: Path, models: Models) -> None:
    analysis = _analyser(models).analyse(_load(shared_media, "faces/two_people.jpg"))
    summary = summarize(analysis.persons, ["FACE_COVER"], analysis.equipment_model, 50.0)
    response = protective_equipment_response(analysis, summary)
    assert response["EquipmentModel"] == NO_MODEL_NOTE
    assert len(response["Persons"]) == 2
    assert all(not bp["EquipmentDetections"] for p in response["Persons"] for bp in p["BodyParts"])
    assert response["Summary"]["PersonsIndeterminate"] == [0, 1]
    assert response["Summary"]["PersonsWithRequiredEquipment"] == []
    assert response["Summary"]["PersonsWithoutRequiredEquipment"] == []


def test_equipment_model_path(tmp_path: Path, composite: RGBImage, model_dir: Path, models: Models) -> None:
    height, width = composite.shape[:2]
    faces = sorted(_faces(model_dir, composite), key=lambda f: f.box.left)
    assert len(faces) == 2
    obama, biden = faces[0].box, faces[1].box
    helmet = BoundingBox.from_corners(
        obama.left - 0.2 * obama.width,
        obama.top - 0.5 * obama.height,
        obama.right + 0.2 * obama.width,
        obama.bottom,
    )
    chest = BoundingBox(biden.left, biden.bottom + 0.6 * biden.height, biden.width, 0.5 * biden.height)
    items = [FakeItem(0, 0.9, helmet), FakeItem(1, 0.85, obama), FakeItem(1, 0.8, chest)]
    path = build_fixed_yolov8_model(tmp_path / "ppe.onnx", items, len(CLASSES), width, height)
    equipment = EquipmentDetector(path, "yolov8", CLASS_MAP, CLASSES)
    analysis = _analyser(models, equipment).analyse(composite)
    faced = [p for p in analysis.persons if p.part("FACE") is not None]
    assert len(faced) == 2, "both men's faces are found"
    left, right = sorted(faced, key=lambda p: p.box.left)
    others = [p.id for p in analysis.persons if p not in faced]

    def types_on(person: EquipmentPerson, name: BodyPartName) -> list[tuple[str, bool]]:
        part = person.part(name)
        assert part is not None, f"{name} of person {person.id} is detected"
        return [(w.detection.type, w.coverage.value) for w in part.equipment]

    assert types_on(left, "HEAD") == [("HEAD_COVER", True)]
    assert types_on(left, "FACE") == [("FACE_COVER", True)]
    assert types_on(right, "FACE") == [("FACE_COVER", False)], "a mask on the chest does not cover the face"
    assert types_on(right, "HEAD") == []

    def verdicts(required: list[EquipmentType]) -> tuple[list[int], list[int], list[int]]:
        s = summarize(analysis.persons, required, analysis.equipment_model, 50.0)
        return s.with_equipment, s.without_equipment, s.indeterminate

    # persons without body parts (the detector's extra boxes) cannot be judged
    assert verdicts(["FACE_COVER", "HEAD_COVER"]) == ([left.id], [right.id], others)
    assert verdicts(["HEAD_COVER"]) == ([left.id], [right.id], others)
    # hands are not visible in these portraits: a glove requirement cannot be judged
    assert verdicts(["HAND_COVER"]) == ([], [], sorted([left.id, right.id, *others]))
    response = protective_equipment_response(analysis, None)
    assert "Summary" not in response
    assert response["EquipmentModel"].startswith("ppe-yolov8: looks for FACE_COVER, HAND_COVER, HEAD_COVER")


def test_a_misconfigured_equipment_model_is_refused_clearly(tmp_path: Path) -> None:
    path = build_fixed_yolov8_model(tmp_path / "ppe.onnx", [], len(CLASSES), 640, 480)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        EquipmentDetector(tmp_path / "missing.onnx", "yolov8", CLASS_MAP, CLASSES)
    with pytest.raises(ValueError, match="unknown equipment type 'VEST'"):
        EquipmentDetector(path, "yolov8", {"vest": "VEST"}, CLASSES)
    with pytest.raises(ValueError, match="does not have: boots"):
        EquipmentDetector(path, "yolov8", {"boots": "HAND_COVER"}, CLASSES)
    with pytest.raises(ValueError, match="expected 4 \\+ 3 rows"):
        EquipmentDetector(path, "yolov8", CLASS_MAP)  # 3 classes named, the model has 4


def test_an_unusable_model_is_named_in_the_response() -> None:
    analysis = ProtectiveEquipmentAnalysis(
        [], "v", None, equipment_model_problem="VIDREK_PPE_MODEL x.onnx: bad"
    )
    note = protective_equipment_response(analysis, None)["EquipmentModel"]
    assert note == "none: the configured model could not be used (VIDREK_PPE_MODEL x.onnx: bad)"
