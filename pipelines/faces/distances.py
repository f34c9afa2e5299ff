"""Distances between face descriptors, per ``FaceModelVersion`` (layouts: :mod:`pipelines.faces.descriptors`).

- ``dlib-resnet-v1``: the Euclidean distance of dlib's 128-D descriptors (same person < ~0.55).
- ``vidrek-dlib-faceres-fusion-1``: the mean of two standardised distances,
  ``((d_dlib - DLIB_MEAN) / DLIB_STD + (d_faceres - FACERES_MEAN) / FACERES_STD) / 2``, where ``d_dlib`` is
  dlib's Euclidean distance and ``d_faceres = 1 - cos`` faceres' cosine distance. Each is standardised by
  its distribution over different-person pairs (measured: ``benchmarks/face_descriptors.py``), so both
  weigh the same and the fused distance reads "standard deviations nearer than a stranger": different
  people around 0, the same person around -5. Lower is more similar, it can be negative.

A :class:`DistanceTable` holds many faces' vectors and answers the distances of one query to all of them:
two matrix-vector products (``np.einsum``, single-threaded: see :mod:`pipelines.faces.search`), so a
fused table costs ~9-12x a dlib table per face (1,152 values per face instead of 128).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import numpy.typing as npt

from pipelines.faces.descriptors import (
    DLIB_MODEL_VERSION,
    DLIB_SIZE,
    FACERES_SIZE,
    FaceVector,
    is_fused,
    split,
    vector_for_model,
    vector_size,
)

#: Standardisation of the fusion: mean and standard deviation of dlib's Euclidean distance and faceres'
#: cosine distance over the 9,076 different-person pairs of the measured set (MTCNN faces of
#: shared/media/faces/pose, identities and photos, carphone frames). They fix the fused scale: changing
#: them changes every fused distance, so they belong to the model version.
DLIB_MEAN = 0.847
DLIB_STD = 0.0886
FACERES_MEAN = 0.616
FACERES_STD = 0.0623

Distances = npt.NDArray[np.float32]


class DistanceTable(Protocol):
    """Vectors of many faces; the distances of one query face to each (lower = more similar)."""

    model_version: str

    def __len__(self) -> int: ...

    def to(self, query: FaceVector) -> Distances:
        """Distances of ``query`` (a vector of this model version, or a fused one) to every row."""
        ...


class EuclideanTable:
    """dlib descriptors (N x 128) compared by Euclidean distance."""

    def __init__(self, matrix: npt.NDArray[np.float32], model_version: str) -> None:
        self.model_version = model_version
        self._matrix = np.ascontiguousarray(np.asarray(matrix, dtype=np.float32).reshape(-1, DLIB_SIZE))
        self._squared_norms = np.einsum("ij,ij->i", self._matrix, self._matrix)

    def __len__(self) -> int:
        return int(self._matrix.shape[0])

    def to(self, query: FaceVector) -> Distances:
        return self.euclidean(vector_for_model(query, self.model_version))

    def euclidean(self, q: npt.NDArray[np.float32]) -> Distances:
        """Euclidean distances of a 128-D descriptor to every row."""
        products = np.einsum("ij,j->i", self._matrix, q)
        squared = self._squared_norms + np.float32(q @ q) - np.float32(2.0) * products
        distances: Distances = np.sqrt(np.maximum(squared, np.float32(0.0)))
        return distances


class FusedTable:
    """dlib (N x 128) and unit faceres (N x 1,024) descriptors compared by the standardised fusion."""

    def __init__(self, dlib: npt.NDArray[np.float32], faceres: npt.NDArray[np.float32], model_version: str):
        self.model_version = model_version
        self._dlib = EuclideanTable(dlib, model_version=DLIB_MODEL_VERSION)
        self._faceres = np.ascontiguousarray(np.asarray(faceres, dtype=np.float32).reshape(-1, FACERES_SIZE))
        if self._faceres.shape[0] != len(self._dlib):
            raise ValueError(f"{len(self._dlib)} dlib rows for {self._faceres.shape[0]} faceres rows")

    def __len__(self) -> int:
        return len(self._dlib)

    def to(self, query: FaceVector) -> Distances:
        q_dlib, q_faceres = split(vector_for_model(query, self.model_version)[None, :])
        q = q_faceres[0] / np.float32(max(float(np.linalg.norm(q_faceres[0])), 1e-12))
        cosine = np.einsum("ij,j->i", self._faceres, q)
        return fused_distance(self._dlib.euclidean(q_dlib[0]), np.float32(1.0) - cosine)


def fused_distance(d_dlib: npt.NDArray[np.floating], d_faceres: npt.NDArray[np.floating]) -> Distances:
    """The fused distance from dlib's Euclidean and faceres' cosine distances (same shapes)."""
    z_dlib = (np.asarray(d_dlib, dtype=np.float32) - np.float32(DLIB_MEAN)) / np.float32(DLIB_STD)
    z_faceres = (np.asarray(d_faceres, dtype=np.float32) - np.float32(FACERES_MEAN)) / np.float32(FACERES_STD)
    fused: Distances = (z_dlib + z_faceres) * np.float32(0.5)
    return fused


def distance_table(vectors: npt.NDArray[np.float32], model_version: str) -> DistanceTable:
    """A table of in-memory vectors (N x size of ``model_version``)."""
    matrix = np.asarray(vectors, dtype=np.float32).reshape(-1, vector_size(model_version))
    if is_fused(model_version):
        dlib, faceres = split(matrix)
        return FusedTable(dlib, faceres, model_version)
    return EuclideanTable(matrix, model_version)


def pairwise(query: FaceVector, vectors: npt.NDArray[np.float32], model_version: str) -> Distances:
    """Distances of ``query`` to each of a few ``vectors`` (users, CompareFaces)."""
    return distance_table(vectors, model_version).to(query)
