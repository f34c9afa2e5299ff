"""YoloDetector decodes YOLOv8 and YOLOX outputs to the exact boxes a tiny in-process ONNX emits, and
hands them to the shared post-processing (``pipelines.detectors.postprocess``) with its own knobs.

The models are built here with the ``onnx`` package: each ignores or summarises the image and emits a
known tensor, so the expected boxes (letterbox undone, NMS applied, min_score honoured) are exact.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from pipelines.detection import Detection
from pipelines.detectors.yolo import MAX_DETECTIONS, YoloDetector

INPUT = 64
CLASSES = ("cat", "dog", "kite")


def _write_model(
    path: Path,
    base: np.ndarray,
    *,
    score_from_channel: int | None = None,
    score_index: tuple[int, ...] | None = None,
) -> Path:
    """A model with input ``images`` [1, 3, 64, 64] and output ``base`` (+ mean of one input channel
    at ``score_index`` if ``score_from_channel`` is set)."""
    nodes = [
        helper.make_node("Constant", [], ["base"], value=numpy_helper.from_array(base.astype(np.float32)))
    ]
    if score_from_channel is None:
        nodes.append(helper.make_node("Identity", ["base"], ["output"]))
    else:
        assert score_index is not None
        mask = np.zeros_like(base, dtype=np.float32)
        mask[score_index] = 1.0
        nodes += [
            helper.make_node(
                "Constant",
                [],
                ["channel"],
                value=numpy_helper.from_array(np.array([score_from_channel], dtype=np.int64)),
            ),
            helper.make_node("Gather", ["images", "channel"], ["plane"], axis=1),
            helper.make_node("ReduceMean", ["plane"], ["mean"], keepdims=0),
            helper.make_node("Constant", [], ["mask"], value=numpy_helper.from_array(mask)),
            helper.make_node("Mul", ["mask", "mean"], ["score"]),
            helper.make_node("Add", ["base", "score"], ["output"]),
        ]
    graph = helper.make_graph(
        nodes,
        "constant_detector",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, INPUT, INPUT])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, list(base.shape))],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def _corners(d: Detection) -> tuple[float, float, float, float]:
    return (d.box.left, d.box.top, d.box.right, d.box.bottom)


# A 320x160 image letterboxed into 64x64: scale 0.2, content rows 16..48 (pad_y 16), no x padding.
IMAGE = np.zeros((160, 320, 3), dtype=np.uint8)


def _source_ratios(x1: float, y1: float, x2: float, y2: float) -> tuple[float, float, float, float]:
    """Input-pixel corners -> ratios of the 320x160 image (written out, not using the code under test)."""
    return (x1 / 0.2 / 320, (y1 - 16) / 0.2 / 160, x2 / 0.2 / 320, (y2 - 16) / 0.2 / 160)


def test_yolov8_boxes_scores_nms_and_min_score(tmp_path: Path) -> None:
    # columns: (cx, cy, w, h, cat, dog, kite) per box
    boxes = np.array(
        [
            [32, 32, 20, 10, 0.9, 0.1, 0.0],  # cat 0.9 -> kept
            [33, 32, 20, 10, 0.8, 0.0, 0.0],  # same place, cat 0.8 -> suppressed by NMS
            [32, 32, 20, 10, 0.0, 0.0, 0.6],  # same place, other class -> kept
            [10, 40, 8, 8, 0.0, 0.2, 0.0],  # below min_score 0.3 -> dropped
        ],
        dtype=np.float32,
    )
    model = _write_model(tmp_path / "v8.onnx", boxes.T[None])
    detector = YoloDetector(model, "yolov8", CLASSES, input_size=INPUT, threads=1, min_score=0.3)
    found = detector.detect(IMAGE)
    assert [(d.label, round(d.score, 3)) for d in found] == [("cat", 0.9), ("kite", 0.6)]
    assert _corners(found[0]) == pytest.approx(_source_ratios(22, 27, 42, 37), abs=1e-5)
    assert _corners(found[1]) == pytest.approx(_source_ratios(22, 27, 42, 37), abs=1e-5)


def test_yolox_decoded_score_is_objectness_times_class(tmp_path: Path) -> None:
    rows = np.array(
        [
            [40, 30, 16, 12, 0.8, 0.1, 0.9, 0.0],  # dog 0.72
            [20, 24, 10, 8, 0.5, 0.5, 0.0, 0.0],  # cat 0.25 -> below 0.3
        ],
        dtype=np.float32,
    )
    model = _write_model(tmp_path / "x.onnx", rows[None])
    detector = YoloDetector(model, "yolox", CLASSES, input_size=INPUT, threads=1, min_score=0.3)
    (only,) = detector.detect(IMAGE)
    assert only.label == "dog"
    assert only.score == pytest.approx(0.72, abs=1e-6)
    assert _corners(only) == pytest.approx(_source_ratios(32, 24, 48, 36), abs=1e-5)


def test_yolox_raw_grid_decoding(tmp_path: Path) -> None:
    # input 64: strides 8, 16, 32 -> 8x8 + 4x4 + 2x2 = 84 rows; row 64 + 4*2 + 3 is stride 16, cell (x=3, y=2)
    rows = np.zeros((84, 8), dtype=np.float32)
    row = 64 + 2 * 4 + 3
    rows[row] = [0.5, 0.25, np.log(1.5), np.log(0.5), 1.0, 0.0, 0.0, 0.95]
    model = _write_model(tmp_path / "xr.onnx", rows[None])
    detector = YoloDetector(model, "yolox-raw", CLASSES, input_size=INPUT, threads=1, min_score=0.3)
    (only,) = detector.detect(IMAGE)
    # cx = (3 + 0.5) * 16 = 56, cy = (2 + 0.25) * 16 = 36, w = 1.5 * 16 = 24, h = 0.5 * 16 = 8
    assert only.label == "kite"
    assert _corners(only) == pytest.approx(_source_ratios(44, 32, 64, 40), abs=1e-5)


@pytest.mark.parametrize(
    ("layout", "channel", "pixel", "expected_score"),
    [
        ("yolov8", 0, (255, 0, 0), 1.0),  # yolov8 channel 0 is R scaled to 0..1
        ("yolov8", 0, (0, 0, 255), 0.0),
        ("yolox", 0, (0, 0, 255), 255.0),  # yolox channel 0 is B, 0..255 unscaled
        ("yolox", 0, (255, 0, 0), 0.0),
    ],
)
def test_preprocessing_channel_order_and_scale(
    tmp_path: Path, layout: str, channel: int, pixel: tuple[int, int, int], expected_score: float
) -> None:
    square = np.empty((INPUT, INPUT, 3), dtype=np.uint8)  # square: no padding, every input pixel = pixel
    square[:] = pixel
    if layout == "yolov8":
        base = np.zeros((1, 7, 1), dtype=np.float32)
        base[0, :4, 0] = [32, 32, 16, 16]
        index: tuple[int, ...] = (0, 4, 0)  # cat score
    else:
        base = np.zeros((1, 1, 8), dtype=np.float32)
        base[0, 0, :5] = [32, 32, 16, 16, 1.0]
        index = (0, 0, 5)  # cat score
    model = _write_model(tmp_path / f"{layout}.onnx", base, score_from_channel=channel, score_index=index)
    detector = YoloDetector(model, layout, CLASSES, input_size=INPUT, threads=1, min_score=0.0)
    scores = [d.score for d in detector.detect(square) if d.label == "cat"]
    assert scores == [pytest.approx(expected_score, rel=1e-4, abs=1e-4)]


def test_rejects_unknown_layout_and_class_count_mismatch(tmp_path: Path) -> None:
    model = _write_model(tmp_path / "v8.onnx", np.zeros((1, 7, 2), dtype=np.float32))
    with pytest.raises(ValueError, match="unknown detector layout"):
        YoloDetector(model, "yolov5", CLASSES, input_size=INPUT, threads=1, min_score=0.3)
    detector = YoloDetector(model, "yolov8", ("only-one",), input_size=INPUT, threads=1, min_score=0.3)
    with pytest.raises(ValueError, match="expected 4 \\+ 1"):
        detector.detect(IMAGE)


def test_at_most_max_detections_best_first_and_none_from_the_padding(tmp_path: Path) -> None:
    # 400 disjoint 2 x 2 px boxes on a 20 x 20 grid 3.2 px apart, cat scores rising from 0.30 to 0.90
    n = 400
    cell = np.arange(n)
    output = np.zeros((1, 7, n), dtype=np.float32)
    output[0, 0] = cell % 20 * 3.2 + 1.6
    output[0, 1] = cell // 20 * 3.2 + 1.6
    output[0, 2:4] = 2.0
    output[0, 4] = 0.3 + 0.6 * cell / n
    model = _write_model(tmp_path / "many.onnx", output)
    detector = YoloDetector(model, "yolov8", CLASSES, input_size=INPUT, threads=1, min_score=0.0)
    square = detector.detect(np.zeros((INPUT, INPUT, 3), dtype=np.uint8))  # no padding: all 400 in view
    assert len(square) == MAX_DETECTIONS == 300
    scores = [d.score for d in square]
    assert scores == sorted(scores, reverse=True)
    assert scores[-1] == pytest.approx(0.3 + 0.6 * (n - MAX_DETECTIONS) / n, abs=1e-6)
    # on the 320x160 image rows y < 16 and y > 48 of the input are padding: the NMS keeps the 300 best,
    # of which those wholly in the padding (grid rows 15..19, boxes from y = 48.6 down) are dropped
    wide = detector.detect(IMAGE)
    assert len(wide) == MAX_DETECTIONS - 5 * 20
    assert all(d.box.height > 0 and d.box.top < 1.0 for d in wide)


def test_yolox_raw_rejects_a_box_count_the_strides_do_not_give(tmp_path: Path) -> None:
    model = _write_model(tmp_path / "xr.onnx", np.zeros((1, 10, 8), dtype=np.float32))
    detector = YoloDetector(model, "yolox-raw", CLASSES, input_size=INPUT, threads=1, min_score=0.3)
    with pytest.raises(ValueError, match="yolox-raw layout: 10 boxes, but strides"):
        detector.detect(IMAGE)
