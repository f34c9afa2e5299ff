"""Face similarity, the vector index, the IndexFaces quality filter and the face tracker (no services)."""

from __future__ import annotations

import json

import botocore.session
import numpy as np
import pytest
from botocore.parsers import create_parser
from botocore.validate import ParamValidator

from pipelines.face_search_results import PersonSighting, ordered_views
from pipelines.faces import descriptors
from pipelines.faces.descriptors import DescriptorMismatch
from pipelines.faces.detection import FaceDetection
from pipelines.faces.distances import fused_distance
from pipelines.faces.quality_filter import filter_faces, quality_reasons
from pipelines.faces.records import IndexedFace
from pipelines.faces.search import FaceVectorIndex
from pipelines.faces.similarity import (
    FUSION_CALIBRATION,
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


def _fused(rng: np.random.Generator, count: int) -> np.ndarray:
    """Random fused vectors: a dlib part ~0.6 long (as dlib's are) and a unit, non-negative faceres part."""
    dlib = 0.6 * _unit(rng, count)
    faceres = np.abs(rng.standard_normal((count, 1024))).astype(np.float32)
    faceres /= np.linalg.norm(faceres, axis=1, keepdims=True)
    return np.stack([descriptors.fuse(d, f) for d, f in zip(dlib, faceres, strict=True)])


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


@pytest.mark.parametrize("model_version", [descriptors.DLIB_MODEL_VERSION, descriptors.FUSION_MODEL_VERSION])
def test_search_never_returns_the_face_searched_for(model_version: str) -> None:
    rng = np.random.default_rng(5)
    vectors = _fused(rng, 50) if descriptors.is_fused(model_version) else _unit(rng, 50)
    ids = [f"id-{i}" for i in range(50)]
    index = FaceVectorIndex(ids, vectors, model_version)
    # FaceMatchThreshold 0 asks for every face: all of them but the probe itself (it used to come back
    # with similarity 0.0: its distance was set to infinity, and so was the limit at threshold 0).
    found = index.search(vectors[7], threshold=0.0, max_faces=100, exclude="id-7")
    assert len(found) == 49 and "id-7" not in {m.face_id for m in found}
    assert all(m.similarity >= 0.0 for m in found)
    assert [m.face_id for m in index.search(vectors[7], threshold=0.0, max_faces=1)] == ["id-7"]


def test_fused_index_ranks_by_the_mean_of_the_standardised_distances() -> None:
    rng = np.random.default_rng(6)
    vectors = _fused(rng, 300)
    ids = [f"id-{i}" for i in range(300)]
    index = FaceVectorIndex(ids, vectors, descriptors.FUSION_MODEL_VERSION)
    query = vectors[3] + 0.002 * rng.standard_normal((vectors.shape[1],)).astype(np.float32)
    dlib, faceres = descriptors.split(vectors)
    q_dlib, q_faceres = descriptors.split(query[None, :])
    q_faceres /= np.linalg.norm(q_faceres)
    expected = fused_distance(np.linalg.norm(dlib - q_dlib, axis=1), 1.0 - faceres @ q_faceres[0])
    found = index.search(query, threshold=0.0, max_faces=10)
    assert [m.face_id for m in found] == [ids[i] for i in np.argsort(expected)[:10]]
    assert found[0].face_id == "id-3" and found[0].similarity > 99.9
    similarities = index.similarities(query)
    assert similarities[3] == pytest.approx(found[0].similarity)
    assert FUSION_CALIBRATION.similarity(FUSION_CALIBRATION.threshold_distance) == pytest.approx(80.0)


def test_a_fused_query_searches_an_old_dlib_collection_by_its_dlib_part() -> None:
    rng = np.random.default_rng(7)
    fused = _fused(rng, 20)
    dlib_only = FaceVectorIndex([f"f{i}" for i in range(20)], fused[:, :128])  # dlib-resnet-v1
    found = dlib_only.search(fused[4], threshold=80.0, max_faces=3)
    assert [m.face_id for m in found] == ["f4"] and found[0].similarity > 99.9
    with pytest.raises(DescriptorMismatch):  # a dlib-only vector cannot search a fused collection
        FaceVectorIndex(["a"], fused[:1], descriptors.FUSION_MODEL_VERSION).search(
            fused[0, :128], threshold=80.0, max_faces=1
        )


def test_vectors_are_stored_as_the_collection_s_model_version_keeps_them() -> None:
    rng = np.random.default_rng(8)
    fused = _fused(rng, 3)
    old = descriptors.encode(fused[0], descriptors.DLIB_MODEL_VERSION)
    assert len(old) == 512  # an old collection keeps the dlib part only, as it always stored
    assert np.array_equal(descriptors.decode(old, descriptors.DLIB_MODEL_VERSION), fused[0, :128])
    new = [descriptors.encode(v, descriptors.FUSION_MODEL_VERSION) for v in fused]
    assert {len(raw) for raw in new} == {2560}
    back = descriptors.decode_all(new, descriptors.FUSION_MODEL_VERSION)
    assert np.array_equal(back[:, :128], fused[:, :128])
    assert np.abs(back - fused).max() < 1e-4  # faceres as float16
    index = FaceVectorIndex.from_bytes(
        [(f"f{i}", raw) for i, raw in enumerate(new)], descriptors.FUSION_MODEL_VERSION
    )
    assert index.search(fused[2], threshold=99.0, max_faces=1)[0].face_id == "f2"
    with pytest.raises(DescriptorMismatch):
        descriptors.encode(fused[0, :128], descriptors.FUSION_MODEL_VERSION)


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
    assert quality_reasons(dark, "AUTO", 640, 640) == ["LOW_BRIGHTNESS", "LOW_FACE_QUALITY"]
    assert quality_reasons(turned, "AUTO", 640, 640) == ["EXTREME_POSE"]
    assert quality_reasons(dark, "NONE", 640, 640) == []
    chosen = filter_faces([small, big, dark, turned], "AUTO", 1, 640, 640)
    assert chosen.kept == [big]
    reasons = {id(face): r for face, r in chosen.refused}
    assert reasons[id(small)] == ["EXCEEDS_MAX_FACES"]
    assert reasons[id(dark)] == ["LOW_BRIGHTNESS", "LOW_FACE_QUALITY"]


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
