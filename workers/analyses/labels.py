"""Label detection: sampled frames -> object detector (every sampled frame) and image-level models with
the classifier's check of the detector's animals (at ``VIDREK_LABEL_CLASSIFIER_FPS``, their results held
in between) -> LabelAggregator -> Rekognition label views."""

from __future__ import annotations

from pipelines.classification.crop_check import HeldContradictions
from pipelines.decoding import sample_frames
from pipelines.detection import Detection, RGBImage
from pipelines.image_level_schedule import ImageLevelSchedule
from pipelines.label_results import ordered_views
from pipelines.labels import LabelAggregator
from pipelines.prefetch import prefetched
from pipelines.taxonomy import LabelFilter
from workers.analyses import AnalysisInput, AnalysisResult

DEFAULT_MIN_CONFIDENCE = 50.0


def analyse_labels(inp: AnalysisInput) -> AnalysisResult:
    settings = inp.settings
    image_level_on = settings.label_classifier_fps > 0
    labeller = inp.models.frame_labeller(image_level=image_level_on)
    interval_ms = 1000.0 / settings.label_sample_fps
    aggregator = LabelAggregator(labeller.taxonomy, sample_interval_ms=interval_ms)
    schedule = (
        ImageLevelSchedule(1000.0 / settings.label_classifier_fps, tolerance_ms=interval_ms / 2)
        if image_level_on
        else None
    )

    frames = sample_frames(
        inp.video_path,
        interval_ms=interval_ms,
        max_side=max(512, settings.detector_input_size),
        on_progress=inp.progress,
        damage=inp.damage,
    )
    held = HeldContradictions()
    for frame in prefetched(frames):
        detections = labeller.detector.detect(frame.image)
        image_level = None
        if schedule is not None:

            def run(image: RGBImage = frame.image, found: list[Detection] = detections) -> dict[str, float]:
                held.hold(labeller.contradicted(image, found))
                return labeller.image_level(image)

            image_level = schedule.labels_at(frame.timestamp_ms, run)
        aggregator.add_frame(frame.timestamp_ms, held.keep(detections), labeller.confidence_of, image_level)

    min_confidence = float(inp.request.get("MinConfidence", DEFAULT_MIN_CONFIDENCE))
    label_filter = LabelFilter.from_general_labels_settings(
        (inp.request.get("Settings") or {}).get("GeneralLabels")
    )
    views = ordered_views(
        aggregator.observations(min_confidence, label_filter),
        aggregator.segments(min_confidence, label_filter),
    )
    return AnalysisResult(views=views, response_members={"LabelModelVersion": labeller.model_version})
