"""Nearest faces in a collection: an exact, vectorised numpy scan over all descriptors.

One query computes its distance to every face (:mod:`pipelines.faces.distances`), keeps those within the
distance of the requested similarity, and partially sorts them. The cost is the matrix-vector products:
memory-bound: at 100k faces 2.4 ms for dlib (128 float32 each, 51 MB) and 29 ms for fused faces (1,152
values each, 461 MB), see ``benchmarks/README.md`` ("Face descriptors"). No exact shortcut exists for the
fusion: a pair can match on faceres while dlib calls it far (that is what the fusion is for, turned
faces), so every faceres product is needed; beyond ~100k faces per collection an approximate index
(FAISS, Redis 8 vector sets) would replace this class.

The products use ``np.einsum``, not ``matrix @ q``: ``@`` goes to OpenBLAS, which multi-threads large
products; on a busy 2-core machine its threads wait for cores and a 100k-face dlib product took 8-40 ms
(median) instead of 2-3 ms single-threaded. The scan is memory-bound, so one thread loses nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from pipelines.faces import descriptors
from pipelines.faces.descriptors import DLIB_MODEL_VERSION, FaceVector
from pipelines.faces.distances import DistanceTable, EuclideanTable, FusedTable, distance_table
from pipelines.faces.similarity import calibration_for


@dataclass(frozen=True)
class VectorMatch:
    """One indexed face close to a query: its id and the similarity percentage 0-100."""

    face_id: str
    similarity: float


class FaceVectorIndex:
    """An immutable snapshot of a collection's descriptors, all of one ``model_version``.

    A query may be a vector of that version or a fused one (a dlib index reads its dlib part).
    """

    def __init__(
        self,
        face_ids: Sequence[str],
        vectors: npt.NDArray[np.float32],
        model_version: str = DLIB_MODEL_VERSION,
    ) -> None:
        self._init(face_ids, distance_table(vectors, model_version))

    def _init(self, face_ids: Sequence[str], table: DistanceTable) -> None:
        if len(table) != len(face_ids):
            raise ValueError(f"{len(face_ids)} face ids for {len(table)} vectors")
        self.model_version = table.model_version
        self._ids = list(face_ids)
        self._rows = {face_id: row for row, face_id in enumerate(self._ids)}
        self._table = table
        self._calibration = calibration_for(table.model_version)

    @classmethod
    def from_bytes(
        cls, rows: Sequence[tuple[str, bytes]], model_version: str = DLIB_MODEL_VERSION
    ) -> FaceVectorIndex:
        """Build from ``(face_id, stored bytes)`` pairs as kept in Redis (:func:`descriptors.encode`)."""
        ids = [face_id for face_id, _ in rows]
        raws = [raw for _, raw in rows]
        index = cls.__new__(cls)
        if descriptors.is_fused(model_version):
            dlib, faceres = descriptors.decode_parts(raws)
            index._init(ids, FusedTable(dlib, faceres, model_version))
        else:
            index._init(ids, EuclideanTable(descriptors.decode_all(raws, model_version), model_version))
        return index

    def __len__(self) -> int:
        return len(self._ids)

    def similarities(self, query: FaceVector) -> npt.NDArray[np.float64]:
        """The similarity (0-100) of ``query`` to every indexed face, in index order."""
        if not self._ids:
            return np.zeros(0, dtype=np.float64)
        return self._calibration.similarities(self._table.to(query))

    def search(
        self,
        query: FaceVector,
        *,
        threshold: float,
        max_faces: int,
        exclude: str | None = None,
    ) -> list[VectorMatch]:
        """Faces with similarity >= ``threshold`` (0-100), most similar first, at most ``max_faces``.

        ``exclude`` leaves one face id out (SearchFaces never returns the face searched for).
        """
        if not self._ids or max_faces <= 0:
            return []
        distances = self._table.to(query)
        keep = np.isfinite(distances)
        if threshold > 0:
            keep &= distances <= self._calibration.distance_for(threshold)
        if exclude is not None and exclude in self._rows:
            keep[self._rows[exclude]] = False
        candidates = np.flatnonzero(keep)
        if candidates.size == 0:
            return []
        count = min(max_faces, candidates.size)
        if candidates.size > count:
            nearest = np.argpartition(distances[candidates], count - 1)[:count]
            candidates = candidates[nearest]
        candidates = candidates[np.argsort(distances[candidates], kind="stable")]
        similarities = self._calibration.similarities(distances[candidates])
        return [
            VectorMatch(face_id=self._ids[int(i)], similarity=float(s))
            for i, s in zip(candidates, similarities, strict=True)
            if s >= threshold
        ]
