"""Face search on one live frame: detect faces, describe each, and find it in a collection's vectors.

The canonical result (:class:`FrameFaceSearch`) is turned into Kinesis face search records by
:mod:`pipelines.stream_records`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pipelines.detection import RGBImage
from pipelines.faces.analysis import analyse_faces
from pipelines.faces.detection import FaceDetector
from pipelines.faces.embedding import FaceEmbedder
from pipelines.faces.records import IndexedFace
from pipelines.faces.search import FaceVectorIndex
from pipelines.faces.types import FaceAnalysis

#: Collection faces reported per detected face (most similar first). Rekognition documents no limit for
#: stream records; a person indexed from many photos would otherwise fill a record with the same person.
MAX_MATCHES_PER_FACE = 5


@dataclass(frozen=True)
class FaceSearchMatch:
    face: IndexedFace
    similarity: float  # percent 0-100


@dataclass(frozen=True)
class FrameFaceSearch:
    """One detected face of a frame and the collection faces it matched (possibly none)."""

    analysis: FaceAnalysis
    matches: tuple[FaceSearchMatch, ...]


def search_frame_faces(
    image: RGBImage,
    detector: FaceDetector,
    embedder: FaceEmbedder,
    index: FaceVectorIndex,
    lookup: Callable[[Sequence[str]], dict[str, IndexedFace]],
    threshold: float,
) -> list[FrameFaceSearch]:
    """Every face in ``image`` with its matches of similarity >= ``threshold`` (percent)."""
    found: list[FrameFaceSearch] = []
    for analysis in analyse_faces(image, detector):
        vector = embedder.embed(image, analysis.detection.box)
        hits = index.search(vector, threshold=threshold, max_faces=MAX_MATCHES_PER_FACE)
        faces = lookup([hit.face_id for hit in hits]) if hits else {}
        matches = tuple(
            FaceSearchMatch(face=faces[hit.face_id], similarity=hit.similarity)
            for hit in hits
            if hit.face_id in faces
        )
        found.append(FrameFaceSearch(analysis=analysis, matches=matches))
    return found
