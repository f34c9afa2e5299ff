"""The packaged label taxonomy and Rekognition's label filters."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from pipelines.taxonomy import LabelFilter, LabelInfo, LabelTaxonomy

#: The 80 COCO class names, in COCO's order, as the detector emits them.
COCO_80 = (
    "person",
    "bicycle",
    "car",
    "motorcycle",
    "airplane",
    "bus",
    "train",
    "truck",
    "boat",
    "traffic light",
    "fire hydrant",
    "stop sign",
    "parking meter",
    "bench",
    "bird",
    "cat",
    "dog",
    "horse",
    "sheep",
    "cow",
    "elephant",
    "bear",
    "zebra",
    "giraffe",
    "backpack",
    "umbrella",
    "handbag",
    "tie",
    "suitcase",
    "frisbee",
    "skis",
    "snowboard",
    "sports ball",
    "kite",
    "baseball bat",
    "baseball glove",
    "skateboard",
    "surfboard",
    "tennis racket",
    "bottle",
    "wine glass",
    "cup",
    "fork",
    "knife",
    "spoon",
    "bowl",
    "banana",
    "apple",
    "sandwich",
    "orange",
    "broccoli",
    "carrot",
    "hot dog",
    "pizza",
    "donut",
    "cake",
    "chair",
    "couch",
    "potted plant",
    "bed",
    "dining table",
    "toilet",
    "tv",
    "laptop",
    "mouse",
    "remote",
    "keyboard",
    "cell phone",
    "microwave",
    "oven",
    "toaster",
    "sink",
    "refrigerator",
    "book",
    "clock",
    "vase",
    "scissors",
    "teddy bear",
    "hair drier",
    "toothbrush",
)

#: Rekognition's label categories (label model 3.0), as AWS lists them.
REKOGNITION_CATEGORIES = frozenset(
    {
        "Animals and Pets",
        "Apparel and Accessories",
        "Beauty and Personal Care",
        "Buildings and Architecture",
        "Colors and Visual Composition",
        "Damage Detection",
        "Education",
        "Everyday Objects",
        "Expressions and Emotions",
        "Food and Beverage",
        "Furniture and Furnishings",
        "Health and Fitness",
        "Hobbies and Interests",
        "Home and Indoors",
        "Home Appliances",
        "Kitchen and Dining",
        "Materials",
        "Medical",
        "Nature and Outdoors",
        "Offices and Workspaces",
        "Patterns and Shapes",
        "Person Description",
        "Plants and Flowers",
        "Popular Landmarks",
        "Public Safety",
        "Religion",
        "Sports",
        "Symbols and Flags",
        "Technology and Computing",
        "Text and Documents",
        "Tools and Machinery",
        "Toys and Gaming",
        "Transport and Logistics",
        "Travel and Adventure",
        "Vehicles and Automotive",
        "Weapons and Military",
    }
)


@pytest.fixture(scope="module")
def taxonomy() -> LabelTaxonomy:
    return LabelTaxonomy.load_default()


def test_coco_list_in_this_test_is_the_80_classes() -> None:
    assert len(COCO_80) == 80
    assert len(set(COCO_80)) == 80
    assert "traffic light" in COCO_80 and "teddy bear" in COCO_80 and "toothbrush" in COCO_80


def test_every_coco_class_maps_to_a_label(taxonomy: LabelTaxonomy) -> None:
    unmapped = [name for name in COCO_80 if taxonomy.for_detector_class(name) is None]
    assert unmapped == []
    assert taxonomy.detector_classes == frozenset(COCO_80)


@pytest.mark.parametrize(
    ("coco", "name"),
    [
        ("person", "Person"),
        ("bicycle", "Bicycle"),
        ("car", "Car"),
        ("motorcycle", "Motorcycle"),
        ("airplane", "Airplane"),
        ("bus", "Bus"),
        ("truck", "Truck"),
        ("boat", "Boat"),
        ("traffic light", "Traffic Light"),
        ("dog", "Dog"),
        ("horse", "Horse"),
        ("kite", "Kite"),
        ("cell phone", "Cell Phone"),
        ("tv", "TV"),
    ],
)
def test_names_are_spelled_as_rekognition_does(taxonomy: LabelTaxonomy, coco: str, name: str) -> None:
    info = taxonomy.for_detector_class(coco)
    assert info is not None
    assert info.name == name


def test_documented_examples(taxonomy: LabelTaxonomy) -> None:
    car = taxonomy.info("Car")
    assert car.parents == ("Vehicle", "Transportation")
    assert "Automobile" in car.aliases
    assert car.categories == ("Vehicles and Automotive",)
    assert set(taxonomy.info("Bicycle").parents) == {"Vehicle", "Transportation"}
    assert set(taxonomy.info("Dog").parents) == {"Animal", "Canine", "Mammal", "Pet"}
    assert "Animals and Pets" in taxonomy.info("Dog").categories
    assert taxonomy.info("Person").aliases == ("Human",)
    assert taxonomy.info("Person").categories == ("Person Description",)
    assert set(taxonomy.info("Cell Phone").aliases) == {"Mobile Phone", "Phone"}
    assert "Mug" in taxonomy.info("Cup").aliases


def test_every_parent_has_its_own_entry_and_parents_list_all_ancestors(taxonomy: LabelTaxonomy) -> None:
    for name in taxonomy.label_names:
        info = taxonomy.info(name)
        assert name not in info.parents, f"{name} is its own parent"
        for parent in info.parents:
            grandparents = set(taxonomy.info(parent).parents)  # KeyError here = parent without entry
            missing = grandparents - set(info.parents)
            assert not missing, f"{name}: ancestors {missing} of {parent} are not listed"


def test_every_label_has_a_known_rekognition_category(taxonomy: LabelTaxonomy) -> None:
    for name in taxonomy.label_names:
        categories = taxonomy.info(name).categories
        assert categories, f"{name} has no category"
        assert set(categories) <= REKOGNITION_CATEGORIES, f"{name}: {categories}"


def test_data_file_says_where_it_comes_from() -> None:
    text = resources.files("pipelines").joinpath("data/label_taxonomy.json").read_text(encoding="utf-8")
    document = json.loads(text)
    assert document["source"].strip()
    assert document["notes"].strip()


def test_unknown_class_and_name(taxonomy: LabelTaxonomy) -> None:
    assert taxonomy.for_detector_class("unicorn") is None
    assert taxonomy.for_detector_class("Car") is None  # detector names are COCO's, lower case
    with pytest.raises(KeyError):
        taxonomy.info("Unicorn")


def test_a_taxonomy_with_a_dangling_parent_is_rejected() -> None:
    with pytest.raises(ValueError, match="Vehicle"):
        LabelTaxonomy({"Car": LabelInfo("Car", parents=("Vehicle",))}, {"car": "Car"})
    with pytest.raises(ValueError, match="Car"):
        LabelTaxonomy({}, {"car": "Car"})


# --- filters ---------------------------------------------------------------------------------------

CAR = LabelInfo("Car", ("Vehicle", "Transportation"), ("Automobile",), ("Vehicles and Automotive",))
VEHICLE = LabelInfo("Vehicle", ("Transportation",), (), ("Vehicles and Automotive",))
DOG = LabelInfo("Dog", ("Animal", "Canine", "Mammal", "Pet"), (), ("Animals and Pets",))
BICYCLE = LabelInfo("Bicycle", ("Vehicle",), ("Bike",), ("Hobbies and Interests", "Vehicles and Automotive"))
PERSON = LabelInfo("Person", (), ("Human",), ("Person Description",))
ALL = (CAR, VEHICLE, DOG, BICYCLE, PERSON)


def _allowed(label_filter: LabelFilter) -> set[str]:
    return {info.name for info in ALL if label_filter.allows(info)}


def test_no_filter_allows_everything() -> None:
    assert _allowed(LabelFilter()) == {"Car", "Vehicle", "Dog", "Bicycle", "Person"}


def test_label_inclusion_keeps_only_those_names() -> None:
    assert _allowed(LabelFilter(inclusion=["Car", "Dog"])) == {"Car", "Dog"}


def test_label_exclusion_drops_those_names() -> None:
    assert _allowed(LabelFilter(exclusion=["Car"])) == {"Vehicle", "Dog", "Bicycle", "Person"}


def test_category_inclusion_keeps_labels_with_any_listed_category() -> None:
    assert _allowed(LabelFilter(category_inclusion=["Vehicles and Automotive"])) == {
        "Car",
        "Vehicle",
        "Bicycle",
    }


def test_category_exclusion_drops_labels_with_any_listed_category() -> None:
    assert _allowed(LabelFilter(category_exclusion=["Vehicles and Automotive"])) == {"Dog", "Person"}


def test_inclusions_are_a_union_and_exclusions_win() -> None:
    both = LabelFilter(inclusion=["Person"], category_inclusion=["Animals and Pets"])
    assert _allowed(both) == {"Person", "Dog"}
    with_exclusion = LabelFilter(
        category_inclusion=["Vehicles and Automotive"], exclusion=["Vehicle"], category_exclusion=["Sports"]
    )
    assert _allowed(with_exclusion) == {"Car", "Bicycle"}
    assert _allowed(LabelFilter(inclusion=["Car"], exclusion=["Car"])) == set()


def test_matching_is_exact_and_case_sensitive_and_ignores_aliases() -> None:
    assert _allowed(LabelFilter(inclusion=["car"])) == set()
    assert _allowed(LabelFilter(inclusion=["Automobile"])) == set()
    assert _allowed(LabelFilter(category_inclusion=["animals and pets"])) == set()


def test_unknown_names_match_nothing() -> None:
    assert _allowed(LabelFilter(inclusion=["Unicorn"])) == set()
    assert _allowed(LabelFilter(exclusion=["Unicorn"], category_exclusion=["Nope"])) == {
        "Car",
        "Vehicle",
        "Dog",
        "Bicycle",
        "Person",
    }


def test_filter_from_request_settings() -> None:
    settings = {
        "LabelInclusionFilters": ["Cat", "Dog"],
        "LabelExclusionFilters": ["Tiger"],
        "LabelCategoryInclusionFilters": ["Animals and Pets"],
        "LabelCategoryExclusionFilters": ["Popular Landmarks"],
    }
    label_filter = LabelFilter.from_general_labels_settings(settings)
    assert label_filter.inclusion == {"Cat", "Dog"}
    assert label_filter.exclusion == {"Tiger"}
    assert label_filter.category_inclusion == {"Animals and Pets"}
    assert label_filter.category_exclusion == {"Popular Landmarks"}
    assert _allowed(label_filter) == {"Dog"}
    assert _allowed(LabelFilter.from_general_labels_settings(None)) == {info.name for info in ALL}
    assert _allowed(LabelFilter.from_general_labels_settings({"LabelInclusionFilters": []})) == {
        info.name for info in ALL
    }
