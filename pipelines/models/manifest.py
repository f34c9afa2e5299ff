"""The manifest of built models: ``<model_dir>/manifest.json``, one entry per ONNX file.

The manifest records where each model came from (package, version, path inside the package, upstream
origin), its licence, its input/output signature, its sha256 and the converter versions, so that a
deployment can show exactly what it runs and the registry can verify a file before loading it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

MANIFEST_FILE = "manifest.json"
MANIFEST_FORMAT = 1


@dataclass(frozen=True, slots=True)
class TensorSpec:
    """One input or output of an ONNX graph. ``shape`` entries are ints or symbolic names (str)."""

    name: str
    dtype: str
    shape: list[int | str]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TensorSpec:
        return cls(name=str(data["name"]), dtype=str(data["dtype"]), shape=list(data["shape"]))


@dataclass(frozen=True, slots=True)
class ModelEntry:
    """What the manifest knows about one built model."""

    name: str
    file: str
    sha256: str
    size_bytes: int
    source_package: str
    source_version: str
    source_path: str
    upstream_origin: str
    licence: str
    opset: int
    inputs: list[TensorSpec]
    outputs: list[TensorSpec]
    converter: dict[str, str]
    built_at: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ModelEntry:
        return cls(
            name=str(data["name"]),
            file=str(data["file"]),
            sha256=str(data["sha256"]),
            size_bytes=int(data["size_bytes"]),
            source_package=str(data["source_package"]),
            source_version=str(data["source_version"]),
            source_path=str(data["source_path"]),
            upstream_origin=str(data["upstream_origin"]),
            licence=str(data["licence"]),
            opset=int(data["opset"]),
            inputs=[TensorSpec.from_json(t) for t in data["inputs"]],
            outputs=[TensorSpec.from_json(t) for t in data["outputs"]],
            converter={str(k): str(v) for k, v in data["converter"].items()},
            built_at=str(data["built_at"]),
        )


@dataclass(slots=True)
class Manifest:
    """All built models of one model directory, keyed by model name."""

    models: dict[str, ModelEntry] = field(default_factory=dict)
    format: int = MANIFEST_FORMAT

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        if int(data.get("format", 0)) != MANIFEST_FORMAT:
            raise ValueError(f"unsupported manifest format {data.get('format')!r}")
        models = {name: ModelEntry.from_json(entry) for name, entry in data.get("models", {}).items()}
        return cls(models=models)

    def to_json(self) -> dict[str, Any]:
        return {"format": self.format, "models": {name: asdict(e) for name, e in sorted(self.models.items())}}

    def write(self, model_dir: Path) -> None:
        """Write atomically (temp file + rename) so a crash never leaves a half-written manifest."""
        target = model_dir / MANIFEST_FILE
        tmp = target.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=2) + "\n", encoding="utf-8")
        tmp.replace(target)


def read_manifest(model_dir: Path) -> Manifest:
    """Read ``<model_dir>/manifest.json``; an absent file is an empty manifest."""
    path = model_dir / MANIFEST_FILE
    if not path.is_file():
        return Manifest()
    return Manifest.from_json(json.loads(path.read_text(encoding="utf-8")))
