"""Content moderation: sampled frames -> moderation models -> taxonomy labels -> Rekognition views."""

from __future__ import annotations

from pipelines.decoding import sample_frames
from pipelines.moderation.timeline import ModerationObservation, merge_segments
from pipelines.moderation_results import ordered_views
from workers.analyses import AnalysisInput, AnalysisResult

#: Rekognition's default MinConfidence for content moderation, percent.
DEFAULT_MIN_CONFIDENCE = 50.0
#: Frames are scored at this size at most: open_nsfw sees 224x224 and NudeNet 320x320.
FRAME_MAX_SIDE = 640


def analyse_moderation(inp: AnalysisInput) -> AnalysisResult:
    settings = inp.settings
    scorer = inp.models.moderation_scorer()  # NudeNetUnavailable fails the job with its message
    min_confidence = float(inp.request.get("MinConfidence", DEFAULT_MIN_CONFIDENCE))
    interval_ms = 1000.0 / settings.moderation_sample_fps
    observations: list[ModerationObservation] = []
    frames = sample_frames(
        inp.video_path,
        interval_ms=interval_ms,
        max_side=FRAME_MAX_SIDE,
        on_progress=inp.progress,
        damage=inp.damage,
    )
    for frame in frames:
        for label in scorer.labels(frame.image):
            if label.confidence >= min_confidence:
                observations.append(ModerationObservation(frame.timestamp_ms, label))
    segments = merge_segments(observations, max_gap_ms=round(2.5 * interval_ms))
    return AnalysisResult(
        views=ordered_views(observations, segments),
        response_members={"ModerationModelVersion": scorer.model_version},
    )
