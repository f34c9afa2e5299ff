"""RecognizeCelebrities and GetCelebrityInfo: the operator's gallery (:mod:`workers.celebrity_gallery`).

StartCelebrityRecognition / GetCelebrityRecognition are generic video jobs (``workers/operations.py``,
analysis in :mod:`workers.analyses.celebrities`).
"""

from __future__ import annotations

import threading
from typing import Any

from api.context import ServiceContext
from api.errors import ResourceNotFoundException
from api.handlers import Handler
from api.images import load_image
from pipelines.celebrities.matching import match_faces
from pipelines.celebrities.types import RecognizedFace
from pipelines.celebrity_results import celebrity_info_json, recognize_celebrities_json
from pipelines.faces.analysis import analyse_faces
from pipelines.faces.attributes import default_attribute_model
from pipelines.faces.embedding import default_face_embedder
from workers.celebrity_gallery import CelebrityGallery
from workers.face_models import face_detector_for

#: RecognizeCelebrities looks at the 64 largest faces of an image, as Rekognition documents.
MAX_FACES = 64

_galleries: dict[int, CelebrityGallery] = {}
_galleries_lock = threading.Lock()


def celebrity_gallery(ctx: ServiceContext) -> CelebrityGallery:
    """The gallery on this context's Redis (one per process and client; it caches the descriptors)."""
    with _galleries_lock:
        gallery = _galleries.get(id(ctx.redis_client))
        if gallery is None:
            settings = ctx.settings
            gallery = CelebrityGallery(ctx.redis_client, settings.region, settings.celebrity_collection)
            _galleries[id(ctx.redis_client)] = gallery
        return gallery


def recognize_celebrities(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    image = load_image(ctx, params["Image"])
    settings = ctx.settings
    detector = face_detector_for(settings)
    faces = analyse_faces(
        image.rgb, detector, default_attribute_model(settings.model_dir, settings.onnx_threads)
    )
    if len(faces) > MAX_FACES:
        largest = {id(f) for f in sorted(faces, key=lambda f: -f.detection.box.area)[:MAX_FACES]}
        faces = [face for face in faces if id(face) in largest]
    vectors = default_face_embedder().embed_all(image.rgb, [face.detection.box for face in faces])
    gallery = celebrity_gallery(ctx).snapshot()
    matches = match_faces(vectors, gallery.index, gallery.people, settings.celebrity_match_threshold)
    recognised = [RecognizedFace(face, match) for face, match in zip(faces, matches, strict=True)]
    # OrientationCorrection is left out: the EXIF orientation is already applied to the boxes.
    return recognize_celebrities_json(recognised)


def get_celebrity_info(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    person = celebrity_gallery(ctx).get(params["Id"])
    if person is None:
        raise ResourceNotFoundException(f"The celebrity {params['Id']} is not in the gallery.")
    return celebrity_info_json(person.celebrity)


HANDLERS: dict[str, Handler] = {
    "RecognizeCelebrities": recognize_celebrities,
    "GetCelebrityInfo": get_celebrity_info,
}
