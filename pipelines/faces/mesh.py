"""human-models' facemesh (MediaPipe Face Mesh, 468 3-D points per face), built by ``vidrek models``: the
points themselves (pose, the 30 landmarks, the eye crops of the iris model) and eye/mouth state.

Input as Human feeds it: a square around the face (MTCNN's box, grown ``CROP_ENLARGE`` times about its
centre, as Human grows its detector box) resized bilinearly to 192x192, RGB / 255. Outputs:
``output_mesh`` [N, 1404] = 468 x (x, y, z) in crop pixels (z: depth, same scale as x, larger = farther
from the camera), ``output_faceflag`` [N, 1] (face probability: 1.0 on every test face, < 0.001 on
non-face crops).

Two crops:

- :meth:`FaceMeshModel.measure` (pose, landmarks, eye direction) turns the square so that MTCNN's eyes are
  level before cropping, as Human does, and maps the points back to the image. Measured on three photos
  (obama-720p, obama2, biden) rotated by -30..30 degrees: with the level crop the roll follows the
  rotation within 2 degrees and the yaw stays within 6.4 degrees of the upright photo's; with an upright
  crop, obama-720p's yaw drifted by 16 degrees at -30 and its roll fell 8 degrees short;
- :meth:`FaceMeshModel.analyse` (the attribute model's eye and mouth state) crops the box upright, as the
  openness thresholds below were measured.

From the mesh:
- eye openness = lid gap / eye width per eye (MediaPipe points 159-145 over 33-133, and 386-374 over
  362-263), averaged over both eyes;
- mouth openness = inner-lip gap / mouth width (points 13-14 over 61-291).
Each ratio becomes a probability with a logistic around a threshold (see the constants); Rekognition's
``Confidence`` is then 100 x max(p, 1 - p).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import onnxruntime
from PIL import Image

from pipelines.detection import RGBImage
from pipelines.faces.detection import FaceDetection
from pipelines.geometry import BoundingBox
from pipelines.models.registry import model_path
from pipelines.onnx_session import create_session

CROP_SIDE = 192
#: How much MTCNN's box is grown before cropping (Human uses 1.5-1.6 on its detector's box). At 1.0 the
#: chin and brows fall outside the crop and the mesh drifts; above 2 the face gets too few pixels (on
#: the pose set the yaw error grew from 6.2 degrees at 1.5 to 9.5 at 2.2).
CROP_ENLARGE = 1.5

#: Eye openness (lid gap / eye width) where "open" and "closed" are equally likely. Measured on open eyes:
#: 0.17-0.45 on the photos of shared/media/faces and 0.21-0.45 over all 120 carphone frames; no closed-eye
#: photo is in the test media, so the threshold follows the eye-aspect-ratio literature (Soukupova & Cech
#: 2016 use 0.2 on a 6-point ratio that reads ~1.2x this 2-point one for the same eye).
EYES_OPEN_THRESHOLD = 0.12
EYES_OPEN_SCALE = 0.02
#: Mouth openness (inner-lip gap / mouth width). Measured: closed lips 0.004-0.07 (photos and carphone),
#: toothy smiles and speech 0.19-0.59; 0.10-0.12 on half-open lips.
MOUTH_OPEN_THRESHOLD = 0.15
MOUTH_OPEN_SCALE = 0.03

#: Minimum faceflag for the mesh to be trusted; below it the mesh is left out (no eye/mouth state, and
#: pose falls back to the five landmarks).
MIN_FACE_FLAG = 0.5

#: The eye corners (outer, inner) of the eye on the image's left (the person's right eye) and on the
#: image's right, as MediaPipe numbers them.
LEFT_EYE_CORNERS = (33, 133)
RIGHT_EYE_CORNERS = (263, 362)

#: A face's 468 points: float32 (468, 3), x and y in pixels of the analysed image, z in the same unit.
MeshPoints = npt.NDArray[np.float32]


@dataclass(frozen=True)
class FaceMeshState:
    """Eye and mouth openness ratios of one face and their probabilities (0..1)."""

    eye_openness: float
    mouth_openness: float
    eyes_open_probability: float
    mouth_open_probability: float


@dataclass(frozen=True, eq=False)
class FaceMesh:
    """facemesh's answer for one face: its 468 points in image pixels, faceflag and eye/mouth state."""

    points: MeshPoints
    face_flag: float
    state: FaceMeshState


@dataclass(frozen=True)
class SquareCrop:
    """Crop pixel (u, v) -> image pixel: ``x = a u + b v + c``, ``y = d u + e v + f``; ``scale`` = image
    pixels per crop pixel (for z)."""

    a: float
    b: float
    c: float
    d: float
    e: float
    f: float
    scale: float

    @classmethod
    def square(cls, cx: float, cy: float, side: float, angle: float, crop_side: int) -> SquareCrop:
        """The square of ``side`` image pixels centred on (cx, cy), turned by ``angle`` radians."""
        s = side / crop_side
        cos, sin = math.cos(angle), math.sin(angle)
        half = crop_side / 2
        return cls(
            s * cos, -s * sin, cx - s * (cos - sin) * half, s * sin, s * cos, cy - s * (sin + cos) * half, s
        )

    def crop(self, image: RGBImage, crop_side: int) -> npt.NDArray[np.uint8]:
        """The square's pixels (black outside the image), ``crop_side`` x ``crop_side``."""
        coefficients = (self.a, self.b, self.c, self.d, self.e, self.f)
        turned = Image.fromarray(image).transform(
            (crop_side, crop_side), Image.Transform.AFFINE, coefficients, resample=Image.Resampling.BILINEAR
        )
        return np.asarray(turned, dtype=np.uint8)

    def to_image(self, points: npt.NDArray[np.float32]) -> MeshPoints:
        """Crop points (N, 2 or 3) -> image pixels (z, if given, scaled like x)."""
        u, v = points[:, 0], points[:, 1]
        out = np.empty((len(points), points.shape[1]), dtype=np.float32)
        out[:, 0] = self.a * u + self.b * v + self.c
        out[:, 1] = self.d * u + self.e * v + self.f
        if points.shape[1] > 2:
            out[:, 2] = points[:, 2] * self.scale
        return out


