"""Face embeddings: dlib's 128-D ResNet descriptor, aligned with dlib's 5-point shape predictor.

Why dlib and not human-models' faceres (1024-D): on the identity-labelled photos of ``shared/media/faces``
and the carphone clip, dlib's Euclidean distances separate people with a clear gap (same person at most
0.52, different people at least 0.62), while faceres' cosine distances overlap (same person up to 0.424,
different people from 0.414) with the same face boxes. Figures and the similarity mapping:
:mod:`pipelines.faces.similarity` and ``benchmarks/face_identification.md``.

The models come from the ``face-recognition-models`` package (``dlib_face_recognition_resnet_model_v1.dat``
and ``shape_predictor_5_face_landmarks.dat``, CC0 / public domain, trained by Davis King); ``dlib-bin``
runs them. Cost here: 75-90 ms per face (alignment + descriptor) on one core.
"""

from __future__ import annotations

import threading

import dlib
import face_recognition_models
import numpy as np
import numpy.typing as npt

from pipelines.detection import RGBImage
from pipelines.geometry import BoundingBox

#: A face descriptor: float32, shape (128,). Faces of one person lie within ~0.5 of each other.
FaceVector = npt.NDArray[np.float32]

EMBEDDING_SIZE = 128

#: The ``FaceModelVersion`` vidrek reports: which descriptor the vectors of a collection come from.
FACE_MODEL_VERSION = "dlib-resnet-v1"

#: dlib's descriptor is computed on a jittered copy this many times and averaged. 0 = one pass. Each
#: extra pass costs a full descriptor (~70 ms) for a small gain in stability (dlib's docs: 100 passes
#: give ~0.1 % better LFW accuracy); 0 keeps IndexFaces and video search fast.
DEFAULT_JITTERS = 0

#: The aligned face chip is this many pixels square (dlib's network is trained on 150 px chips).
CHIP_SIZE = 150


class FaceEmbedder:
    """Turns a detected face (image + box) into a :data:`FaceVector`. Thread-safe."""

    model_version = FACE_MODEL_VERSION

    def __init__(self, jitters: int = DEFAULT_JITTERS) -> None:
        self._shape_predictor = dlib.shape_predictor(
            face_recognition_models.pose_predictor_five_point_model_location()
        )
        self._network = dlib.face_recognition_model_v1(
            face_recognition_models.face_recognition_model_location()
        )
        self._jitters = jitters
        self._lock = threading.Lock()

    def embed(self, image: RGBImage, box: BoundingBox) -> FaceVector:
        """The descriptor of the face in ``box`` (ratios of ``image``, uint8 RGB H x W x 3)."""
        return self.embed_all(image, [box])[0]

    def embed_all(self, image: RGBImage, boxes: list[BoundingBox]) -> list[FaceVector]:
        """Descriptors of several faces of one image, in the order of ``boxes``."""
        if not boxes:
            return []
        height, width = int(image.shape[0]), int(image.shape[1])
        pixels = np.ascontiguousarray(image, dtype=np.uint8)
        with self._lock:
            shapes = dlib.full_object_detections()
            for box in boxes:
                shapes.append(self._shape_predictor(pixels, _dlib_rectangle(box, width, height)))
            descriptors = self._network.compute_face_descriptor(pixels, shapes, self._jitters)
        return [np.asarray(descriptor, dtype=np.float32) for descriptor in descriptors]


def _dlib_rectangle(box: BoundingBox, width: int, height: int) -> dlib.rectangle:
    left = round(box.left * width)
    top = round(box.top * height)
    right = max(left + 1, round(box.right * width) - 1)
    bottom = max(top + 1, round(box.bottom * height) - 1)
    return dlib.rectangle(left, top, right, bottom)
