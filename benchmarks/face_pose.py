"""Face pose, quality gates, EyeDirection and occlusion: the measurements behind pipelines/faces/{pose,
quality_filter,iris}.py and the README's figures.

Run: ``.venv/bin/python -m benchmarks.face_pose [pose] [gates] [quality] [eyes] [occlusion] [cost]``
(no argument: every section; needs ../shared/media and ``vidrek models``). Prints the tables recorded in
``benchmarks/README.md`` ("Face pose and quality").

Faces: MTCNN (``Models.face_detector()``, production settings) on ``shared/media/faces/pose`` (labels.csv:
in a group photo the labelled person is the ``position_of_identity``-th face from the left when MTCNN
finds as many faces as labelled, else the largest, except the group selfie where Angelina is the 2nd
detected face; photos whose shorter side is at most 200 px, the 150 px TV crops, get a black border of
half their height first, as the set's README asks), yaw labels from notes.csv (unsigned, by eye,
+-10-15 degrees), pose classes from labels.csv; plus the single-person photos of ``shared/media/faces``
for the quality and gate sections. Pose classes from a yaw reading: frontal < 30, three-quarter 30-60,
profile >= 60 degrees (the labels' own ranges: 5-25, 30-50, 65-85).

- pose: mean absolute error of |yaw| against the labels per class, bias, and the confusion between
  classes, for the five-landmark estimate (as shipped before, and with its gain), facemesh's geometric
  yaw and facemesh with its gain. Gains are least-squares fits through 0 of label on |reading|; the
  "calibrated" rows use the gain fitted on the *other* identities (leave-one-identity-out).
- gates: what the production descriptor (``Models.face_embedder()``) does with turned faces: per yaw
  bin, the share of faces whose best same-person similarity to that person's faces turned < 20 degrees is
  >= 80, and the faces any stranger matches at >= 80; then, for each candidate yaw limit, the pairs
  left when only faces within it are indexed.
- quality: blurred (Gaussian, sigma = k x the face box's side) and darkened (pixels x f) copies of the
  faces turned < 30 degrees: what Sharpness / Brightness read, and whether the descriptor still finds the
  person (best similarity to the person's *other*, unmodified photos >= 80) or a stranger.
- eyes: EyeDirection on photos of people looking into the camera (chosen by eye, ``CAMERA_LOOKING``):
  the camera-frame gaze (Pose + EyeDirection) should read 0; the spread of the two eyes' disagreement;
  the response to the iris and sclera moved sideways inside the lids (iris model vs facemesh's contour).
- occlusion: facemesh's faceflag and MTCNN's confidence on synthetic occlusions of frontal faces.
- cost: ms per face of facemesh (pose crop + inference), of the iris model, and MTCNN per photo (the 2
  cores were shared with other jobs; medians).
"""

from __future__ import annotations

import csv
import functools
import math
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFilter

from pipelines.detection import RGBImage
from pipelines.faces.analysis import FaceModels, analyse_detections
from pipelines.faces.descriptors import DLIB_MODEL_VERSION
from pipelines.faces.detection import FaceDetection
from pipelines.faces.distances import pairwise
from pipelines.faces.embedding import FaceEmbedder
from pipelines.faces.mesh import FaceMesh
from pipelines.faces.pose import (
    LANDMARK_YAW_GAIN,
    MESH_YAW_GAIN,
    geometric_angles,
    head_axes,
    landmark_geometric_pose,
    mesh_pose,
)
from pipelines.faces.quality import measure_quality
from pipelines.faces.similarity import calibration_for
from pipelines.geometry import BoundingBox
from pipelines.images import decode_image
from workers.models import Models
from workers.settings import get_settings

