"""Face descriptors: dlib's 128-D ResNet descriptor, and the fusion of dlib with human-models' faceres.

New collections get ``vidrek-dlib-faceres-fusion-1`` (:class:`FusedEmbedder`): chosen by measurement
(``benchmarks/face_descriptors.py``, figures in ``benchmarks/README.md`` section "Face descriptors"): on
pose-varied MTCNN faces, at a false-match rate of 0.1 % dlib alone matches 0.905 of the pairs with one
face turned 30-60 degrees, faceres alone 0.94, the fusion 0.95 (and 1.00 of the frontal pairs); each
calibrated so that no stranger reaches 90, at 90 the fusion still matches 0.82 of the turned pairs, dlib
0.27. It costs one faceres run (15-45 ms, 2 busy cores) on top of dlib's 75-110 ms.
Collections created before keep ``dlib-resnet-v1`` (:class:`DlibEmbedder`). Vector layouts and versions:
:mod:`pipelines.faces.descriptors`; distances: :mod:`pipelines.faces.distances`.

dlib's models come from the ``face-recognition-models`` package (``dlib_face_recognition_resnet_model_v1.dat``
and ``shape_predictor_5_face_landmarks.dat``, CC0 / public domain, trained by Davis King); ``dlib-bin``
runs them. Cost: 75-110 ms per face (alignment + descriptor). Measured and not used (same table):
horizontal-flip averaging (dlib: 2x its cost, no gain at FMR 0.1 % once fused; faceres: no gain fused),
faceres on eye-levelled crops (worse on turned faces).
"""

from __future__ import annotations

import threading
from typing import Protocol

import dlib
import face_recognition_models
import numpy as np

from pipelines.detection import RGBImage
from pipelines.faces.descriptors import (
    DLIB_MODEL_VERSION,
    DLIB_SIZE,
    FUSION_MODEL_VERSION,
    FaceVector,
    fuse,
)
from pipelines.faces.faceres import FaceresDescriber
from pipelines.geometry import BoundingBox

__all__ = [
    "DEFAULT_JITTERS",
    "DLIB_MODEL_VERSION",
    "EMBEDDING_SIZE",
    "FACE_MODEL_VERSION",
    "FUSION_MODEL_VERSION",
    "DlibEmbedder",
    "FaceEmbedder",
    "FaceVector",
    "FusedEmbedder",
]

#: Size of dlib's descriptor (the vectors of ``dlib-resnet-v1`` collections).
EMBEDDING_SIZE = DLIB_SIZE

#: The ``FaceModelVersion`` of new collections.
FACE_MODEL_VERSION = FUSION_MODEL_VERSION

#: dlib's descriptor is computed on a jittered copy this many times and averaged. 0 = one pass. Each
#: extra pass costs a full descriptor (~70 ms) for a small gain in stability (dlib's docs: 100 passes
#: give ~0.1 % better LFW accuracy); 0 keeps IndexFaces and video search fast.
DEFAULT_JITTERS = 0

#: The aligned face chip is this many pixels square (dlib's network is trained on 150 px chips).
CHIP_SIZE = 150


class FaceEmbedder(Protocol):
    """Turns detected faces (image + boxes) into :data:`FaceVector` values of ``model_version``."""

    model_version: str

    def embed(self, image: RGBImage, box: BoundingBox) -> FaceVector:
        """The descriptor of the face in ``box`` (ratios of ``image``, uint8 RGB H x W x 3)."""
        ...

    def embed_all(self, image: RGBImage, boxes: list[BoundingBox]) -> list[FaceVector]:
        """Descriptors of several faces of one image, in the order of ``boxes``."""
        ...


class DlibEmbedder:
    """dlib's 128-D descriptor (``dlib-resnet-v1``). Thread-safe."""

    model_version = DLIB_MODEL_VERSION

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
        return self.embed_all(image, [box])[0]

    def embed_all(self, image: RGBImage, boxes: list[BoundingBox]) -> list[FaceVector]:
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


class FusedEmbedder:
    """dlib + faceres (``vidrek-dlib-faceres-fusion-1``): one fused vector per face. Thread-safe.

    Its vectors also serve ``dlib-resnet-v1`` collections: their first 128 values are dlib's descriptor,
    exactly as :class:`DlibEmbedder` computes it (:func:`pipelines.faces.descriptors.vector_for_model`).
    """

    model_version = FUSION_MODEL_VERSION

    def __init__(self, dlib_embedder: DlibEmbedder, faceres: FaceresDescriber) -> None:
        self._dlib = dlib_embedder
        self._faceres = faceres

    def embed(self, image: RGBImage, box: BoundingBox) -> FaceVector:
        return self.embed_all(image, [box])[0]

    def embed_all(self, image: RGBImage, boxes: list[BoundingBox]) -> list[FaceVector]:
        if not boxes:
            return []
        faceres = self._faceres.describe(image, boxes)
        return [fuse(d, f) for d, f in zip(self._dlib.embed_all(image, boxes), faceres, strict=True)]


def _dlib_rectangle(box: BoundingBox, width: int, height: int) -> dlib.rectangle:
    left = round(box.left * width)
    top = round(box.top * height)
    right = max(left + 1, round(box.right * width) - 1)
    bottom = max(top + 1, round(box.bottom * height) - 1)
    return dlib.rectangle(left, top, right, bottom)
