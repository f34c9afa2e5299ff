"""Rekognition's service model as botocore ships it: the single source of operation and shape facts.

The model (``botocore/data/rekognition/2016-06-27/service-2.json``) is loaded once per process and
shared; the installed botocore version decides which operations and constraints exist.
"""

from __future__ import annotations

import functools

import botocore.model
import botocore.session

from api.errors import UnknownOperationException

#: The prefix of ``X-Amz-Target`` for every Rekognition operation.
TARGET_PREFIX = "RekognitionService"


@functools.cache
def service_model() -> botocore.model.ServiceModel:
    """botocore's Rekognition model, loaded on first use (about 0.1 s) and cached."""
    return botocore.session.get_session().get_service_model("rekognition")


@functools.cache
def operation_names() -> frozenset[str]:
    """Names of every operation in the model, e.g. ``StartLabelDetection``."""
    return frozenset(service_model().operation_names)


@functools.cache
def _operation_model(name: str) -> botocore.model.OperationModel:
    return service_model().operation_model(name)


def operation_model(name: str) -> botocore.model.OperationModel:
    """The model of operation ``name``; raises :class:`UnknownOperationException` if there is none."""
    if name not in operation_names():
        raise UnknownOperationException(f"Unknown operation {name!r}.")
    return _operation_model(name)


def operation_from_target(target: str | None) -> str:
    """The operation named by an ``X-Amz-Target`` header (``RekognitionService.<Operation>``).

    Raises :class:`UnknownOperationException` when the header is missing, has another prefix or names no
    operation of the model.
    """
    if not target:
        raise UnknownOperationException("Missing X-Amz-Target header.")
    prefix, _, name = target.partition(".")
    if prefix != TARGET_PREFIX or name not in operation_names():
        raise UnknownOperationException(f"Unknown operation {target!r}.")
    return name


def _blob_maxima(shape: botocore.model.Shape) -> tuple[int, ...]:
    """The ``max`` (bytes) of every blob member reachable through structures from ``shape``. Botocore's
    Rekognition model has no blob inside a list or map (a test checks), so these are all the blobs an
    input can carry."""
    if shape.type_name == "blob":
        return (int(shape.metadata.get("max", 0)),)
    if isinstance(shape, botocore.model.StructureShape):
        return tuple(size for member in shape.members.values() for size in _blob_maxima(member))
    return ()


@functools.cache
def blob_maxima(name: str) -> tuple[int, ...]:
    """The model's size limit (bytes) of each blob member of operation ``name``'s input, e.g. one
    5 MB ``ImageBlob`` for DetectLabels and two for CompareFaces; empty for most operations."""
    input_shape = operation_model(name).input_shape
    return _blob_maxima(input_shape) if input_shape is not None else ()


def _has_shape(shape: botocore.model.Shape, wanted: str) -> bool:
    if shape.name == wanted:
        return True
    if isinstance(shape, botocore.model.StructureShape):
        return any(_has_shape(member, wanted) for member in shape.members.values())
    return False


@functools.cache
def image_operations() -> frozenset[str]:
    """Operations that take an ``Image`` (bytes or S3 object): DetectLabels, DetectFaces, IndexFaces,
    CompareFaces, SearchFacesByImage, ... They decode a picture, the costly part of a request."""
    model = service_model()
    return frozenset(
        name
        for name in model.operation_names
        if (shape := model.operation_model(name).input_shape) is not None and _has_shape(shape, "Image")
    )