def _logistic(value: float, threshold: float, scale: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, (value - threshold) / scale))))


def _upright_crop(image: RGBImage, box: BoundingBox) -> npt.NDArray[np.float32]:
    height, width = image.shape[:2]
    cx = (box.left + box.width / 2) * width
    cy = (box.top + box.height / 2) * height
    half = max(box.width * width, box.height * height) * CROP_ENLARGE / 2
    crop = Image.fromarray(image).crop(
        (round(cx - half), round(cy - half), round(cx + half), round(cy + half))
    )
    resized = crop.resize((CROP_SIDE, CROP_SIDE), Image.Resampling.BILINEAR)
    return np.asarray(resized, dtype=np.float32) / 255.0


def _level_square(face: FaceDetection, width: int, height: int) -> SquareCrop:
    """The mesh's square around ``face``, turned so that MTCNN's eyes lie on a horizontal line."""
    box = face.box
    (lx, ly), (rx, ry) = face.landmarks["eyeLeft"], face.landmarks["eyeRight"]
    angle = math.atan2((ry - ly) * height, (rx - lx) * width)
    side = max(box.width * width, box.height * height) * CROP_ENLARGE
    cx, cy = (box.left + box.width / 2) * width, (box.top + box.height / 2) * height
    return SquareCrop.square(cx, cy, side, angle, CROP_SIDE)


def _distance(points: npt.NDArray[np.float32], a: int, b: int) -> float:
    return float(np.linalg.norm(points[a, :2] - points[b, :2]))


def mesh_state(points: npt.NDArray[np.float32]) -> FaceMeshState:
    """Eye and mouth openness of a mesh (any unit: the ratios do not depend on scale or rotation)."""
    eyes = (
        _distance(points, 159, 145) / max(_distance(points, *LEFT_EYE_CORNERS), 1e-6)
        + _distance(points, 386, 374) / max(_distance(points, *RIGHT_EYE_CORNERS), 1e-6)
    ) / 2
    mouth = _distance(points, 13, 14) / max(_distance(points, 61, 291), 1e-6)
    return FaceMeshState(
        eye_openness=eyes,
        mouth_openness=mouth,
        eyes_open_probability=_logistic(eyes, EYES_OPEN_THRESHOLD, EYES_OPEN_SCALE),
        mouth_open_probability=_logistic(mouth, MOUTH_OPEN_THRESHOLD, MOUTH_OPEN_SCALE),
    )


class FaceMeshModel:
    """facemesh on face boxes. Thread-safe (one inference at a time)."""

    def __init__(self, session: onnxruntime.InferenceSession) -> None:
        self._session = session
        self._lock = threading.Lock()

    def _run(self, batch: npt.NDArray[np.float32]) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        with self._lock:
            mesh, flag = self._session.run(["output_mesh", "output_faceflag"], {"input_1": batch})
        return np.asarray(mesh, dtype=np.float32).reshape(len(batch), -1, 3), np.asarray(flag, np.float32)

    def measure(
        self, image: RGBImage, faces: list[FaceDetection], min_face_flag: float = MIN_FACE_FLAG
    ) -> list[FaceMesh | None]:
        """The mesh of each face (eye-levelled crops); ``None`` where its faceflag is below
        ``min_face_flag`` (the mesh does not see a face)."""
        if not faces:
            return []
        height, width = int(image.shape[0]), int(image.shape[1])
        squares = [_level_square(face, width, height) for face in faces]
        batch = np.stack([square.crop(image, CROP_SIDE) for square in squares]).astype(np.float32) / 255.0
        meshes, flags = self._run(batch)
        found: list[FaceMesh | None] = []
        for square, mesh, flag in zip(squares, meshes, flags[:, 0], strict=True):
            if float(flag) < min_face_flag:
                found.append(None)
                continue
            points = square.to_image(mesh)
            found.append(FaceMesh(points=points, face_flag=float(flag), state=mesh_state(points)))
        return found

    def analyse(self, image: RGBImage, boxes: list[BoundingBox]) -> list[FaceMeshState | None]:
        """The eye/mouth state of each face box (upright crops); ``None`` where the mesh sees no face."""
        if not boxes:
            return []
        meshes, flags = self._run(np.stack([_upright_crop(image, box) for box in boxes]))
        return [
            mesh_state(mesh) if float(flag) >= MIN_FACE_FLAG else None
            for mesh, flag in zip(meshes, flags[:, 0], strict=True)
        ]


def load_face_mesh(model_dir: Path, threads: int) -> FaceMeshModel:
    return FaceMeshModel(create_session(model_path("facemesh", model_dir), threads))
