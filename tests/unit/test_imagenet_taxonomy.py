"""The ImageNet taxonomy (``pipelines/data/imagenet_taxonomy.json``, generated from WordNet by
``scripts/make_imagenet_taxonomy.py``): every classifier class has a label a Rekognition user would
search for, parents exist and form no cycles, AWS's documented names are used, and the labels the
detector's COCO taxonomy also has are the same labels (one set of parents per name)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import pytest

from pipelines.taxonomy import LabelTaxonomy

#: Every category name the two taxonomies use (Rekognition's category names; tests/unit/test_taxonomy.py
#: holds AWS's whole list).
KNOWN_CATEGORIES = {
    "Animals and Pets", "Apparel and Accessories", "Beauty and Personal Care", "Buildings and Architecture",
    "Everyday Objects", "Food and Beverage", "Furniture and Furnishings", "Hobbies and Interests",
    "Home Appliances", "Home and Indoors", "Kitchen and Dining", "Materials", "Medical",
    "Nature and Outdoors", "Person Description", "Plants and Flowers", "Public Safety",
    "Sports", "Symbols and Flags", "Technology and Computing", "Text and Documents", "Tools and Machinery",
    "Toys and Gaming", "Transport and Logistics", "Travel and Adventure", "Vehicles and Automotive",
    "Weapons and Military",
}  # fmt: skip


@cache
def _document(name: str) -> dict[str, Any]:
    text = resources.files("pipelines").joinpath(f"data/{name}").read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def imagenet() -> dict[str, Any]:
    return _document("imagenet_taxonomy.json")


def labels() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = imagenet()["labels"]
    return found


def label_of_class(index: int) -> str:
    classes: list[dict[str, Any]] = imagenet()["classifier_classes"]
    return str(classes[index]["label"])


def test_every_one_of_the_1000_classes_has_a_label() -> None:
    classes = imagenet()["classifier_classes"]
    assert [c["index"] for c in classes] == list(range(1000))
    assert all(c["label"] in labels() for c in classes)
    assert len({c["wnid"] for c in classes}) == 1000


def test_every_parent_is_a_label_and_no_label_is_its_own_ancestor() -> None:
    for name, entry in labels().items():
        assert name not in entry["parents"], name
        for parent in entry["parents"]:
            assert parent in labels(), f"{name}: parent {parent!r} has no entry"


def test_parents_hold_all_ancestors_so_no_cycle_can_hide() -> None:
    """Each label lists every ancestor (as Rekognition reports them): a parent's own parents are also
    the label's parents. With that closure, a cycle would make a label its own ancestor (tested above)."""
    for name, entry in labels().items():
        mine = set(entry["parents"])
        for parent in entry["parents"]:
            assert set(labels()[parent]["parents"]) <= mine, (name, parent)


def test_every_label_reaches_a_root() -> None:
    roots = {name for name, entry in labels().items() if not entry["parents"]}
    for name, entry in labels().items():
        assert not entry["parents"] or roots & set(entry["parents"]), name
    assert {"Animal", "Food", "Person", "Transportation", "Outdoors", "Nature"} <= roots


def test_about_1400_labels_with_aliases_and_rekognition_categories() -> None:
    assert 1300 <= len(labels()) <= 1900
    for name, entry in labels().items():
        assert entry["categories"], name
        assert set(entry["categories"]) <= KNOWN_CATEGORIES, name
        assert name not in entry["aliases"]
    assert sum(1 for e in labels().values() if e["aliases"]) > 500


def test_abstract_wordnet_nodes_are_not_labels() -> None:
    abstract = {
        "Entity", "Physical Entity", "Object", "Whole", "Artifact", "Instrumentality", "Abstraction",
        "Vertebrate", "Chordate", "Placental", "Organism", "Living Thing", "Device", "Container",
    }  # fmt: skip
    assert not abstract & set(labels())


def test_labels_read_like_rekognition_names() -> None:
    """Title Case names a user would type; specific leaves kept where Rekognition has them."""
    assert label_of_class(967) == "Espresso"
    assert labels()["Espresso"]["parents"][:2] == ["Coffee", "Beverage"]
    assert {label_of_class(i) for i in (281, 282, 285)} == {"Cat"}  # tabby, tiger cat, Egyptian cat
    assert label_of_class(207) == "Golden Retriever"
    assert "Dog" in labels()["Golden Retriever"]["parents"]
    dog_breeds = [i for i in range(151, 269) if "Dog" in labels()[label_of_class(i)]["parents"]]
    assert len(dog_breeds) == 118
    assert all(name == name.strip() and (name[0].isupper() or name == "iPod") for name in labels())


