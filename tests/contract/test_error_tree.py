"""Every internal error class reaches boto3 as the Rekognition error it stands for.

The error tree (:mod:`pipelines.errors`) is walked after importing every module of ``api``, ``workers``
and ``pipelines``; each class is raised from inside an operation handler of the in-process API, and the
error boto3 raises is compared with the wire error this table says a user should see. A new class must
be added here: the test fails on any class the table does not name.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import api.operations
from api.errors import RekognitionError
from pipelines.errors import VidrekError
from tests.aws_clients import aws_client
from tests.contract.conftest import InProcessApi
from workers.sources import SourceError

MESSAGE = "the raiser's words"

#: Class (module.name) -> (wire error code, HTTP status) a boto3 user sees.
EXPECTED: dict[str, tuple[str, int]] = {
    "pipelines.errors.VidrekError": ("InternalServerError", 500),
    "pipelines.errors.NotFound": ("ResourceNotFoundException", 400),
    "pipelines.errors.AlreadyExists": ("ResourceAlreadyExistsException", 400),
    "pipelines.errors.QuotaExceeded": ("ServiceQuotaExceededException", 400),
    "pipelines.errors.InvalidInput": ("InvalidParameterException", 400),
    "pipelines.errors.Conflict": ("ConflictException", 400),
    "pipelines.errors.Unavailable": ("ThrottlingException", 400),
    "pipelines.errors.Misconfigured": ("InternalServerError", 500),
    "api.paging.InvalidPageToken": ("InvalidPaginationTokenException", 400),
    "pipelines.celebrities.portraits.PortraitError": ("InvalidParameterException", 400),
    "pipelines.decoding.VideoDecodeError": ("InvalidParameterException", 400),
    "pipelines.faces.descriptors.DescriptorMismatch": ("InvalidParameterException", 400),
    "pipelines.faces.mtcnn.MtcnnNotInstalledError": ("InternalServerError", 500),
    "pipelines.images.ImageDecodeError": ("InvalidImageFormatException", 400),
    "pipelines.images.ImageTooLarge": ("ImageTooLargeException", 400),
    "pipelines.live_stream.StreamUnavailable": ("ThrottlingException", 400),
    "pipelines.models.build.ModelBuildError": ("InternalServerError", 500),
    "pipelines.models.registry.ModelChecksumError": ("InternalServerError", 500),
    "pipelines.models.registry.ModelNotBuiltError": ("InternalServerError", 500),
    "pipelines.models.pypi_wheel.WheelFetchError": ("InternalServerError", 500),
    "pipelines.moderation.scorer.NudeNetUnavailable": ("InternalServerError", 500),
    "pipelines.rendering.video.RenderError": ("InvalidParameterException", 400),
    "pipelines.text.filters.TextFilterError": ("InvalidParameterException", 400),
    "workers.analyses.AnalysisError": ("InternalServerError", 500),
    "workers.celebrity_gallery.GalleryError": ("InvalidParameterException", 400),
    "workers.collections.CollectionExists": ("ResourceAlreadyExistsException", 400),
    "workers.collections.CollectionNotFound": ("ResourceNotFoundException", 400),
    "workers.face_users.UserExists": ("ConflictException", 400),
    "workers.face_users.UserFaceQuotaExceeded": ("ServiceQuotaExceededException", 400),
    "workers.face_users.UserNotFound": ("ResourceNotFoundException", 400),
    "workers.job_runner.ResultViewMismatch": ("InternalServerError", 500),
    "workers.jobs.IdempotencyConflict": ("IdempotentParameterMismatchException", 400),
    "workers.notifications.endpoint_safety.UnsafeEndpoint": ("InvalidParameterException", 400),
    "workers.redis_connection.RedisNotConfigured": ("InternalServerError", 500),
    "workers.redis_server.RedisServerError": ("InternalServerError", 500),
    "workers.sources.SourceError": ("VideoTooLargeException", 400),
    "workers.stream_outputs.OutputError": ("InternalServerError", 500),
    "workers.stream_processors.ProcessorBusy": ("ResourceInUseException", 400),
    "workers.stream_processors.ProcessorExists": ("ResourceInUseException", 400),
    "workers.stream_processors.ProcessorNotFound": ("ResourceNotFoundException", 400),
    "workers.stream_runner.SessionFailed": ("InternalServerError", 500),
    "workers.tags.NotTaggableArn": ("InvalidParameterException", 400),
    "workers.tags.TagStoreBusy": ("ThrottlingException", 400),
    "workers.tags.TaggedResourceNotFound": ("ResourceNotFoundException", 400),
    "workers.tags.TooManyTags": ("ServiceQuotaExceededException", 400),
    "workers.user_request_tokens.TokenReusedForAnotherRequest": ("IdempotentParameterMismatchException", 400),
}

#: Classes whose constructor takes more than a message.
BUILDERS: dict[str, Callable[[], VidrekError]] = {
    "workers.sources.SourceError": lambda: SourceError(
        "VideoTooLargeException", MESSAGE, "s3://b/k: 9 bytes, limit 8 bytes"
    ),
}


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _walk(cls: type[VidrekError]) -> Iterator[type[VidrekError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _walk(sub)


def internal_error_classes() -> list[type[VidrekError]]:
    for package in ("pipelines", "workers", "api"):
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, f"{package}."):
            importlib.import_module(info.name)
    found = {cls for cls in _walk(VidrekError) if not issubclass(cls, RekognitionError)}
    return sorted({VidrekError, *found}, key=_name)


CLASSES = internal_error_classes()


def test_the_table_names_every_internal_error_class() -> None:
    assert sorted(_name(cls) for cls in CLASSES) == sorted(EXPECTED)


@pytest.fixture(scope="module")
def rek(api: InProcessApi) -> Iterator[Any]:
    """A client that does not retry: 5xx answers are checked once, not five times with backoff."""
    client = aws_client("rekognition", api.endpoint, config=Config(retries={"total_max_attempts": 1}))
    yield client
    client.close()


@pytest.mark.parametrize("cls", CLASSES, ids=_name)
def test_boto3_sees_the_wire_error_of_each_internal_error(
    rek: Any, cls: type[VidrekError], monkeypatch: pytest.MonkeyPatch
) -> None:
    error = BUILDERS.get(_name(cls), lambda: cls(MESSAGE))()

    def failing_handler(ctx: Any, params: dict[str, Any]) -> dict[str, Any]:
        raise error

    monkeypatch.setitem(api.operations.HANDLERS, "ListCollections", failing_handler)
    code, status = EXPECTED[_name(cls)]
    with pytest.raises(ClientError) as caught:
        rek.list_collections()
    response = caught.value.response
    assert response["Error"]["Code"] == code
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
    if code in rek.exceptions._code_to_exception:  # modelled errors are raised as their own class
        assert isinstance(caught.value, getattr(rek.exceptions, code))
    # The raiser's message reaches the client (a source error adds which object and why).
    assert MESSAGE in response["Error"]["Message"]
