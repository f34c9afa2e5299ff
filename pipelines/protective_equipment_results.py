"""The one converter from :class:`ProtectiveEquipmentAnalysis` to DetectProtectiveEquipment's response.

Body part regions are internal (Rekognition returns no box for a body part); equipment items carry
their own boxes. ``EquipmentModel`` is a vidrek extension member (botocore drops it; read it from the raw
body) saying which equipment model looked at the image, or that none did.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipelines.protective_equipment.summary import EquipmentSummary
from pipelines.protective_equipment.types import (
    BodyPart,
    EquipmentPerson,
    ProtectiveEquipmentAnalysis,
    WornEquipment,
)

NO_MODEL_NOTE = (
    "none: no protective-equipment model is configured (set VIDREK_PPE_MODEL to a YOLO-style ONNX "
    "detector and VIDREK_PPE_CLASS_MAP to map its classes to FACE_COVER/HAND_COVER/HEAD_COVER); persons "
    "and body parts are reported without equipment and every person is indeterminate in the Summary"
)


def equipment_model_note(analysis: ProtectiveEquipmentAnalysis) -> str:
    model = analysis.equipment_model
    if model is None:
        if analysis.equipment_model_problem:
            return f"none: the configured model could not be used ({analysis.equipment_model_problem})"
        return NO_MODEL_NOTE
    return f"{model.version}: looks for {', '.join(sorted(model.types))}"


def _equipment(worn: WornEquipment) -> dict[str, Any]:
    return {
        "BoundingBox": worn.detection.box.to_rekognition(),
        "Confidence": worn.detection.confidence,
        "Type": worn.detection.type,
        "CoversBodyPart": {"Confidence": worn.coverage.confidence, "Value": worn.coverage.value},
    }


def _body_part(part: BodyPart) -> dict[str, Any]:
    return {
        "Name": part.region.name,
        "Confidence": part.region.confidence,
        "EquipmentDetections": [_equipment(w) for w in part.equipment],
    }


def _person(person: EquipmentPerson) -> dict[str, Any]:
    return {
        "BodyParts": [_body_part(p) for p in person.body_parts],
        "BoundingBox": person.box.to_rekognition(),
        "Confidence": person.confidence,
        "Id": person.id,
    }


def protective_equipment_response(
    analysis: ProtectiveEquipmentAnalysis, summary: EquipmentSummary | None
) -> dict[str, Any]:
    response: dict[str, Any] = {
        "ProtectiveEquipmentModelVersion": analysis.model_version,
        "Persons": [_person(p) for p in analysis.persons],
        "EquipmentModel": equipment_model_note(analysis),
    }
    if summary is not None:
        response["Summary"] = {
            "PersonsWithRequiredEquipment": summary.with_equipment,
            "PersonsWithoutRequiredEquipment": summary.without_equipment,
            "PersonsIndeterminate": summary.indeterminate,
        }
    return response


def required_types(names: Sequence[str]) -> list[str]:
    """The distinct required types, in request order."""
    return list(dict.fromkeys(names))
