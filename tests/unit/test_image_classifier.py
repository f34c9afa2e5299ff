"""The EfficientNet-Lite3 ImageNet classifier (built by ``vidrek models``) names what is in real photos:
scikit-image's sample photos and the shared test images, read through the ImageNet taxonomy."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import skimage.data
from PIL import Image

from pipelines.classification.imagenet import INPUT_SIZE, ImageNetClassifier, centre_crop
from workers.models import Models
from workers.settings import Settings


@cache
def _taxonomy() -> dict[str, Any]:
    text = resources.files("pipelines").joinpath("data/imagenet_taxonomy.json").read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def label_and_parents(index: int) -> tuple[str, list[str]]:
    name = str(_taxonomy()["classifier_classes"][index]["label"])
    return name, list(_taxonomy()["labels"][name]["parents"])


@pytest.fixture(scope="module")
def classifier(model_dir: Path) -> ImageNetClassifier:
    return Models(Settings(model_dir=model_dir, onnx_threads=2)).image_classifier()


def top_labels(classifier: ImageNetClassifier, image: np.ndarray, k: int = 3) -> list[str]:
    scores = classifier.classify(image)
    return [label_and_parents(int(i))[0] for i in np.argsort(-scores, kind="stable")[:k]]


def test_the_cat_photo_is_a_cat(classifier: ImageNetClassifier) -> None:
    scores = classifier.classify(skimage.data.chelsea())
    name, parents = label_and_parents(int(np.argmax(scores)))
    assert name == "Cat" and {"Animal", "Mammal"} <= set(parents)
    assert float(scores.max()) > 0.3


def test_the_coffee_photo_is_an_espresso(classifier: ImageNetClassifier) -> None:
    scores = classifier.classify(skimage.data.coffee())
    name, parents = label_and_parents(int(np.argmax(scores)))
    assert name == "Espresso" and "Coffee" in parents
    assert float(scores.max()) > 0.5


def test_the_rocket_photo_is_a_missile_or_a_space_shuttle(classifier: ImageNetClassifier) -> None:
    assert {"Missile", "Space Shuttle"} & set(top_labels(classifier, skimage.data.rocket()))


def test_shared_photos(classifier: ImageNetClassifier, shared_media: Path) -> None:
    """dog.jpg shows a dog; kite.jpg is a kite flown on a beach."""
    dog = np.asarray(Image.open(shared_media / "images" / "dog.jpg").convert("RGB"))
    name, parents = label_and_parents(int(np.argmax(classifier.classify(dog))))
    assert "Dog" in parents, name
    kite = np.asarray(Image.open(shared_media / "images" / "kite.jpg").convert("RGB"))
    assert "Beach" in top_labels(classifier, kite, k=1)


def test_scores_are_probabilities_over_the_1000_classes(classifier: ImageNetClassifier) -> None:
    scores = classifier.classify(skimage.data.astronaut())
    assert scores.shape == (1000,) and scores.dtype == np.float32
    assert float(scores.min()) >= 0.0 and float(scores.max()) <= 1.0
    # uint8 scores in steps of 1/256: the many classes under 0.2 % read 0, so the sum is a little under 1
    assert 0.8 < float(scores.sum()) <= 1.0 + 1e-6


def test_the_builder_loads_the_classifier_once(model_dir: Path) -> None:
    models = Models(Settings(model_dir=model_dir, onnx_threads=1))
    assert models.image_classifier() is models.image_classifier()


def test_centre_crop_keeps_the_middle_of_a_wide_frame() -> None:
    """A 2.35:1 frame: the centre square (280/312 of the height) is what the model sees."""
    frame = np.zeros((272, 640, 3), dtype=np.uint8)
    frame[:, 200:440] = 255  # a white band in the middle, 240 px wide (the crop is 244 px)
    crop = centre_crop(frame)
    assert crop.shape == (INPUT_SIZE, INPUT_SIZE, 3) and crop.dtype == np.uint8
    assert crop[:, 20:-20].min() > 200  # white across nearly the whole crop
    with pytest.raises(ValueError, match="RGB uint8"):
        centre_crop(frame[..., 0])
