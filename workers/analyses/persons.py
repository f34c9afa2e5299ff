"""Person tracking: sampled frames -> MoveNet MultiPose (+ MTCNN faces) -> Norfair -> ``Persons`` views."""

from __future__ import annotations

from pipelines.decoding import sample_frames
from pipelines.person_results import ordered_views
from pipelines.persons.faces import faces_of_people
from pipelines.persons.tracking import PersonTracker, TrackingParameters
from pipelines.prefetch import prefetched
from workers.analyses import AnalysisInput, AnalysisResult
from workers.settings import Settings

#: Longest side of the decoded frames: MoveNet sees a 256x256 letterbox, the appearance embedding uses
#: the decoded frame, so 640 keeps small people's clothes readable at little decoding cost.
MAX_SIDE = 640


def tracking_parameters(settings: Settings) -> TrackingParameters:
    return TrackingParameters(
        sample_interval_ms=1000.0 / settings.person_sample_fps,
        max_gap_ms=settings.person_max_gap_ms,
        confirm_ms=settings.person_confirm_ms,
        reid_window_ms=settings.person_reid_window_ms,
        reid_threshold=settings.person_reid_threshold,
    )


def analyse_persons(inp: AnalysisInput) -> AnalysisResult:
    settings = inp.settings
    detector = inp.models.person_detector()
    params = tracking_parameters(settings)
    tracker = PersonTracker(params)
    frames = sample_frames(
        inp.video_path,
        interval_ms=params.sample_interval_ms,
        max_side=MAX_SIDE,
        on_progress=inp.progress,
        damage=inp.damage,
    )
    face_detector = inp.models.face_detector() if settings.person_faces else None
    for frame in prefetched(frames):
        people = detector.detect(frame.image)
        faces = None
        if face_detector is not None and people:
            faces = faces_of_people(frame.image, people, face_detector)
        tracker.add_frame(frame.timestamp_ms, frame.image, people, faces)
    return AnalysisResult(views=ordered_views(tracker.observations()))
