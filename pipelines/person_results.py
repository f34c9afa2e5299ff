"""The one place that turns canonical person observations into GetPersonTracking's ``Persons`` items.

Item shape follows botocore's ``PersonDetection`` structure (rekognition 2016-06-27):
``{"Timestamp", "Person": {"Index", "BoundingBox", "Face"}}``. ``Face`` is present only when a face was
detected inside the person's box in that frame, with the DEFAULT attributes GetPersonTracking documents
(BoundingBox, Confidence, Landmarks, Pose, Quality), converted by :func:`pipelines.face_results.face_detail`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipelines.face_results import face_detail
from pipelines.persons.tracking import PersonObservation

#: Keys of :func:`ordered_views`: the ``SortBy`` values of GetPersonTracking.
VIEW_KEYS = ("TIMESTAMP", "INDEX")


def person_detection_item(obs: PersonObservation) -> dict[str, Any]:
    person: dict[str, Any] = {"Index": int(obs.index), "BoundingBox": obs.box.to_rekognition()}
    if obs.face is not None:
        person["Face"] = face_detail(obs.face, "DEFAULT")
    return {"Timestamp": int(obs.timestamp_ms), "Person": person}


def ordered_views(observations: Sequence[PersonObservation]) -> dict[str, list[dict[str, Any]]]:
    """Both orderings of the ``Persons`` array.

    * TIMESTAMP: by time, then index.
    * INDEX: grouped by index (ascending); within a person by detection confidence, highest first (the
      API doc: "the array elements for each person are sorted by detection confidence"), then by time.
    """
    by_time = sorted(observations, key=lambda o: (o.timestamp_ms, o.index))
    by_index = sorted(observations, key=lambda o: (o.index, -o.confidence, o.timestamp_ms))
    return {
        "TIMESTAMP": [person_detection_item(o) for o in by_time],
        "INDEX": [person_detection_item(o) for o in by_index],
    }
