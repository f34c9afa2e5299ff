"""Find a built model and verify it against the manifest before anyone loads it.

The sha256 check reads the whole file (8-19 MB, a few ms); it is done once per process per file and
cached, keyed by path, size and modification time, so a rebuilt file is checked again.
"""

from __future__ import annotations

import threading
from pathlib import Path

from pipelines.errors import Misconfigured
from pipelines.models.checksum import file_sha256
from pipelines.models.manifest import MANIFEST_FILE, Manifest, ModelEntry, TensorSpec, read_manifest

__all__ = [
    "Manifest",
    "ModelChecksumError",
    "ModelEntry",
    "ModelNotBuiltError",
    "TensorSpec",
    "load_manifest",
    "model_path",
]


class ModelNotBuiltError(Misconfigured, FileNotFoundError):
    """The model is not in the manifest or its file is missing: run ``vidrek models``."""


class ModelChecksumError(Misconfigured, RuntimeError):
    """The model file does not match the sha256 recorded in the manifest."""


_verified: dict[tuple[Path, int, int], str] = {}
_lock = threading.Lock()


def load_manifest(model_dir: Path) -> Manifest:
    """The manifest of ``model_dir``; empty if no model was built there yet."""
    return read_manifest(model_dir)


def model_path(name: str, model_dir: Path) -> Path:
    """Path of the verified ONNX file of model ``name`` in ``model_dir``.

    Raises ``ModelNotBuiltError`` (with the command to run) if the manifest or file is missing, and
    ``ModelChecksumError`` if the file's sha256 differs from the manifest's.
    """
    manifest = load_manifest(model_dir)
    entry = manifest.models.get(name)
    hint = f"run `vidrek models` to build it (models are looked for in {model_dir})"
    if entry is None:
        where = model_dir / MANIFEST_FILE
        raise ModelNotBuiltError(f"model {name!r} is not built: no entry in {where}; {hint}")
    path = model_dir / entry.file
    if not path.is_file():
        raise ModelNotBuiltError(f"model {name!r} is not built: {path} is missing; {hint}")
    stat = path.stat()
    key = (path.resolve(), stat.st_size, stat.st_mtime_ns)
    with _lock:
        digest = _verified.get(key)
    if digest is None:
        digest = file_sha256(path)
        with _lock:
            _verified[key] = digest
    if digest != entry.sha256:
        raise ModelChecksumError(
            f"model {name!r}: {path} has sha256 {digest}, the manifest records {entry.sha256}; "
            f"the file was modified or corrupted - delete it and run `vidrek models`"
        )
    return path
