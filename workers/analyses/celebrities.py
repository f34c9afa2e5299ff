"""Celebrity recognition on video: sampled frames -> faces (MTCNN) + people (MoveNet) -> each face's
descriptor (dlib) matched against the gallery -> ``Celebrities`` views (TIMESTAMP and ID orderings).

The gallery is read once when the job starts (a snapshot: people added while it runs are not looked for).
A recognised face carried by a person MoveNet sees (:func:`pipelines.persons.faces.assign_faces`) gets
that body's box as ``Celebrity.BoundingBox``; otherwise the member is left out.
"""

from __future__ import annotations

from pipelines.celebrities.matching import match_faces
from pipelines.celebrities.types import CelebritySighting
from pipelines.celebrity_results import ordered_views
from pipelines.decoding import sample_frames
from pipelines.faces.analysis import analyse_faces
from pipelines.geometry import BoundingBox
from pipelines.persons.faces import assign_faces
from pipelines.prefetch import prefetched
from workers.analyses import AnalysisInput, AnalysisResult


def analyse_celebrities(inp: AnalysisInput) -> AnalysisResult:
    settings = inp.settings
    gallery = inp.stores.celebrities.snapshot()
    face_detector = inp.models.face_detector()
    person_detector = inp.models.person_detector()
    embedder = inp.models.face_embedder()
    frames = sample_frames(
        inp.video_path,
        interval_ms=1000.0 / settings.celebrity_sample_fps,
        max_side=settings.face_max_side,
        on_progress=inp.progress,
        damage=inp.damage,
    )
    sightings: list[CelebritySighting] = []
    for frame in prefetched(frames):
        faces = analyse_faces(frame.image, face_detector)
        if not faces or not len(gallery.index):
            continue
        vectors = embedder.embed_all(frame.image, [face.detection.box for face in faces])
        matches = match_faces(vectors, gallery.index, gallery.people, settings.celebrity_match_threshold)
        if not any(matches):
            continue
        people = person_detector.detect(frame.image)
        bodies: dict[int, BoundingBox] = {
            id(face): person.box
            for person, face in zip(people, assign_faces(people, faces), strict=True)
            if face is not None
        }
        sightings += [
            CelebritySighting(frame.timestamp_ms, face, match, bodies.get(id(face)))
            for face, match in zip(faces, matches, strict=True)
            if match is not None
        ]
    return AnalysisResult(views=ordered_views(sightings))
