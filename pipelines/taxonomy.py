"""Rekognition-style label taxonomy: names, ancestors, aliases and categories, and the label filters.

The data lives in ``pipelines/data/label_taxonomy.json`` (see its ``source`` and ``notes`` fields for
where it comes from). It maps each detector class (COCO names such as ``cell phone``) to a label as
Rekognition spells it (``Cell Phone``), and holds an entry for every label that can be reported,
including every parent, because Rekognition reports parents as labels of their own.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

_DATA_PACKAGE = "pipelines"
_DATA_FILE = "data/label_taxonomy.json"


@dataclass(frozen=True, slots=True)
class LabelInfo:
    """A label as Rekognition reports it.

    ``parents`` holds all ancestors (Rekognition: "The response includes all ancestor labels"),
    nearest first as listed in the data file; ``categories`` are Rekognition label categories such as
    ``Vehicles and Automotive``.
    """

    name: str
    parents: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


class LabelTaxonomy:
    """Looks labels up by detector class name or by Rekognition label name."""

    def __init__(self, labels: Mapping[str, LabelInfo], detector_classes: Mapping[str, str]) -> None:
        """Build from label entries keyed by name and a detector-class -> label-name map.

        Raises ``ValueError`` if a detector class maps to an unknown label or a parent has no entry.
        """
        for cls, name in detector_classes.items():
            if name not in labels:
                raise ValueError(f"detector class {cls!r} maps to {name!r}, which has no label entry")
        for info in labels.values():
            for parent in info.parents:
                if parent not in labels:
                    raise ValueError(f"label {info.name!r} has parent {parent!r}, which has no entry")
        self._labels = dict(labels)
        self._detector_classes = dict(detector_classes)

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> LabelTaxonomy:
        """Build from the parsed JSON document (``labels`` and ``detector_classes`` members)."""
        labels = {
            name: LabelInfo(
                name=name,
                parents=tuple(entry.get("parents", ())),
                aliases=tuple(entry.get("aliases", ())),
                categories=tuple(entry.get("categories", ())),
            )
            for name, entry in document["labels"].items()
        }
        return cls(labels, document["detector_classes"])

    @classmethod
    def load_default(cls) -> LabelTaxonomy:
        """The packaged taxonomy (``pipelines/data/label_taxonomy.json``), parsed once per process."""
        return _default_taxonomy()

    def for_detector_class(self, class_name: str) -> LabelInfo | None:
        """The label for a detector class name (e.g. ``cell phone`` -> Cell Phone); None if unmapped.

        A user-supplied detector may emit classes the taxonomy does not know; those are not reported.
        """
        name = self._detector_classes.get(class_name)
        return None if name is None else self._labels[name]

    def info(self, name: str) -> LabelInfo:
        """The label called ``name`` (exact spelling). Raises ``KeyError`` if unknown."""
        return self._labels[name]

    @property
    def label_names(self) -> frozenset[str]:
        """Every label name the taxonomy can report (detected labels and their parents)."""
        return frozenset(self._labels)

    @property
    def detector_classes(self) -> frozenset[str]:
        """Every detector class name the taxonomy maps."""
        return frozenset(self._detector_classes)


@functools.lru_cache(maxsize=1)
def _default_taxonomy() -> LabelTaxonomy:
    text = resources.files(_DATA_PACKAGE).joinpath(_DATA_FILE).read_text(encoding="utf-8")
    return LabelTaxonomy.from_json(json.loads(text))


class LabelFilter:
    """StartLabelDetection's ``Settings.GeneralLabels`` filters.

    Semantics (AWS documents the four lists and that inclusive and exclusive filters may be combined,
    but not how; this is the reading that makes every combination meaningful):

    * A label passes the inclusion stage if no inclusion filter is given at all, or its name is in
      ``inclusion`` (LabelInclusionFilters), or any of its categories is in ``category_inclusion``
      (LabelCategoryInclusionFilters). The two inclusion lists are a union.
    * Exclusion then wins: a label is dropped if its name is in ``exclusion`` or any of its categories
      is in ``category_exclusion``.
    * Matching is exact and case-sensitive on the label ``Name`` and on category names, as Rekognition
      spells them (``Cell Phone``, ``Animals and Pets``); AWS documents no case folding, and its own
      examples always use the exact spelling. Aliases are not matched. A name that matches no label or
      category simply matches nothing (so an inclusion list of only unknown names yields no labels).
    * Parents are labels in their own right and are filtered by their own name and categories: an
      inclusion filter of ``["Car"]`` reports Car but not its parents Vehicle and Transportation.
    """

    def __init__(
        self,
        inclusion: Iterable[str] = (),
        exclusion: Iterable[str] = (),
        category_inclusion: Iterable[str] = (),
        category_exclusion: Iterable[str] = (),
    ) -> None:
        self.inclusion = frozenset(inclusion)
        self.exclusion = frozenset(exclusion)
        self.category_inclusion = frozenset(category_inclusion)
        self.category_exclusion = frozenset(category_exclusion)

    @classmethod
    def from_general_labels_settings(cls, settings: Mapping[str, Any] | None) -> LabelFilter:
        """Build from a request's ``Settings.GeneralLabels`` object (None or {} -> allow everything)."""
        settings = settings or {}
        return cls(
            inclusion=settings.get("LabelInclusionFilters") or (),
            exclusion=settings.get("LabelExclusionFilters") or (),
            category_inclusion=settings.get("LabelCategoryInclusionFilters") or (),
            category_exclusion=settings.get("LabelCategoryExclusionFilters") or (),
        )

    def allows(self, info: LabelInfo) -> bool:
        """Whether a label with this name and these categories is reported."""
        if self.inclusion or self.category_inclusion:
            included = info.name in self.inclusion or not self.category_inclusion.isdisjoint(info.categories)
            if not included:
                return False
        if info.name in self.exclusion:
            return False
        return self.category_exclusion.isdisjoint(info.categories)

    def __repr__(self) -> str:
        return (
            f"LabelFilter(inclusion={sorted(self.inclusion)}, exclusion={sorted(self.exclusion)}, "
            f"category_inclusion={sorted(self.category_inclusion)}, "
            f"category_exclusion={sorted(self.category_exclusion)})"
        )


#: A filter that lets every label through.
ALLOW_ALL = LabelFilter()
