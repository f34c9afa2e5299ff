"""Face detection: the canonical :class:`FaceDetection` and the process-wide MTCNN face detector.

Why MTCNN and not blazeface: see ``benchmarks/faces.md`` (recall/precision measured on the photos in
``shared/media/faces`` and the carphone clip). MTCNN also regresses the five points Rekognition names
(both eyes, nose, both mouth corners); blazeface gives a single mouth point.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from PIL import Image

from pipelines.detection import RGBImage
from pipelines.faces.mtcnn import (
    PACKAGE,
    PACKAGE_VERSION,
    MtcnnCascade,
    MtcnnThresholds,
    RawFace,
    mtcnn_model_files,
)
from pipelines.geometry import BoundingBox
from pipelines.onnx_session import create_session

#: Rekognition's landmark names for MTCNN's five points, in MTCNN's order.
LANDMARK_NAMES = ("eyeLeft", "eyeRight", "nose", "mouthLeft", "mouthRight")

#: Largest side (pixels) an image is analysed at; bigger images are downscaled first. MTCNN's pyramid
#: time grows with the pixel count (1080p: ~4x the time of 960 px) while faces in a 1080p frame that are
#: smaller than ``min_face_px * 1920 / DEFAULT_MAX_SIDE`` px are lost. Range 320..4096.
DEFAULT_MAX_SIDE = 1280

#: O-Net probability a face needs (see ``VIDREK_FACE_DETECTION_THRESHOLD``).
DEFAULT_THRESHOLD = 0.95


@dataclass(frozen=True)
class FaceDetection:
    """One face found in one image.

    ``box``: ratios of the image. ``confidence``: 0-100, O-Net's face probability x 100 (see
    ``benchmarks/faces.md`` for how it separates faces from non-faces). ``landmarks``: ``eyeLeft``,
    ``eyeRight``, ``nose``, ``mouthLeft``, ``mouthRight`` -> (x, y) ratios of the image (left/right as seen
    in the image, as Rekognition reports them); may lie slightly outside [0, 1] for a face cut by the border.
    """

    box: BoundingBox
    confidence: float
    landmarks: dict[str, tuple[float, float]]


class FaceDetector:
    """Finds faces in RGB images. Thread-safe (one inference at a time per detector)."""

    model_version = f"{PACKAGE}-{PACKAGE_VERSION}"

    def __init__(self, cascade: MtcnnCascade, max_side: int = DEFAULT_MAX_SIDE) -> None:
        self._cascade = cascade
        self._max_side = max_side
        self._lock = threading.Lock()

    def detect(self, image: RGBImage) -> list[FaceDetection]:
        """Faces in ``image`` (uint8 RGB, H x W x 3), highest confidence first."""
        height, width = int(image.shape[0]), int(image.shape[1])
        if height == 0 or width == 0:
            return []
        scale = min(1.0, self._max_side / max(height, width))
        analysed = image
        if scale < 1.0:
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            analysed = np.asarray(Image.fromarray(image).resize(size, Image.Resampling.BOX), dtype=np.uint8)
        with self._lock:
            raw = self._cascade.detect(analysed)
        ah, aw = analysed.shape[0], analysed.shape[1]
        faces = [_to_detection(face, aw, ah) for face in raw]
        faces = [face for face in faces if face.box.width > 0 and face.box.height > 0]
        return sorted(faces, key=lambda face: -face.confidence)


def _to_detection(face: RawFace, width: int, height: int) -> FaceDetection:
    box = BoundingBox.from_corners(face.x1 / width, face.y1 / height, face.x2 / width, face.y2 / height)
    landmarks = {
        name: (x / width, y / height) for name, (x, y) in zip(LANDMARK_NAMES, face.landmarks, strict=True)
    }
    return FaceDetection(box=box, confidence=min(100.0, max(0.0, face.score * 100.0)), landmarks=landmarks)


def create_face_detector(
    threads: int, thresholds: MtcnnThresholds | None = None, max_side: int = DEFAULT_MAX_SIDE
) -> FaceDetector:
    files = mtcnn_model_files()
    cascade = MtcnnCascade(
        create_session(files["pnet"], threads),
        create_session(files["rnet"], threads),
        create_session(files["onet"], threads),
        thresholds=thresholds or MtcnnThresholds(),
    )
    return FaceDetector(cascade, max_side=max_side)
