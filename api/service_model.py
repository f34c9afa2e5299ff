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
