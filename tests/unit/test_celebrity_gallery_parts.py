"""Celebrity recognition without services: matching faces to gallery people, gallery folders, ids."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from pipelines.celebrities.matching import match_faces
from pipelines.celebrities.types import Celebrity
from pipelines.faces.embedding import EMBEDDING_SIZE, FaceVector
from pipelines.faces.search import FaceVectorIndex
from pipelines.faces.similarity import THRESHOLD_DISTANCE
from workers.celebrity_enrollment import read_gallery_folder
from workers.celebrity_gallery import GalleryError, celebrity_id_for, make_celebrity

ANN = Celebrity("ann", "Ann")
BOB = Celebrity("bob", "Bob")


def _vector(axis: int, offset: float = 0.0) -> FaceVector:
    """A unit-ish descriptor along ``axis``, moved ``offset`` along the next axis."""
    v = np.zeros(EMBEDDING_SIZE, dtype=np.float32)
    v[axis] = 1.0
    v[axis + 1] = offset
    return v


def _gallery() -> tuple[FaceVectorIndex, dict[str, Celebrity]]:
    vectors = np.stack([_vector(0), _vector(0, 0.1), _vector(10)])
    index = FaceVectorIndex(["ann-1", "ann-2", "bob-1"], vectors)
    return index, {"ann-1": ANN, "ann-2": ANN, "bob-1": BOB}


def test_each_face_gets_its_nearest_person_above_the_threshold() -> None:
    index, people = _gallery()
    stranger = _vector(50)
    matches = match_faces([_vector(10, 0.05), stranger, _vector(0, 0.1)], index, people, 80.0)
    assert matches[0] is not None and matches[0].celebrity == BOB
    assert matches[1] is None
    assert matches[2] is not None and matches[2].celebrity == ANN
    assert matches[2].match_confidence > 99.0  # identical to ann-2


def test_a_person_is_given_to_one_face_of_a_picture_the_closest() -> None:
    index, people = _gallery()
    near, farther = _vector(0, 0.02), _vector(0, 0.3)
    matches = match_faces([farther, near], index, people, 80.0)
    assert matches[1] is not None and matches[1].celebrity == ANN
    assert matches[0] is None


def test_a_face_just_beyond_the_threshold_distance_is_not_recognised() -> None:
    index, people = _gallery()
    beyond = _vector(10, THRESHOLD_DISTANCE + 0.01)
    within = _vector(10, THRESHOLD_DISTANCE - 0.05)
    assert match_faces([beyond], index, people, 80.0) == [None]
    assert match_faces([within], index, people, 80.0)[0] is not None


def test_faces_of_no_known_person_are_ignored() -> None:
    index, _ = _gallery()
    assert match_faces([_vector(0)], index, {"bob-1": BOB}, 80.0) == [None]


def test_ids_are_stable_and_alphanumeric() -> None:
    assert celebrity_id_for("Barack  Obama") == celebrity_id_for("barack obama")
    assert celebrity_id_for("Barack Obama") != celebrity_id_for("Joe Biden")
    assert celebrity_id_for("Barack Obama").isalnum()
    assert make_celebrity("X", celebrity_id="abc123").celebrity_id == "abc123"
    with pytest.raises(GalleryError):
        make_celebrity("X", celebrity_id="not-alnum")
    with pytest.raises(GalleryError):
        make_celebrity("X", known_gender="male")


def test_gallery_folder_metadata(tmp_path: Path) -> None:
    for person in ("ann", "bob", "empty"):
        (tmp_path / person).mkdir()
    (tmp_path / "ann" / "a.jpg").write_bytes(b"x")
    (tmp_path / "bob" / "b.PNG").write_bytes(b"x")
    (tmp_path / "bob" / "notes.txt").write_text("not a photo")
    (tmp_path / "metadata.json").write_text(
        json.dumps({"ann": {"Name": "Ann Smith", "KnownGender": "Female", "Urls": ["a.example"]}, "zed": {}})
    )
    (tmp_path / "bob" / "metadata.json").write_text(json.dumps({"KnownGender": {"Type": "Unlisted"}}))
    entries, warnings = read_gallery_folder(tmp_path)
    by_name = {entry.celebrity.name: entry for entry in entries}
    assert set(by_name) == {"Ann Smith", "bob"}
    ann = by_name["Ann Smith"].celebrity
    assert (ann.known_gender, ann.urls, ann.celebrity_id) == (
        "Female",
        ("a.example",),
        celebrity_id_for("Ann Smith"),
    )
    assert by_name["bob"].celebrity.known_gender == "Unlisted"
    assert [p.name for p in by_name["bob"].photos] == ["b.PNG"]
    assert any("empty" in w for w in warnings) and any("zed" in w for w in warnings)


def test_gallery_folder_refuses_unknown_metadata(tmp_path: Path) -> None:
    (tmp_path / "ann").mkdir()
    (tmp_path / "ann" / "a.jpg").write_bytes(b"x")
    (tmp_path / "ann" / "metadata.json").write_text(json.dumps({"Gender": "Female"}))
    with pytest.raises(GalleryError, match="unknown members"):
        read_gallery_folder(tmp_path)
