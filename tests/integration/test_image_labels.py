"""DetectLabels through boto3 on real photos (../shared/media, scikit-image's): the detector's labels with
boxes, the classifier's and the face models' labels without, and image properties."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import skimage.data
from PIL import Image

from tests.response_shapes import checked_raw_bodies

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


def test_image_errors(rek: Any) -> None:
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


# --- IMAGE_PROPERTIES -----------------------------------------------------------------------------

#: AWS's "12 simplified color names" as vidrek answers them.
SIMPLIFIED_COLORS = {
    "black", "white", "grey", "red", "pink", "orange", "yellow", "brown", "green", "teal", "blue", "purple"
}  # fmt: skip


def check_colors(colors: list[dict[str, Any]], at_most: int) -> None:
    """Dominant colours as a user reads them: at most ``at_most``, most frequent first, RGB, hex code and
    names that agree."""
    assert len(colors) <= at_most
    percents = [c["PixelPercent"] for c in colors]
    assert percents == sorted(percents, reverse=True)
    assert all(0 < p <= 100 for p in percents) and sum(percents) <= 100.0 + 1e-6
    for color in colors:
        assert color["HexCode"] == "#{:02x}{:02x}{:02x}".format(color["Red"], color["Green"], color["Blue"])
        assert color["CSSColor"].isalpha() and color["CSSColor"].islower()
        assert color["SimplifiedColor"] in SIMPLIFIED_COLORS
    assert len({c["CSSColor"] for c in colors}) == len(colors)


def check_quality(quality: dict[str, float], members: set[str]) -> None:
    assert set(quality) == members
    assert all(0.0 <= value <= 100.0 for value in quality.values())


def png(rgb: np.ndarray[Any, Any]) -> bytes:
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, format="PNG")
    return out.getvalue()


def test_image_properties_alone(rek: Any, shared_media: Path) -> None:
    with checked_raw_bodies(rek):
        response = detect(
            rek,
            shared_media / "images" / "dog.jpg",
            Features=["IMAGE_PROPERTIES"],
            Settings={"ImageProperties": {"MaxDominantColors": 3}},
        )
    assert response["Labels"] == []
    properties = response["ImageProperties"]
    check_quality(properties["Quality"], {"Brightness", "Sharpness", "Contrast"})
    assert properties["Quality"]["Sharpness"] > 50  # an in-focus photo
    assert len(properties["DominantColors"]) == 3
    check_colors(properties["DominantColors"], 3)
    # The dog, the bicycle and the truck are detected: their boxes are the foreground.
    for part in ("Foreground", "Background"):
        check_quality(properties[part]["Quality"], {"Brightness", "Sharpness"})
        assert properties[part]["DominantColors"]
        check_colors(properties[part]["DominantColors"], 3)


def test_image_properties_with_labels_add_instance_colours_and_change_no_label(
    rek: Any, shared_media: Path
) -> None:
    path = shared_media / "images" / "person.jpg"
    plain = detect(rek, path)
    with checked_raw_bodies(rek):
        both = detect(rek, path, Features=["GENERAL_LABELS", "IMAGE_PROPERTIES"])

    def without_colors(labels: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {
                **label,
                "Instances": [
                    {k: v for k, v in i.items() if k != "DominantColors"} for i in label["Instances"]
                ],
            }
            for label in labels
        ]

    assert without_colors(both["Labels"]) == plain["Labels"]
    assert "ImageProperties" not in plain
    assert all("DominantColors" not in i for label in plain["Labels"] for i in label["Instances"])
    instances = [i for label in both["Labels"] for i in label["Instances"]]
    assert len(instances) >= 3
    for instance in instances:
        assert instance["DominantColors"]
        check_colors(instance["DominantColors"], 10)  # the default MaxDominantColors
    assert len(both["ImageProperties"]["DominantColors"]) == 10
    check_colors(both["ImageProperties"]["DominantColors"], 10)
    three = detect(
        rek,
        path,
        Features=["GENERAL_LABELS", "IMAGE_PROPERTIES"],
        Settings={"ImageProperties": {"MaxDominantColors": 3}},
    )
    assert three["ImageProperties"]["DominantColors"] == both["ImageProperties"]["DominantColors"][:3]
    assert all(len(i["DominantColors"]) <= 3 for label in three["Labels"] for i in label["Instances"])
    none = detect(
        rek, path, Features=["IMAGE_PROPERTIES"], Settings={"ImageProperties": {"MaxDominantColors": 0}}
    )
    assert none["ImageProperties"]["DominantColors"] == []


def test_an_image_without_objects_has_colours_and_no_foreground(rek: Any) -> None:
    image = np.zeros((200, 300, 3), dtype=np.uint8)
    image[:, :150] = (255, 0, 0)
    image[:, 150:] = (0, 0, 255)
    response = rek.detect_labels(Image={"Bytes": png(image)}, Features=["IMAGE_PROPERTIES", "GENERAL_LABELS"])
    assert response["Labels"] == []
    properties = response["ImageProperties"]
    colors = {c["CSSColor"]: c for c in properties["DominantColors"]}
    assert set(colors) == {"red", "blue"}
    assert colors["red"]["PixelPercent"] == pytest.approx(50.0, abs=1.0)
    assert (colors["blue"]["Red"], colors["blue"]["Green"], colors["blue"]["Blue"]) == (0, 0, 255)
    assert colors["blue"]["SimplifiedColor"] == "blue"
    assert properties["Quality"]["Contrast"] < 30  # pure red and pure blue have nearly the same luma
    assert "Foreground" not in properties
    assert properties["Background"]["DominantColors"] == properties["DominantColors"]


# --- labels from the classifier and the face models --------------------------------------------------------


def jpeg(rgb: np.ndarray[Any, Any]) -> bytes:
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, format="JPEG", quality=95)
    return out.getvalue()


def test_the_cat_photo_is_a_cat_with_its_parents_and_not_a_dog(rek: Any) -> None:
    """scikit-image's chelsea: the detector also draws a Dog box on the cat (confidence 58); the classifier
    looks at that box, sees a cat, and the Dog is dropped (the eagle photo of issue 12 the same way)."""
    response = rek.detect_labels(Image={"Bytes": jpeg(skimage.data.chelsea())}, MinConfidence=50)
    labels = by_name(response)
    cat = labels["Cat"]
    assert cat["Confidence"] >= 90 and cat["Instances"], cat
    assert {"Feline", "Mammal", "Animal", "Pet"} <= {p["Name"] for p in cat["Parents"]}
    assert {"Name": "Animals and Pets"} in cat["Categories"]
    assert "Dog" not in labels and "Canine" not in labels
    assert "efficientnet" in response["LabelModelVersion"]


def test_the_beach_photo_is_outdoors_by_the_water_without_boxes(rek: Any, shared_media: Path) -> None:
    kite = shared_media / "images" / "kite.jpg"
    labels = by_name(detect(rek, kite))
    for scene in ("Outdoors", "Nature", "Water"):
        assert labels[scene]["Confidence"] >= 55 and labels[scene]["Instances"] == [], scene
    assert labels["Kite"]["Instances"] and labels["Person"]["Instances"]  # the detector's objects keep boxes
    # Beach itself is a leaf of the classifier: at its summed probability it is right about half the time.
    beach = by_name(detect(rek, kite, MinConfidence=40))["Beach"]
    assert beach["Instances"] == [] and {"Outdoors", "Water"} <= {p["Name"] for p in beach["Parents"]}
    only_scenes = detect(
        rek, kite, Settings={"GeneralLabels": {"LabelCategoryInclusionFilters": ["Nature and Outdoors"]}}
    )
    assert {"Outdoors", "Nature", "Water"} <= set(by_name(only_scenes))
    assert "Person" not in by_name(only_scenes) and "Kite" not in by_name(only_scenes)


def test_a_portrait_is_a_man_with_a_face(rek: Any, shared_media: Path) -> None:
    labels = by_name(detect(rek, shared_media / "faces" / "biden.jpg"))
    for name in ("Person", "Man", "Face", "Adult", "Tie", "Suit"):
        assert name in labels, f"{name} missing from {sorted(labels)}"
    assert labels["Man"]["Instances"] == [] and labels["Face"]["Instances"] == []
    assert {"Adult", "Male", "Person"} <= {p["Name"] for p in labels["Man"]["Parents"]}
    assert "Woman" not in labels
    assert labels["Person"]["Instances"]  # the person box from the detector
    astronaut = by_name(rek.detect_labels(Image={"Bytes": jpeg(skimage.data.astronaut())}))
    assert "Woman" in astronaut and "Man" not in astronaut and "Smile" in astronaut
    no_people = detect(
        rek,
        shared_media / "faces" / "biden.jpg",
        Settings={"GeneralLabels": {"LabelCategoryExclusionFilters": ["Person Description"]}},
    )
    assert not {"Man", "Face", "Person", "Adult"} & set(by_name(no_people))


def test_image_level_labels_follow_min_confidence_and_max_labels(rek: Any, shared_media: Path) -> None:
    path = shared_media / "faces" / "biden.jpg"
    strict = detect(rek, path, MinConfidence=90)["Labels"]
    assert strict and all(label["Confidence"] >= 90 for label in strict)
    assert "Suit" not in by_name({"Labels": strict})
    top = detect(rek, path, MaxLabels=3)["Labels"]
    assert [label["Name"] for label in top] == [label["Name"] for label in detect(rek, path)["Labels"][:3]]
