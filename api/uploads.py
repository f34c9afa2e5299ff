"""Local files for `vidrek analyze`: put where the uploads bucket serves them.

The uploads bucket (``VIDREK_UPLOADS_BUCKET``, default ``uploads``) is a local bucket every vidrek process
has, the folder ``uploads`` under ``VIDREK_DATA_DIR`` (see ``Settings._with_uploads_bucket``). A file is
hard-linked there (no copy, no extra space) or, across file systems, copied, under
``<digest>/<file name>``: the digest of its absolute path, size and modification time, so the same
unchanged file is put there once and two files with one name never meet. The API and the workers read it
there, so this works where the command runs on the stack's machine with its data_dir; anywhere else, put
the video in S3 and pass ``s3://bucket/key``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from api.cli_client import CliError
from workers.settings import Settings


def uploads_folder(settings: Settings) -> Path:
    if not settings.uploads_bucket:
        raise CliError(
            "VIDREK_UPLOADS_BUCKET is empty, so local files cannot be analysed: pass s3://BUCKET/KEY"
        )
    return settings.local_buckets[settings.uploads_bucket]


def stage_local_file(path: Path, settings: Settings) -> tuple[str, str]:
    """Put ``path`` into the uploads bucket (once); return ``(bucket, object name)``."""
    folder = uploads_folder(settings)
    resolved = path.resolve()
    try:
        stat = resolved.stat()
    except OSError as err:
        raise CliError(f"cannot read {path}: {err.strerror}") from err
    digest = hashlib.sha256(f"{resolved}\0{stat.st_size}\0{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    name = f"{digest}/{resolved.name}"
    target = folder / name
    if target.is_file() and target.stat().st_size == stat.st_size:
        return settings.uploads_bucket, name
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
        try:
            os.link(resolved, partial)
        except OSError:  # another file system, or links not allowed: copy
            shutil.copyfile(resolved, partial)
        os.replace(partial, target)
    except OSError as err:
        raise CliError(f"cannot put {path} into the uploads bucket folder {folder}: {err.strerror}") from err
    return settings.uploads_bucket, name
