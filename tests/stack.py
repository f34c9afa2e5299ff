"""The whole vidrek stack for integration tests: its own Redis, a real Celery worker and the API.

Every process is real and listens on loopback only; nothing here patches boto3, Redis or Celery.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import boto3

from api.cli import api_command, worker_command
from workers.celery_names import ANALYSIS_QUEUE
from workers.redis_server import free_port, start_child, start_redis_server, stop_process
from workers.settings import Settings

REPO = Path(__file__).resolve().parents[1]
STARTUP_TIMEOUT_SECONDS = 90.0


class Stack:
    """Redis + worker + API with the given ``VIDREK_*`` settings; a context manager."""

    def __init__(self, workdir: Path, settings: Mapping[str, str] | None = None) -> None:
        self.workdir = workdir
        self.extra = dict(settings or {})
        self.redis_port = free_port()
        self.api_port = free_port()
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.logs: dict[str, IO[bytes]] = {}

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "VIDREK_REDIS_URL": self.redis_url,
                "VIDREK_API_HOST": "127.0.0.1",
                "VIDREK_API_PORT": str(self.api_port),
                "VIDREK_DATA_DIR": str(self.workdir / "data"),
                "PYTHONPATH": str(REPO),
            }
        )
        env.update(self.extra)
        return env

    def _spawn(self, name: str, args: list[str]) -> None:
        if name in self.logs:
            self.logs[name].close()
        log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 - closed in __exit__
        self.logs[name] = log
        # In a process group of its own, and killed by the kernel if the test process dies.
        self.processes[name] = start_child(
            args, env=self.env(), stdout=log, stderr=subprocess.STDOUT, cwd=REPO
        )

    #: Queues the worker consumes (comma-separated); a test may change it before (re)starting the worker.
    worker_queues = ANALYSIS_QUEUE

    def start_worker(self) -> None:
        hostname = f"test-{self.api_port}-{time.monotonic_ns()}@%h"
        self._spawn("worker", worker_command(self.worker_queues.split(","), hostname=hostname, concurrency=1))

    def stop_worker(self, kill: bool = False) -> None:
        """Stop the worker; ``kill`` sends SIGKILL to its whole process group (main and pool children)."""
        process = self.processes.pop("worker")
        if kill:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        else:
            stop_process(process, timeout=30)

    def __enter__(self) -> Stack:
        self.processes["redis"] = start_redis_server(
            self.redis_port, self.workdir / "redis", persistent=False
        )
        self.start_worker()
        self._spawn(
            "api",
            # The API as `vidrek up` runs it (api.server: uvicorn with the API's limits).
            api_command(Settings(api_host="127.0.0.1", api_port=self.api_port)),
        )
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    self.__exit__(None, None, None)
                    raise RuntimeError(f"{name} exited at start-up:\n{self.log_text(name)}")
            try:
                with urllib.request.urlopen(f"{self.endpoint}/health", timeout=2):
                    return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError("the API did not come up in time")

    def __exit__(self, *_: object) -> None:
        for name in ("api", "worker", "redis"):
            process = self.processes.pop(name, None)
            if process is not None:
                stop_process(process, timeout=30)
        for log in self.logs.values():
            log.close()

    def log_text(self, name: str) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace")[-5000:] if path.exists() else ""

    def client(self) -> Any:
        return boto3.client(
            "rekognition",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )


def get_pages(rek: Any, get: str, **params: Any) -> Iterator[dict[str, Any]]:
    """Every page of a Get* operation, paging the way AWS's own sample does: ``NextToken=""`` first,
    then the token of each page, stopping when a page has no ``NextToken`` member."""
    token = ""
    while True:
        page: dict[str, Any] = getattr(rek, get)(NextToken=token, **params)
        yield page
        if "NextToken" not in page:
            return
        token = page["NextToken"]


def wait_for_job(
    rek: Any, job_id: str, get: str = "get_label_detection", timeout: float = 300.0, poll: float = 0.2
) -> dict[str, Any]:
    """Poll a Get* operation until the job leaves IN_PROGRESS; return the first page."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page: dict[str, Any] = getattr(rek, get)(JobId=job_id)
        if page["JobStatus"] != "IN_PROGRESS":
            return page
        time.sleep(poll)
    raise TimeoutError(f"job {job_id} still IN_PROGRESS after {timeout} s")


def local_buckets(**buckets: Path) -> str:
    return json.dumps({name: str(path) for name, path in buckets.items()})
