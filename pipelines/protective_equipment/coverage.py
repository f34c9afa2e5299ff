"""Which body part each equipment item is on, and whether it covers it.

- **Assignment**: an item of type T is a candidate for every detected body part that T covers
  (FACE_COVER -> FACE, HEAD_COVER -> HEAD, HAND_COVER -> LEFT_HAND or RIGHT_HAND) of every person. It goes
  to the candidate with the largest *coverage ratio* = area(item box & body part region) / area(region).
  If it overlaps no candidate, it goes to the nearest candidate (region centres) of the person whose box
  contains the item's centre, and does not cover it (a helmet held in the hand is reported on the HEAD
  with CoversBodyPart false); if no person box contains it, or that person has no such body part
  detected, the item is not reported (Rekognition reports equipment only on persons' body parts).
- **CoversBodyPart**: ``Value`` = coverage ratio >= ``threshold`` (default 0.5: at least half of the
  estimated region is inside the item's box). ``Confidence`` = body part confidence x (0.5 + 0.5 x m),
  where m in [0, 1] is how far the ratio is from the threshold relative to the room on that side
  (|ratio - t| / t below it, (ratio - t) / (1 - t) above it): a ratio at the threshold is a coin flip.
  Too high a threshold reports a tight mask (whose box is smaller than the estimated face) as not
  covering; too low reports a mask pulled down to the chin as covering.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipelines.geometry import BoundingBox
from pipelines.protective_equipment.types import (
    COVERED_PARTS,
    BodyPart,
    Coverage,
    EquipmentDetection,
    EquipmentPerson,
    WornEquipment,
)

DEFAULT_COVER_THRESHOLD = 0.5


def coverage_ratio(item: BoundingBox, region: BoundingBox) -> float:
    """Fraction of ``region``'s area inside ``item`` (0..1)."""
    iw = min(item.right, region.right) - max(item.left, region.left)
    ih = min(item.bottom, region.bottom) - max(item.top, region.top)
    if iw <= 0 or ih <= 0 or region.area <= 0:
        return 0.0
    return min(1.0, iw * ih / region.area)


def coverage(ratio: float, part_confidence: float, threshold: float) -> Coverage:
    covers = ratio >= threshold
    room = (1.0 - threshold) if covers else threshold
    margin = min(1.0, abs(ratio - threshold) / room) if room > 0 else 1.0
    return Coverage(value=covers, confidence=part_confidence * (0.5 + 0.5 * margin), ratio=ratio)


def _centre_distance(a: BoundingBox, b: BoundingBox) -> float:
    dx = (a.left + a.width / 2) - (b.left + b.width / 2)
    dy = (a.top + a.height / 2) - (b.top + b.height / 2)
    return float((dx * dx + dy * dy) ** 0.5)


def _contains_centre(box: BoundingBox, item: BoundingBox) -> bool:
    cx, cy = item.left + item.width / 2, item.top + item.height / 2
    return box.left <= cx <= box.right and box.top <= cy <= box.bottom


def assign_equipment(
    persons: Sequence[EquipmentPerson],
    items: Sequence[EquipmentDetection],
    *,
    threshold: float = DEFAULT_COVER_THRESHOLD,
) -> None:
    """Attach each item to a body part of ``persons`` (in place), see the module docstring."""
    for item in sorted(items, key=lambda i: -i.confidence):
        names = COVERED_PARTS[item.type]
        candidates: list[tuple[EquipmentPerson, BodyPart]] = [
            (person, part) for person in persons for part in person.body_parts if part.region.name in names
        ]
        best: BodyPart | None = None
        best_ratio = 0.0
        for _, part in candidates:
            ratio = coverage_ratio(item.box, part.region.box)
            if ratio > best_ratio:
                best, best_ratio = part, ratio
        if best is None:
            owners = [c for c in candidates if _contains_centre(c[0].box, item.box)]
            if not owners:
                continue
            best = min(owners, key=lambda c: _centre_distance(c[1].region.box, item.box))[1]
        best.equipment.append(WornEquipment(item, coverage(best_ratio, best.region.confidence, threshold)))
