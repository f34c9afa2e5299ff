"""DetectFaces: faces of one image (bytes or S3), with DEFAULT or ALL attributes."""

from __future__ import annotations

from typing import Any

from api.context import ServiceContext
from api.handlers import Handler
from api.images import load_image
from pipelines.face_results import face_detail, requested_attributes
from pipelines.faces.analysis import analyse_faces
from pipelines.faces.attributes import default_attribute_model
from pipelines.faces.detection import default_face_detector

#: DetectFaces reports the 100 largest faces of an image, as Rekognition documents.
MAX_FACES = 100


def detect_faces(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    image = load_image(ctx, params["Image"])
    settings = ctx.settings
    attributes = params.get("Attributes") or ["DEFAULT"]
    detector = default_face_detector(
        settings.model_dir,
        settings.onnx_threads,
        settings.face_min_face_px,
        settings.face_max_side,
        settings.face_detection_threshold,
    )
    attribute_model = (
        default_attribute_model(settings.model_dir, settings.onnx_threads)
        if requested_attributes(attributes)
        else None
    )
    faces = analyse_faces(image.rgb, detector, attribute_model)
    if len(faces) > MAX_FACES:
        largest = sorted(faces, key=lambda face: -face.detection.box.area)[:MAX_FACES]
        faces = [face for face in faces if face in largest]
    # OrientationCorrection is left out: the EXIF orientation is already applied to the boxes.
    return {"FaceDetails": [face_detail(face, attributes) for face in faces]}


HANDLERS: dict[str, Handler] = {"DetectFaces": detect_faces}
