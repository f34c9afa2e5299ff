"""The packaged label taxonomy (detector, classifier and derived labels merged into one) and Rekognition's
label filters."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from pipelines.taxonomy import DATA_FILES, LabelFilter, LabelInfo, LabelTaxonomy

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
        ("cell phone", "Mobile Phone"),
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
    assert "Mug" in taxonomy.info("Cup").aliases


def test_the_detectors_cell_phone_is_awss_mobile_phone(taxonomy: LabelTaxonomy) -> None:
    """AWS's documentation: Mobile Phone, alias Cell Phone, parent Phone; COCO's name is only an alias."""
    phone = taxonomy.for_detector_class("cell phone")
    assert phone == taxonomy.info("Mobile Phone")
    assert phone.aliases[0] == "Cell Phone"
    assert phone.parents == ("Phone",)
    assert "Cell Phone" not in taxonomy.label_names
    assert LabelFilter(inclusion=["Mobile Phone"]).allows(phone)
    assert not LabelFilter(inclusion=["Cell Phone"]).allows(phone)  # filters match names, not aliases


def test_one_taxonomy_for_detector_classifier_and_derived_labels(taxonomy: LabelTaxonomy) -> None:
    assert len(taxonomy.classifier_labels) == 1000
    assert taxonomy.classifier_labels[281] == "Cat"  # tabby: the same label as the detector's cat
    assert taxonomy.for_detector_class("cat") == taxonomy.info("Cat")
    assert set(taxonomy.info("Cat").parents) >= {"Animal", "Mammal", "Pet"}
    beach = taxonomy.info(taxonomy.classifier_labels[978])  # seashore
    assert beach.name == "Beach" and {"Outdoors", "Nature", "Water"} <= set(beach.parents)
    assert taxonomy.info("Man").parents == ("Adult", "Male", "Person")
    assert taxonomy.info("Face").parents == ("Head", "Person")
    assert 1300 <= len(taxonomy.label_names) <= 1900


def test_no_alias_is_the_name_of_another_label(taxonomy: LabelTaxonomy) -> None:
    names = {name.casefold() for name in taxonomy.label_names}
    for name in taxonomy.label_names:
        assert not {a.casefold() for a in taxonomy.info(name).aliases} & names, name


def test_filters_work_on_classifier_and_derived_labels(taxonomy: LabelTaxonomy) -> None:
    outdoors = LabelFilter(category_inclusion=["Nature and Outdoors"])
    assert outdoors.allows(taxonomy.info("Beach")) and outdoors.allows(taxonomy.info("Outdoors"))
    assert not outdoors.allows(taxonomy.info("Suit"))
    people = LabelFilter(category_exclusion=["Person Description"])
    assert not people.allows(taxonomy.info("Man")) and people.allows(taxonomy.info("Tripod"))
    assert LabelFilter(inclusion=["Suit", "Beach"]).allows(taxonomy.info("Suit"))


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


@pytest.mark.parametrize("path", DATA_FILES)
def test_data_files_say_where_they_come_from(path: str) -> None:
    document = json.loads(resources.files("pipelines").joinpath(path).read_text(encoding="utf-8"))
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
    with pytest.raises(ValueError, match="classifier class 0"):
        LabelTaxonomy({}, {}, ["Tench"])


def test_an_alias_that_is_another_label_is_rejected() -> None:
    labels = {"Toy Dog": LabelInfo("Toy Dog", aliases=("toy",)), "Toy": LabelInfo("Toy")}
    with pytest.raises(ValueError, match="'toy', which is the label 'Toy'"):
        LabelTaxonomy(labels, {})


def test_merging_files_keeps_one_entry_per_name() -> None:
    coco = {"detector_classes": {"car": "Car"}, "labels": {"Car": {"parents": [], "aliases": ["Auto"]}}}
    classes = [{"index": 0, "label": "Sports Car"}]
    imagenet = {
        "classifier_classes": classes,
        "labels": {
            "Car": {"parents": [], "aliases": ["Auto"]},
            "Sports Car": {"parents": ["Car"]},
        },
    }
    merged = LabelTaxonomy.merged([coco, imagenet])
    assert merged.label_names == {"Car", "Sports Car"}
    assert merged.classifier_labels == ("Sports Car",)
    assert merged.for_detector_class("car") == merged.info("Car")
    different = {"labels": {"Car": {"parents": [], "aliases": ["Automobile"]}}}
    with pytest.raises(ValueError, match="'Car' is described differently"):
        LabelTaxonomy.merged([coco, different])
    with pytest.raises(ValueError, match="two taxonomy files map detector classes"):
        LabelTaxonomy.merged([coco, coco])


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
