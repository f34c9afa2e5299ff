"""DetectLabels' label assembly: one label per name with its instances, parents, thresholds, filters."""

from __future__ import annotations

from pipelines.detection import Detection
from pipelines.geometry import BoundingBox
from pipelines.image_label_results import image_label_item
from pipelines.image_labels import image_labels
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
