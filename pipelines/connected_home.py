"""ConnectedHome labels (PERSON, PET, PACKAGE) from the COCO object detector, inside regions of interest.

Which detector classes stand for which label:

* PERSON: COCO ``person``.
* PET: COCO ``cat`` and ``dog`` (the animals people keep indoors; birds, horses ... are not pets here).
* PACKAGE: **no class of the COCO detector is a parcel or a delivery box**, so nothing backs PACKAGE: it is
  accepted in ``Labels`` (Rekognition's API allows it) but never reported. Suitcases, backpacks and
  handbags are not used as stand-ins: a backpack on a person is not a delivered package.

``ALL`` means PERSON, PET and PACKAGE.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from pipelines.detection import Detection
from pipelines.geometry import BoundingBox

#: Rekognition ConnectedHome label -> the detector class names that stand for it.
LABEL_CLASSES: dict[str, frozenset[str]] = {
    "PERSON": frozenset({"person"}),
    "PET": frozenset({"cat", "dog"}),
    "PACKAGE": frozenset(),
}

#: The labels CreateStreamProcessor accepts in ``Settings.ConnectedHome.Labels``.
VALID_LABELS = frozenset({*LABEL_CLASSES, "ALL"})

#: MinConfidence when the request has none (AWS's documented default).
DEFAULT_MIN_CONFIDENCE = 50.0


@dataclass(frozen=True)
class Region:
    """A region of interest: a box, or a polygon of (x, y) ratios."""

    box: BoundingBox | None = None
    polygon: tuple[tuple[float, float], ...] = ()

    def contains(self, x: float, y: float) -> bool:
        if self.box is not None:
            return self.box.left <= x <= self.box.right and self.box.top <= y <= self.box.bottom
        inside = False
        points = self.polygon
        for i, (x1, y1) in enumerate(points):
            x2, y2 = points[i - 1]
            if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
                inside = not inside
        return inside

    @classmethod
    def from_request(cls, item: dict[str, object]) -> Region:
        """From one ``RegionsOfInterest`` item (``BoundingBox`` or ``Polygon``)."""
        box = item.get("BoundingBox")
        if isinstance(box, dict):
            return cls(
                box=BoundingBox(
                    left=float(box.get("Left", 0.0)),
                    top=float(box.get("Top", 0.0)),
                    width=float(box.get("Width", 0.0)),
                    height=float(box.get("Height", 0.0)),
                )
            )
        polygon = item.get("Polygon")
        points = tuple(
            (float(p["X"]), float(p["Y"]))
            for p in (polygon if isinstance(polygon, list) else [])
            if isinstance(p, dict)
        )
        return cls(polygon=points)


@dataclass(frozen=True)
class HomeDetection:
    """One ConnectedHome label seen in one frame."""

    label: str  # PERSON | PET | PACKAGE
    confidence: float  # percent, calibrated
    box: BoundingBox


def wanted_labels(requested: Iterable[str]) -> frozenset[str]:
    names = set(requested)
    return frozenset(LABEL_CLASSES) if "ALL" in names else frozenset(names & set(LABEL_CLASSES))


def home_detections(
    detections: Iterable[Detection],
    confidence_of: Callable[[Detection], float],
    labels: frozenset[str],
    min_confidence: float,
    regions: Sequence[Region],
) -> list[HomeDetection]:
    """The detections that stand for a wanted label, confident enough, centred in a region (if any)."""
    found: list[HomeDetection] = []
    for detection in detections:
        label = next((name for name, classes in LABEL_CLASSES.items() if detection.label in classes), None)
        if label is None or label not in labels:
            continue
        confidence = confidence_of(detection)
        if confidence < min_confidence:
            continue
        box = detection.box
        centre = (box.left + box.width / 2, box.top + box.height / 2)
        if regions and not any(region.contains(*centre) for region in regions):
            continue
        found.append(HomeDetection(label=label, confidence=confidence, box=box))
    return sorted(found, key=lambda d: -d.confidence)
