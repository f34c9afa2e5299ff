"""Label detection: sampled frames -> object detector -> LabelAggregator -> Rekognition label views."""

from __future__ import annotations

from pipelines.decoding import sample_frames
from pipelines.detection import Detection
from pipelines.label_results import ordered_views
from pipelines.labels import LabelAggregator
from pipelines.prefetch import prefetched
from pipelines.taxonomy import LabelFilter, LabelTaxonomy
from workers.analyses import AnalysisInput, AnalysisResult

DEFAULT_MIN_CONFIDENCE = 50.0


def analyse_labels(inp: AnalysisInput) -> AnalysisResult:
    settings = inp.settings
    detector = inp.models.label_detector()
    calibration = inp.models.label_calibration()
    interval_ms = 1000.0 / settings.label_sample_fps
    aggregator = LabelAggregator(LabelTaxonomy.load_default(), sample_interval_ms=interval_ms)

    def confidence_of(detection: Detection) -> float:
        return calibration.confidence(detection.label, detection.score)

    frames = sample_frames(
        inp.video_path,
        interval_ms=interval_ms,
        max_side=max(512, settings.detector_input_size),
        on_progress=inp.progress,
    )
    for frame in prefetched(frames):
        aggregator.add_frame(frame.timestamp_ms, detector.detect(frame.image), confidence_of)

    min_confidence = float(inp.request.get("MinConfidence", DEFAULT_MIN_CONFIDENCE))
    label_filter = LabelFilter.from_general_labels_settings(
        (inp.request.get("Settings") or {}).get("GeneralLabels")
    )
    views = ordered_views(
        aggregator.observations(min_confidence, label_filter),
        aggregator.segments(min_confidence, label_filter),
    )
    return AnalysisResult(views=views, response_members={"LabelModelVersion": detector.model_version})