MEDIA = Path(__file__).resolve().parents[2] / "shared" / "media" / "faces"
POSE = MEDIA / "pose"
#: Group photos whose labelled person is not found by the x-order rule (see the module docstring).
BY_HAND = {"angelina/deepface_selfie-many-people.jpg": 2}
#: Photos at most this many pixels on their shorter side are padded before detection.
PAD_BELOW = 200
#: Single-person photos outside pose/ (file -> identity), frontal portraits.
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
#: Pose-set photos whose person looks into the camera (judged by eye on the eye regions).
CAMERA_LOOKING = frozenset(
    [f"angelina/deepface_img{n}.jpg" for n in (1, 2, 4, 5, 6, 7, 10, 11)]
    + [f"deepface_person_img3/deepface_img{n}.jpg" for n in (3, 12, 53, 54, 56)]
    + [f"deepface_person_img8/deepface_img{n}.jpg" for n in (9, 47, 48, 50)]
    + [f"deepface_person_img13/deepface_img{n}.jpg" for n in (13, 14, 58)]
    + [f"deepface_person_img16/deepface_img{n}.jpg" for n in (61, 62)]
    + [f"deepface_person_img26/deepface_img{n}.jpg" for n in (26, 27, 28, 42, 43, 44, 45, 46)]
    + [f"deepface_person_img29/deepface_img{n}.jpg" for n in (30, 32)]
    + ["deepface_person_img34/deepface_img36.jpg", "deepface_person_img38/deepface_img39.jpg"]
    + [f"compreface_person_a/compreface_00{n}_A.jpg" for n in range(1, 7)]
    + ["azure_family1_dad/azure_Family1-Dad2.jpg", "azure_family1_dad/azure_Family1-Dad3.jpg"]
)
CLASSES = ("frontal", "three-quarter", "profile")
BLUR_SIGMAS = (0.0, 0.01, 0.02, 0.03, 0.05, 0.08)  # x the face box's side
DARK_FACTORS = (1.0, 0.5, 0.33, 0.25, 0.15, 0.1)
YAW_LIMITS = (30.0, 35.0, 40.0, 45.0, 50.0, 60.0, 90.0)
#: The eye contour (lower then upper lid, MediaPipe points) of each eye, for the synthetic gaze shift.
EYE_RINGS = (
    (33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246),
    (263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466),
)


@dataclass
class Face:
    identity: str
    source: str
    pose_class: str  # "frontal" / "three-quarter" / "profile"; photos outside pose/ are "frontal"
    label_yaw: float | None  # notes.csv, None outside pose/
    image: RGBImage  # the face's neighbourhood (3x the box), not the whole photo
    detection: FaceDetection
    mesh: FaceMesh | None = None


@functools.cache
def models() -> Models:
    return Models(get_settings())


def face_models() -> FaceModels:
    m = models()
    return FaceModels(mesh=m.face_mesh(), iris=m.iris_model())


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def _load(path: Path) -> RGBImage:
    image = decode_image(path.read_bytes()).rgb
    if min(image.shape[:2]) <= PAD_BELOW:
        pad = image.shape[0] // 2
        image = np.pad(image, ((pad, pad), (pad, pad), (0, 0)))
    return image


def _local(image: RGBImage, detection: FaceDetection) -> tuple[RGBImage, FaceDetection]:
    """The face's neighbourhood (3x the box, clipped) with the box and landmarks in its coordinates."""
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


@functools.cache
def load_faces() -> list[Face]:
    detector = models().face_detector()
    faces: list[Face] = []
    yaws = {(r["file"], r["identity"]): float(r["yaw_estimate_deg"]) for r in _rows(POSE / "notes.csv")}
    for row in _rows(POSE / "labels.csv"):
        image = _load(POSE / row["file"])
        found = sorted(detector.detect(image), key=lambda d: d.box.left + d.box.width / 2)
        if not found:
            print(f"  no face found in {row['file']}", file=sys.stderr)
            continue
        labelled, position = int(row["faces_in_photo"]), int(row["position_of_identity"].split("/")[0])
        if row["file"] in BY_HAND:
            chosen = found[BY_HAND[row["file"]] - 1]
        elif len(found) == labelled:
            chosen = found[position - 1]
        else:
            chosen = max(found, key=lambda d: d.box.area)
        crop, detection = _local(image, chosen)
        yaw = yaws[(row["file"], row["identity"])]
        faces.append(Face(row["identity"], f"pose/{row['file']}", row["pose"], yaw, crop, detection))
    for name, identity in PHOTOS.items():
        image = _load(MEDIA / name)
        crop, detection = _local(image, max(detector.detect(image), key=lambda d: d.box.area))
        faces.append(Face(identity, name, "frontal", None, crop, detection))
    mesh = models().face_mesh()
    for face in faces:
        face.mesh = mesh.measure(face.image, [face.detection])[0]
    return faces


