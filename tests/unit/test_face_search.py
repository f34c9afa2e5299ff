"""Face similarity, the vector index, the IndexFaces quality filter and the face tracker (no services)."""

from __future__ import annotations

import json

import botocore.session
import numpy as np
import pytest
from botocore.parsers import create_parser
from botocore.validate import ParamValidator

from pipelines.face_search_results import PersonSighting, ordered_views
from pipelines.faces.detection import FaceDetection
from pipelines.faces.quality_filter import filter_faces, quality_reasons
from pipelines.faces.records import IndexedFace
from pipelines.faces.search import FaceVectorIndex
from pipelines.faces.similarity import (
    THRESHOLD_DISTANCE,
    distance_for_similarity,
    similarity,
    similarity_from_distances,
)
from pipelines.faces.tracks import FaceTracker
from pipelines.faces.types import FaceAnalysis, Pose, Quality
from pipelines.geometry import BoundingBox


def _unit(rng: np.random.Generator, count: int) -> np.ndarray:
    v = rng.standard_normal((count, 128)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _analysis(
    box: BoundingBox,
    confidence: float = 99.9,
    brightness: float = 50.0,
    sharpness: float = 60.0,
    yaw: float = 0.0,
) -> FaceAnalysis:
    detection = FaceDetection(box=box, confidence=confidence, landmarks={"nose": (0.5, 0.5)})
    return FaceAnalysis(detection, Pose(0.0, yaw, 0.0), Quality(brightness, sharpness))


def test_similarity_is_80_at_the_threshold_distance_and_decreasing() -> None:
    assert similarity(THRESHOLD_DISTANCE) == pytest.approx(80.0)
    distances = np.linspace(0.0, 1.5, 50)
    values = similarity_from_distances(distances)
    assert np.all(np.diff(values) < 0)
    assert values[0] > 99.9 and values[-1] < 0.1
    for percent in (1.0, 50.0, 80.0, 99.0):
        assert similarity(distance_for_similarity(percent)) == pytest.approx(percent)


def test_index_search_agrees_with_brute_force() -> None:
    rng = np.random.default_rng(1)
    vectors = _unit(rng, 500)
    ids = [f"id-{i}" for i in range(500)]
    index = FaceVectorIndex(ids, vectors)
    # A query near face 7: it comes first; every match is above the threshold, best first.
    query = vectors[7] + 0.01 * _unit(rng, 1)[0]
    found = index.search(query, threshold=0.0, max_faces=20)
    expected = np.argsort(np.linalg.norm(vectors - query, axis=1))[:20]
    assert [m.face_id for m in found] == [ids[i] for i in expected]
    assert found[0].face_id == "id-7" and found[0].similarity > 99
    strict = index.search(query, threshold=80.0, max_faces=20)
    assert [m.face_id for m in strict] == ["id-7"]  # random unit vectors are ~1.4 apart: similarity ~0
    assert index.search(query, threshold=80.0, max_faces=5, exclude="id-7") == []


def test_index_round_trips_stored_bytes() -> None:
    rng = np.random.default_rng(2)
    vectors = _unit(rng, 3)
    index = FaceVectorIndex.from_bytes([(f"f{i}", v.astype("<f4").tobytes()) for i, v in enumerate(vectors)])
    assert len(index) == 3
    assert index.search(vectors[2], threshold=99.0, max_faces=1)[0].face_id == "f2"
    assert len(FaceVectorIndex.from_bytes([])) == 0


def test_quality_filter_reasons_and_max_faces() -> None:
    big = _analysis(BoundingBox(0.1, 0.1, 0.4, 0.4))
    small = _analysis(BoundingBox(0.6, 0.6, 0.05, 0.05))  # 32 px of a 640 px image
    dark = _analysis(BoundingBox(0.5, 0.1, 0.3, 0.3), brightness=5.0)
    turned = _analysis(BoundingBox(0.5, 0.5, 0.3, 0.3), yaw=70.0)
    assert quality_reasons(small, "HIGH", 640, 640) == ["SMALL_BOUNDING_BOX"]
    assert quality_reasons(small, "MEDIUM", 640, 640) == []
    assert quality_reasons(dark, "AUTO", 640, 640) == ["LOW_BRIGHTNESS"]
    assert quality_reasons(turned, "AUTO", 640, 640) == ["EXTREME_POSE"]
    assert quality_reasons(dark, "NONE", 640, 640) == []
    chosen = filter_faces([small, big, dark, turned], "AUTO", 1, 640, 640)
    assert chosen.kept == [big]
    reasons = {id(face): r for face, r in chosen.refused}
    assert reasons[id(small)] == ["EXCEEDS_MAX_FACES"]
    assert reasons[id(dark)] == ["LOW_BRIGHTNESS"]


def test_tracker_keeps_one_index_per_person_and_reidentifies_after_a_gap() -> None:
    rng = np.random.default_rng(3)
    a, b = _unit(rng, 2)
    left, right = BoundingBox(0.1, 0.1, 0.2, 0.3), BoundingBox(0.6, 0.1, 0.2, 0.3)
    tracker = FaceTracker(max_gap_ms=1000)
    assert tracker.assign(0, [left, right], [a, b]) == [0, 1]
    # They swap places: descriptors, not positions, decide.
    assert tracker.assign(200, [left, right], [b, a]) == [1, 0]
    # Person 0 comes back after 5 s: re-identified by descriptor.
    assert tracker.assign(5200, [right], [a + 0.01]) == [0]
    # Somebody new starts a new index.
    assert tracker.assign(5400, [left], [_unit(rng, 1)[0]]) == [2]


def test_get_face_search_items_parse_with_botocore() -> None:
    face = IndexedFace(
        "0b2c9a58-8d3c-4f4e-9a2e-111111111111", "img", "ext", BoundingBox(0, 0, 0.5, 0.5), 99.9, "v"
    )
    sightings = [
        PersonSighting(400, 1, _analysis(BoundingBox(0.5, 0.1, 0.2, 0.2)), [(face, 97.5)]),
        PersonSighting(200, 0, _analysis(BoundingBox(0.1, 0.1, 0.2, 0.2)), [(face, 88.0)]),
        PersonSighting(600, 0, _analysis(BoundingBox(0.1, 0.1, 0.2, 0.2)), [(face, 91.0)]),
    ]
    views = ordered_views(sightings)
    assert [i["Timestamp"] for i in views["TIMESTAMP"]] == [200, 400, 600]
    assert [(i["Person"]["Index"], i["Timestamp"]) for i in views["INDEX"]] == [(0, 200), (0, 600), (1, 400)]
    model = botocore.session.get_session().get_service_model("rekognition")
    shape = model.operation_model("GetFaceSearch").output_shape
    for items in views.values():
        response = {"JobStatus": "SUCCEEDED", "Persons": items}
        report = ParamValidator().validate(response, shape)
        assert not report.has_errors(), report.generate_report()
        wire = {"status_code": 200, "headers": {}, "body": json.dumps(response).encode()}
        assert create_parser("json").parse(wire, shape)["Persons"] == items
