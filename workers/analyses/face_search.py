"""Face search on video: sampled frames -> people (MoveNet) + faces (MTCNN) -> person tracking (Norfair)
-> each tracked person's face described (dlib) and matched against the collection -> ``Persons`` views.

``Person.Index`` comes from person tracking (:mod:`pipelines.persons.tracking`, the same tracker as
StartPersonTracking), and ``Person.BoundingBox`` is the tracked body's box. A face that no tracked body
carries (a close-up in which MoveNet sees no person, a face on a poster) is tracked by face alone
(:class:`pipelines.faces.tracks.FaceTracker`, boxes + descriptors) and gets an index after the tracked
people's, without ``Person.BoundingBox``. Only sightings with at least one match at or above
``FaceMatchThreshold`` are returned, as Rekognition documents ("persons ... whose face(s) match").
"""

from __future__ import annotations

import dataclasses

from pipelines.decoding import sample_frames
from pipelines.face_search_results import PersonSighting, ordered_views
from pipelines.faces.analysis import analyse_faces
from pipelines.faces.embedding import FaceVector
from pipelines.faces.search import FaceVectorIndex, VectorMatch
from pipelines.faces.similarity import DEFAULT_THRESHOLD
from pipelines.faces.tracks import FaceTracker
from pipelines.faces.types import FaceAnalysis
from pipelines.geometry import BoundingBox
from pipelines.persons.faces import assign_faces
from pipelines.persons.tracking import PersonTracker
from pipelines.prefetch import prefetched
from workers.analyses import AnalysisError, AnalysisInput, AnalysisResult
from workers.analyses.persons import tracking_parameters
from workers.collections import CollectionNotFound, CollectionStore

#: Collection faces reported per person and frame (best first).
MAX_MATCHES_PER_FACE = 10


@dataclasses.dataclass(frozen=True)
class _LoneFace:
    timestamp_ms: int
    face: FaceAnalysis
    index: int


def analyse_face_search(inp: AnalysisInput) -> AnalysisResult:
    settings = inp.settings
    collection_id = inp.request["CollectionId"]
    threshold = float(inp.request.get("FaceMatchThreshold", DEFAULT_THRESHOLD))
    store = inp.stores.collections
    try:
        # A snapshot: faces indexed while the job runs are not searched.
        index = store.vector_index(collection_id)
    except CollectionNotFound as err:
        raise AnalysisError(f"{err} It was deleted after StartFaceSearch.") from err
    face_detector = inp.models.face_detector()
    person_detector = inp.models.person_detector()
    embedder = inp.models.face_embedder()
    interval_ms = 1000.0 / settings.face_search_sample_fps
    persons = PersonTracker(
        dataclasses.replace(tracking_parameters(settings), sample_interval_ms=interval_ms)
    )
    lone_tracker = FaceTracker(max_gap_ms=settings.face_track_max_gap_ms)
    vectors: dict[int, FaceVector] = {}  # id(FaceAnalysis) -> descriptor
    lone_faces: list[_LoneFace] = []

    frames = sample_frames(
        inp.video_path,
        interval_ms=interval_ms,
        max_side=settings.face_max_side,
        on_progress=inp.progress,
        damage=inp.damage,
    )
    for frame in prefetched(frames):
        faces = analyse_faces(frame.image, face_detector)
        people = person_detector.detect(frame.image)
        frame_vectors = embedder.embed_all(frame.image, [face.detection.box for face in faces])
        for face, vector in zip(faces, frame_vectors, strict=True):
            vectors[id(face)] = vector
        carried = assign_faces(people, faces) if people else []
        persons.add_frame(frame.timestamp_ms, frame.image, people, carried)
        carried_ids = {id(face) for face in carried if face is not None}
        lone = [face for face in faces if id(face) not in carried_ids]
        if lone:
            indices = lone_tracker.assign(
                frame.timestamp_ms, [f.detection.box for f in lone], [vectors[id(f)] for f in lone]
            )
            lone_faces += [_LoneFace(frame.timestamp_ms, f, i) for f, i in zip(lone, indices, strict=True)]

    # Faces of tracks that were never confirmed (one-frame people) are searched as lone faces.
    observations = [o for o in persons.observations() if o.face is not None]
    tracked_ids = {id(o.face) for o in observations}
    first_lone_index = 1 + max((o.index for o in persons.observations()), default=-1)
    raw: list[tuple[int, int, FaceAnalysis, BoundingBox | None]] = [
        (o.timestamp_ms, o.index, o.face, o.box) for o in observations if o.face is not None
    ]
    raw += [
        (lone.timestamp_ms, first_lone_index + lone.index, lone.face, None)
        for lone in lone_faces
        if id(lone.face) not in tracked_ids
    ]
    sightings = _matched_sightings(store, collection_id, index, threshold, raw, vectors)
    return AnalysisResult(views=ordered_views(_dense_indices(sightings)))


def _matched_sightings(
    store: CollectionStore,
    collection_id: str,
    index: FaceVectorIndex,
    threshold: float,
    raw: list[tuple[int, int, FaceAnalysis, BoundingBox | None]],
    vectors: dict[int, FaceVector],
) -> list[PersonSighting]:
    found: list[tuple[int, int, FaceAnalysis, BoundingBox | None, list[VectorMatch]]] = []
    for timestamp, person, face, box in raw:
        matches = index.search(vectors[id(face)], threshold=threshold, max_faces=MAX_MATCHES_PER_FACE)
        if matches:
            found.append((timestamp, person, face, box, matches))
    stored = store.faces(collection_id, sorted({m.face_id for *_, matches in found for m in matches}))
    sightings = [
        PersonSighting(
            timestamp_ms=timestamp,
            person_index=person,
            face=face,
            matches=[(stored[m.face_id], m.similarity) for m in matches if m.face_id in stored],
            person_box=box,
        )
        for timestamp, person, face, box, matches in found
    ]
    return [s for s in sightings if s.matches]


def _dense_indices(sightings: list[PersonSighting]) -> list[PersonSighting]:
    """Renumber persons 0, 1, 2 ... in order of their first matched sighting."""
    order: dict[int, int] = {}
    for sighting in sorted(sightings, key=lambda s: (s.timestamp_ms, s.person_index)):
        order.setdefault(sighting.person_index, len(order))
    return [dataclasses.replace(s, person_index=order[s.person_index]) for s in sightings]
