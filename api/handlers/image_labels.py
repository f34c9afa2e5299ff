"""DetectLabels: labels of one image (bytes or S3) from the same models, calibration and taxonomy as
StartLabelDetection (:class:`pipelines.frame_labeller.FrameLabeller`: the object detector's labels with
boxes, the classifier's and the face models' labels without), and its image properties. Confidence
rules: :mod:`pipelines.image_labels`; image properties (quality measures, dominant colours, what the
foreground is): :mod:`pipelines.image_properties`.

``Features`` GENERAL_LABELS (the default) answers ``Labels``; IMAGE_PROPERTIES answers
``ImageProperties`` and, when labels are asked for too, ``DominantColors`` on every instance. The
detector runs for IMAGE_PROPERTIES alone as well: its objects' boxes are the foreground (the
image-level models do not run then).
"""

from __future__ import annotations

from typing import Any

from api.context import ServiceContext
from api.handlers import Handler
from api.images import load_image
from pipelines.image_label_results import image_label_item
from pipelines.image_labels import DEFAULT_MIN_CONFIDENCE, MAX_LABELS, ImageLabel, image_labels
from pipelines.image_properties.properties import DEFAULT_MAX_DOMINANT_COLORS, box_colors, image_properties
from pipelines.image_properties.regions import foreground_boxes
from pipelines.image_properties.results import image_label_item_with_colors, image_properties_item
from pipelines.taxonomy import LabelFilter


def detect_labels(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    features = set(params.get("Features") or ["GENERAL_LABELS"])
    settings = params.get("Settings") or {}
    image = load_image(ctx, params["Image"])
    labeller = ctx.models.frame_labeller()
    taxonomy, confidence_of = labeller.taxonomy, labeller.confidence_of
    detections = labeller.objects(image.rgb)
    labels: list[ImageLabel] = []
    if "GENERAL_LABELS" in features:
        labels = image_labels(
            detections,
            taxonomy,
            confidence_of,
            image_level=labeller.image_level(image.rgb),
            min_confidence=float(params.get("MinConfidence", DEFAULT_MIN_CONFIDENCE)),
            label_filter=LabelFilter.from_general_labels_settings(settings.get("GeneralLabels")),
            max_labels=int(params.get("MaxLabels", MAX_LABELS)),
        )
    # OrientationCorrection is left out: the EXIF orientation is already applied to the boxes.
    response: dict[str, Any] = {"LabelModelVersion": labeller.model_version}
    if "IMAGE_PROPERTIES" not in features:
        response["Labels"] = [image_label_item(label) for label in labels]
        return response
    max_colors = int(
        (settings.get("ImageProperties") or {}).get("MaxDominantColors", DEFAULT_MAX_DOMINANT_COLORS)
    )
    # The foreground does not depend on the request's MinConfidence or filters: it is the objects
    # DetectLabels finds at its defaults.
    foreground = foreground_boxes(image_labels(detections, taxonomy, confidence_of))
    instance_boxes = {instance.box for label in labels for instance in label.instances}
    colors_of_box = {box: box_colors(image.rgb, box, max_colors) for box in instance_boxes}
    response["Labels"] = [image_label_item_with_colors(label, colors_of_box) for label in labels]
    response["ImageProperties"] = image_properties_item(image_properties(image.rgb, foreground, max_colors))
    return response


HANDLERS: dict[str, Handler] = {"DetectLabels": detect_labels}
