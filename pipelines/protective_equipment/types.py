"""The canonical types of protective-equipment analysis (converted to Rekognition JSON in one place,
:mod:`pipelines.protective_equipment_results`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pipelines.geometry import BoundingBox

BodyPartName = Literal["FACE", "HEAD", "LEFT_HAND", "RIGHT_HAND"]
EquipmentType = Literal["FACE_COVER", "HAND_COVER", "HEAD_COVER"]

BODY_PARTS: tuple[BodyPartName, ...] = ("FACE", "HEAD", "LEFT_HAND", "RIGHT_HAND")
EQUIPMENT_TYPES: tuple[EquipmentType, ...] = ("FACE_COVER", "HAND_COVER", "HEAD_COVER")

#: Which body parts each equipment type covers (a HAND_COVER is judged on each hand).
COVERED_PARTS: dict[EquipmentType, tuple[BodyPartName, ...]] = {
    "FACE_COVER": ("FACE",),
    "HEAD_COVER": ("HEAD",),
    "HAND_COVER": ("LEFT_HAND", "RIGHT_HAND"),
}


@dataclass(frozen=True, slots=True)
class BodyPartRegion:
    """Where a body part is, estimated from body keypoints (see :mod:`.body_parts`).

    ``box``: ratios of the image; ``confidence``: percent 0..100 (from keypoint scores, not calibrated).
    """

    name: BodyPartName
    box: BoundingBox
    confidence: float


@dataclass(frozen=True, slots=True)
class EquipmentDetection:
    """One item of equipment found by the equipment model: ``confidence`` = raw score x 100."""

    type: EquipmentType
    box: BoundingBox
    confidence: float


@dataclass(frozen=True, slots=True)
class Coverage:
    """Whether an equipment item covers the body part it was assigned to (see :mod:`.coverage`).

    ``ratio``: fraction of the body part region inside the equipment box (0..1).
    """

    value: bool
    confidence: float
    ratio: float


@dataclass(frozen=True, slots=True)
class WornEquipment:
    detection: EquipmentDetection
    coverage: Coverage


@dataclass
class BodyPart:
    region: BodyPartRegion
    equipment: list[WornEquipment] = field(default_factory=list)


@dataclass
class EquipmentPerson:
    """One person: ``id`` dense from 0, ``box`` ratios, ``confidence`` percent (calibrated detector)."""

    id: int
    box: BoundingBox
    confidence: float
    body_parts: list[BodyPart] = field(default_factory=list)

    def part(self, name: BodyPartName) -> BodyPart | None:
        return next((p for p in self.body_parts if p.region.name == name), None)


@dataclass(frozen=True)
class EquipmentModelInfo:
    """What equipment model looked at the image: ``None`` for no model; ``types`` it can detect."""

    version: str
    types: frozenset[EquipmentType]


@dataclass
class ProtectiveEquipmentAnalysis:
    """The result for one image. ``equipment_model`` is ``None`` when no equipment model is configured
    (or it could not be loaded: ``equipment_model_problem`` says why)."""

    persons: list[EquipmentPerson]
    model_version: str
    equipment_model: EquipmentModelInfo | None
    equipment_model_problem: str = ""