def test_aws_names_are_used_where_the_file_says_a_label_is_documented() -> None:
    """What AWS's documentation shows for these labels (developer guide examples)."""
    documented = {name for name, entry in labels().items() if entry["aws"] == "documented"}
    assert {"Mobile Phone", "Phone", "Car", "Cup", "Kangaroo", "Person", "Vehicle"} <= documented
    assert label_of_class(487) == "Mobile Phone"  # ImageNet: cellular telephone
    assert labels()["Mobile Phone"]["aliases"][0] == "Cell Phone"
    assert labels()["Mobile Phone"]["parents"][0] == "Phone"
    assert "Technology and Computing" in labels()["Mobile Phone"]["categories"]
    assert label_of_class(104) == "Kangaroo" and "Wallaby" in labels()["Kangaroo"]["aliases"]
    assert label_of_class(504) == label_of_class(968) == "Cup"  # coffee mug, tea cup
    assert "Mug" in labels()["Cup"]["aliases"]
    assert label_of_class(817) == "Sports Car"
    assert {"Car", "Vehicle", "Transportation"} <= set(labels()["Sports Car"]["parents"])
    assert {e["aws"] for e in labels().values()} == {"documented", "unverified"}


def test_labels_shared_with_the_detector_taxonomy_are_the_same_label() -> None:
    coco = _document("label_taxonomy.json")
    shared = set(coco["labels"]) & set(labels())
    assert {"Dog", "Cat", "Car", "Person", "Bird", "Laptop", "TV", "Cup"} <= shared
    for name in shared:
        for key in ("parents", "aliases", "categories"):
            assert labels()[name][key] == coco["labels"][name][key], (name, key)
    merged = {**coco["labels"], **labels()}
    taxonomy = LabelTaxonomy.from_json({"labels": merged, "detector_classes": coco["detector_classes"]})
    detected = taxonomy.for_detector_class("dog")
    assert detected is not None and detected.name == "Dog"
    assert "Dog" in taxonomy.info(label_of_class(207)).parents  # the classifier's golden retriever


def test_the_file_has_the_label_taxonomy_shape() -> None:
    taxonomy = LabelTaxonomy.from_json({"labels": labels(), "detector_classes": {}})
    assert "Outdoors" in taxonomy.info("Beach").parents
    assert taxonomy.info("Mobile Phone").aliases[0] == "Cell Phone"


@pytest.mark.parametrize(
    ("index", "label", "scene_parents"),
    [
        (978, "Beach", {"Outdoors", "Nature", "Water"}),  # seashore
        (975, "Lake", {"Outdoors", "Nature", "Water"}),  # lakeside
        (980, "Volcano", {"Mountain", "Nature", "Outdoors"}),
        (970, "Mountain", {"Nature", "Outdoors"}),  # alp
        (973, "Coral Reef", {"Water", "Nature"}),
        (415, "Bakery", {"Indoors", "Shop"}),
        (624, "Library", {"Indoors"}),
        (497, "Church", {"Building", "Outdoors"}),
        (839, "Suspension Bridge", {"Outdoors"}),
    ],
)
def test_places_are_scenes_with_scene_parents(index: int, label: str, scene_parents: set[str]) -> None:
    assert label_of_class(index) == label
    entry = labels()[label]
    assert entry.get("scene") is True
    assert scene_parents <= set(entry["parents"])


def test_objects_are_not_scenes() -> None:
    for index in (487, 810, 458, 207, 967):  # phone, space bar, plaque, dog, espresso
        assert not labels()[label_of_class(index)].get("scene"), index


def test_coco_names_follow_aws_and_the_remaining_differences_are_reported() -> None:
    """COCO's cell phone is AWS's Mobile Phone now; what still differs from AWS's examples is listed."""
    assert _document("label_taxonomy.json")["detector_classes"]["cell phone"] == "Mobile Phone"
    differences = imagenet()["coco_name_differences"]
    assert all(d["coco"] == d["aws"] for d in differences)  # no name differs any more
    assert [d["coco"] for d in differences] == ["Bicycle"]  # AWS's example shows only its nearest parent


def test_no_alias_is_another_labels_name() -> None:
    """WordNet lemmas that are other labels' names (Toy Dog's "toy", Promontory's "head") are dropped."""
    derived = _document("derived_labels.json")["labels"]
    names = {n.casefold() for n in (*labels(), *_document("label_taxonomy.json")["labels"], *derived)}
    for name, entry in labels().items():
        assert not {a.casefold() for a in entry["aliases"]} & names, name
    assert "Toy" not in labels()["Toy Dog"]["aliases"]
