"""DetectLabels' label assembly: one label per name with its instances, parents, thresholds, filters; the
image-level labels (the classifier's summed probabilities, the face models' labels), how they are fused
with the detector's, the classifier's check of the detector's animals, and the calibration fit."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from pipelines.calibration import ScoreCalibration
from pipelines.classification.crop_check import CropCheck
from pipelines.classification.label_scores import ClassifierLabels
from pipelines.detection import Detection
from pipelines.face_labels import face_label_confidences
from pipelines.faces.detection import FaceDetection
from pipelines.faces.types import FaceAttributes
from pipelines.frame_labeller import FrameLabeller, ImageLevelModels
from pipelines.geometry import BoundingBox
from pipelines.image_label_results import image_label_item
from pipelines.image_labels import image_labels
from pipelines.image_level_calibration import ImageLevelCalibration, curve_points, fit_blocks, fit_curve
from pipelines.taxonomy import LabelFilter, LabelTaxonomy

BOX_A = BoundingBox(0.1, 0.1, 0.2, 0.2)
BOX_B = BoundingBox(0.5, 0.5, 0.3, 0.3)


def percent(detection: Detection) -> float:
    return detection.score * 100


def labels(detections: list[Detection], **params: object) -> dict[str, dict[str, object]]:
    found = image_labels(detections, LabelTaxonomy.load_default(), percent, **params)  # type: ignore[arg-type]
    return {label.info.name: image_label_item(label) for label in found}


def test_one_label_per_name_with_all_its_instances_and_its_parents() -> None:
    result = labels(
        [Detection("car", 0.9, BOX_A), Detection("car", 0.7, BOX_B), Detection("car", 0.3, BOX_B)]
    )
    car = result["Car"]
    assert car["Confidence"] == 90.0
    assert [i["Confidence"] for i in car["Instances"]] == [90.0, 70.0]  # 30 is below the default 55
    assert car["Instances"][0]["BoundingBox"] == BOX_A.to_rekognition()
    assert {"Name": "Vehicle"} in car["Parents"]
    assert result["Vehicle"]["Instances"] == [] and result["Vehicle"]["Confidence"] == 90.0


def test_default_min_confidence_is_55() -> None:
    assert "Dog" not in labels([Detection("dog", 0.54, BOX_A)])
    assert "Dog" in labels([Detection("dog", 0.55, BOX_A)])
    assert "Dog" in labels([Detection("dog", 0.2, BOX_A)], min_confidence=10)


def test_order_max_labels_and_filters() -> None:
    detections = [
        Detection("person", 0.95, BOX_A),
        Detection("dog", 0.8, BOX_B),
        Detection("kite", 0.6, BOX_B),
    ]
    found = image_labels(detections, LabelTaxonomy.load_default(), percent, max_labels=2)
    assert [label.confidence for label in found] == [95.0, 80.0]
    only = labels(detections, label_filter=LabelFilter(inclusion=["Dog"]))
    assert list(only) == ["Dog"]
    without_animals = labels(detections, label_filter=LabelFilter(category_exclusion=["Animals and Pets"]))
    assert "Dog" not in without_animals and "Person" in without_animals
    assert labels(detections, max_labels=0) == {}


def test_unmapped_detector_classes_are_ignored() -> None:
    assert labels([Detection("not-a-coco-class", 0.99, BOX_A)]) == {}


# --- image-level labels: fusion with the detector, parents, thresholds ----------------------------------


def test_image_level_labels_come_without_instances_and_bring_their_parents() -> None:
    result = labels([], image_level={"Beach": 80.0, "Suit": 60.0})
    assert result["Beach"]["Instances"] == [] and result["Beach"]["Confidence"] == 80.0
    assert {"Name": "Outdoors"} in result["Beach"]["Parents"]
    assert result["Outdoors"]["Confidence"] == 80.0  # a parent is at least as confident as its child
    assert result["Clothing"]["Confidence"] == 60.0
    assert "Suit" not in labels([], image_level={"Suit": 54.0})  # DetectLabels' default MinConfidence 55


def test_a_label_the_detector_and_the_classifier_both_name_takes_the_higher_confidence() -> None:
    both = labels([Detection("car", 0.6, BOX_A)], image_level={"Car": 85.0})
    assert both["Car"]["Confidence"] == 85.0
    assert [i["Confidence"] for i in both["Car"]["Instances"]] == [60.0]  # the box keeps its own
    assert labels([Detection("car", 0.9, BOX_A)], image_level={"Car": 70.0})["Car"]["Confidence"] == 90.0
    # A parent's own image-level confidence counts when it is higher than its children's.
    assert (
        labels([Detection("car", 0.6, BOX_A)], image_level={"Vehicle": 75.0})["Vehicle"]["Confidence"] == 75.0
    )


def test_filters_and_min_confidence_apply_to_image_level_labels() -> None:
    image_level = {"Beach": 80.0, "Man": 90.0, "Tripod": 52.0}
    no_people = labels(
        [], image_level=image_level, label_filter=LabelFilter(category_exclusion=["Person Description"])
    )
    assert "Man" not in no_people and "Person" not in no_people and "Beach" in no_people
    assert list(labels([], image_level=image_level, label_filter=LabelFilter(inclusion=["Beach"]))) == [
        "Beach"
    ]
    assert "Tripod" in labels([], image_level=image_level, min_confidence=50)
    assert "Tripod" not in labels([], image_level=image_level)


# --- the classifier's label scores ------------------------------------------------------------------------

CURVE = ScoreCalibration.from_points([[0.0, 0.0], [1.0, 100.0]])
HALF = ScoreCalibration.from_points([[0.0, 0.0], [1.0, 50.0]])


def probabilities(**by_index: float) -> npt.NDArray[np.float32]:
    p = np.zeros(1000, dtype=np.float32)
    for index, value in by_index.items():
        p[int(index.lstrip("c"))] = value
    return p


def test_a_labels_score_is_the_summed_probability_of_the_classes_under_it() -> None:
    scorer = ClassifierLabels(LabelTaxonomy.load_default(), own=CURVE, ancestor=CURVE)
    # chelsea: tabby 0.52, tiger cat 0.23, Egyptian cat 0.12 (all "Cat"), Persian cat 0.05 (under Cat).
    scores = scorer.scores(probabilities(c281=0.52, c282=0.23, c285=0.12, c283=0.05))
    assert scores["Cat"] == pytest.approx(0.92)
    assert scores["Persian Cat"] == pytest.approx(0.05)
    assert scores["Animal"] == pytest.approx(0.92) and scores["Feline"] == pytest.approx(0.92)
    assert "Dog" not in scores
    beach = scorer.scores(probabilities(c978=0.38, c975=0.2))  # seashore, lakeside
    assert beach["Water"] == pytest.approx(0.58) and beach["Outdoors"] == pytest.approx(0.58)
    assert "Lake" in beach and beach["Lake"] == pytest.approx(0.2)
    assert scorer.scores(probabilities(c978=0.005)) == {}  # below MIN_SCORE


def test_own_labels_and_parents_have_their_own_curves() -> None:
    """A class's own label (Cat) reads the ``own`` curve, a label that is only a parent (Animal) the
    ``ancestor`` curve: the leaves are the less reliable ones."""
    scorer = ClassifierLabels(LabelTaxonomy.load_default(), own=HALF, ancestor=CURVE)
    found = scorer.confidences(probabilities(c281=0.8))
    assert found["Cat"] == pytest.approx(40.0) and found["Animal"] == pytest.approx(80.0)
    assert scorer.is_own("Cat") and not scorer.is_own("Animal")
    with pytest.raises(ValueError, match="1000 probabilities"):
        scorer.scores(np.zeros(10, dtype=np.float32))


# --- the crop check: the classifier corrects the detector's animals ----------------------------------------


def crop_check(answer: npt.NDArray[np.float32]) -> tuple[CropCheck, list[tuple[int, int]]]:
    """A crop check whose classifier always answers ``answer``; it records the crops' sizes."""
    seen: list[tuple[int, int]] = []

    def classify(image: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
        seen.append(image.shape[:2])
        return answer

    taxonomy = LabelTaxonomy.load_default()
    return CropCheck(classify, ClassifierLabels(taxonomy, CURVE, CURVE), taxonomy), seen


IMAGE = np.zeros((200, 300, 3), dtype=np.uint8)


def test_an_animal_box_the_classifier_calls_another_animal_is_dropped() -> None:
    """The eagle photo: a Dog box on a bird; scikit-image's cat: a Dog box on the cat."""
    eagle = probabilities(c22=0.9)  # bald eagle
    check, crops = crop_check(eagle)
    bird, dog = Detection("bird", 0.95, BOX_A), Detection("dog", 0.6, BOX_B)
    assert check.keep(IMAGE, [bird, dog], percent) == [bird]
    assert len(crops) == 1  # the bird at 95 is trusted without a look
    cat_crop, _ = crop_check(probabilities(c281=0.52, c282=0.23, c285=0.12))
    assert cat_crop.keep(IMAGE, [dog], percent) == []


def test_an_animal_box_is_kept_unless_the_crop_is_another_of_the_detectors_animals() -> None:
    horse = Detection("horse", 0.7, BOX_A)
    ox, _ = crop_check(probabilities(c345=0.45, c346=0.2))  # ox, water buffalo: not a COCO animal
    assert ox.keep(IMAGE, [horse], percent) == [horse]
    unsure, _ = crop_check(probabilities(c207=0.4))  # golden retriever 0.4 < min_other 0.5
    cat = Detection("cat", 0.6, BOX_A)
    assert unsure.keep(IMAGE, [cat], percent) == [cat]
    person = Detection("person", 0.6, BOX_A)  # not an animal: never checked
    dog_crop, crops = crop_check(probabilities(c207=0.9))
    assert dog_crop.keep(IMAGE, [person], percent) == [person] and crops == []


def test_at_most_three_boxes_are_checked_the_most_confident_first() -> None:
    check, crops = crop_check(probabilities(c22=0.9))
    dogs = [Detection("dog", 0.5 + i / 100, BOX_A) for i in range(5)]
    kept = check.keep(IMAGE, dogs, percent)
    assert len(crops) == 3 and kept == dogs[:2]
    # The crop is a square around the box, 15 % larger: BOX_B is 90 x 60 px of a 300 x 200 image.
    check.keep(IMAGE, [Detection("dog", 0.6, BOX_B)], percent)
    assert crops[-1] == (104, 104)
    corner = BoundingBox(0.8, 0.8, 0.2, 0.2)  # 60 x 40 px in the bottom right corner
    check.keep(IMAGE, [Detection("dog", 0.6, corner)], percent)
    assert crops[-1] == (55, 65)  # the 69 px square, clipped at the bottom and right edges


# --- the face models' labels --------------------------------------------------------------------------------

FACE_CURVE = ScoreCalibration.from_points([[0.0, 0.0], [0.98, 25.0], [0.999, 93.3], [1.0, 93.3]])


def face(confidence: float) -> FaceDetection:
    return FaceDetection(BOX_A, confidence, {})


def attributes(age: tuple[int, int], male: float, happy: float = 0.0) -> FaceAttributes:
    return FaceAttributes(age_low=age[0], age_high=age[1], male_probability=male, emotions={"HAPPY": happy})


def test_face_man_adult_and_smile_from_an_adult_mans_face() -> None:
    found = face_label_confidences([face(99.99)], [attributes((33, 50), 0.96, happy=0.9)], FACE_CURVE)
    assert found["Face"] == pytest.approx(93.3)
    assert found["Adult"] == pytest.approx(93.3)
    assert found["Man"] == pytest.approx(93.3 * 0.96)
    assert found["Woman"] == pytest.approx(93.3 * 0.04)
    assert found["Smile"] == pytest.approx(93.3 * 0.9)


def test_a_young_face_is_neither_adult_nor_man_and_a_doubtful_face_is_weak() -> None:
    young = face_label_confidences([face(99.99)], [attributes((12, 17), 0.9)], FACE_CURVE)
    assert set(young) == {"Face", "Smile"}
    cartoon = face_label_confidences([face(98.0)], [attributes((21, 42), 0.67)], FACE_CURVE)
    assert cartoon["Face"] < 50 and cartoon["Man"] < 50  # MTCNN 98: the cartoon rabbits of the set
    assert face_label_confidences([face(99.99)], [None], FACE_CURVE).keys() == {"Face"}
    assert face_label_confidences([], [], FACE_CURVE) == {}


def test_each_face_label_takes_the_best_face_of_the_image() -> None:
    faces = [face(99.99), face(99.99)]
    found = face_label_confidences(
        faces, [attributes((57, 74), 0.99), attributes((22, 44), 0.27)], FACE_CURVE
    )
    assert found["Man"] == pytest.approx(93.3 * 0.99) and found["Woman"] == pytest.approx(93.3 * 0.73)


# --- fitting a calibration curve ----------------------------------------------------------------------------


def test_a_fitted_curve_never_falls_and_small_blocks_are_not_certainty() -> None:
    judged = [(0.1, False)] * 8 + [(0.2, True), (0.2, False)] + [(0.3, False)] + [(0.9, True)] * 3
    blocks = fit_blocks(judged)
    # 0.2 (1 of 2) and 0.3 (0 of 1) violate the order and are pooled: 1 of 3.
    assert [(b.right, b.judged) for b in blocks] == [(0, 8), (1, 3), (3, 3)]
    assert [round(b.precision, 3) for b in blocks] == [0.1, 0.4, 0.8]  # Laplace: (right + 1) / (n + 2)
    curve = fit_curve(judged)
    assert curve.confidence("any", 0.0) == 0.0
    assert curve.confidence("any", 0.9) == pytest.approx(80.0) and curve.confidence("any", 1.0) == 80.0
    values = [curve.confidence("any", x / 100) for x in range(101)]
    assert values == sorted(values)
    assert curve_points(blocks)[0] == [0.0, 0.0]
    with pytest.raises(ValueError):
        fit_blocks([])


def test_the_packaged_curves_load_and_read_as_measured() -> None:
    curves = ImageLevelCalibration.load_default()
    assert curves.face.confidence("Face", 1.0) > 90  # every face MTCNN was sure of was a face
    assert curves.face.confidence("Face", 0.98) < 50  # the cartoon rabbits' "faces"
    # A summed probability of 0.9: right most of the time for a parent, about half for a leaf.
    assert curves.classifier_ancestor.confidence("Animal", 0.9) > curves.classifier_own.confidence("Cat", 0.9)


# --- every model on one picture -----------------------------------------------------------------------------


class FakeModel:
    """Stands in for the detector, the classifier, MTCNN and the attribute model at once."""

    def __init__(self, version: str) -> None:
        self.model_version = version

    def detect(self, image: npt.NDArray[np.uint8]) -> list[Detection]:  # the object detector
        return [Detection("person", 0.95, BOX_A)]

    def classify(self, image: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
        return probabilities(c834=0.9)  # suit


class FakeFaces:
    model_version = "faces"

    def detect(self, image: npt.NDArray[np.uint8]) -> list[FaceDetection]:
        return [face(99.99)]


class FakeAttributes:
    model_version = "attributes"

    def analyse(self, image: npt.NDArray[np.uint8], boxes: list[BoundingBox]) -> list[FaceAttributes]:
        return [attributes((40, 55), 0.97) for _ in boxes]


def test_the_frame_labeller_gives_boxes_and_image_level_labels_and_names_every_model() -> None:
    taxonomy = LabelTaxonomy.load_default()
    models = ImageLevelModels(
        classifier=FakeModel("classifier"),
        labels=ClassifierLabels(taxonomy, CURVE, CURVE),
        faces=FakeFaces(),
        attributes=FakeAttributes(),
        face_calibration=FACE_CURVE,
    )
    labeller = FrameLabeller(FakeModel("detector"), CURVE, taxonomy, models)
    assert labeller.model_version == "detector+classifier+faces+attributes"
    assert [d.label for d in labeller.objects(IMAGE)] == ["person"]
    found = labeller.image_level(IMAGE)
    assert found["Suit"] == pytest.approx(90.0) and found["Clothing"] == pytest.approx(90.0)
    assert found["Man"] == pytest.approx(93.3 * 0.97) and found["Face"] == pytest.approx(93.3)
    detector_only = FrameLabeller(FakeModel("detector"), CURVE, taxonomy)
    assert detector_only.model_version == "detector" and detector_only.image_level(IMAGE) == {}
