"""Labels of one still image (DetectLabels): detections and image-level labels -> one label per name.

Two kinds of evidence come in: the object detector's **detections** (boxes, which become a label's
Instances) and **image-level labels** (label name -> calibrated confidence, no box: the classifier's
scenes, concepts and objects, and the face models' labels; :class:`pipelines.frame_labeller.FrameLabeller`).

**Confidence.** A single image has no neighbouring frames, so the video's evidence rule
(:class:`pipelines.labels.LabelAggregator`) does not apply. Each detection's confidence is its calibrated
confidence (:mod:`pipelines.calibration`: about the measured precision of the detector at that raw
score); a label's confidence is the highest of its instances' and of its image-level confidence
(:mod:`pipelines.label_fusion`); a parent label (Vehicle for Car) takes the highest confidence of its
children if that is above its own, and has no instances. ``MinConfidence`` applies to labels and to
instances alike; the label filters (``Settings.GeneralLabels``) apply by name and category after parents
are derived, as for videos (:class:`pipelines.taxonomy.LabelFilter`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from pipelines.detection import Detection
from pipelines.label_fusion import fused_confidence
from pipelines.labels import LabelInstance
from pipelines.taxonomy import LabelFilter, LabelInfo, LabelTaxonomy

#: DetectLabels' default MinConfidence (AWS: "returns labels with a confidence values greater than or
#: equal to 55 percent").
DEFAULT_MIN_CONFIDENCE = 55.0

#: DetectLabels returns at most this many labels ("The default and upper limit is 1000 labels").
MAX_LABELS = 1000


@dataclass(frozen=True, slots=True)
class ImageLabel:
    """A label found in an image; ``confidence`` in percent; ``instances`` empty for parent labels."""

    info: LabelInfo
    confidence: float
    instances: tuple[LabelInstance, ...] = ()


def image_labels(
    detections: Sequence[Detection],
    taxonomy: LabelTaxonomy,
    confidence_of: Callable[[Detection], float],
    *,
    image_level: Mapping[str, float] | None = None,
    fuse: Callable[[float | None, float | None], float] = fused_confidence,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    label_filter: LabelFilter | None = None,
    max_labels: int = MAX_LABELS,
) -> list[ImageLabel]:
    """The labels with confidence >= ``min_confidence`` that the filter allows, most confident first
    (then by name), at most ``max_labels``; each keeps its instances >= ``min_confidence``, largest
    confidence first. ``image_level``: label name -> confidence (percent) of labels without boxes; every
    name must be in ``taxonomy``. ``fuse(detector, image_level)`` combines a label's two confidences
    when both sources name it (the measured rule by default; others are for the measurements)."""
    instances: dict[str, list[LabelInstance]] = {}
    for detection in detections:
        info = taxonomy.for_detector_class(detection.label)
        if info is None:
            continue
        confidence = min(max(float(confidence_of(detection)), 0.0), 100.0)
        instances.setdefault(info.name, []).append(LabelInstance(detection.box, confidence))
    own: dict[str, float] = {name: max(i.confidence for i in found) for name, found in instances.items()}
    for name, confidence in (image_level or {}).items():
        own[name] = fuse(own.get(name), confidence)
    confidence_by_name: dict[str, float] = {}
    for name, best in own.items():
        for label in (name, *taxonomy.info(name).parents):
            confidence_by_name[label] = max(confidence_by_name.get(label, 0.0), best)
    labels: list[ImageLabel] = []
    for name, confidence in confidence_by_name.items():
        info = taxonomy.info(name)
        if confidence < min_confidence or (label_filter is not None and not label_filter.allows(info)):
            continue
        kept = sorted(
            (i for i in instances.get(name, ()) if i.confidence >= min_confidence),
            key=lambda i: -i.confidence,
        )
        labels.append(ImageLabel(info, confidence, tuple(kept)))
    labels.sort(key=lambda label: (-label.confidence, label.info.name))
    return labels[: max(0, min(max_labels, MAX_LABELS))]
