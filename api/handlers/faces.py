"""DetectFaces: faces of one image (bytes or S3), with DEFAULT or ALL attributes."""

from __future__ import annotations

from typing import Any

from api.context import ServiceContext
from api.handlers import Handler
from api.images import load_image
from pipelines.face_results import face_detail
from pipelines.faces.analysis import analyse_faces

#: DetectFaces reports the 100 largest faces of an image, as Rekognition documents.
MAX_FACES = 100


def detect_faces(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    image = load_image(ctx, params["Image"])
    attributes = params.get("Attributes") or ["DEFAULT"]
    faces = analyse_faces(image.rgb, ctx.models.face_detector(), ctx.models.attribute_model_for(attributes))
    if len(faces) > MAX_FACES:
        largest = sorted(faces, key=lambda face: -face.detection.box.area)[:MAX_FACES]
        faces = [face for face in faces if face in largest]
    # OrientationCorrection is left out: the EXIF orientation is already applied to the boxes.
    return {"FaceDetails": [face_detail(face, attributes) for face in faces]}


HANDLERS: dict[str, Handler] = {"DetectFaces": detect_faces}