def _labelled() -> list[Face]:
    return [face for face in load_faces() if face.label_yaw is not None]


def _pose_class(yaw: float) -> str:
    return CLASSES[0] if abs(yaw) < 30 else CLASSES[1] if abs(yaw) < 60 else CLASSES[2]


# --- pose --------------------------------------------------------------------------------------------


def landmark_yaw(face: Face) -> float:
    h, w = face.image.shape[:2]
    return landmark_geometric_pose(face.detection, w, h).yaw


def mesh_yaw(face: Face) -> float:
    """facemesh's geometric yaw; the five landmarks' where the mesh saw no face (as production does)."""
    if face.mesh is None:
        return landmark_yaw(face)
    return geometric_angles(head_axes(face.mesh.points))[1]


def _gain(faces: Sequence[Face], reading: Callable[[Face], float]) -> float:
    x = np.array([abs(reading(f)) for f in faces])
    y = np.array([f.label_yaw for f in faces], dtype=np.float64)
    return float(x @ y / max(float(x @ x), 1e-9))


def _pose_row(name: str, faces: Sequence[Face], predicted: dict[int, float]) -> str:
    errors: dict[str, list[float]] = {c: [] for c in CLASSES}
    confusion = {c: dict.fromkeys(CLASSES, 0) for c in CLASSES}
    for face in faces:
        assert face.label_yaw is not None
        reading = min(90.0, abs(predicted[id(face)]))
        errors[face.pose_class].append(reading - face.label_yaw)
        confusion[face.pose_class][_pose_class(reading)] += 1
    every = [abs(e) for v in errors.values() for e in v]
    cells = [f"{statistics.mean(every):.1f}"]
    for c in CLASSES:
        cells.append(f"{statistics.mean(abs(e) for e in errors[c]):.1f} ({statistics.mean(errors[c]):+.1f})")
    cells.append(" / ".join("-".join(str(confusion[c][p]) for p in CLASSES) for c in CLASSES))
    return f"| {name} | " + " | ".join(cells) + " |"


def pose_section() -> None:
    faces = _labelled()
    counts = {c: sum(f.pose_class == c for f in faces) for c in CLASSES}
    print(f"## Pose: |yaw| against the labels ({len(faces)} faces: {counts})\n")
    print(f"meshes that saw no face (pose from the landmarks): {sum(f.mesh is None for f in faces)}")
    identities = sorted({f.identity for f in faces})

    def cross_validated(reading: Callable[[Face], float]) -> tuple[dict[int, float], list[float]]:
        predicted, gains = {}, []
        for identity in identities:
            gain = _gain([f for f in faces if f.identity != identity], reading)
            gains.append(gain)
            for f in faces:
                if f.identity == identity:
                    predicted[id(f)] = gain * reading(f)
        return predicted, gains

    print(
        "\n| estimate | MAE all | frontal MAE (bias) | three-quarter MAE (bias) | profile MAE (bias) | "
        "confusion F / 3Q / P rows -> F-3Q-P |"
    )
    print("|---|---|---|---|---|---|")
    print(_pose_row("five landmarks, as shipped before", faces, {id(f): landmark_yaw(f) for f in faces}))
    predicted, gains = cross_validated(landmark_yaw)
    print(_pose_row(f"five landmarks x gain (CV, {min(gains):.2f}-{max(gains):.2f})", faces, predicted))
    print(_pose_row("facemesh, geometric", faces, {id(f): mesh_yaw(f) for f in faces}))
    predicted, gains = cross_validated(mesh_yaw)
    print(_pose_row(f"facemesh x gain (CV, {min(gains):.2f}-{max(gains):.2f})", faces, predicted))
    production = {id(f): MESH_YAW_GAIN * mesh_yaw(f) for f in faces}
    print(_pose_row(f"facemesh x {MESH_YAW_GAIN} (production)", faces, production))
    print(
        f"\nfull-set gains: landmarks {_gain(faces, landmark_yaw):.2f} (shipped {LANDMARK_YAW_GAIN}), "
        f"facemesh {_gain(faces, mesh_yaw):.2f} (shipped {MESH_YAW_GAIN}); turned faces alone: "
        f"facemesh {_gain([f for f in faces if f.pose_class != 'frontal'], mesh_yaw):.2f}"
    )
    print("\nproduction yaw readings per class (|Yaw|, min-median-max):")
    for c in CLASSES:
        values = sorted(min(90.0, abs(production[id(f)])) for f in faces if f.pose_class == c)
        print(
            f"  {c:13s} {values[0]:5.1f} {statistics.median(values):5.1f} {values[-1]:5.1f}  n={len(values)}"
        )
    frontal = [f for f in load_faces() if f.pose_class == "frontal" and f.mesh is not None]
    pitches = [geometric_angles(head_axes(f.mesh.points))[2] for f in frontal if f.mesh is not None]
    print(
        f"frontal faces' mesh pitch: mean {statistics.mean(pitches):+.1f}, sd {statistics.stdev(pitches):.1f}"
    )
    _mirror_check(frontal[:30])


