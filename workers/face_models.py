"""The face models of this process, built from the settings (each loaded once per process)."""

from __future__ import annotations

from collections.abc import Collection

from pipelines.face_results import requested_attributes
from pipelines.faces.attributes import FaceAttributeModel, default_attribute_model
from pipelines.faces.detection import FaceDetector, default_face_detector
from workers.settings import Settings


def face_detector_for(settings: Settings) -> FaceDetector:
    """MTCNN with the ``VIDREK_FACE_*`` settings."""
    return default_face_detector(
        settings.model_dir,
        settings.onnx_threads,
        settings.face_min_face_px,
        settings.face_max_side,
        settings.face_detection_threshold,
    )


def attribute_model_for(
    settings: Settings, attributes: str | Collection[str] | None
) -> FaceAttributeModel | None:
    """The age/gender/emotion/facemesh models when ``attributes`` asks for ALL, else None."""
    if not requested_attributes(attributes):
        return None
    return default_attribute_model(settings.model_dir, settings.onnx_threads)
