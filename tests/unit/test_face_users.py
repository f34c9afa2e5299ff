"""The user matching rules (pipelines.faces.users) on synthetic descriptors."""

from __future__ import annotations

import numpy as np

from pipelines.faces.search import VectorMatch
from pipelines.faces.users import (
    AssociationReason,
    FaceUser,
    UserStatus,
    best_user_matches,
    plan_association,
    plan_disassociation,
    user_similarity,
)


def _vector(seed: int, scale: float = 0.1) -> np.ndarray:
    return (np.random.default_rng(seed).standard_normal(128) * scale).astype(np.float32)


def test_a_user_is_as_similar_as_its_nearest_face() -> None:
    person = _vector(1)
    near = person + _vector(2, 0.005)  # distance ~0.06: same person
    stranger = _vector(3)  # distance ~1.6: someone else
    assert user_similarity(near, [stranger, person]) > 95
    assert user_similarity(near, [stranger]) < 5
    assert user_similarity(near, []) == 0.0


def test_association_refuses_with_the_documented_reasons() -> None:
    person, stranger = _vector(1), _vector(3)
    user = FaceUser("u", ("f-old",))
    vectors = {"f-old": person, "f-same": person + _vector(2, 0.005), "f-other": stranger, "f-taken": person}
    accepted, refused = plan_association(
        user,
        ["f-same", "f-other", "f-taken", "f-missing", "f-old", "f-same"],
        vectors,
        owners={"f-old": "u", "f-taken": "v"},
        threshold=75.0,
    )
    assert accepted == ["f-same"]  # once, though asked twice; f-old (already the user's) is ignored
    by_face = {item.face_id: item for item in refused}
    assert by_face["f-other"].reason is AssociationReason.LOW_MATCH_CONFIDENCE
    assert by_face["f-other"].confidence is not None and by_face["f-other"].confidence < 75
    assert by_face["f-taken"].reason is AssociationReason.ASSOCIATED_TO_A_DIFFERENT_USER
    assert by_face["f-taken"].user_id == "v"
    assert by_face["f-missing"].reason is AssociationReason.FACE_NOT_FOUND
    assert set(by_face) == {"f-other", "f-taken", "f-missing"}


def test_a_user_without_faces_takes_its_first_faces_as_given() -> None:
    accepted, refused = plan_association(
        FaceUser("u", ()), ["a", "b"], {"a": _vector(1), "b": _vector(3)}, owners={}, threshold=75.0
    )
    assert accepted == ["a", "b"] and refused == []
    assert FaceUser("u", ()).status is UserStatus.CREATED
    assert FaceUser("u", ("a",)).status is UserStatus.ACTIVE


def test_disassociation() -> None:
    removed, refused = plan_disassociation(
        FaceUser("u", ("a",)), ["a", "b", "c", "free"], ["a", "b", "free"], owners={"a": "u", "b": "v"}
    )
    assert removed == ["a"]
    assert [(item.face_id, item.reason, item.user_id) for item in refused] == [
        ("b", AssociationReason.ASSOCIATED_TO_A_DIFFERENT_USER, "v"),
        ("c", AssociationReason.FACE_NOT_FOUND, None),
    ]


def test_users_are_ranked_by_their_best_face() -> None:
    matches = [
        VectorMatch("a1", 90.0),
        VectorMatch("b1", 95.0),
        VectorMatch("a2", 99.0),
        VectorMatch("x", 99.9),
    ]
    owners = {"a1": "alice", "a2": "alice", "b1": "bob"}  # x belongs to no user
    ranked = best_user_matches(matches, owners, max_users=5)
    assert [(m.user_id, m.similarity) for m in ranked] == [("alice", 99.0), ("bob", 95.0)]
    assert [m.user_id for m in best_user_matches(matches, owners, max_users=1)] == ["alice"]
    assert [m.user_id for m in best_user_matches(matches, owners, max_users=5, exclude_user="alice")] == [
        "bob"
    ]
