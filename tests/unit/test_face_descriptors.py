"""Face identification floors on real, pose-varied photos: the fused descriptor of new collections and
dlib's of old ones, through the production path (MTCNN -> embedder -> FaceVectorIndex similarity).

Faces: every labelled person of ``shared/media/faces/pose`` (labels.csv, yaw from notes.csv) and the
photos of ``shared/media/faces/identities``; the floors sit just under what
``benchmarks/face_descriptors.py`` measured (README "Face descriptors").
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from pipelines.faces import descriptors
from pipelines.faces.detection import FaceDetection
from pipelines.faces.search import FaceVectorIndex
from pipelines.images import decode_image
from workers.models import Models
from workers.settings import Settings

pytestmark = pytest.mark.slow

#: The group selfie: two labelled faces at its left edge are not detected; Angelina is the 2nd found.
BY_HAND = {"angelina/deepface_selfie-many-people.jpg": 2}


@dataclass(frozen=True)
class Measured:
    """Similarities of every pair of faces, and which pairs are which."""

    similarity: npt.NDArray[np.float64]
    frontal: npt.NDArray[np.bool_]  # same person, both faces turned < 30 degrees
    turned: npt.NDArray[np.bool_]  # same person, the more turned face 30-60 degrees
    different: npt.NDArray[np.bool_]


def _chosen(found: list[FaceDetection], row: dict[str, str]) -> FaceDetection:
    ordered = sorted(found, key=lambda d: d.box.left + d.box.width / 2)
    if row["file"] in BY_HAND:
        return ordered[BY_HAND[row["file"]] - 1]
    if len(ordered) == int(row["faces_in_photo"]):
        return ordered[int(row["position_of_identity"].split("/")[0]) - 1]
    return max(found, key=lambda d: d.box.area)


@pytest.fixture(scope="module")
def faces(shared_media: Path, model_dir: Path) -> tuple[list[str], list[float], npt.NDArray[np.float32]]:
    """(identity, yaw, fused vector) of every face of the set."""
    models = Models(Settings(model_dir=model_dir, onnx_threads=2))
    detector, embedder = models.face_detector(), models.face_embedder()
    pose = shared_media / "faces" / "pose"
    with (pose / "notes.csv").open(newline="") as notes:
        yaws = {(r["file"], r["identity"]): float(r["yaw_estimate_deg"]) for r in csv.DictReader(notes)}
    with (pose / "labels.csv").open(newline="") as labels:
        rows = list(csv.DictReader(labels))
    identities, yaw, vectors = [], [], []
    for row in rows:
        rgb = decode_image((pose / row["file"]).read_bytes()).rgb
        face = _chosen(detector.detect(rgb), row)
        identities.append(row["identity"])
        yaw.append(yaws[(row["file"], row["identity"])])
        vectors.append(embedder.embed(rgb, face.box))
    for path in sorted((shared_media / "faces" / "identities").glob("*/*")):
        rgb = decode_image(path.read_bytes()).rgb
        face = max(detector.detect(rgb), key=lambda d: d.box.area)
        identities.append(path.parent.name)
        yaw.append(0.0)  # frontal portraits
        vectors.append(embedder.embed(rgb, face.box))
    return identities, yaw, np.stack(vectors)


def _measure(faces: tuple[list[str], list[float], npt.NDArray[np.float32]], model_version: str) -> Measured:
    identities, yaw, vectors = faces
    stored = np.stack([descriptors.vector_for_model(v, model_version) for v in vectors])
    ids = [str(i) for i in range(len(identities))]
    index = FaceVectorIndex(ids, stored, model_version)
    full = np.stack([index.similarities(v) for v in vectors])
    first, second = np.triu_indices(len(ids), 1)
    who, turn = np.array(identities), np.maximum(np.array(yaw)[first], np.array(yaw)[second])
    same = who[first] == who[second]
    return Measured(full[first, second], same & (turn < 30), same & (turn >= 30) & (turn <= 60), ~same)


def test_new_collections_match_turned_faces_and_no_stranger_reaches_90(
    faces: tuple[list[str], list[float], npt.NDArray[np.float32]],
) -> None:
    m = _measure(faces, descriptors.FUSION_MODEL_VERSION)
    assert m.frontal.sum() >= 190 and m.turned.sum() >= 80 and m.different.sum() >= 6500
    frontal, turned = np.mean(m.similarity[m.frontal] >= 80), np.mean(m.similarity[m.turned] >= 80)
    false_match_rate = np.mean(m.similarity[m.different] >= 80)
    # Measured: 0.995 frontal, 0.940 turned (5 misses, 4 of them one blurred face), 4 of 6,720
    # different-person pairs at >= 80 (0.06 %), the nearest stranger 87.7.
    assert frontal >= 0.99, frontal
    assert turned >= 0.92, turned
    assert false_match_rate < 0.001, false_match_rate
    assert m.similarity[m.different].max() < 90
    # At a false-match rate of 0.1 % (whatever the calibration): 0.995 frontal, 0.940 turned.
    cut = np.sort(m.similarity[m.different])[::-1][int(0.001 * m.different.sum())]
    assert np.mean(m.similarity[m.frontal] > cut) >= 0.99
    assert np.mean(m.similarity[m.turned] > cut) >= 0.93


def test_old_dlib_collections_answer_as_before(
    faces: tuple[list[str], list[float], npt.NDArray[np.float32]],
) -> None:
    m = _measure(faces, descriptors.DLIB_MODEL_VERSION)
    # dlib's unchanged calibration (measured: 0.995 frontal, 0.905 turned; but 9 strangers >= 80, up to
    # 98.5, which is why new collections get the fusion).
    assert np.mean(m.similarity[m.frontal] >= 80) >= 0.99
    assert np.mean(m.similarity[m.turned] >= 80) >= 0.85
