"""DetectProtectiveEquipment: persons, body parts and (with a configured model) equipment in one image."""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any

from api.context import ServiceContext
from api.errors import InvalidParameterException
from api.handlers import Handler
from api.images import load_image
from pipelines.models.registry import model_path
from pipelines.persons.movenet import MoveNetPersonDetector
from pipelines.protective_equipment.analysis import EquipmentAnalysisSettings, ProtectiveEquipmentAnalyser
from pipelines.protective_equipment.equipment import EquipmentDetector
from pipelines.protective_equipment.summary import summarize
from pipelines.protective_equipment.types import EQUIPMENT_TYPES, EquipmentType
from pipelines.protective_equipment_results import protective_equipment_response
from workers.analyses.labels import label_calibration, label_detector
from workers.settings import Settings

log = logging.getLogger(__name__)


@functools.lru_cache(maxsize=2)
def _pose_detector(model_dir: Path, threads: int) -> MoveNetPersonDetector:
    # min_score 0.1: the crop's pose is chosen by overlap with the person box, not by MoveNet's score.
    return MoveNetPersonDetector(model_path("movenet-multipose", model_dir), threads, min_score=0.1)


@functools.lru_cache(maxsize=2)
def _equipment_detector(
    path: str,
    layout: str,
    classes: tuple[str, ...],
    class_map: tuple[tuple[str, str], ...],
    size: int,
    threads: int,
    min_score: float,
) -> tuple[EquipmentDetector | None, str]:
    """(detector, problem): ``(None, "")`` without a configured model, ``(None, why)`` if it fails."""
    if not path:
        return None, ""
    try:
        detector = EquipmentDetector(
            Path(path),
            layout,
            dict(class_map),
            classes,
            input_size=size,
            threads=threads,
            min_score=min_score,
        )
    except Exception as err:  # any load failure of a user's model is reported, not raised
        log.error("VIDREK_PPE_MODEL %s is unusable: %s", path, err)
        return None, f"VIDREK_PPE_MODEL {path}: {err}"
    return detector, ""


def _analyser(settings: Settings) -> ProtectiveEquipmentAnalyser:
    detector = label_detector(settings)
    equipment, problem = _equipment_detector(
        settings.ppe_model,
        settings.ppe_model_layout,
        tuple(settings.ppe_model_classes),
        tuple(settings.ppe_class_map.items()),
        settings.ppe_model_input_size,
        settings.onnx_threads,
        settings.ppe_model_min_score,
    )
    return ProtectiveEquipmentAnalyser(
        detector,
        label_calibration(settings),
        _pose_detector(settings.model_dir, settings.onnx_threads),
        equipment,
        EquipmentAnalysisSettings(
            person_min_confidence=settings.ppe_person_min_confidence,
            keypoint_min_score=settings.ppe_keypoint_min_score,
            cover_threshold=settings.ppe_cover_threshold,
        ),
        equipment_model_problem=problem,
    )


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
    analyser = _analyser(ctx.settings)
    analysis = analyser.analyse(image.rgb)
    summary = None
    if attributes is not None and required is not None:
        summary = summarize(
            analysis.persons, required, analysis.equipment_model, float(attributes["MinConfidence"])
        )
    return protective_equipment_response(analysis, summary)


HANDLERS: dict[str, Handler] = {"DetectProtectiveEquipment": detect_protective_equipment}
