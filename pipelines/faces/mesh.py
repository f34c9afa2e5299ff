"""Eye and mouth state from human-models' facemesh (MediaPipe Face Mesh, 468 landmarks), built by
``vidrek models``.

Input as Human feeds it: the face's square box (MTCNN's box, grown ``CROP_ENLARGE`` times about its centre,
as Human grows its detector box) resized bilinearly to 192x192, RGB / 255. Outputs: ``output_mesh``
[N, 1404] = 468 x (x, y, z) in crop pixels, ``output_faceflag`` [N, 1] (face probability: 1.0 on every
test face, < 0.001 on non-face crops).

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
from pipelines.geometry import BoundingBox
from pipelines.models.registry import model_path
from pipelines.onnx_session import create_session

CROP_SIDE = 192
#: How much MTCNN's box is grown before cropping (Human uses 1.5-1.6 on its detector's box). At 1.0 the
#: chin and brows fall outside the crop and the mesh drifts; above 2 the face gets too few pixels.
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

#: Minimum faceflag for the mesh to be trusted; below it the eye/mouth state is left out.
MIN_FACE_FLAG = 0.5


@dataclass(frozen=True)
class FaceMeshState:
    """Eye and mouth openness ratios of one face and their probabilities (0..1)."""

    eye_openness: float
    mouth_openness: float
    eyes_open_probability: float
    mouth_open_probability: float


def _logistic(value: float, threshold: float, scale: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, (value - threshold) / scale))))


def _crop(image: RGBImage, box: BoundingBox) -> npt.NDArray[np.float32]:
    height, width = image.shape[:2]
    cx = (box.left + box.width / 2) * width
    cy = (box.top + box.height / 2) * height
    half = max(box.width * width, box.height * height) * CROP_ENLARGE / 2
    crop = Image.fromarray(image).crop(
        (round(cx - half), round(cy - half), round(cx + half), round(cy + half))
    )
    resized = crop.resize((CROP_SIDE, CROP_SIDE), Image.Resampling.BILINEAR)
    return np.asarray(resized, dtype=np.float32) / 255.0


def _distance(points: npt.NDArray[np.float32], a: int, b: int) -> float:
    return float(np.linalg.norm(points[a, :2] - points[b, :2]))


class FaceMeshModel:
    """Eye and mouth state of faces. Thread-safe (one inference at a time)."""

    def __init__(self, session: onnxruntime.InferenceSession) -> None:
        self._session = session
        self._lock = threading.Lock()

    def analyse(self, image: RGBImage, boxes: list[BoundingBox]) -> list[FaceMeshState | None]:
        """The state of each face box; ``None`` where the mesh does not see a face."""
        if not boxes:
            return []
        batch = np.stack([_crop(image, box) for box in boxes])
        with self._lock:
            mesh, flag = self._session.run(["output_mesh", "output_faceflag"], {"input_1": batch})
        states: list[FaceMeshState | None] = []
        for i in range(len(boxes)):
            if float(flag[i, 0]) < MIN_FACE_FLAG:
                states.append(None)
                continue
            points = mesh[i].reshape(-1, 3)
            eyes = (
                _distance(points, 159, 145) / max(_distance(points, 33, 133), 1e-6)
                + _distance(points, 386, 374) / max(_distance(points, 362, 263), 1e-6)
            ) / 2
            mouth = _distance(points, 13, 14) / max(_distance(points, 61, 291), 1e-6)
            states.append(
                FaceMeshState(
                    eye_openness=eyes,
                    mouth_openness=mouth,
                    eyes_open_probability=_logistic(eyes, EYES_OPEN_THRESHOLD, EYES_OPEN_SCALE),
                    mouth_open_probability=_logistic(mouth, MOUTH_OPEN_THRESHOLD, MOUTH_OPEN_SCALE),
                )
            )
        return states


def load_face_mesh(model_dir: Path, threads: int) -> FaceMeshModel:
    return FaceMeshModel(create_session(model_path("facemesh", model_dir), threads))
