"""`vidrek up` as a user runs it: one command starts Redis, a worker and the API; Ctrl-C stops them all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.stack import REPO, wait_for_job
from workers.redis_server import free_port, port_in_use


def start_up(tmp_path: Path, redis_port: int, api_port: int, *args: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    for name in list(env):
        if name.startswith("VIDREK_") and name != "VIDREK_MODEL_DIR":
            del env[name]
    env.update(
        {
            "VIDREK_EMBEDDED_REDIS_PORT": str(redis_port),
            "VIDREK_API_PORT": str(api_port),
            "VIDREK_DATA_DIR": str(tmp_path / "data"),
        }
    )
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli", "up", *args],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_healthy(port: int, process: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise TimeoutError("vidrek up did not come up")


def client(port: int) -> Any:
    return boto3.client(
        "rekognition",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )


def test_demo_prints_the_labels_of_the_sample(tmp_path: Path, model_dir: Path) -> None:
    process = start_up(tmp_path, free_port(), free_port(), "--demo", "--exit-after-demo")
    output, _ = process.communicate(timeout=300)
    text = output.decode()
    assert process.returncode == 0, text
    assert "SUCCEEDED" in text
    for label in ("Person", "Bicycle", "Car"):
        assert f"\n{label} " in text, text


def test_ctrl_c_stops_everything_and_jobs_survive_a_restart(tmp_path: Path, model_dir: Path) -> None:
    redis_port, api_port = free_port(), free_port()
    process = start_up(tmp_path, redis_port, api_port)
    wait_healthy(api_port, process)
    rek = client(api_port)
    job = rek.start_label_detection(
        Video={"S3Object": {"Bucket": "samples", "Name": "carphone_pristine.mp4"}}
    )
    first = wait_for_job(rek, job["JobId"])
    assert first["JobStatus"] == "SUCCEEDED"

    process.send_signal(signal.SIGINT)
    process.wait(timeout=60)
    deadline = time.monotonic() + 10
    while (port_in_use(redis_port) or port_in_use(api_port)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not port_in_use(redis_port), "embedded Redis still running after Ctrl-C"
    assert not port_in_use(api_port), "API still running after Ctrl-C"

    again = start_up(tmp_path, redis_port, api_port)
    try:
        wait_healthy(api_port, again)
        after = client(api_port).get_label_detection(JobId=job["JobId"])
        assert after["JobStatus"] == "SUCCEEDED"
        assert after["Labels"] == first["Labels"]
    finally:
        again.send_signal(signal.SIGINT)
        again.wait(timeout=60)
        if again.stdout:
            again.stdout.close()
        if process.stdout:
            process.stdout.close()


@pytest.mark.parametrize("taken", ["redis", "api"])
def test_a_taken_port_is_reported(tmp_path: Path, taken: str) -> None:
    import socket

    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        redis_port, api_port = (port, free_port()) if taken == "redis" else (free_port(), port)
        process = start_up(tmp_path, redis_port, api_port)
        output, _ = process.communicate(timeout=120)
    assert process.returncode != 0
    assert str(port) in output.decode() or "in use" in output.decode().lower()