def _mirror_check(faces: Sequence[Face]) -> None:
    """The yaw of a mirrored photo should be the negated yaw."""
    detector, mesh = models().face_detector(), models().face_mesh()
    sums = []
    for face in faces:
        mirrored = np.ascontiguousarray(face.image[:, ::-1])
        found = detector.detect(mirrored)
        if not found:
            continue
        got = mesh.measure(mirrored, [max(found, key=lambda d: d.box.area)])[0]
        if got is not None and face.mesh is not None:
            sums.append(mesh_yaw(face) + geometric_angles(head_axes(got.points))[1])
    print(f"mirror: yaw + mirrored yaw over {len(sums)} faces: sd {statistics.pstdev(sums):.1f} degrees")


# --- descriptor against yaw: the gates --------------------------------------------------------------


def _yaw(face: Face) -> float:
    return min(90.0, abs(MESH_YAW_GAIN * mesh_yaw(face)))


@functools.cache
def _vectors(version: str = "") -> npt.NDArray[np.float32]:
    """Every face's descriptor with ``version``'s embedder (default: the one of new collections)."""
    embedder = _embedder(version)
    return np.stack([embedder.embed(f.image, f.detection.box) for f in load_faces()])


def _embedder(version: str = "") -> FaceEmbedder:
    return models().face_embedder_for(version) if version else models().face_embedder()


def _similarities(
    query: npt.NDArray[np.float32], vectors: npt.NDArray[np.float32], version: str = ""
) -> npt.NDArray[np.float64]:
    version = version or models().face_embedder().model_version
    return calibration_for(version).similarities(pairwise(query, vectors, version))


def gates_section() -> None:
    for version in (models().face_embedder().model_version, DLIB_MODEL_VERSION):
        _gates_for(version)


