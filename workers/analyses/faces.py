"""Face detection on video: sampled frames -> MTCNN (+ attribute models with ALL) -> Faces items."""

from __future__ import annotations

from typing import Any

from pipelines.decoding import sample_frames
from pipelines.face_results import face_detail
from pipelines.faces.analysis import analyse_faces
from pipelines.prefetch import prefetched
from workers.analyses import AnalysisInput, AnalysisResult
from workers.operations import DEFAULT_VIEW


def analyse_faces_in_video(inp: AnalysisInput) -> AnalysisResult:
    settings = inp.settings
    attributes = inp.request.get("FaceAttributes", "DEFAULT")
    detector = inp.models.face_detector()
    attribute_model = inp.models.attribute_model_for(attributes)
    frames = sample_frames(
        inp.video_path,
        interval_ms=1000.0 / settings.face_sample_fps,
        max_side=settings.face_max_side,
        on_progress=inp.progress,
        damage=inp.damage,
    )
    items: list[dict[str, Any]] = []
    for frame in prefetched(frames):
        for face in analyse_faces(frame.image, detector, attribute_model):
            items.append({"Timestamp": frame.timestamp_ms, "Face": face_detail(face, attributes)})
    return AnalysisResult(views={DEFAULT_VIEW: items})
