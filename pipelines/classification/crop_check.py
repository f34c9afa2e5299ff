"""The classifier checks the detector's animals: a box the classifier says is another animal is dropped.

CenterNet's 80 COCO classes include ten animals, and it mixes them up on pictures it finds hard (an
eagle as a Dog, scikit-image's tabby cat also as a Dog, a husky also as a Cat, a cartoon rabbit as a
Bear and a Cat). ImageNet knows animals far better (118 dog breeds, 59 birds, cats, bears ...), so for
each detection of one of :data:`CHECKED_LABELS` below :attr:`CropCheck.max_confidence` the classifier
looks at the box (a square around it, ``margin`` larger on each side) and the detection is **dropped**
when the crop gives at most ``max_own`` to the detected label and at least ``min_other`` to one other
of the checked labels (summed probabilities, :class:`pipelines.classification.label_scores.ClassifierLabels`).
It is not relabelled: the other animal's box is, in every case seen, a detection of its own already.

Only contradictions between COCO's animals count: a horse crop that ImageNet (which has one horse
class) calls an ox or a llama is kept, because nothing says it is another of the detector's animals.
Measured on the labelled set (``benchmarks/label_quality.md``): it removes the Dog of the cat photo, the
Cat of the dog photo and a cartoon rabbit's Bear and Cat, and no right detection (the wrong Bear and Cat
took the rabbit's right parent Animal with them); macro precision 0.59 -> 0.61 for the detector alone.
Cost: one classifier run (~25 ms on 2 cores) per checked box, at most ``max_crops`` per image (the most
confident first); in video only on the frames the image-level models run on (:class:`HeldContradictions`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from pipelines.classification.label_scores import ClassifierLabels
from pipelines.detection import Detection, RGBImage
from pipelines.geometry import BoundingBox
from pipelines.taxonomy import LabelTaxonomy

#: The detector's animal labels (COCO's ten), the ones the classifier checks.
CHECKED_LABELS = ("Bird", "Cat", "Dog", "Horse", "Sheep", "Cow", "Elephant", "Bear", "Zebra", "Giraffe")

#: The smallest crop side (pixels) worth classifying.
MIN_CROP_SIDE = 8


def square_crop(image: RGBImage, box: BoundingBox, margin: float) -> RGBImage:
    """The square of side ``max(box width, box height) x (1 + margin)`` (pixels) centred on the box,
    clipped to the image."""
    height, width = image.shape[:2]
    cx, cy = (box.left + box.width / 2) * width, (box.top + box.height / 2) * height
    side = max(box.width * width, box.height * height) * (1.0 + margin)
    left, top = max(0, int(cx - side / 2)), max(0, int(cy - side / 2))
    right, bottom = min(width, int(np.ceil(cx + side / 2))), min(height, int(np.ceil(cy + side / 2)))
    return image[top:bottom, left:right]


class CropCheck:
    """Drops detections of animals that the classifier, looking at their box, says are another animal."""

    def __init__(
        self,
        classify: Callable[[RGBImage], npt.NDArray[np.float32]],
        labels: ClassifierLabels,
        taxonomy: LabelTaxonomy,
        *,
        max_confidence: float = 90.0,
        max_own: float = 0.1,
        min_other: float = 0.5,
        max_crops: int = 3,
        margin: float = 0.15,
    ) -> None:
        """``classify``: image -> ImageNet probabilities. ``max_confidence``: detections at or above this
        calibrated confidence (percent) are trusted without a look. ``max_own`` / ``min_other``: summed
        probabilities (0..1) of the detected label / of the most likely other checked label. ``max_crops``:
        crops classified per image at most."""
        self._classify = classify
        self._labels = labels
        self._taxonomy = taxonomy
        self.max_confidence = max_confidence
        self.max_own = max_own
        self.min_other = min_other
        self.max_crops = max_crops
        self.margin = margin
        self._checked = tuple(name for name in CHECKED_LABELS if name in taxonomy.label_names)

    def keep(
        self, image: RGBImage, detections: Sequence[Detection], confidence_of: Callable[[Detection], float]
    ) -> list[Detection]:
        """``detections`` without those the classifier contradicts, in their order."""
        dropped = {id(d) for d in self.contradicted(image, detections, confidence_of)}
        return [d for d in detections if id(d) not in dropped]

    def contradicted(
        self, image: RGBImage, detections: Sequence[Detection], confidence_of: Callable[[Detection], float]
    ) -> list[Detection]:
        """The detections the classifier contradicts, in their order."""
        candidates = []
        for detection in detections:
            info = self._taxonomy.for_detector_class(detection.label)
            if info is not None and info.name in self._checked:
                confidence = confidence_of(detection)
                if confidence < self.max_confidence:
                    candidates.append((confidence, id(detection), detection, info.name))
        candidates.sort(key=lambda c: -c[0])
        dropped = set()
        for _, key, detection, name in candidates[: self.max_crops]:
            crop = square_crop(image, detection.box, self.margin)
            if min(crop.shape[:2]) < MIN_CROP_SIDE:
                continue
            if self.contradicts(self._classify(crop), name):
                dropped.add(key)
        return [d for d in detections if id(d) in dropped]

    def contradicts(self, probabilities: npt.NDArray[np.float32], name: str) -> bool:
        """Whether a crop with these probabilities is another checked animal than ``name``."""
        own = self._labels.score_of(probabilities, name)
        other = max(
            (self._labels.score_of(probabilities, o) for o in self._checked if o != name), default=0.0
        )
        return own <= self.max_own and other >= self.min_other


class HeldContradictions:
    """In video the crop check runs with the image-level models (``VIDREK_LABEL_CLASSIFIER_FPS``), not on
    every sampled frame: its verdicts hold until the next check, for the detections of the same class
    whose box overlaps a contradicted box (IoU >= ``min_iou``; the same animal a few frames later). On
    the cartoon rabbit of bigbuckbunny.mp4, checking every frame tripled the cost of the clip's analysis."""

    def __init__(self, min_iou: float = 0.3) -> None:
        self.min_iou = min_iou
        self._held: list[Detection] = []

    def hold(self, contradicted: Sequence[Detection]) -> None:
        """Replace the held verdicts with those of a new check."""
        self._held = list(contradicted)

    def keep(self, detections: Sequence[Detection]) -> list[Detection]:
        """``detections`` without those that match a held contradicted detection."""
        return [
            d
            for d in detections
            if not any(h.label == d.label and h.box.iou(d.box) >= self.min_iou for h in self._held)
        ]
