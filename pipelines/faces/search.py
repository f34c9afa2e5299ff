"""Nearest faces in a collection: an exact, vectorised numpy scan over all descriptors.

At 100k faces one query is one (100k x 128) float32 matrix-vector product plus a partial sort, a few
milliseconds (``benchmarks/face_search.md``). Beyond a few million faces per collection an approximate
index (FAISS from PyPI, or Redis Stack / Redis 8 vector sets) would replace this class; see that file.

The product is computed with ``np.einsum``, not ``matrix @ q``: ``@`` goes to OpenBLAS, which
multi-threads large products; on a busy 2-core machine its threads wait for cores and a 100k-face product
took 8-40 ms (median) instead of 2-3 ms single-threaded. The scan is memory-bound (100k faces = 51 MB of
vectors), so one thread loses nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from pipelines.faces.embedding import EMBEDDING_SIZE, FaceVector
from pipelines.faces.similarity import distance_for_similarity, similarity_from_distances


@dataclass(frozen=True)
class VectorMatch:
    """One indexed face close to a query: its id and the similarity percentage 0-100."""

    face_id: str
    similarity: float


class FaceVectorIndex:
    """An immutable snapshot of a collection's descriptors."""

    def __init__(self, face_ids: Sequence[str], vectors: npt.NDArray[np.float32]) -> None:
        matrix = np.asarray(vectors, dtype=np.float32).reshape(-1, EMBEDDING_SIZE)
        if matrix.shape[0] != len(face_ids):
            raise ValueError(f"{len(face_ids)} face ids for {matrix.shape[0]} vectors")
        self._ids = list(face_ids)
        self._rows = {face_id: row for row, face_id in enumerate(self._ids)}
        self._matrix = np.ascontiguousarray(matrix)
        self._squared_norms = np.einsum("ij,ij->i", self._matrix, self._matrix)

    @classmethod
    def from_bytes(cls, rows: Sequence[tuple[str, bytes]]) -> FaceVectorIndex:
        """Build from ``(face_id, float32 bytes)`` pairs as stored in Redis."""
        if not rows:
            return cls([], np.zeros((0, EMBEDDING_SIZE), dtype=np.float32))
        buffer = b"".join(raw for _, raw in rows)
        return cls([face_id for face_id, _ in rows], np.frombuffer(buffer, dtype=np.float32))

    def __len__(self) -> int:
        return len(self._ids)

    def search(
        self,
        query: FaceVector,
        *,
        threshold: float,
        max_faces: int,
        exclude: str | None = None,
    ) -> list[VectorMatch]:
        """Faces with similarity >= ``threshold`` (0-100), most similar first, at most ``max_faces``.

        ``exclude`` leaves one face id out (SearchFaces does not return the face searched for).
        """
        if not self._ids or max_faces <= 0:
            return []
        q = np.asarray(query, dtype=np.float32).reshape(EMBEDDING_SIZE)
        # einsum (not ``@``): numpy's own single-threaded loop, see the module docstring.
        squared = self._squared_norms + float(q @ q) - 2.0 * np.einsum("ij,j->i", self._matrix, q)
        distances = np.sqrt(np.maximum(squared, 0.0))
        limit = distance_for_similarity(threshold) if threshold > 0 else np.inf
        if exclude is not None and exclude in self._rows:
            distances[self._rows[exclude]] = np.inf
        candidates = np.flatnonzero(distances <= limit)
        if candidates.size == 0:
            return []
        keep = min(max_faces, candidates.size)
        if candidates.size > keep:
            nearest = np.argpartition(distances[candidates], keep - 1)[:keep]
            candidates = candidates[nearest]
        candidates = candidates[np.argsort(distances[candidates], kind="stable")]
        similarities = similarity_from_distances(distances[candidates])
        return [
            VectorMatch(face_id=self._ids[int(i)], similarity=float(s))
            for i, s in zip(candidates, similarities, strict=True)
            if s >= threshold
        ]
