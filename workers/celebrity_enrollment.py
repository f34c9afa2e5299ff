"""Adding people to the celebrity gallery from photos: a folder of people, or one person at a time.

Folder layout (``vidrek celebrities add <folder>``)::

    <folder>/
        metadata.json            optional, for everyone: {"<folder name>": {Name?, Urls?, KnownGender?, Id?}}
        <Name>/                  one folder per person; the folder name is the Name unless metadata says
            metadata.json        optional, for this person: {Name?, Urls?, KnownGender?, Id?}
            *.jpg | *.jpeg | *.png

``KnownGender`` is ``Male``, ``Female``, ``Nonbinary`` or ``Unlisted`` (or ``{"Type": ...}``). A person's
own metadata.json wins over the folder-wide entry. Each photo contributes its largest face.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.celebrities.portraits import PortraitError, portrait_face
from pipelines.celebrities.types import Celebrity
from pipelines.faces.detection import FaceDetector
from pipelines.faces.embedding import FaceEmbedder
from pipelines.images import ImageDecodeError, decode_image
from workers.celebrity_gallery import (
    CelebrityGallery,
    GalleryError,
    GalleryFace,
    GalleryPerson,
    make_celebrity,
)

METADATA_FILE = "metadata.json"
PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".png"})
METADATA_MEMBERS = frozenset({"Name", "Urls", "KnownGender", "Id"})


@dataclass(frozen=True)
class PersonEntry:
    """A person to add: who they are and their photos."""

    celebrity: Celebrity
    photos: tuple[Path, ...]


@dataclass
class EnrollmentReport:
    """What adding one person did: the stored person, the photos used and the photos skipped (why)."""

    person: GalleryPerson | None
    used: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def read_gallery_folder(folder: Path) -> tuple[list[PersonEntry], list[str]]:
    """The people of a gallery folder and warnings (metadata naming no folder, folders without photos)."""
    if not folder.is_dir():
        raise GalleryError(f"{folder} is not a folder.")
    shared = _read_json(folder / METADATA_FILE) if (folder / METADATA_FILE).is_file() else {}
    if not isinstance(shared, dict):
        raise GalleryError(f"{folder / METADATA_FILE} must hold an object: folder name -> metadata.")
    entries: list[PersonEntry] = []
    warnings: list[str] = []
    folders = sorted(path for path in folder.iterdir() if path.is_dir() and not path.name.startswith("."))
    for person_dir in folders:
        everyone = _metadata_object(shared.get(person_dir.name, {}), folder / METADATA_FILE)
        metadata: dict[str, Any] = dict(everyone)
        own = person_dir / METADATA_FILE
        if own.is_file():
            metadata.update(_metadata_object(_read_json(own), own))
        photos = photos_in(person_dir)
        if not photos:
            warnings.append(f"{person_dir}: no .jpg/.jpeg/.png photos; skipped")
            continue
        entries.append(PersonEntry(celebrity_from_metadata(person_dir.name, metadata), photos))
    unknown = sorted(set(shared) - {path.name for path in folders})
    warnings += [f"{folder / METADATA_FILE}: {name!r} names no person folder" for name in unknown]
    return entries, warnings


def photos_in(folder: Path) -> tuple[Path, ...]:
    return tuple(sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in PHOTO_SUFFIXES))


def celebrity_from_metadata(default_name: str, metadata: dict[str, Any]) -> Celebrity:
    gender = metadata.get("KnownGender")
    if isinstance(gender, dict):
        gender = gender.get("Type")
    urls = metadata.get("Urls") or []
    if isinstance(urls, str):
        urls = [urls]
    if not isinstance(urls, list):
        raise GalleryError(f"Urls of {default_name} must be a list of strings.")
    return make_celebrity(
        str(metadata.get("Name") or default_name),
        urls=urls,
        known_gender=None if gender is None else str(gender),
        celebrity_id=None if metadata.get("Id") is None else str(metadata["Id"]),
    )


def enroll(
    gallery: CelebrityGallery,
    entry: PersonEntry,
    detector: FaceDetector,
    embedder: FaceEmbedder,
    *,
    replace_faces: bool,
) -> EnrollmentReport:
    """Describe each photo's face and store the person; nothing is stored when no photo has a usable face
    and the person is new (a person with no face could never be recognised)."""
    report = EnrollmentReport(person=None)
    faces: list[GalleryFace] = []
    for photo in entry.photos:
        try:
            data = photo.read_bytes()
            image = decode_image(data)
            portrait = portrait_face(image.rgb, detector, embedder)
        except (OSError, ImageDecodeError, PortraitError) as err:
            report.skipped.append((photo, str(err)))
            continue
        faces.append(
            GalleryFace(
                photo_sha256=hashlib.sha256(data).hexdigest(),
                box=portrait.detection.box,
                confidence=portrait.detection.confidence,
                vector=portrait.vector,
            )
        )
        report.used.append(photo)
    if not faces and (replace_faces or gallery.get(entry.celebrity.celebrity_id) is None):
        return report
    report.person = gallery.put(entry.celebrity, faces, replace_faces=replace_faces)
    return report


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise GalleryError(f"{path}: not readable JSON ({err}).") from err


def _metadata_object(value: Any, source: Path) -> dict[str, Any]:
    if not isinstance(value, dict):
        members = sorted(METADATA_MEMBERS)
        raise GalleryError(f"{source}: a person's metadata must be an object with members {members}.")
    unknown = sorted(set(value) - METADATA_MEMBERS)
    if unknown:
        raise GalleryError(f"{source}: unknown members {unknown}; allowed: {sorted(METADATA_MEMBERS)}.")
    return value


def entries_for(photos: Sequence[Path], celebrity: Celebrity) -> PersonEntry:
    """One person from photos given one by one (``add-person``)."""
    missing = [str(p) for p in photos if not p.is_file()]
    if missing:
        raise GalleryError(f"no such photo: {', '.join(missing)}")
    return PersonEntry(celebrity, tuple(photos))
