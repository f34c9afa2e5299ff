"""NudeNet 3.4 body-part detector (optional; package ``nudenet``, AGPL-3.0 licence files inside a
wheel whose metadata says MIT, so vidrek never installs it by default).

Only the ONNX file shipped in the package is used; decoding is done here: YOLOv8-style output
[1, 4 + 18, 2100] (centre x, centre y, width, height in 320-pixel input space, then 18 class scores,
no NMS), on a picture padded bottom/right to a square and resized to 320x320 (as NudeNet does).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path

import cv2
import numpy as np

from pipelines.detection import RGBImage
from pipelines.geometry import BoundingBox
from pipelines.onnx_session import create_session

#: NudeNet 3.4's class order.
CLASSES = (
    "FEMALE_GENITALIA_COVERED",
    "FACE_FEMALE",
    "BUTTOCKS_EXPOSED",
    "FEMALE_BREAST_EXPOSED",
    "FEMALE_GENITALIA_EXPOSED",
    "MALE_BREAST_EXPOSED",
    "ANUS_EXPOSED",
    "FEET_EXPOSED",
    "BELLY_COVERED",
    "FEET_COVERED",
    "ARMPITS_COVERED",
    "ARMPITS_EXPOSED",
    "FACE_MALE",
    "BELLY_EXPOSED",
    "MALE_GENITALIA_EXPOSED",
    "ANUS_COVERED",
    "FEMALE_BREAST_COVERED",
    "BUTTOCKS_COVERED",
)
INPUT_SIZE = 320


@dataclass(frozen=True, slots=True)
class BodyPart:
    label: str
    score: float
    box: BoundingBox


def nudenet_available() -> bool:
    try:
        metadata.version("nudenet")
    except metadata.PackageNotFoundError:
        return False
    return True


def decode_output(
    output: np.ndarray, side: float, width: int, height: int, min_score: float
) -> list[BodyPart]:
    """Boxes from the raw [1, 22, N] output; ``side`` is the padded square's side in picture pixels."""
    rows = np.asarray(output)[0].T  # N x 22
    scores = rows[:, 4:]
    best = scores.argmax(axis=1)
    best_score = scores[np.arange(len(rows)), best]
    keep = best_score >= min_score
    parts: list[BodyPart] = []
    if not keep.any():
        return parts
    scale = side / INPUT_SIZE
    boxes = []
    for cx, cy, w, h in rows[keep, :4]:
        boxes.append(
            [float((cx - w / 2) * scale), float((cy - h / 2) * scale), float(w * scale), float(h * scale)]
        )
    kept_scores = [float(s) for s in best_score[keep]]
    kept_classes = [int(c) for c in best[keep]]
    for i in np.asarray(cv2.dnn.NMSBoxes(boxes, kept_scores, min_score, 0.45)).reshape(-1):
        x, y, w, h = boxes[int(i)]
        box = BoundingBox.from_corners(x / width, y / height, (x + w) / width, (y + h) / height)
        parts.append(BodyPart(CLASSES[kept_classes[int(i)]], kept_scores[int(i)], box))
    return parts


class NudeNetDetector:
    def __init__(self, threads: int, min_score: float = 0.25) -> None:
        path = Path(str(resources.files("nudenet").joinpath("320n.onnx")))
        self._session = create_session(path, threads)
        self._input = self._session.get_inputs()[0].name
        self.min_score = min_score

    @property
    def model_version(self) -> str:
        return f"NudeNet 320n (nudenet {metadata.version('nudenet')})"

    def detect(self, rgb: RGBImage) -> list[BodyPart]:
        height, width = rgb.shape[:2]
        side = max(height, width)
        square = np.zeros((side, side, 3), dtype=np.uint8)
        square[:height, :width] = rgb
        resized = cv2.resize(square, (INPUT_SIZE, INPUT_SIZE), interpolation=cv2.INTER_LINEAR)
        blob = (resized.astype(np.float32) / 255.0).transpose(2, 0, 1)[np.newaxis]
        (out,) = self._session.run(None, {self._input: blob})[:1]
        return decode_output(np.asarray(out), side, width, height, self.min_score)
