"""DetectProtectiveEquipment on one image: persons -> keypoints -> body parts -> equipment -> coverage.

1. **Persons**: the COCO object detector's ``person`` boxes with calibrated confidence >= the person
   floor (``VIDREK_PPE_PERSON_MIN_CONFIDENCE``), at most 15 (Rekognition's limit), most confident
   first; ``Id`` = rank (0 = most confident).
2. **Keypoints**: MoveNet on a crop around each person (:mod:`.poses`); persons under
   ``MIN_POSE_HEIGHT_PX`` pixels tall get no keypoints (MoveNet finds nothing useful below that).
3. **Body parts** from the keypoints (:mod:`.body_parts`).
4. **Person box**: the detector's box, grown to contain the FACE region (the detector sometimes cuts
   the top of the head: Biden in faces/two_people.jpg, box top at 0.22 of the image, face top 0.07).
5. **Equipment** (only with a configured model, :mod:`.equipment`) assigned to body parts with
   CoversBodyPart (:mod:`.coverage`).
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.calibration import ScoreCalibration
from pipelines.detection import ObjectDetector, RGBImage
from pipelines.geometry import BoundingBox
from pipelines.persons.detection import PersonDetector
from pipelines.protective_equipment.body_parts import body_part_regions
from pipelines.protective_equipment.coverage import assign_equipment
from pipelines.protective_equipment.equipment import EquipmentDetector
from pipelines.protective_equipment.poses import person_keypoints
from pipelines.protective_equipment.types import (
    BodyPart,
    BodyPartRegion,
    EquipmentPerson,
    ProtectiveEquipmentAnalysis,
)

PERSON_CLASS = "person"
#: DetectProtectiveEquipment reports at most this many persons (Rekognition's documented limit).
MAX_PERSONS = 15
#: Persons shorter than this (pixels) get no keypoints and so no body parts.
MIN_POSE_HEIGHT_PX = 32


@dataclass(frozen=True)
class EquipmentAnalysisSettings:
    """Knobs (see ``workers/settings.py`` VIDREK_PPE_*): person floor (percent), keypoint floor (0..1),
    coverage threshold (0..1)."""

    person_min_confidence: float = 50.0
    keypoint_min_score: float = 0.3
    cover_threshold: float = 0.5


def _grow_to_face(box: BoundingBox, regions: list[BodyPartRegion]) -> BoundingBox:
    face = next((r.box for r in regions if r.name == "FACE"), None)
    if face is None:
        return box
    return BoundingBox.from_corners(
        min(box.left, face.left),
        min(box.top, face.top),
        max(box.right, face.right),
        max(box.bottom, face.bottom),
    )


class ProtectiveEquipmentAnalyser:
    """Holds the models; :meth:`analyse` is safe to call from several threads (onnxruntime sessions)."""

    def __init__(
        self,
        person_detector: ObjectDetector,
        calibration: ScoreCalibration,
        pose_detector: PersonDetector,
        equipment_detector: EquipmentDetector | None,
        settings: EquipmentAnalysisSettings | None = None,
        *,
        equipment_model_problem: str = "",
    ) -> None:
        self.person_detector = person_detector
        self.calibration = calibration
        self.pose_detector = pose_detector
        self.equipment_detector = equipment_detector
        self.settings = settings or EquipmentAnalysisSettings()
        self.equipment_model_problem = equipment_model_problem
        equipment = equipment_detector.info.version if equipment_detector else "no-equipment-model"
        self.model_version = f"{person_detector.model_version}+{pose_detector.model_version}+{equipment}"

    def analyse(self, image: RGBImage) -> ProtectiveEquipmentAnalysis:
        height, width = image.shape[:2]
        knobs = self.settings
        people = []
        for det in self.person_detector.detect(image):
            if det.label != PERSON_CLASS:
                continue
            confidence = self.calibration.confidence(det.label, det.score)
            if confidence >= knobs.person_min_confidence:
                people.append((confidence, det.box))
        people.sort(key=lambda p: -p[0])
        people = people[:MAX_PERSONS]
        posed = [i for i, (_, box) in enumerate(people) if box.height * height >= MIN_POSE_HEIGHT_PX]
        poses = person_keypoints(image, [people[i][1] for i in posed], self.pose_detector)
        keypoints_of = dict(zip(posed, poses, strict=True))
        persons: list[EquipmentPerson] = []
        for index, (confidence, box) in enumerate(people):
            keypoints = keypoints_of.get(index)
            person = EquipmentPerson(id=index, box=box, confidence=confidence)
            if keypoints is not None:
                regions = body_part_regions(keypoints, box, width, height, min_score=knobs.keypoint_min_score)
                person.box = _grow_to_face(box, regions)
                person.body_parts = [BodyPart(region) for region in regions]
            persons.append(person)
        if self.equipment_detector is not None:
            items = self.equipment_detector.detect(image)
            assign_equipment(persons, items, threshold=knobs.cover_threshold)
        return ProtectiveEquipmentAnalysis(
            persons=persons,
            model_version=self.model_version,
            equipment_model=self.equipment_detector.info if self.equipment_detector else None,
            equipment_model_problem=self.equipment_model_problem,
        )
