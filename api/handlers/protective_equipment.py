"""DetectProtectiveEquipment: persons, body parts and (with a configured model) equipment in one image."""

from __future__ import annotations

from typing import Any

from api.context import ServiceContext
from api.errors import InvalidParameterException
from api.handlers import Handler
from api.images import load_image
from pipelines.protective_equipment.summary import summarize
from pipelines.protective_equipment.types import EQUIPMENT_TYPES, EquipmentType
from pipelines.protective_equipment_results import protective_equipment_response


def _required_types(attributes: dict[str, Any]) -> list[EquipmentType]:
    names = attributes["RequiredEquipmentTypes"]
    if not names:
        raise InvalidParameterException(
            "SummarizationAttributes.RequiredEquipmentTypes must name at least one of "
            + ", ".join(EQUIPMENT_TYPES)
            + "."
        )
    return [t for t in EQUIPMENT_TYPES if t in names]


def detect_protective_equipment(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    attributes = params.get("SummarizationAttributes")
    required = _required_types(attributes) if attributes is not None else None
    image = load_image(ctx, params["Image"])
    analyser = ctx.models.equipment_analyser()
    analysis = analyser.analyse(image.rgb)
    summary = None
    if attributes is not None and required is not None:
        summary = summarize(
            analysis.persons, required, analysis.equipment_model, float(attributes["MinConfidence"])
        )
    return protective_equipment_response(analysis, summary)


HANDLERS: dict[str, Handler] = {"DetectProtectiveEquipment": detect_protective_equipment}
