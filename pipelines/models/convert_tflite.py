"""Convert one TensorFlow Lite model to ONNX. Runs INSIDE the build-only venv (TensorFlow + tf2onnx + onnx).

Usage: ``python convert_tflite.py <model.tflite> <output.onnx> [--opset 17]``. The conversion is
``tf2onnx.convert --tflite <model> --output <output> --dequantize --opset <opset>``: ``--dequantize``
turns the int8 weights into float32 (a 33 MB graph for EfficientNet-Lite3 instead of a 9 MB QDQ one),
which matched the tflite's top-3 classes on every test photo while the QDQ graph's scores drifted more;
the graph's input and output stay uint8 as in the tflite. On success prints one JSON line on stdout: the
ONNX inputs/outputs (name, dtype, shape) and the converter versions. Everything else (TensorFlow's and
tf2onnx's logging) goes to stderr.

This file must not import anything from vidrek: it runs with the build venv's interpreter.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any


def _tensor_specs(values: Any) -> list[dict[str, Any]]:
    import onnx

    specs = []
    for value in values:
        tensor_type = value.type.tensor_type
        shape: list[int | str] = [
            d.dim_value if d.HasField("dim_value") else (d.dim_param or "?") for d in tensor_type.shape.dim
        ]
        dtype = onnx.helper.tensor_dtype_to_np_dtype(tensor_type.elem_type).name
        specs.append({"name": value.name, "dtype": dtype, "shape": shape})
    return specs


def convert(model: Path, output: Path, opset: int) -> dict[str, Any]:
    """Convert ``model`` with tf2onnx (weights dequantized) to ``output`` and describe the result."""
    import numpy as np
    import onnx
    import tensorflow as tf
    import tf2onnx
    from tf2onnx import convert as tf2onnx_convert

    argv = ["tf2onnx.convert", "--tflite", str(model), "--output", str(output), "--dequantize"]
    saved_argv = sys.argv
    sys.argv = [*argv, "--opset", str(opset)]
    try:
        with contextlib.redirect_stdout(sys.stderr):
            tf2onnx_convert.main()
    finally:
        sys.argv = saved_argv
    graph = onnx.load(str(output), load_external_data=False).graph
    initializers = {i.name for i in graph.initializer}
    return {
        "inputs": _tensor_specs([i for i in graph.input if i.name not in initializers]),
        "outputs": _tensor_specs(graph.output),
        "converter": {
            "tensorflow": tf.__version__,
            "tf2onnx": tf2onnx.__version__,
            "onnx": onnx.__version__,
            "numpy": np.__version__,
            "options": "--dequantize",
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("model", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--opset", type=int, default=17)
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    result = convert(args.model, args.output, args.opset)
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
