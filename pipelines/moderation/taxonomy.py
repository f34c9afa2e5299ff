"""Rekognition's moderation taxonomy (``pipelines/data/moderation_taxonomy.json``) and the mapping of
model signals onto it.

A *signal* is one model output for one picture, named ``"<model>:<output>"`` (``"opennsfw:nsfw"``,
``"nudenet:FEMALE_BREAST_EXPOSED"``) with a score in [0, 1]. Each mapped signal names the most specific
label it backs and the least score that counts; a mapping may also require another signal (another
model's opinion of the same picture) to reach a level. A label's confidence is 100 x its best signal's
score,
and every ancestor of a reported label is reported too, with the highest confidence of its descendants
(as Rekognition returns L1 and L2 labels beside an L3 label).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any


@dataclass(frozen=True, slots=True)
class ModerationLabel:
    """One label of the taxonomy with its confidence (percent) in one picture.

    ``parent`` is ``""`` for top-level labels (as Rekognition's ``ParentName``); ``level`` is 1-3."""

    name: str
    parent: str
    level: int
    confidence: float


@dataclass(frozen=True, slots=True)
class SignalMapping:
    """``label`` is backed when the signal scores at least ``min_score`` and every signal named in
    ``requires`` scores at least its value in the same picture (corroboration by another model)."""

    label: str
    min_score: float
    requires: tuple[tuple[str, float], ...] = ()


class ModerationTaxonomy:
    def __init__(
        self, parents: Mapping[str, str], signals: Mapping[str, SignalMapping], version: str
    ) -> None:
        for name, parent in parents.items():
            if parent and parent not in parents:
                raise ValueError(f"moderation label {name!r} has unknown parent {parent!r}")
        for signal, mapping in signals.items():
            if mapping.label not in parents:
                raise ValueError(f"signal {signal!r} maps to unknown label {mapping.label!r}")
        self._parents = dict(parents)
        self._signals = dict(signals)
        self.version = version

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ModerationTaxonomy:
        parents = {str(label["name"]): str(label["parent"]) for label in data["labels"]}
        signals = {
            str(name): SignalMapping(
                str(spec["label"]),
                float(spec.get("min_score", 0.0)),
                tuple((str(k), float(v)) for k, v in (spec.get("requires") or {}).items()),
            )
            for name, spec in data["signals"].items()
        }
        return cls(parents, signals, str(data.get("version", "")))

    @classmethod
    @functools.cache
    def load_default(cls) -> ModerationTaxonomy:
        text = resources.files("pipelines").joinpath("data", "moderation_taxonomy.json").read_text("utf-8")
        return cls.from_json(json.loads(text))

    @property
    def label_names(self) -> list[str]:
        return list(self._parents)

    @property
    def signal_names(self) -> list[str]:
        return list(self._signals)

    def parent(self, name: str) -> str:
        return self._parents[name]

    def level(self, name: str) -> int:
        level = 1
        while self._parents[name]:
            name = self._parents[name]
            level += 1
        return level

    def labels(self, signals: Mapping[str, float]) -> list[ModerationLabel]:
        """The labels backed by these signal scores (unknown signals are ignored), with ancestors;
        ordered by level then name."""
        confidence: dict[str, float] = {}
        for signal, score in signals.items():
            mapping = self._signals.get(signal)
            if mapping is None or score < mapping.min_score:
                continue
            if any(signals.get(other, 0.0) < least for other, least in mapping.requires):
                continue
            value = 100.0 * min(max(float(score), 0.0), 1.0)
            name = mapping.label
            while name:
                confidence[name] = max(confidence.get(name, 0.0), value)
                name = self._parents[name]
        labels = [
            ModerationLabel(name, self._parents[name], self.level(name), value)
            for name, value in confidence.items()
        ]
        return sorted(labels, key=lambda label: (label.level, label.name))
