"""Rekognition's errors as Python exceptions, and how they look on the wire (AWS JSON 1.1).

Every error shape in botocore's Rekognition model has a class here whose ``code`` is the AWS name, so
boto3 turns the rendered body into ``client.exceptions.<code>``. Protocol errors that the model does not
describe (unknown ``X-Amz-Target``, unparsable body, authentication failures) are here too; boto3 raises a
plain ``botocore.exceptions.ClientError`` for those, with ``Error.Code`` set to ``code``.

These wire errors are the API's end of the one error tree (:mod:`pipelines.errors`): every
``RekognitionError`` is a ``VidrekError``. Code below the API raises the internal classes, which name
their wire error by code; :func:`wire_error_for` turns any exception into the error a client is sent,
and :func:`error_body` renders it. The dispatcher and every extension route use those two, nothing else.
A handler raises a wire error itself only for a check of the request that is its own.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import ClassVar

from pipelines.errors import VidrekError

log = logging.getLogger(__name__)


class RekognitionError(VidrekError):
    """Base of every error vidrek answers with.

    Class attributes: ``code`` is the wire name (the body's ``__type``), ``status`` the HTTP status and
    ``message`` the default text, used when the raiser gives none. ``fields`` carries extra modelled
    members of the error shape (only ``HumanLoopQuotaExceededException`` has any) that are rendered next
    to the message.
    """

    code: ClassVar[str] = "InternalServerError"
    status: ClassVar[int] = 500
    message: str = "Internal server error"

    def __init__(self, message: str | None = None, **fields: str) -> None:
        text = message if message is not None else type(self).message
        super().__init__(text)
        self.message = text
        self.wire_error = self.code
        self.fields: dict[str, str] = dict(fields)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


# --- errors modelled in botocore's Rekognition service model ----------------------------------------


class AccessDeniedException(RekognitionError):
    code = "AccessDeniedException"
    status = 400
    message = "You are not authorized to perform the action."


class ConflictException(RekognitionError):
    code = "ConflictException"
    status = 400
    message = "A conflict occurred with the current state of the resource."


class HumanLoopQuotaExceededException(RekognitionError):
    code = "HumanLoopQuotaExceededException"
    status = 400
    message = "The number of in-progress human reviews you have has exceeded the number allowed."


class IdempotentParameterMismatchException(RekognitionError):
    code = "IdempotentParameterMismatchException"
    status = 400
    message = "The ClientRequestToken you have supplied is already in use."


class ImageTooLargeException(RekognitionError):
    code = "ImageTooLargeException"
    status = 400
    message = "The input image size exceeds the allowed limit."


class InternalServerError(RekognitionError):
    code = "InternalServerError"
    status = 500
    message = "Internal server error"


class InvalidImageFormatException(RekognitionError):
    code = "InvalidImageFormatException"
    status = 400
    message = "Request has invalid image format."


class InvalidManifestException(RekognitionError):
    code = "InvalidManifestException"
    status = 400
    message = "The manifest file is invalid."


class InvalidPaginationTokenException(RekognitionError):
    code = "InvalidPaginationTokenException"
    status = 400
    message = "Invalid Pagination Token. The token might have expired."


class InvalidParameterException(RekognitionError):
    code = "InvalidParameterException"
    status = 400
    message = "Request has invalid parameters."


class InvalidPolicyRevisionIdException(RekognitionError):
    code = "InvalidPolicyRevisionIdException"
    status = 400
    message = "The supplied revision id for the project policy is invalid."


class InvalidS3ObjectException(RekognitionError):
    code = "InvalidS3ObjectException"
    status = 400
    message = "Request has invalid S3 object."


class LimitExceededException(RekognitionError):
    code = "LimitExceededException"
    status = 400
    message = "An Amazon Rekognition service limit was exceeded."


class MalformedPolicyDocumentException(RekognitionError):
    code = "MalformedPolicyDocumentException"
    status = 400
    message = "The format of the project policy document is not valid."


class ProvisionedThroughputExceededException(RekognitionError):
    code = "ProvisionedThroughputExceededException"
    status = 400
    message = "Provisioned Rate exceeded."


class ResourceAlreadyExistsException(RekognitionError):
    code = "ResourceAlreadyExistsException"
    status = 400
    message = "The resource already exists."


class ResourceInUseException(RekognitionError):
    code = "ResourceInUseException"
    status = 400
    message = "The resource is in use."


class ResourceNotFoundException(RekognitionError):
    code = "ResourceNotFoundException"
    status = 400
    message = "The resource cannot be found."


class ResourceNotReadyException(RekognitionError):
    code = "ResourceNotReadyException"
    status = 400
    message = "The resource is not ready."


class ServiceQuotaExceededException(RekognitionError):
    code = "ServiceQuotaExceededException"
    status = 400
    message = "The service quota was exceeded."


class SessionNotFoundException(RekognitionError):
    code = "SessionNotFoundException"
    status = 400
    message = "The session cannot be found."


class ThrottlingException(RekognitionError):
    """Too many requests. boto3 retries it (standard mode: 3 attempts) whatever the status."""

    code = "ThrottlingException"
    status = 400
    message = "Slow down; sudden increase in rate of requests."


class VideoTooLargeException(RekognitionError):
    code = "VideoTooLargeException"
    status = 400
    message = "The video is too large."


# --- protocol errors, not in the model (boto3 raises a plain ClientError) ---------------------------


class NotImplementedException(RekognitionError):
    """An operation of the Rekognition model that vidrek does not answer (yet)."""

    code = "NotImplementedException"
    status = 501
    message = "vidrek does not implement this operation."


class UnknownOperationException(RekognitionError):
    """``X-Amz-Target`` is missing or names no Rekognition operation."""

    code = "UnknownOperationException"
    status = 400
    message = "The requested operation is not recognized by the service."


class SerializationException(RekognitionError):
    """The body is not JSON, or not a JSON object."""

    code = "SerializationException"
    status = 400
    message = "The request body could not be parsed as a JSON object."


class MissingAuthenticationTokenException(RekognitionError):
    """No ``Authorization`` header (or query-string signature) at all."""

    code = "MissingAuthenticationTokenException"
    status = 403
    message = "Missing Authentication Token"


class IncompleteSignatureException(RekognitionError):
    """An ``Authorization`` header that is not a well-formed SigV4 header."""

    code = "IncompleteSignatureException"
    status = 403
    message = "The request signature does not conform to AWS standards."


class InvalidSignatureException(RekognitionError):
    """A SigV4 signature that does not match the request."""

    code = "InvalidSignatureException"
    status = 403
    message = (
        "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method."
    )


class UnrecognizedClientException(RekognitionError):
    """An access key id the server does not know."""

    code = "UnrecognizedClientException"
    status = 403
    message = "The security token included in the request is invalid."


#: Every concrete error class, by wire code.
ERRORS_BY_CODE: Mapping[str, type[RekognitionError]] = {
    cls.code: cls
    for cls in (
        AccessDeniedException,
        ConflictException,
        HumanLoopQuotaExceededException,
        IdempotentParameterMismatchException,
        ImageTooLargeException,
        InternalServerError,
        InvalidImageFormatException,
        InvalidManifestException,
        InvalidPaginationTokenException,
        InvalidParameterException,
        InvalidPolicyRevisionIdException,
        InvalidS3ObjectException,
        LimitExceededException,
        MalformedPolicyDocumentException,
        ProvisionedThroughputExceededException,
        ResourceAlreadyExistsException,
        ResourceInUseException,
        ResourceNotFoundException,
        ResourceNotReadyException,
        ServiceQuotaExceededException,
        SessionNotFoundException,
        ThrottlingException,
        VideoTooLargeException,
        NotImplementedException,
        UnknownOperationException,
        SerializationException,
        MissingAuthenticationTokenException,
        IncompleteSignatureException,
        InvalidSignatureException,
        UnrecognizedClientException,
    )
}


def wire_error_for(err: BaseException) -> RekognitionError:
    """The wire error a client is sent for ``err``: the one translation point of the error tree.

    A wire error is sent as it is; another :class:`VidrekError` becomes the wire error its
    ``wire_error`` names, with its :meth:`~VidrekError.wire_message`; anything else is a bug and becomes
    ``InternalServerError`` without details (the caller logs it).
    """
    if isinstance(err, RekognitionError):
        return err
    if isinstance(err, VidrekError):
        wire = ERRORS_BY_CODE.get(err.wire_error)
        if wire is None:  # a class naming a code that no wire error has: a bug, said in the log
            log.error("%s names the unknown wire error %s", type(err).__name__, err.wire_error)
            wire = InternalServerError
        return wire(err.wire_message())
    return InternalServerError("Internal server error")


def error_body(err: RekognitionError, *, request_id: str | None = None) -> dict[str, str]:
    """The JSON body AWS sends for ``err``.

    AWS sends ``{"__type", "Code", "Logref", "Message"}``; botocore takes the code from ``__type`` and the
    message from ``message``, falling back to ``Message``. Both spellings are sent (same text) so every
    SDK finds it; ``Logref`` is the request id when one is given. Extra modelled members of the error
    shape (``err.fields``) are added as they are, and never override the four protocol keys.
    """
    body: dict[str, str] = dict(err.fields)
    body.update({"__type": err.code, "Code": err.code, "message": err.message, "Message": err.message})
    if request_id is not None:
        body["Logref"] = request_id
    return body
