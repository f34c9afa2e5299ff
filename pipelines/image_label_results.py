"""The one place that turns :class:`pipelines.image_labels.ImageLabel` into DetectLabels' ``Labels`` items.

Shape (botocore ``Label``): ``{"Name", "Confidence", "Instances": [{"BoundingBox", "Confidence"}],
"Parents": [{"Name"}], "Aliases": [{"Name"}], "Categories": [{"Name"}]}``. With IMAGE_PROPERTIES,
:func:`pipelines.image_properties.results.image_label_item_with_colors` adds each instance's
``DominantColors``.
"""

from __future__ import annotations

from typing import Any

from pipelines.image_labels import ImageLabel


def image_label_item(label: ImageLabel) -> dict[str, Any]:
    return {
        "Name": label.info.name,
        "Confidence": float(label.confidence),
        "Instances": [
            {"BoundingBox": i.box.to_rekognition(), "Confidence": float(i.confidence)}
            for i in label.instances
        ],
        "Parents": [{"Name": name} for name in label.info.parents],
        "Aliases": [{"Name": name} for name in label.info.aliases],
        "Categories": [{"Name": name} for name in label.info.categories],
    }
