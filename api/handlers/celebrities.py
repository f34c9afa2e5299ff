"""RecognizeCelebrities and GetCelebrityInfo: the operator's gallery (:mod:`workers.celebrity_gallery`).

StartCelebrityRecognition / GetCelebrityRecognition are generic video jobs (``workers/operations.py``,
analysis in :mod:`workers.analyses.celebrities`).
"""

from __future__ import annotations

from typing import Any

from api.context import ServiceContext
from api.errors import ResourceNotFoundException
from api.handlers import Handler
from api.images import load_image
from pipelines.celebrities.matching import match_faces
from pipelines.celebrities.types import RecognizedFace
from pipelines.celebrity_results import celebrity_info_json, recognize_celebrities_json
from pipelines.faces.analysis import analyse_faces

#: RecognizeCelebrities looks at the 64 largest faces of an image, as Rekognition documents.
MAX_FACES = 64

def recognize_celebrities(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    image = load_image(ctx, params["Image"])
    settings = ctx.settings
    faces = analyse_faces(image.rgb, ctx.models.face_detector(), ctx.models.attribute_model())
    if len(faces) > MAX_FACES:
        largest = {id(f) for f in sorted(faces, key=lambda f: -f.detection.box.area)[:MAX_FACES]}
        faces = [face for face in faces if id(face) in largest]
    vectors = ctx.models.face_embedder().embed_all(image.rgb, [face.detection.box for face in faces])
    gallery = ctx.stores.celebrities.snapshot()
    matches = match_faces(vectors, gallery.index, gallery.people, settings.celebrity_match_threshold)
    recognised = [RecognizedFace(face, match) for face, match in zip(faces, matches, strict=True)]
    # OrientationCorrection is left out: the EXIF orientation is already applied to the boxes.
    return recognize_celebrities_json(recognised)


def get_celebrity_info(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    person = ctx.stores.celebrities.get(params["Id"])
    if person is None:
        raise ResourceNotFoundException(f"The celebrity {params['Id']} is not in the gallery.")
    return celebrity_info_json(person.celebrity)


HANDLERS: dict[str, Handler] = {
    "RecognizeCelebrities": recognize_celebrities,
    "GetCelebrityInfo": get_celebrity_info,
}
