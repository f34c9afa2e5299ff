"""People from the COCO object detector: its ``person`` class, with calibrated confidences, no keypoints."""

from __future__ import annotations

from pipelines.calibration import ScoreCalibration
from pipelines.detection import ObjectDetector, RGBImage
from pipelines.persons.detection import PersonDetection

PERSON_CLASS = "person"


class CocoPersonDetector:
    """Wraps any :class:`~pipelines.detection.ObjectDetector` that has a ``person`` class.

    ``min_confidence``: calibrated percent (0..100) below which a person box is dropped before tracking.
    CenterNet's calibration maps raw 0.16 to ~50 %; the default 30 % (raw ~0.1) keeps partly hidden people
    for the tracker, whose confirmation delay removes one-frame false positives.
    """

    def __init__(
        self, detector: ObjectDetector, calibration: ScoreCalibration, *, min_confidence: float = 30.0
    ):
        self.detector = detector
        self.calibration = calibration
        self.min_confidence = min_confidence
        self.model_version = detector.model_version

    def detect(self, image: RGBImage) -> list[PersonDetection]:
        people = []
        for det in self.detector.detect(image):
            if det.label != PERSON_CLASS:
                continue
            confidence = self.calibration.confidence(det.label, det.score)
            if confidence >= self.min_confidence:
                people.append(PersonDetection(det.box, confidence))
        return people
