"""The canonical indexed face: what a collection remembers about one face (never its pixels)."""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.geometry import BoundingBox


@dataclass(frozen=True)
class IndexedFace:
    """One face stored in a collection.

    ``face_id`` is a uuid4 per face; ``image_id`` a uuid4 per IndexFaces call (all faces of one image
    share it); ``box`` is in ratios of the indexed image; ``confidence`` is the detector's 0-100 face
    confidence; ``model_version`` names the descriptor model that produced the face's vector;
    ``user_id`` is the collection user the face is associated with (read from the store, never stored
    with the face's metadata).
    """

    face_id: str
    image_id: str
    external_image_id: str | None
    box: BoundingBox
    confidence: float
    model_version: str
    user_id: str | None = None  # the user (AssociateFaces) the face belongs to, if any
