"""The one tree of errors vidrek raises on purpose, in every layer.

Every deliberate failure (a collection that does not exist, a tag quota, an unreadable video, a bad
filter...) is a :class:`VidrekError`. Each names the Rekognition error a client should see
(``wire_error``, an AWS error code such as ``"ResourceNotFoundException"``); the API turns it into that
wire error at one point (``api.errors.wire_error_for``, called by the dispatcher), the way httpx maps
transport errors in one place. The code that raises never imports the API: ``pipelines`` and
``workers`` name the wire error by its code only.

Raise the most specific class there is; add a class (under the category that says what went wrong) when
a caller needs to tell the case apart, otherwise raise the category itself with a clear message. The
message is shown to API clients as it is, so it names the resource and says what to do.
"""

from __future__ import annotations


class VidrekError(Exception):
    """Base of every error vidrek raises on purpose.

    ``wire_error`` is the Rekognition error code the API answers with; a class sets it, and an instance
    may set its own (e.g. a source error that is ``VideoTooLargeException`` for one object and
    ``InvalidS3ObjectException`` for another). :meth:`wire_message` is the text sent with it.
    """

    wire_error: str = "InternalServerError"

    def wire_message(self) -> str:
        """The message API clients see (by default the exception's text)."""
        return str(self)


class NotFound(VidrekError):
    """A named resource (collection, face, user, job, stream processor...) does not exist."""

    wire_error = "ResourceNotFoundException"


class AlreadyExists(VidrekError):
    """A resource cannot be created because one with the same name exists."""

    wire_error = "ResourceAlreadyExistsException"


class QuotaExceeded(VidrekError):
    """A count limit (tags per resource, faces per user...) would be exceeded."""

    wire_error = "ServiceQuotaExceededException"


class InvalidInput(VidrekError):
    """The request (or the media it names) is not acceptable as it is."""

    wire_error = "InvalidParameterException"


class Conflict(VidrekError):
    """The request conflicts with the current state (a token reused for another request...)."""

    wire_error = "ConflictException"


class Unavailable(VidrekError):
    """A dependency is busy or missing for now; the same request may succeed later."""

    wire_error = "ThrottlingException"


class Misconfigured(VidrekError):
    """The server's set-up is incomplete (a model not built, an optional package missing, no Redis
    configured): the operator has to act, the message says how. Clients get InternalServerError with it."""

    wire_error = "InternalServerError"