def _gates_for(version: str) -> None:
    faces = load_faces()
    vectors = _vectors(version)
    yaws = np.array([_yaw(f) for f in faces])
    ids = np.array([f.identity for f in faces])
    sim = np.stack([_similarities(v, vectors, version) for v in vectors])
    print(f"## Descriptor {version} against yaw: {len(faces)} faces\n")
    print(
        "| |Yaw| bin | faces | same person >= 80 (best vs the person's faces < 20 deg) | "
        "faces a stranger matches >= 80 | highest stranger |"
    )
    print("|---|---|---|---|---|")
    for lo, hi in ((0, 15), (15, 30), (30, 40), (40, 45), (45, 50), (50, 60), (60, 91)):
        members = [i for i in range(len(faces)) if lo <= yaws[i] < hi]
        if not members:
            continue
        matched = strangers = 0
        top = 0.0
        for i in members:
            same = [j for j in range(len(faces)) if j != i and ids[j] == ids[i] and yaws[j] < 20]
            matched += bool(same) and float(sim[i, same].max()) >= 80
            other = sim[i, ids != ids[i]]
            strangers += float(other.max()) >= 80
            top = max(top, float(other.max()))
        print(f"| {lo}-{min(hi, 90)} | {len(members)} | {matched} | {strangers} | {top:.1f} |")
    print(
        "\n| AUTO yaw limit | faces indexed | same-person pairs >= 80 | different-person pairs >= 80 | "
        "highest different-person | pairs with a face turned >= 30: same >= 80, different >= 80 |"
    )
    print("|---|---|---|---|---|---|")
    for limit in YAW_LIMITS:
        kept = [i for i in range(len(faces)) if yaws[i] <= limit]
        same_total = same_hit = diff_hit = turned_total = turned_hit = turned_false = 0
        top = 0.0
        for a in range(len(kept)):
            for b in range(a + 1, len(kept)):
                i, j = kept[a], kept[b]
                turned = max(yaws[i], yaws[j]) >= 30
                if ids[i] == ids[j]:
                    same_total += 1
                    same_hit += sim[i, j] >= 80
                    turned_total += turned
                    turned_hit += turned and sim[i, j] >= 80
                else:
                    diff_hit += sim[i, j] >= 80
                    turned_false += turned and sim[i, j] >= 80
                    top = max(top, float(sim[i, j]))
        rate = same_hit / max(same_total, 1)
        print(
            f"| {limit:.0f} | {len(kept)} | {same_hit}/{same_total} ({rate:.3f}) | {diff_hit} | {top:.1f} | "
            f"{turned_hit}/{turned_total}, {turned_false} |"
        )
    worst = sorted(
        (
            (float(sim[i, j]), i, j)
            for i in range(len(faces))
            for j in range(i + 1, len(faces))
            if ids[i] != ids[j]
        ),
        reverse=True,
    )[:4]
    for value, i, j in worst:
        print(
            f"  different people at {value:.1f}: {faces[i].source} (yaw {yaws[i]:.0f}) - "
            f"{faces[j].source} (yaw {yaws[j]:.0f})"
        )
    print()


# --- blur and darkness ------------------------------------------------------------------------------


def _degraded(face: Face, blur: float, dark: float) -> RGBImage:
    h, w = face.image.shape[:2]
    side = max(face.detection.box.width * w, face.detection.box.height * h)
    image = Image.fromarray(face.image)
    if blur > 0:
        image = image.filter(ImageFilter.GaussianBlur(blur * side))
    pixels = np.asarray(image, dtype=np.float32) * dark
    degraded: RGBImage = np.clip(pixels, 0, 255).astype(np.uint8)
    return degraded


@dataclass(frozen=True)
class Copy:
    """One blurred or darkened copy of a face: what it reads and what the descriptor made of it."""

    level: str
    sharpness: float
    brightness: float
    person_found: bool  # best similarity to the person's other photos >= 80
    stranger: float  # highest similarity to anyone else


def quality_section() -> None:
    copies, missed, total = _copies()
    print(f"## Blurred and darkened copies of {total} faces turned < 30 degrees\n")
    print(
        "| copy | detected | Sharpness p10-median-p90 | Brightness p10-median-p90 | person found >= 80 | "
        "stranger >= 80 | highest stranger |"
    )
    print("|---|---|---|---|---|---|---|")
    for level in dict.fromkeys(c.level for c in copies):
        chosen = [c for c in copies if c.level == level]
        print(
            f"| {level} | {len(chosen)}/{len(chosen) + missed[level]} | "
            f"{_spread([c.sharpness for c in chosen])} | {_spread([c.brightness for c in chosen])} | "
            f"{sum(c.person_found for c in chosen)} | {sum(c.stranger >= 80 for c in chosen)} | "
            f"{max(c.stranger for c in chosen):.1f} |"
        )
    blurred = [c for c in copies if c.level.startswith("blur")]
    darkened = [c for c in copies if c.level.startswith("dark") or c.level == BLUR_LEVELS[0]]
    tables: tuple[tuple[str, list[Copy], Callable[[Copy], float], tuple[float, ...]], ...] = (
        ("Sharpness", blurred, _sharpness, (10.0, 15.0, 20.0, 25.0, 30.0, 35.0, 40.0, 50.0, 60.0)),
        ("Brightness", darkened, _brightness, (4.0, 6.0, 8.0, 10.0, 12.0, 15.0, 20.0)),
    )
    for name, pool, value, bars in tables:
        print(f"\n| {name} bar | copies refused | person found among the kept | among the refused |")
        print("|---|---|---|---|")
        for bar in bars:
            kept = [c for c in pool if value(c) >= bar]
            refused = [c for c in pool if value(c) < bar]
            print(f"| {bar:.0f} | {len(refused)}/{len(pool)} | {_share(kept)} | {_share(refused)} |")


