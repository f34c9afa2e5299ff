"""Face model versions and their descriptor layouts: what a vector of each ``FaceModelVersion`` holds, how it
is stored, and how a newer vector is read by an older collection.

Two versions exist (a collection keeps the one it was created with, as on AWS):

- ``dlib-resnet-v1`` (collections created before the fusion): dlib's 128-D descriptor, float32, compared
  by Euclidean distance. Stored as 128 little-endian float32 (512 bytes).
- ``vidrek-dlib-faceres-fusion-1`` (new collections): dlib's 128-D descriptor **and** faceres' unit 1024-D
  descriptor; two faces are compared by the mean of the two standardised distances
  (:mod:`pipelines.faces.distances`). In memory the vector is one float32 array of 1,152 values,
  ``[dlib | FACERES_PART_SCALE * faceres]``; stored as the 128 float32 of dlib then the 1,024 faceres
  values as float16 (2,560 bytes; float16 changes faceres distances by < 1e-4).

The faceres part is scaled by :data:`FACERES_PART_SCALE` (0.3) in the in-memory vector so that code which
compares whole vectors by Euclidean distance (the face tracker of StartFaceSearch,
:mod:`pipelines.faces.tracks`) still sees dlib-sized distances: the faceres part adds at most ~0.05 to a
same-person distance. Collection search never uses that Euclidean distance: it unpacks the parts.

A fused vector carries dlib's descriptor unchanged, so it can be searched in, and stored into, a
``dlib-resnet-v1`` collection (:func:`vector_for_model` keeps its first 128 values): the one descriptor
code computes serves collections of both versions. Any version string other than the fusion's is read as
dlib's layout (every collection vidrek created before the fusion says ``dlib-resnet-v1``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from pipelines.errors import InvalidInput
from pipelines.faces.faceres import DESCRIPTOR_SIZE

#: faceres' descriptor size.
FACERES_SIZE = DESCRIPTOR_SIZE

#: dlib's ResNet descriptor (the only descriptor of collections created before the fusion).
DLIB_MODEL_VERSION = "dlib-resnet-v1"

#: dlib + faceres, fused (collections created from this version on).
FUSION_MODEL_VERSION = "vidrek-dlib-faceres-fusion-1"

#: dlib's descriptor size.
DLIB_SIZE = 128

#: Size of a fused vector in memory: dlib's 128 values, then faceres' 1,024.
FUSED_SIZE = DLIB_SIZE + FACERES_SIZE

#: Factor of the faceres part in a fused in-memory vector (see the module docstring). Unit: none. It
#: only matters to code comparing whole vectors; the fusion itself divides it out.
FACERES_PART_SCALE = 0.3

#: A face descriptor as computed and kept in memory: float32, 128 values (dlib) or 1,152 (fused).
FaceVector = npt.NDArray[np.float32]

_DLIB_BYTES = DLIB_SIZE * 4
_FUSED_BYTES = _DLIB_BYTES + FACERES_SIZE * 2


class DescriptorMismatch(InvalidInput, ValueError):
    """A vector that the collection's model version cannot use (e.g. a dlib-only vector for a fused
    collection)."""


def is_fused(model_version: str) -> bool:
    """Whether vectors of ``model_version`` are fused (dlib + faceres) ones."""
    return model_version == FUSION_MODEL_VERSION


def vector_size(model_version: str) -> int:
    """Values of an in-memory vector of ``model_version``."""
    return FUSED_SIZE if is_fused(model_version) else DLIB_SIZE


def fuse(dlib: npt.NDArray[np.float32], faceres: npt.NDArray[np.float32]) -> FaceVector:
    """The in-memory fused vector of one face from its dlib descriptor and its unit faceres descriptor."""
    parts = (np.asarray(dlib, dtype=np.float32), FACERES_PART_SCALE * np.asarray(faceres, dtype=np.float32))
    return np.concatenate(parts).astype(np.float32)


def vector_for_model(vector: FaceVector, model_version: str) -> FaceVector:
    """``vector`` as a collection of ``model_version`` keeps it: a fused vector loses its faceres part in a
    dlib collection; a dlib-only vector cannot serve a fused collection (DescriptorMismatch)."""
    values = np.asarray(vector, dtype=np.float32).reshape(-1)
    wanted = vector_size(model_version)
    if values.size == wanted:
        return values
    if values.size == FUSED_SIZE and wanted == DLIB_SIZE:
        return values[:DLIB_SIZE].copy()
    raise DescriptorMismatch(
        f"A face descriptor of {values.size} values cannot be used with FaceModelVersion {model_version} "
        f"({wanted} values)."
    )


def split(matrix: npt.NDArray[np.float32]) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """Fused vectors (N x 1,152) -> (dlib part N x 128, unit faceres part N x 1,024)."""
    rows = np.asarray(matrix, dtype=np.float32).reshape(-1, FUSED_SIZE)
    dlib = np.ascontiguousarray(rows[:, :DLIB_SIZE])
    faceres = np.ascontiguousarray(rows[:, DLIB_SIZE:] / np.float32(FACERES_PART_SCALE))
    return dlib, faceres


def encode(vector: FaceVector, model_version: str) -> bytes:
    """The stored bytes of ``vector`` in a collection of ``model_version`` (see the module docstring)."""
    values = vector_for_model(vector, model_version)
    if not is_fused(model_version):
        return values.astype("<f4").tobytes()
    dlib, faceres = split(values[None, :])
    return dlib.astype("<f4").tobytes() + faceres.astype("<f2").tobytes()


def decode(raw: bytes, model_version: str) -> FaceVector:
    """The in-memory vector of one face's stored bytes."""
    vector: FaceVector = decode_all([raw], model_version)[0]
    return vector


def decode_all(raws: Sequence[bytes], model_version: str) -> npt.NDArray[np.float32]:
    """In-memory vectors (N x size) of many faces' stored bytes, in order."""
    size = vector_size(model_version)
    if not raws:
        return np.zeros((0, size), dtype=np.float32)
    width = _FUSED_BYTES if is_fused(model_version) else _DLIB_BYTES
    if any(len(raw) != width for raw in raws):
        raise DescriptorMismatch(f"Stored face vectors of {model_version} must be {width} bytes each.")
    block = np.frombuffer(b"".join(raws), dtype=np.uint8).reshape(len(raws), width)
    if not is_fused(model_version):
        return block.view("<f4").astype(np.float32)
    dlib, faceres = _parts_of(block)
    return np.concatenate([dlib, faceres * np.float32(FACERES_PART_SCALE)], axis=1)


def decode_parts(raws: Sequence[bytes]) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """(dlib N x 128, unit faceres N x 1,024) of stored fused vectors, without building whole vectors."""
    if not raws:
        return np.zeros((0, DLIB_SIZE), dtype=np.float32), np.zeros((0, FACERES_SIZE), dtype=np.float32)
    if any(len(raw) != _FUSED_BYTES for raw in raws):
        raise DescriptorMismatch(f"Stored {FUSION_MODEL_VERSION} vectors must be {_FUSED_BYTES} bytes each.")
    return _parts_of(np.frombuffer(b"".join(raws), dtype=np.uint8).reshape(len(raws), _FUSED_BYTES))


def _parts_of(block: npt.NDArray[np.uint8]) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    dlib = np.ascontiguousarray(block[:, :_DLIB_BYTES]).view("<f4").astype(np.float32)
    faceres = np.ascontiguousarray(block[:, _DLIB_BYTES:]).view("<f2").astype(np.float32)
    return dlib, faceres
