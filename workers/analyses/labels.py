"""Label detection: sampled frames -> object detector -> LabelAggregator -> Rekognition label views."""

from __future__ import annotations

import functools
from pathlib import Path

from pipelines.calibration import DEFAULT_CALIBRATION, IDENTITY_CALIBRATION, ScoreCalibration
from pipelines.decoding import sample_frames
from pipelines.detection import Detection, ObjectDetector
from pipelines.detectors.factory import create_detector
from pipelines.label_results import ordered_views
from pipelines.labels import LabelAggregator
from pipelines.prefetch import prefetched
from pipelines.taxonomy import LabelFilter, LabelTaxonomy
from workers.analyses import AnalysisInput, AnalysisResult
from workers.settings import Settings

DEFAULT_MIN_CONFIDENCE = 50.0


def label_detector(settings: Settings) -> ObjectDetector:
    """The worker process's detector, loaded once per distinct configuration."""
    return _cached_detector(
        settings.detector,
        settings.model_dir,
        settings.detector_layout,
        settings.detector_classes,
        settings.detector_input_size,
        settings.onnx_threads,
        settings.detector_min_score,
    )


@functools.lru_cache(maxsize=2)
def _cached_detector(
    kind: str,
    model_dir: Path,
    layout: str,
    classes_file: Path | None,
    input_size: int,
    threads: int,
    min_score: float,
) -> ObjectDetector:
    return create_detector(
        kind,
        model_dir,
        layout=layout,
        classes_file=classes_file,
        input_size=input_size,
        threads=threads,
        min_score=min_score,
    )


def label_calibration(settings: Settings) -> ScoreCalibration:
    """CenterNet's scores are calibrated on labelled media; a user's model reports its own scores."""
    return DEFAULT_CALIBRATION if settings.detector == "centernet" else IDENTITY_CALIBRATION


def analyse_labels(inp: AnalysisInput) -> AnalysisResult:
    settings = inp.settings
    detector = label_detector(settings)
    calibration = label_calibration(settings)
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
