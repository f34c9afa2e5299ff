"""The one place that turns image properties into DetectLabels JSON (botocore shapes
``DetectLabelsImageProperties``, ``DetectLabelsImageQuality``, ``DominantColor``,
``DetectLabelsImageForeground``/``Background`` and ``Instance.DominantColors``).

Shape: ``{"Quality": {"Brightness", "Sharpness", "Contrast"}, "DominantColors": [...],
"Foreground": {"Quality": {"Brightness", "Sharpness"}, "DominantColors": [...]}, "Background": {...}}``;
a colour is ``{"Red", "Green", "Blue", "HexCode", "CSSColor", "SimplifiedColor", "PixelPercent"}``.
Foreground and Background have no Contrast (as AWS answers); a part that does not exist (no foreground
when nothing is detected) is left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pipelines.geometry import BoundingBox
from pipelines.image_label_results import image_label_item
from pipelines.image_labels import ImageLabel
from pipelines.image_properties.dominant_colors import DominantColor
from pipelines.image_properties.properties import ImageProperties, RegionProperties
from pipelines.image_properties.quality import ImageQuality


def dominant_color_item(dominant: DominantColor) -> dict[str, Any]:
    color = dominant.color
    return {
        "Red": color.red,
        "Green": color.green,
        "Blue": color.blue,
        "HexCode": color.hex_code,
        "CSSColor": color.css_name,
        "SimplifiedColor": color.simplified,
        "PixelPercent": float(dominant.pixel_percent),
    }


def quality_item(quality: ImageQuality) -> dict[str, float]:
    item = {"Brightness": float(quality.brightness), "Sharpness": float(quality.sharpness)}
    if quality.contrast is not None:
        item["Contrast"] = float(quality.contrast)
    return item


def _region_item(region: RegionProperties) -> dict[str, Any]:
    return {
        "Quality": quality_item(region.quality),
        "DominantColors": [dominant_color_item(c) for c in region.dominant_colors],
    }


def image_properties_item(properties: ImageProperties) -> dict[str, Any]:
    """DetectLabels' ``ImageProperties`` member."""
    item: dict[str, Any] = {
        "Quality": quality_item(properties.quality),
        "DominantColors": [dominant_color_item(c) for c in properties.dominant_colors],
    }
    if properties.foreground is not None:
        item["Foreground"] = _region_item(properties.foreground)
    if properties.background is not None:
        item["Background"] = _region_item(properties.background)
    return item


def image_label_item_with_colors(
    label: ImageLabel, colors_of_box: Mapping[BoundingBox, Sequence[DominantColor]]
) -> dict[str, Any]:
    """A ``Labels`` item (:func:`pipelines.image_label_results.image_label_item`) whose instances also
    carry ``DominantColors``, the colours of their box from ``colors_of_box``."""
    item = image_label_item(label)
    for instance_item, instance in zip(item["Instances"], label.instances, strict=True):
        instance_item["DominantColors"] = [dominant_color_item(c) for c in colors_of_box[instance.box]]
    return item