def _sharpness(copy: Copy) -> float:
    return copy.sharpness


def _brightness(copy: Copy) -> float:
    return copy.brightness


BLUR_LEVELS = tuple(f"blur {b:.2f} x side" for b in BLUR_SIGMAS)


def _share(copies: Sequence[Copy]) -> str:
    if not copies:
        return "-"
    found = sum(c.person_found for c in copies)
    return f"{found}/{len(copies)} ({found / len(copies):.2f})"


@functools.cache
def _copies() -> tuple[list[Copy], dict[str, int], int]:
    faces = load_faces()
    vectors = _vectors()
    ids = np.array([f.identity for f in faces])
    detector, embedder = models().face_detector(), models().face_embedder()
    frontal = [i for i, f in enumerate(faces) if _yaw(f) < 30]
    copies: list[Copy] = []
    missed: dict[str, int] = {}
    levels = [(b, 1.0, name) for b, name in zip(BLUR_SIGMAS, BLUR_LEVELS, strict=True)]
    levels += [(0.0, d, f"dark x {d:.2f}") for d in DARK_FACTORS[1:]]
    for blur, dark, level in levels:
        missed[level] = 0
        for i in frontal:
            face = faces[i]
            image = _degraded(face, blur, dark)
            detected = [d for d in detector.detect(image) if d.box.iou(face.detection.box) > 0.3]
            if not detected:
                missed[level] += 1
                continue
            box = max(detected, key=lambda d: d.box.iou(face.detection.box)).box
            quality = measure_quality(image, box)
            similarities = _similarities(embedder.embed(image, box), vectors)
            same = [j for j in range(len(faces)) if ids[j] == ids[i] and faces[j].source != face.source]
            copies.append(
                Copy(
                    level,
                    quality.sharpness,
                    quality.brightness,
                    bool(same) and float(similarities[same].max()) >= 80,
                    float(similarities[ids != ids[i]].max()),
                )
            )
    return copies, missed, len(frontal)


def _spread(values: Sequence[float]) -> str:
    if not values:
        return "-"
    p10, p50, p90 = np.percentile(values, [10, 50, 90])
    return f"{p10:.0f}-{p50:.0f}-{p90:.0f}"


# --- eyes -------------------------------------------------------------------------------------------


def eyes_section() -> None:
    faces = [f for f in load_faces() if f.source.removeprefix("pose/") in CAMERA_LOOKING and f.mesh]
    chosen = face_models()
    iris = models().iris_model()
    gaze_yaw, gaze_pitch, disagreements, confidences = [], [], [], []
    for face in faces:
        (analysis,) = analyse_detections(face.image, [face.detection], chosen)
        eyes = analysis.eye_direction
        if eyes is None or face.mesh is None:
            continue
        gaze_yaw.append(analysis.pose.yaw + eyes.yaw)
        gaze_pitch.append(analysis.pose.pitch + eyes.pitch)
        confidences.append(eyes.confidence)
        disagreements.append(iris.read(face.image, [face.mesh], [analysis.pose])[0].disagreement)
    print(f"## EyeDirection on {len(gaze_yaw)} faces looking into the camera\n")
    print(
        f"camera-frame gaze (Pose + EyeDirection): yaw mean {statistics.mean(gaze_yaw):+.1f}, mean |.| "
        f"{statistics.mean(map(abs, gaze_yaw)):.1f}, sd {statistics.pstdev(gaze_yaw):.1f}; pitch mean "
        f"{statistics.mean(gaze_pitch):+.1f}, mean |.| {statistics.mean(map(abs, gaze_pitch)):.1f}, "
        f"sd {statistics.pstdev(gaze_pitch):.1f}"
    )
    print(
        f"angle between the two eyes' gaze: median {statistics.median(disagreements):.1f}, "
        f"p90 {np.percentile(disagreements, 90):.1f} degrees; Confidence median "
        f"{statistics.median(confidences):.0f}, p10 {np.percentile(confidences, 10):.0f}"
    )
    turned = [f for f in _labelled() if f.pose_class != "frontal" and f.mesh]
    turned_conf, turned_disagreement = [], []
    for face in turned:
        (analysis,) = analyse_detections(face.image, [face.detection], chosen)
        if analysis.eye_direction is not None and face.mesh is not None:
            turned_conf.append(analysis.eye_direction.confidence)
            turned_disagreement.append(iris.read(face.image, [face.mesh], [analysis.pose])[0].disagreement)
    print(
        f"turned faces (three-quarter/profile, {len(turned_conf)}): angle between the eyes median "
        f"{statistics.median(turned_disagreement):.1f}, p90 {np.percentile(turned_disagreement, 90):.1f}; "
        f"Confidence median {statistics.median(turned_conf):.0f}, p10 {np.percentile(turned_conf, 10):.0f}"
    )
    _gaze_shift(faces[:25])


