"""The one converter from face-search sightings to GetFaceSearch's ``Persons`` (``PersonMatch`` items)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipelines.face_collection_results import face_match_json
from pipelines.face_results import face_detail
from pipelines.faces.records import IndexedFace
from pipelines.faces.types import FaceAnalysis
from pipelines.geometry import BoundingBox


@dataclass(frozen=True)
class PersonSighting:
    """A tracked person's face in one sampled frame and the collection faces it matches (best first).

    ``person_box`` is the person's body box from person tracking, None for a face no tracked body carries.
    """

    timestamp_ms: int
    person_index: int
    face: FaceAnalysis
    matches: list[tuple[IndexedFace, float]]
    person_box: BoundingBox | None = None


def person_match_json(sighting: PersonSighting) -> dict[str, Any]:
    """``PersonMatch``: ``{Timestamp, Person{Index, BoundingBox, Face}, FaceMatches[{Similarity, Face}]}``.

    ``Person.BoundingBox`` (the body's box) is left out when no body was tracked with the face.
    """
    person: dict[str, Any] = {"Index": sighting.person_index}
    if sighting.person_box is not None:
        person["BoundingBox"] = sighting.person_box.to_rekognition()
    person["Face"] = face_detail(sighting.face, "DEFAULT")
    return {
        "Timestamp": sighting.timestamp_ms,
        "Person": person,
        "FaceMatches": [face_match_json(face, similarity) for face, similarity in sighting.matches],
    }


def ordered_views(sightings: list[PersonSighting]) -> dict[str, list[dict[str, Any]]]:
    """The ``TIMESTAMP`` and ``INDEX`` orderings of GetFaceSearch's ``Persons``."""
    by_time = sorted(sightings, key=lambda s: (s.timestamp_ms, s.person_index))
    by_index = sorted(sightings, key=lambda s: (s.person_index, s.timestamp_ms))
    return {
        "TIMESTAMP": [person_match_json(s) for s in by_time],
        "INDEX": [person_match_json(s) for s in by_index],
    }
