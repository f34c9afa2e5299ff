"""The canonical celebrity types: a gallery person and a face recognised as one."""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.faces.types import FaceAnalysis
from pipelines.geometry import BoundingBox


@dataclass(frozen=True)
class Celebrity:
    """One person of the gallery.

    ``celebrity_id``: stable alphanumeric id (Rekognition's ``RekognitionUniqueId`` pattern ``[0-9A-Za-z]*``).
    ``urls``: links the operator gave (at most 255, as the model allows). ``known_gender``: one of
    :data:`pipelines.celebrities.KNOWN_GENDERS`, or None when the operator gave none (then
    ``KnownGender`` is left out).
    """

    celebrity_id: str
    name: str
    urls: tuple[str, ...] = ()
    known_gender: str | None = None


@dataclass(frozen=True)
class CelebrityMatch:
    """A face recognised as a gallery person; ``match_confidence`` is the calibrated similarity 0-100."""

    celebrity: Celebrity
    match_confidence: float


@dataclass(frozen=True)
class RecognizedFace:
    """One analysed face and the gallery person it is (None: not recognised)."""

    face: FaceAnalysis
    match: CelebrityMatch | None


@dataclass(frozen=True)
class CelebritySighting:
    """A recognised face in one sampled video frame; ``body_box`` is the person's body when one was seen."""

    timestamp_ms: int
    face: FaceAnalysis
    match: CelebrityMatch
    body_box: BoundingBox | None = None
