"""DetectLabels through boto3 on real photos (../shared/media/images)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

#: Labels each photo must contain, and where the named object is (centre x, y as ratios).
EXPECTED = {
    "dog.jpg": {"Dog": (0.28, 0.65), "Bicycle": (0.45, 0.5)},
    "person.jpg": {"Person": (0.37, 0.57), "Horse": (0.78, 0.56), "Dog": (0.2, 0.72)},
    "horses.jpg": {"Horse": None},
    "kite.jpg": {"Person": None, "Kite": None},
}


def detect(rek: Any, path: Path, **params: Any) -> dict[str, Any]:
    response: dict[str, Any] = rek.detect_labels(Image={"Bytes": path.read_bytes()}, **params)
    return response


def by_name(response: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {label["Name"]: label for label in response["Labels"]}


@pytest.mark.parametrize("photo", sorted(EXPECTED))
def test_expected_labels_with_boxes_where_the_objects_are(rek: Any, shared_media: Path, photo: str) -> None:
    response = detect(rek, shared_media / "images" / photo)
    labels = by_name(response)
    assert response["LabelModelVersion"]
    for name, centre in EXPECTED[photo].items():
        assert name in labels, f"{photo}: {name} missing from {sorted(labels)}"
        label = labels[name]
        assert label["Confidence"] >= 55  # the default MinConfidence
        assert label["Instances"], f"{photo}: {name} has no box"
        if centre is not None:
            x, y = centre
            assert any(
                i["BoundingBox"]["Left"] <= x <= i["BoundingBox"]["Left"] + i["BoundingBox"]["Width"]
                and i["BoundingBox"]["Top"] <= y <= i["BoundingBox"]["Top"] + i["BoundingBox"]["Height"]
                for i in label["Instances"]
            ), f"{photo}: no {name} box around {centre}: {label['Instances']}"
    if photo == "dog.jpg":
        assert "Truck" in labels or "Car" in labels
    confidences = [label["Confidence"] for label in response["Labels"]]
    assert confidences == sorted(confidences, reverse=True)


def test_several_instances_and_parents(rek: Any, shared_media: Path) -> None:
    kite = by_name(detect(rek, shared_media / "images" / "kite.jpg"))
    assert len(kite["Person"]["Instances"]) >= 3 and len(kite["Kite"]["Instances"]) >= 3
    # Kites fly above the people.
    kite_top = min(i["BoundingBox"]["Top"] for i in kite["Kite"]["Instances"])
    person_top = min(i["BoundingBox"]["Top"] for i in kite["Person"]["Instances"])
    assert kite_top < person_top
    dog = by_name(detect(rek, shared_media / "images" / "dog.jpg"))
    assert {"Name": "Vehicle"} in dog["Bicycle"]["Parents"]
    assert dog["Vehicle"]["Instances"] == []  # parents are labels of their own, without boxes
    assert dog["Dog"]["Categories"]


def test_min_confidence_max_labels_and_filters(rek: Any, shared_media: Path) -> None:
    path = shared_media / "images" / "person.jpg"
    everything = detect(rek, path, MinConfidence=0)["Labels"]
    default = detect(rek, path)["Labels"]
    assert len(everything) >= len(default)
    strict = detect(rek, path, MinConfidence=90)["Labels"]
    assert all(label["Confidence"] >= 90 for label in strict)
    assert all(i["Confidence"] >= 90 for label in strict for i in label["Instances"])
    top2 = detect(rek, path, MaxLabels=2)["Labels"]
    assert [label["Name"] for label in top2] == [label["Name"] for label in default[:2]]
    only_person = detect(
        rek,
        path,
        Settings={"GeneralLabels": {"LabelInclusionFilters": ["Person"]}},
        Features=["GENERAL_LABELS"],
    )
    assert [label["Name"] for label in only_person["Labels"]] == ["Person"]
    no_animals = detect(
        rek, path, Settings={"GeneralLabels": {"LabelCategoryExclusionFilters": ["Animals and Pets"]}}
    )
    assert "Dog" not in by_name(no_animals) and "Person" in by_name(no_animals)


def test_png_and_s3_object(rek: Any, shared_media: Path, media_bucket: Path) -> None:
    png = io.BytesIO()
    Image.open(shared_media / "images" / "horses.jpg").save(png, format="PNG")
    assert "Horse" in by_name(rek.detect_labels(Image={"Bytes": png.getvalue()}))
    folder = media_bucket / "images"
    folder.mkdir(exist_ok=True)
    (folder / "dog.jpg").write_bytes((shared_media / "images" / "dog.jpg").read_bytes())
    response = rek.detect_labels(Image={"S3Object": {"Bucket": "media", "Name": "images/dog.jpg"}})
    assert "Dog" in by_name(response)


def test_image_errors(rek: Any, shared_media: Path) -> None:
    with pytest.raises(rek.exceptions.InvalidImageFormatException):
        rek.detect_labels(Image={"Bytes": b"this is not an image"})
    gif = io.BytesIO()
    Image.new("RGB", (64, 64)).save(gif, format="GIF")
    with pytest.raises(rek.exceptions.InvalidImageFormatException):
        rek.detect_labels(Image={"Bytes": gif.getvalue()})
    # Over 5 MB of bytes: rejected (AWS's limit for image bytes in a request).
    big = io.BytesIO()
    noise = Image.effect_noise((1800, 1800), 100).convert("RGB")
    noise.save(big, format="PNG")
    assert len(big.getvalue()) > 5 * 1024 * 1024
    with pytest.raises(rek.exceptions.ImageTooLargeException):
        rek.detect_labels(Image={"Bytes": big.getvalue()})
    with pytest.raises(rek.exceptions.InvalidParameterException):
        rek.detect_labels(
            Image={"Bytes": (shared_media / "images" / "dog.jpg").read_bytes()}, Features=["IMAGE_PROPERTIES"]
        )
