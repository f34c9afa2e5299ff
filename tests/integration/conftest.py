"""The live stack (Redis, Celery worker, API), a moto server and boto3 clients of it, shared by the
integration tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import media_factory
from tests.aws_clients import aws_client
from tests.moto_server import MotoServer
from tests.stack import Stack


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
    return root


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """One moto server (S3, SNS, SQS ...) for the whole session; any credentials are accepted."""
    with MotoServer() as server:
        yield server.endpoint_url


@pytest.fixture(scope="session")
def s3(moto_endpoint: str) -> Iterator[Any]:
    """A boto3 S3 client of the moto server (the one the shared stack reads videos and images from)."""
    client = aws_client("s3", moto_endpoint)
    yield client
    client.close()


@pytest.fixture(scope="session")
def sns(moto_endpoint: str) -> Iterator[Any]:
    """A boto3 SNS client of the moto server (the one the stacks publish completion messages to)."""
    client = aws_client("sns", moto_endpoint)
    yield client
    client.close()


@pytest.fixture(scope="session")
def sqs(moto_endpoint: str) -> Iterator[Any]:
    """A boto3 SQS client of the moto server (queues subscribed to its SNS topics)."""
    client = aws_client("sqs", moto_endpoint)
    yield client
    client.close()


@pytest.fixture(scope="session")
def moto_s3(moto_endpoint: str, s3: Any, bikes_mp4: Path) -> str:
    """The moto server's endpoint, once its bucket ``videos`` holds ``clips/bikes.mp4``."""
    s3.create_bucket(Bucket="videos")
    s3.upload_file(str(bikes_mp4), "videos", "clips/bikes.mp4")
    return moto_endpoint


@pytest.fixture(scope="session")
def stack(
    tmp_path_factory: pytest.TempPathFactory, media_bucket: Path, moto_s3: str, model_dir: Path
) -> Iterator[Stack]:
    settings = {
        "VIDREK_LOCAL_BUCKETS": json.dumps({"media": str(media_bucket)}),
        "VIDREK_S3_ENDPOINT_URL": moto_s3,
        "VIDREK_S3_ACCESS_KEY_ID": "test",
        "VIDREK_S3_SECRET_ACCESS_KEY": "test",
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
    }
    with Stack(tmp_path_factory.mktemp("stack"), settings) as running:
        yield running


@pytest.fixture(scope="session")
def rek(stack: Stack) -> Any:
    return stack.client()
