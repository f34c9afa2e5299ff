"""The API in-process, on its own Redis, with no worker and no models: fast wire-contract tests.

One uvicorn server runs ``api.app.create_app`` in a background thread on a loopback port for the whole
session, configured as `vidrek api` configures it (:func:`api.server.server_config`, with 1 s header and
body deadlines), and real boto3 clients talk to it, so every test sees exactly what a boto3 user sees. The
generated-request suite starts a second one on another Redis database (:func:`serve_in_process`). Start*
requests are "enqueued" into a list (:func:`enqueued`); since nothing consumes it, their jobs stay
IN_PROGRESS. The Redis is shared by every test and never flushed: tests use unique names
(:func:`tests.contract.wire.unique`).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from botocore.config import Config

from api.app import create_app
from api.server import server_config
from tests.aws_clients import aws_client
from tests.contract.job_states import JobStates
from workers.redis_server import free_port, start_redis_server, stop_process
from workers.settings import Settings

#: Videos above this many bytes are refused at Start (VideoTooLargeException); the bucket's huge.mp4 is.
MAX_VIDEO_BYTES = 64 * 1024
#: The contract suite's local bucket (VIDREK_LOCAL_BUCKETS) and the streams it maps (VIDREK_STREAM_SOURCES).
BUCKET = "media"
STREAM_NAME = "contract-camera"
STREAM_ARN = f"arn:aws:kinesisvideo:us-east-1:123456789012:stream/{STREAM_NAME}/1700000000000"
UNMAPPED_STREAM_ARN = "arn:aws:kinesisvideo:us-east-1:123456789012:stream/unmapped/1700000000000"
#: Nothing listens there: the stream processors are never started by a worker.
STREAM_URL = "http://127.0.0.1:9/never.ts"
STARTUP_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class InProcessApi:
    endpoint: str
    redis_url: str
    enqueued: list[str]


@pytest.fixture(scope="session")
def bucket_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The local bucket ``media``: a few files whose content does not matter (nothing is analysed)."""
    root = tmp_path_factory.mktemp("contract-bucket")
    (root / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(1000))
    (root / "other.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(2000))
    (root / "clips").mkdir()
    (root / "clips" / "nested.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(500))
    (root / "huge.mp4").write_bytes(bytes(MAX_VIDEO_BYTES + 1))
    (root / "notes.jpg").write_text("this is text, not a JPEG\n")
    with open(root / "huge.jpg", "wb") as sparse:  # 15 MB + 1 byte without writing them
        sparse.truncate(15 * 1024 * 1024 + 1)
    outside = tmp_path_factory.mktemp("outside-the-bucket") / "secret.mp4"
    outside.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(100))
    os.symlink(outside, root / "escape.mp4")
    return root


@pytest.fixture(scope="session")
def contract_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    process = start_redis_server(port, tmp_path_factory.mktemp("contract-redis"), persistent=False)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop_process(process)


#: The API's limits on slow clients in the contract suite: short, so that tests of them are quick, and
#: still far above what a request on loopback needs.
HEADER_TIMEOUT_SECONDS = 1.0
BODY_TIMEOUT_SECONDS = 1.0


def contract_settings(redis_url: str, bucket_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The settings of an in-process API of this suite (``redis_url`` picks its Redis database)."""
    return Settings(
        redis_url=redis_url,
        local_buckets={BUCKET: bucket_dir},
        max_video_bytes=MAX_VIDEO_BYTES,
        # No models: an operation that would need one fails loudly instead of quietly loading it.
        model_dir=tmp_path_factory.mktemp("no-models"),
        data_dir=tmp_path_factory.mktemp("contract-data"),
        stream_sources={STREAM_NAME: STREAM_URL},
        # Buckets that are not local go to an endpoint where nothing listens, never to AWS.
        s3_endpoint_url=f"http://127.0.0.1:{free_port()}",
        s3_access_key_id="test",
        s3_secret_access_key="test",
        region="us-east-1",
        api_header_timeout_seconds=HEADER_TIMEOUT_SECONDS,
        api_body_timeout_seconds=BODY_TIMEOUT_SECONDS,
    )


@contextmanager
def serve_in_process(settings: Settings) -> Iterator[InProcessApi]:
    """``create_app(settings)`` served as `vidrek api` serves it (:func:`api.server.server_config`), by
    uvicorn in a background thread on a free loopback port, until the block ends."""
    enqueued: list[str] = []
    app = create_app(settings, enqueue=enqueued.append)
    # Bound here, so the port is known before the thread starts and nobody can take it meanwhile. The
    # explicit IPPROTO_TCP matters: asyncio sets TCP_NODELAY only on sockets whose proto says TCP, and
    # without it every answer waits ~40 ms for a delayed ACK (Nagle).
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.bind(("127.0.0.1", 0))
    port = int(listener.getsockname()[1])
    server = uvicorn.Server(server_config(app, settings))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, name="contract-api")
    thread.start()
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the in-process API stopped while starting (see the captured log)")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the in-process API did not start within {STARTUP_TIMEOUT_SECONDS} s")
            time.sleep(0.01)
        yield InProcessApi(f"http://127.0.0.1:{port}", settings.redis_url, enqueued)
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_TIMEOUT_SECONDS)
        listener.close()
        assert not thread.is_alive(), "the in-process API did not stop"


@pytest.fixture(scope="session")
def api(
    contract_redis: str, bucket_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[InProcessApi]:
    with serve_in_process(contract_settings(contract_redis, bucket_dir, tmp_path_factory)) as running:
        yield running


@pytest.fixture
def enqueued(api: InProcessApi) -> list[str]:
    """The job ids the API enqueued during this test (the list is emptied before each test)."""
    api.enqueued.clear()
    return api.enqueued


@pytest.fixture(scope="session")
def rek(api: InProcessApi) -> Iterator[Any]:
    """A boto3 Rekognition client as users make it (default retries, client-side parameter checks)."""
    client = aws_client("rekognition", api.endpoint)
    yield client
    client.close()


@pytest.fixture(scope="session")
def rek_unchecked(api: InProcessApi) -> Iterator[Any]:
    """A client without boto3's own parameter checks, to send what botocore would refuse to send
    (missing required members, wrong types, values below a model minimum)."""
    client = aws_client("rekognition", api.endpoint, config=Config(parameter_validation=False))
    yield client
    client.close()


@pytest.fixture(scope="session")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
def job_states(api: InProcessApi) -> Iterator[JobStates]:
    states = JobStates(api.redis_url)
    yield states
    states.close()
