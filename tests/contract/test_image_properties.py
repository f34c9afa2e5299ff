"""DetectLabels' IMAGE_PROPERTIES settings are checked against AWS's ranges before any image is looked
at (the answers themselves need the label detector: tests/integration/test_image_labels.py)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from tests.contract.wire import refused


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 120, 150)).save(out, format="JPEG")
    return out.getvalue()


@pytest.mark.parametrize("max_colors", [-1, 21])
def test_max_dominant_colors_outside_0_to_20_is_refused(rek_unchecked: Any, max_colors: int) -> None:
    with refused(rek_unchecked, "InvalidParameterException", match="MaxDominantColors"):
        rek_unchecked.detect_labels(
            Image={"Bytes": jpeg()},
            Features=["IMAGE_PROPERTIES"],
            Settings={"ImageProperties": {"MaxDominantColors": max_colors}},
        )


def test_features_are_at_most_two_known_feature_names(rek_unchecked: Any) -> None:
    with refused(rek_unchecked, "InvalidParameterException", match="Features"):
        rek_unchecked.detect_labels(Image={"Bytes": jpeg()}, Features=["IMAGE_PROPERTIES", "COLORS"])
    with refused(rek_unchecked, "InvalidParameterException", match="Features"):
        rek_unchecked.detect_labels(
            Image={"Bytes": jpeg()}, Features=["IMAGE_PROPERTIES", "GENERAL_LABELS", "IMAGE_PROPERTIES"]
        )
