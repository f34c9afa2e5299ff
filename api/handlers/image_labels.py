"""DetectLabels: labels of one image (bytes or S3) from the same detector, calibration and taxonomy as
StartLabelDetection. Confidence rules: :mod:`pipelines.image_labels`."""

from __future__ import annotations

from typing import Any

from api.context import ServiceContext
from api.errors import InvalidParameterException
from api.handlers import Handler
from api.images import load_image
from pipelines.detection import Detection
from pipelines.image_label_results import image_label_item
from pipelines.image_labels import DEFAULT_MIN_CONFIDENCE, MAX_LABELS, image_labels
from pipelines.taxonomy import LabelFilter, LabelTaxonomy
from workers.analyses.labels import label_calibration, label_detector


def detect_labels(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    features = params.get("Features") or ["GENERAL_LABELS"]
    if "IMAGE_PROPERTIES" in features:
        raise InvalidParameterException(
            "Features IMAGE_PROPERTIES (dominant colours, brightness, sharpness, contrast) is not "
            "implemented by vidrek; request GENERAL_LABELS only."
        )
    image = load_image(ctx, params["Image"])
    settings = ctx.settings
    detector = label_detector(settings)
    calibration = label_calibration(settings)

    def confidence_of(detection: Detection) -> float:
        return calibration.confidence(detection.label, detection.score)

    labels = image_labels(
        detector.detect(image.rgb),
        LabelTaxonomy.load_default(),
        confidence_of,
        min_confidence=float(params.get("MinConfidence", DEFAULT_MIN_CONFIDENCE)),
        label_filter=LabelFilter.from_general_labels_settings(
            (params.get("Settings") or {}).get("GeneralLabels")
        ),
        max_labels=int(params.get("MaxLabels", MAX_LABELS)),
    )
    # OrientationCorrection is left out: the EXIF orientation is already applied to the boxes.
    return {
        "Labels": [image_label_item(label) for label in labels],
        "LabelModelVersion": detector.model_version,
    }


HANDLERS: dict[str, Handler] = {"DetectLabels": detect_labels}
