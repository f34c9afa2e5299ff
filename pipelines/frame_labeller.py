"""Every model of label detection applied to one picture (a photo or a sampled video frame).

:class:`FrameLabeller` gives two kinds of evidence, which :func:`pipelines.image_labels.image_labels`
(DetectLabels) and :class:`pipelines.labels.LabelAggregator` (StartLabelDetection) turn into labels:

* :meth:`FrameLabeller.objects`: the object detector's detections (boxes: the labels' Instances), after
  the classifier has checked the detector's animals (:mod:`pipelines.classification.crop_check`; video
  runs the check with the image-level models instead, :meth:`FrameLabeller.contradicted`);
* :meth:`FrameLabeller.image_level`: labels without boxes, name -> calibrated confidence: the ImageNet
  classifier's labels on the whole picture (:mod:`pipelines.classification.label_scores`: scenes such
  as Beach, concepts, objects the detector has no class for such as Suit or Tripod, and their parents)
  and the face models' labels (:mod:`pipelines.face_labels`: Face, Smile, Adult, Man, Woman).

Without image-level models (``image_level_models=None``) it is the object detector alone, as before the
classifier existed. The models are passed in (``workers.models.Models.frame_labeller`` builds them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from pipelines.calibration import ScoreCalibration
from pipelines.classification.crop_check import CropCheck
from pipelines.classification.label_scores import ClassifierLabels
from pipelines.detection import Detection, ObjectDetector, RGBImage
from pipelines.face_labels import face_label_confidences
from pipelines.faces.detection import FaceDetection
from pipelines.faces.types import FaceAttributes
from pipelines.geometry import BoundingBox
from pipelines.label_fusion import fused_confidence
from pipelines.taxonomy import LabelTaxonomy


class ImageClassifier(Protocol):
    """Class probabilities of a whole picture (``pipelines.classification.imagenet.ImageNetClassifier``)."""

    model_version: str

    def classify(self, image: RGBImage) -> npt.NDArray[np.float32]: ...


class FaceFinder(Protocol):
    """Faces of a picture (:class:`pipelines.faces.detection.FaceDetector`)."""

    model_version: str

    def detect(self, image: RGBImage) -> list[FaceDetection]: ...


class FaceAttributeReader(Protocol):
    """Age, gender and emotions of faces (:class:`pipelines.faces.attributes.FaceAttributeModel`)."""

    model_version: str

    def analyse(self, image: RGBImage, boxes: list[BoundingBox]) -> list[FaceAttributes]: ...


@dataclass(frozen=True)
class ImageLevelModels:
    """The models behind the labels without boxes, and their calibration."""

    classifier: ImageClassifier
    labels: ClassifierLabels
    faces: FaceFinder
    attributes: FaceAttributeReader
    face_calibration: ScoreCalibration


class FrameLabeller:
    """The object detector, and optionally the image-level models, applied to one picture at a time
    (as thread-safe as the models it holds)."""

    def __init__(
        self,
        detector: ObjectDetector,
        calibration: ScoreCalibration,
        taxonomy: LabelTaxonomy,
        image_level_models: ImageLevelModels | None = None,
    ) -> None:
        self.detector = detector
        self.calibration = calibration
        self.taxonomy = taxonomy
        self.image_level_models = image_level_models
        self._crop_check = (
            None
            if image_level_models is None
            else CropCheck(image_level_models.classifier.classify, image_level_models.labels, taxonomy)
        )

    @property
    def model_version(self) -> str:
        """``LabelModelVersion``: every model that contributes, joined by ``+``."""
        models = self.image_level_models
        if models is None:
            return self.detector.model_version
        parts = (self.detector, models.classifier, models.faces, models.attributes)
        return "+".join(part.model_version for part in parts)

    def confidence_of(self, detection: Detection) -> float:
        """A detection's calibrated confidence, percent."""
        return self.calibration.confidence(detection.label, detection.score)

    def objects(self, image: RGBImage) -> list[Detection]:
        """The detector's detections, without the animals the classifier contradicts."""
        detections = self.detector.detect(image)
        if self._crop_check is None:
            return detections
        return self._crop_check.keep(image, detections, self.confidence_of)

    def contradicted(self, image: RGBImage, detections: Sequence[Detection]) -> list[Detection]:
        """Of ``detections`` (the detector's, on ``image``), the animals the classifier contradicts;
        none without image-level models."""
        if self._crop_check is None:
            return []
        return self._crop_check.contradicted(image, detections, self.confidence_of)

    def image_level(self, image: RGBImage) -> dict[str, float]:
        """Labels without boxes: name -> calibrated confidence (percent), before any threshold; empty
        without image-level models."""
        models = self.image_level_models
        if models is None:
            return {}
        found = models.labels.confidences(models.classifier.classify(image))
        faces = models.faces.detect(image)
        attributes: Sequence[FaceAttributes | None] = (
            models.attributes.analyse(image, [face.box for face in faces]) if faces else []
        )
        for name, confidence in face_label_confidences(faces, attributes, models.face_calibration).items():
            found[name] = fused_confidence(found.get(name), confidence)
        return found
