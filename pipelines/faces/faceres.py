"""human-models' ``faceres`` (HSE_FaceRec_tf, a MobileNet trained for identity on VGGFace2, with age and
gender heads): its input as it was trained, and its 1024-D identity descriptor.

Input, as HSE_FaceRec_tf's ``facial_analysis.py`` feeds it: the face crop resized to 224x224, **BGR**, minus
the ImageNet channel means (B 103.939, G 116.779, R 123.68), i.e. Keras' "caffe" preprocessing. Fed plain
RGB 0..255 instead, the descriptor loses much of its power (true-match rate at a false-match rate of 0.1 %:
0.93 frontal / 0.69 turned instead of 0.99 / 0.94; ``benchmarks/README.md``, section "Face descriptors").

Crop: HSE takes the detector's box plus 10 px on every side. Measured with MTCNN's boxes
(``benchmarks/face_descriptors.py``), a square of 1.2x the box's longer side around its centre (10 % on
every side, whatever the face's size in pixels) did better on turned faces than the fixed 10 px, which is
1 % of a 1,000 px face and 25 % of a 40 px one; see the benchmark for every variant measured.

Descriptor: the ``global_pooling/Mean`` output (1024 non-negative values), L2-normalised; faces are
compared by cosine distance. Cost: 10-16 ms per face on 2 cores.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import numpy.typing as npt
import onnxruntime
from PIL import Image

from pipelines.detection import RGBImage
from pipelines.geometry import BoundingBox
from pipelines.models.registry import model_path
from pipelines.onnx_session import create_session

#: faceres' input side in pixels.
INPUT_SIDE = 224

#: ImageNet channel means in **BGR** order, subtracted from the BGR pixels (Keras "caffe" mode).
BGR_MEANS = np.array([103.939, 116.779, 123.68], dtype=np.float32)

#: Side of the descriptor's square crop, relative to the longer side of the face box (1.2: 10 % margin on
#: every side). Range that made sense: 1.1-1.3; a first exploration of 1.0 / 1.1 / 1.2 / 1.3 fused with
#: dlib matched 0.76 / 0.92 / 0.90 / 0.92 of the turned pairs with no stranger accepted at all: the bare
#: box loses the face's outline. HSE's box + 10 px: see the benchmark's table.
CROP_SCALE = 1.2

#: Names of faceres' input and descriptor output.
INPUT_NAME = "input_1:0"
DESCRIPTOR_OUTPUT = "global_pooling/Mean"

#: Size of the descriptor.
DESCRIPTOR_SIZE = 1024

#: A batch of faceres descriptors (float32, N x 1024, unit length).
FaceresVectors = npt.NDArray[np.float32]


def square_crop(image: RGBImage, box: BoundingBox, scale: float, side: int = INPUT_SIDE) -> RGBImage:
    """The square of ``scale`` x the box's longer side around the box's centre (the part outside the image
    is black), resized bilinearly to ``side`` x ``side``; uint8 RGB."""
    height, width = image.shape[:2]
    cx = (box.left + box.width / 2) * width
    cy = (box.top + box.height / 2) * height
    half = max(box.width * width, box.height * height) * scale / 2
    x1, y1, x2, y2 = (round(cx - half), round(cy - half), round(cx + half), round(cy + half))
    crop = Image.fromarray(image).crop((x1, y1, max(x2, x1 + 1), max(y2, y1 + 1)))
    return np.asarray(crop.resize((side, side), Image.Resampling.BILINEAR), dtype=np.uint8)


def as_faceres_input(crops: RGBImage) -> npt.NDArray[np.float32]:
    """uint8 RGB crops (N x 224 x 224 x 3) -> faceres' input: BGR float32 minus the ImageNet means."""
    bgr = np.asarray(crops, dtype=np.float32)[..., ::-1]
    return np.ascontiguousarray(bgr - BGR_MEANS)


class FaceresDescriber:
    """faceres' identity descriptor of face boxes. Thread-safe (one inference at a time)."""

    def __init__(self, session: onnxruntime.InferenceSession) -> None:
        self._session = session
        self._lock = threading.Lock()

    def describe(self, image: RGBImage, boxes: list[BoundingBox]) -> FaceresVectors:
        """Unit-length descriptors of the faces in ``boxes`` (ratios of ``image``), in their order."""
        if not boxes:
            return np.zeros((0, DESCRIPTOR_SIZE), dtype=np.float32)
        batch = as_faceres_input(np.stack([square_crop(image, box, CROP_SCALE) for box in boxes]))
        with self._lock:
            raw = self._session.run([DESCRIPTOR_OUTPUT], {INPUT_NAME: batch})[0]
        vectors = np.asarray(raw, dtype=np.float32).reshape(len(boxes), DESCRIPTOR_SIZE)
        norms = np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        unit: FaceresVectors = (vectors / norms).astype(np.float32)
        return unit


def load_faceres(model_dir: Path, threads: int) -> FaceresDescriber:
    """faceres from ``model_dir`` (raises ModelNotBuiltError if ``vidrek models`` has not built it)."""
    return FaceresDescriber(create_session(model_path("faceres", model_dir), threads))
