"""The equipment detector: a user-supplied YOLO-style ONNX model whose classes map to equipment types.

No registry package ships a protective-equipment model, so vidrek accepts one by setting
(``VIDREK_PPE_MODEL``, ``VIDREK_PPE_MODEL_LAYOUT``, ``VIDREK_PPE_MODEL_CLASSES``, ``VIDREK_PPE_CLASS_MAP``).
Decoding is :class:`pipelines.detectors.yolo.YoloDetector`'s (yolov8 / yolox / yolox-raw layouts).
Classes absent from the class map (e.g. ``person``, ``vest``, ``no-helmet``) are ignored.
``confidence`` = raw model score x 100 (a user's model is not calibrated here).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from pipelines.detection import RGBImage
from pipelines.detectors.yolo import YoloDetector
from pipelines.protective_equipment.types import (
    EQUIPMENT_TYPES,
    EquipmentDetection,
    EquipmentModelInfo,
    EquipmentType,
)


def _equipment_type(name: str) -> EquipmentType:
    for known in EQUIPMENT_TYPES:
        if name == known:
            return known
    raise ValueError(f"unknown equipment type {name!r}; expected one of {', '.join(EQUIPMENT_TYPES)}")


class EquipmentDetector:
    """Finds equipment items; thread-safe as onnxruntime sessions are."""

    def __init__(
        self,
        model_path: Path,
        layout: str,
        class_map: Mapping[str, str],
        class_names: Sequence[str] = (),
        *,
        input_size: int = 640,
        threads: int = 2,
        min_score: float = 0.25,
    ) -> None:
        if not class_map:
            raise ValueError("the class map is empty: map at least one model class to an equipment type")
        names = tuple(class_names) or tuple(class_map)
        missing = sorted(set(class_map) - set(names))
        if missing:
            raise ValueError(f"class map names classes the model does not have: {', '.join(missing)}")
        self.class_map: dict[str, EquipmentType] = {k: _equipment_type(v) for k, v in class_map.items()}
        path = Path(model_path).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"equipment model {path} does not exist")
        self._detector = YoloDetector(path, layout, names, input_size, threads, min_score)
        # One run on a blank picture: a layout or class count that does not fit the model fails here,
        # at load time, with the decoder's message, not on a user's request.
        self._detector.detect(np.zeros((64, 64, 3), dtype=np.uint8))
        self.info = EquipmentModelInfo(
            version=self._detector.model_version, types=frozenset(self.class_map.values())
        )

    def detect(self, image: RGBImage) -> list[EquipmentDetection]:
        found = []
        for det in self._detector.detect(image):
            kind = self.class_map.get(det.label)
            if kind is not None:
                found.append(EquipmentDetection(kind, det.box, 100.0 * det.score))
        return found
