"""The ``Summary`` of DetectProtectiveEquipment: who wears, who lacks, who cannot be judged.

``MinConfidence`` below 50 counts as 50 (as Rekognition documents). For a person and a required type T:

- T is **indeterminate** if no equipment model is configured, the model has no class mapped to T (it
  never looked for T), the person's confidence is below MinConfidence, or a body part T covers is not
  detected with confidence >= MinConfidence (hands: unless another hand already shows T missing);
- a body part is **covered** by T when an item of type T on it has confidence >= MinConfidence and
  CoversBodyPart true with confidence >= MinConfidence; otherwise (the part is seen well enough) it is
  **not covered**. T is covered when all its parts are, missing when any seen part is not covered.

A person is *with* the required equipment when every required type is covered, *without* when any is
missing, and *indeterminate* otherwise. So a person is never said to lack equipment that no model looked
for, nor to wear it on a body part that was not seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from pipelines.protective_equipment.types import (
    COVERED_PARTS,
    EquipmentModelInfo,
    EquipmentPerson,
    EquipmentType,
)

#: Rekognition returns predictions with confidence >= 50 only, so lower MinConfidence values act as 50.
MIN_SUMMARY_CONFIDENCE = 50.0

Verdict = Literal["with", "without", "indeterminate"]


@dataclass
class EquipmentSummary:
    with_equipment: list[int] = field(default_factory=list)
    without_equipment: list[int] = field(default_factory=list)
    indeterminate: list[int] = field(default_factory=list)


def _type_verdict(
    person: EquipmentPerson, kind: EquipmentType, model: EquipmentModelInfo | None, min_conf: float
) -> Verdict:
    if model is None or kind not in model.types:
        return "indeterminate"
    states: list[Verdict] = []
    for name in COVERED_PARTS[kind]:
        part = person.part(name)
        if part is None or part.region.confidence < min_conf:
            states.append("indeterminate")
            continue
        covered = any(
            worn.detection.type == kind
            and worn.detection.confidence >= min_conf
            and worn.coverage.value
            and worn.coverage.confidence >= min_conf
            for worn in part.equipment
        )
        states.append("with" if covered else "without")
    if "without" in states:
        return "without"
    return "with" if all(s == "with" for s in states) else "indeterminate"


def person_verdict(
    person: EquipmentPerson,
    required: Sequence[EquipmentType],
    model: EquipmentModelInfo | None,
    min_confidence: float,
) -> Verdict:
    min_conf = max(MIN_SUMMARY_CONFIDENCE, min_confidence)
    if person.confidence < min_conf or not required:
        return "indeterminate"
    verdicts = [_type_verdict(person, kind, model, min_conf) for kind in required]
    if "without" in verdicts:
        return "without"
    return "with" if all(v == "with" for v in verdicts) else "indeterminate"


def summarize(
    persons: Sequence[EquipmentPerson],
    required: Sequence[EquipmentType],
    model: EquipmentModelInfo | None,
    min_confidence: float,
) -> EquipmentSummary:
    summary = EquipmentSummary()
    for person in persons:
        verdict = person_verdict(person, required, model, min_confidence)
        target = {
            "with": summary.with_equipment,
            "without": summary.without_equipment,
            "indeterminate": summary.indeterminate,
        }[verdict]
        target.append(person.id)
    return summary