def _shifted(face: Face, fraction: float) -> RGBImage:
    """The photo with the pixels inside each eye's lids moved sideways by ``fraction`` of the eye width."""
    assert face.mesh is not None
    points = face.mesh.points
    out = face.image.copy()
    for ring in EYE_RINGS:
        width = float(np.linalg.norm(points[ring[0], :2] - points[ring[8], :2]))
        mask = Image.new("L", (out.shape[1], out.shape[0]), 0)
        ImageDraw.Draw(mask).polygon([(float(points[i, 0]), float(points[i, 1])) for i in ring], fill=255)
        inside = np.asarray(mask) > 0
        moved = np.roll(face.image, round(fraction * width), axis=1)
        out[inside] = moved[inside]
    return out


def _gaze_shift(faces: Sequence[Face]) -> None:
    chosen = face_models()
    mesh = models().face_mesh()
    iris_change: dict[float, list[float]] = {-0.15: [], 0.15: []}
    contour_change: dict[float, list[float]] = {-0.15: [], 0.15: []}

    def contour_centre(image: RGBImage, face: Face) -> float:
        got = mesh.measure(image, [face.detection])[0]
        assert got is not None
        p = got.points
        values = []
        for ring in EYE_RINGS:
            width = float(np.linalg.norm(p[ring[0], :2] - p[ring[8], :2]))
            values.append((float(p[list(ring), 0].mean()) - float(p[ring[0], 0] + p[ring[8], 0]) / 2) / width)
        return statistics.mean(values)

    for face in faces:
        (base,) = analyse_detections(face.image, [face.detection], chosen)
        base_contour = contour_centre(face.image, face)
        for fraction in iris_change:
            image = _shifted(face, fraction)
            (moved,) = analyse_detections(image, [face.detection], chosen)
            if base.eye_direction is None or moved.eye_direction is None:
                continue
            iris_change[fraction].append(
                moved.pose.yaw + moved.eye_direction.yaw - base.pose.yaw - base.eye_direction.yaw
            )
            shift = (contour_centre(image, face) - base_contour) / 0.42
            contour_change[fraction].append(math.degrees(math.asin(max(-1.0, min(1.0, shift)))))
    for fraction in iris_change:
        print(
            f"iris and sclera moved {fraction:+.2f} eye widths: gaze yaw change, iris model "
            f"{statistics.mean(iris_change[fraction]):+.1f} "
            f"(sd {statistics.pstdev(iris_change[fraction]):.1f}), "
            f"facemesh eye contour {statistics.mean(contour_change[fraction]):+.1f}; a 12 mm eyeball turns "
            f"{math.degrees(math.asin(fraction / 0.42)):+.1f}"
        )


# --- occlusion --------------------------------------------------------------------------------------


def _occluded(face: Face, kind: str) -> RGBImage:
    assert face.mesh is not None
    p = face.mesh.points
    image = Image.fromarray(face.image.copy())
    draw = ImageDraw.Draw(image)
    if kind == "dark glasses":
        top = float(min(p[[159, 386, 105, 334], 1]))
        bottom = float(max(p[[145, 374, 116, 345], 1]))
        draw.rectangle((float(p[127, 0]), top, float(p[356, 0]), bottom), fill=(10, 10, 10))
    elif kind == "mask":
        draw.polygon(
            [(float(p[i, 0]), float(p[i, 1])) for i in (234, 195, 454, 365, 152, 136)], fill=(200, 200, 210)
        )
    elif kind == "hand over mouth":
        skin = tuple(int(v) for v in face.image[int(p[50, 1]), int(p[50, 0])])
        draw.ellipse(
            (float(p[61, 0]) - 10, float(p[2, 1]), float(p[291, 0]) + 10, float(p[152, 1])), fill=skin
        )
    elif kind == "half covered":
        draw.rectangle(
            (float(p[1, 0]), float(p[:, 1].min()), float(p[:, 0].max()), float(p[:, 1].max())),
            fill=(128, 128, 128),
        )
    return np.asarray(image)


