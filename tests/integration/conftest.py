"""The live stack (Redis, Celery worker, API) and a moto S3 server, shared by the integration tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests import media_factory
from tests.moto_server import MotoServer
from tests.stack import Stack

#: Objects above this size are refused at Start time in the test stack (VideoTooLargeException).
TEST_MAX_VIDEO_BYTES = 4 * 1024 * 1024


@pytest.fixture(scope="session")
def media_bucket(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A local bucket of generated bad and good media."""
    root = tmp_path_factory.mktemp("media-bucket")
    media_factory.make_empty_file(root / "empty.mp4")
    media_factory.make_random_bytes_file(root / "random.mp4")
    media_factory.make_text_file(root / "text.mp4")
    media_factory.make_truncated_clip(root / "truncated-moov-front.mp4", faststart=True)
    media_factory.make_truncated_clip(root / "truncated-moov-end.mp4", faststart=False)
    media_factory.make_audio_only_file(root / "audio-only.mp4")
    media_factory.make_random_bytes_file(root / "huge.mp4", size=TEST_MAX_VIDEO_BYTES + 1)
    return root


@pytest.fixture(scope="session")
def moto_s3(bikes_mp4: Path) -> Iterator[str]:
    with MotoServer() as server:
        s3 = boto3.client(
            "s3",
            endpoint_url=server.endpoint_url,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )
        s3.create_bucket(Bucket="videos")
        s3.upload_file(str(bikes_mp4), "videos", "clips/bikes.mp4")
        yield server.endpoint_url


@pytest.fixture(scope="session")
def stack(
    tmp_path_factory: pytest.TempPathFactory, media_bucket: Path, moto_s3: str, model_dir: Path
) -> Iterator[Stack]:
    settings = {
        "VIDREK_LOCAL_BUCKETS": json.dumps({"media": str(media_bucket)}),
        "VIDREK_S3_ENDPOINT_URL": moto_s3,
        "VIDREK_S3_ACCESS_KEY_ID": "test",
        "VIDREK_S3_SECRET_ACCESS_KEY": "test",
        "VIDREK_MAX_VIDEO_BYTES": str(TEST_MAX_VIDEO_BYTES),
        "VIDREK_MODEL_DIR": str(model_dir),
        "VIDREK_JOB_HEARTBEAT_SECONDS": "1",
        "VIDREK_STALLED_JOB_SWEEP_SECONDS": "1",
        # completion notifications: publish to the moto server's SNS, loopback webhooks, short retries
        "VIDREK_SNS_ENDPOINT_URL": moto_s3,
        "VIDREK_SNS_ACCESS_KEY_ID": "test",
        "VIDREK_SNS_SECRET_ACCESS_KEY": "test",
        "VIDREK_WEBHOOK_ALLOW_INTERNAL_TARGETS": "true",
        "VIDREK_NOTIFICATION_RETRY_BASE_SECONDS": "1",
        "VIDREK_NOTIFICATION_RETRY_MAX_SECONDS": "4",
        "VIDREK_NOTIFICATION_TIMEOUT_SECONDS": "5",
        "VIDREK_NOTIFICATION_LEASE_SECONDS": "10",
        # tagging (test_tags.py): a stream processor needs a mapped source; it is never started
        "VIDREK_STREAM_SOURCES": json.dumps({"tagging-camera": "http://127.0.0.1:9/never.ts"}),
    }
    with Stack(tmp_path_factory.mktemp("stack"), settings) as running:
        yield running


@pytest.fixture(scope="session")
def rek(stack: Stack) -> Any:
    return stack.client()
