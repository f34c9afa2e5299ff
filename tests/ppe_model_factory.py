"""Tiny YOLOv8-layout ONNX "protective-equipment detectors" built in-process with the ``onnx`` package.

The graph ignores the picture and emits a fixed set of boxes ([1, 4 + C, N]: cx, cy, w, h in input
pixels, then C class scores), so a test decides exactly which equipment is "seen" where. The input is
still consumed (0 x its sum is added) so that onnxruntime runs a real graph on the real input tensor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from pipelines.detectors.letterbox import Letterbox
from pipelines.geometry import BoundingBox

INPUT_SIZE = 640


@dataclass(frozen=True)
class FakeItem:
    class_id: int
    score: float
    box: BoundingBox  # ratios of the image the model will be run on


def build_fixed_yolov8_model(
    path: Path, items: Sequence[FakeItem], class_count: int, image_width: int, image_height: int
) -> Path:
    """Write the model to ``path``: ``items`` placed as YOLOv8 boxes for an image of that size."""
    fit = Letterbox.fit(image_width, image_height, INPUT_SIZE)
    slots = max(8, len(items))
    output = np.zeros((1, 4 + class_count, slots), dtype=np.float32)
    output[0, 2:4, :] = 1.0  # empty slots: 1x1 px boxes with score 0
    for slot, item in enumerate(items):
        x1 = item.box.left * image_width * fit.scale + fit.pad_x
        y1 = item.box.top * image_height * fit.scale + fit.pad_y
        w = item.box.width * image_width * fit.scale
        h = item.box.height * image_height * fit.scale
        output[0, :4, slot] = [x1 + w / 2, y1 + h / 2, w, h]
        output[0, 4 + item.class_id, slot] = item.score
    boxes = numpy_helper.from_array(output, name="boxes")
    zero = numpy_helper.from_array(np.zeros((), dtype=np.float32), name="zero")
    nodes = [
        helper.make_node("ReduceSum", ["images"], ["total"], keepdims=0),
        helper.make_node("Mul", ["total", "zero"], ["nothing"]),
        helper.make_node("Add", ["boxes", "nothing"], ["output0"]),
    ]
    graph = helper.make_graph(
        nodes,
        "fixed_ppe",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, INPUT_SIZE, INPUT_SIZE])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, list(output.shape))],
        initializer=[boxes, zero],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path