def occlusion_section() -> None:
    faces = [f for f in load_faces() if f.pose_class == "frontal" and f.mesh is not None][:40]
    mesh, detector = models().face_mesh(), models().face_detector()
    print(f"## FaceOccluded: what facemesh and MTCNN say of {len(faces)} frontal faces, covered\n")
    print(
        "| occlusion | faceflag median (min) | mesh sees a face | MTCNN confidence median (p10) | "
        "MTCNN finds it |"
    )
    print("|---|---|---|---|---|")
    for kind in ("none", "dark glasses", "mask", "hand over mouth", "half covered"):
        flags, confidences = [], []
        for face in faces:
            image = face.image if kind == "none" else _occluded(face, kind)
            got = mesh.measure(image, [face.detection], min_face_flag=0.0)[0]
            flags.append(got.face_flag if got is not None else 0.0)
            found = [d.confidence for d in detector.detect(image) if d.box.iou(face.detection.box) > 0.3]
            confidences.append(max(found, default=0.0))
        print(
            f"| {kind} | {statistics.median(flags):.3f} ({min(flags):.3f}) | "
            f"{sum(f >= 0.5 for f in flags)}/{len(flags)} | {statistics.median(confidences):.1f} "
            f"({np.percentile(confidences, 10):.1f}) | {sum(c > 0 for c in confidences)}/{len(confidences)} |"
        )
    image = decode_image((MEDIA / "obama_partial_face.jpg").read_bytes()).rgb
    partial = max(detector.detect(image), key=lambda d: d.box.area)
    got = mesh.measure(image, [partial])[0]
    if got is not None:
        h, w = image.shape[:2]
        x, y = got.points[:, 0], got.points[:, 1]
        outside = float(((x < 0) | (x >= w) | (y < 0) | (y >= h)).mean())
        print(
            f"\nobama_partial_face.jpg: MTCNN {partial.confidence:.1f}, faceflag {got.face_flag:.3f}, "
            f"{outside:.0%} of the mesh's points outside the image"
        )


# --- cost -------------------------------------------------------------------------------------------


def cost_section() -> None:
    detector, mesh, iris = models().face_detector(), models().face_mesh(), models().iris_model()
    detect_ms, mesh_ms, iris_ms = [], [], []
    for name in PHOTOS:
        image = decode_image((MEDIA / name).read_bytes()).rgb
        started = time.perf_counter()
        faces = detector.detect(image)
        detect_ms.append(1000 * (time.perf_counter() - started))
        for _ in range(3):
            started = time.perf_counter()
            meshes = mesh.measure(image, faces[:1])
            mesh_ms.append(1000 * (time.perf_counter() - started))
            found = [m for m in meshes if m is not None]
            started = time.perf_counter()
            iris.read(image, found, [mesh_pose(m.points) for m in found])
            iris_ms.append(1000 * (time.perf_counter() - started))
    print(f"## Cost on {len(PHOTOS)} photos (2 shared cores, medians)\n")
    print(
        f"MTCNN per photo {statistics.median(detect_ms):.0f} ms; facemesh per face (level crop + inference) "
        f"{statistics.median(mesh_ms):.1f} ms; iris model per face (two eyes) "
        f"{statistics.median(iris_ms):.1f} ms"
    )


SECTIONS: dict[str, Callable[[], None]] = {
    "pose": pose_section,
    "gates": gates_section,
    "quality": quality_section,
    "eyes": eyes_section,
    "occlusion": occlusion_section,
    "cost": cost_section,
}


def main(argv: Sequence[str]) -> None:
    for name in argv or SECTIONS:
        SECTIONS[name]()
        print()


if __name__ == "__main__":
    main(sys.argv[1:])
