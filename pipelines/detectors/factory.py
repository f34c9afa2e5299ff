"""Build the configured object detector from vidrek's detector settings."""

from __future__ import annotations

from pathlib import Path

from pipelines.detection import ObjectDetector
from pipelines.detectors.centernet import CenterNetDetector
from pipelines.detectors.coco import read_class_names
from pipelines.detectors.yolo import YoloDetector
from pipelines.models.registry import model_path


def create_detector(
    kind_or_path: str,
    model_dir: Path,
    *,
    layout: str,
    classes_file: Path | None,
    input_size: int,
    threads: int,
    min_score: float,
) -> ObjectDetector:
    """``"centernet"`` -> the built CenterNet model (verified against the manifest; ``layout``,
    ``classes_file`` and ``input_size`` are ignored); a path ending in ``.onnx`` -> ``YoloDetector``.

    Raises ``ModelNotBuiltError`` / ``ModelChecksumError`` for the built model, ``FileNotFoundError``
    for a missing user ONNX, ``ValueError`` for anything else.
    """
    if kind_or_path == "centernet":
        return CenterNetDetector(model_path("centernet", model_dir), threads, min_score)
    if kind_or_path.lower().endswith(".onnx"):
        path = Path(kind_or_path).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"detector model {path} does not exist")
        names = read_class_names(str(classes_file) if classes_file is not None else None)
        return YoloDetector(path, layout, names, input_size, threads, min_score)
    raise ValueError(f"unknown detector {kind_or_path!r}: expected 'centernet' or a path to an .onnx file")
