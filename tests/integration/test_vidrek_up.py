"""`vidrek up` as a user runs it: one command starts Redis, a worker and the API; Ctrl-C stops them all."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import boto3
import pytest

from tests.stack import REPO, wait_for_job
from workers.redis_server import free_port, port_in_use

#: Runs ``argv[2:]`` with the signals named in ``argv[1]`` ignored and blocked, as a shell starts a
#: background job (``nohup vidrek up &`` ignores SIGINT) or as a careless parent leaves its signal mask.
INHERITED_SIGNALS_SHIM = """
import os, signal, sys
signums = [signal.Signals[name] for name in sys.argv[1].split(",") if name]
for signum in signums:
    signal.signal(signum, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_BLOCK, signums)
os.execv(sys.argv[2], sys.argv[2:])
"""


def start_up(
    tmp_path: Path,
    redis_port: int,
    api_port: int,
    *args: str,
    inherited_ignored: Sequence[signal.Signals] = (),
    output: IO[bytes] | int = subprocess.PIPE,
) -> subprocess.Popen[bytes]:
    """Start `vidrek up` in a session of its own, with ``inherited_ignored`` ignored and blocked."""
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
    command = [sys.executable, "-m", "api.cli", "up", *args]
    if inherited_ignored:
        names = ",".join(signum.name for signum in inherited_ignored)
        command = [sys.executable, "-c", INHERITED_SIGNALS_SHIM, names, *command]
    return subprocess.Popen(
        command, env=env, cwd=REPO, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
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
    # A quiet start: one line per component, then the endpoint and how to stop; no Celery banner or
    # superuser warning on the console: they are in the worker's log, whose lines name their job.
    lines = text.splitlines()
    assert [line.split()[0] for line in lines[:4]] == ["redis", "worker", "notifier", "api"], text
    assert lines[4].startswith("vidrek is up: Rekognition endpoint http://127.0.0.1:")
    assert "Ctrl-C" in lines[4]
    for noise in ("[config]", "[queues]", "SecurityWarning", "superuser"):
        assert noise not in text
    worker_log = (tmp_path / "data" / "logs" / "worker.log").read_text()
    assert "[config]" in worker_log
    match = re.search(r"Job ([0-9a-f]{64}) SUCCEEDED", text)
    assert match, text
    assert f"[job {match.group(1)}] run started" in worker_log
    assert f"[job {match.group(1)}] run ended" in worker_log


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


@dataclass(frozen=True)
class ProcessEntry:
    """One process as ``/proc/<pid>/stat`` shows it; ``start`` (clock ticks since boot) tells it apart
    from a later process that got the same pid."""

    pid: int
    ppid: int
    session: int
    state: str
    start: int

    @property
    def running(self) -> bool:
        """Neither a zombie nor dead: it still runs code (or could)."""
        return self.state not in ("Z", "X", "x")


def read_process(pid: int) -> ProcessEntry | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text[text.rindex(")") + 2 :].split()  # the command name in parentheses may hold spaces
    return ProcessEntry(pid, int(fields[1]), int(fields[3]), fields[0], int(fields[19]))


def all_processes() -> list[ProcessEntry]:
    entries = (read_process(int(p.name)) for p in Path("/proc").iterdir() if p.name.isdigit())
    return [entry for entry in entries if entry is not None]


def descendants(root: int) -> list[ProcessEntry]:
    table = all_processes()
    found: list[ProcessEntry] = []
    parents = {root}
    while True:
        new = [e for e in table if e.ppid in parents and e not in found]
        if not new:
            return found
        found += new
        parents = {e.pid for e in new}


def still_running(entries: Iterable[ProcessEntry]) -> list[ProcessEntry]:
    """Those of ``entries`` that still run (the same process: same pid and start time)."""
    return [e for e in entries if (now := read_process(e.pid)) and now.start == e.start and now.running]


def wait_for_stack(up_pid: int, timeout: float = 90) -> list[ProcessEntry]:
    """The processes under `vidrek up` once it runs its four children (Redis, two workers, the API) and
    the analysis worker's pool process."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        tree = descendants(up_pid)
        children = [e for e in tree if e.ppid == up_pid]
        if len(children) >= 4 and len(tree) > len(children):
            return tree
        time.sleep(0.2)
    raise TimeoutError(f"vidrek up did not start its processes: {descendants(up_pid)}")


def leftovers(up_pid: int, stack: list[ProcessEntry], timeout: float = 60) -> list[ProcessEntry]:
    """The processes of the stack still running after up to ``timeout`` s: those seen under `vidrek up`
    and any other in its session (it runs in a session of its own)."""
    deadline = time.monotonic() + timeout
    while True:
        in_session = [e for e in all_processes() if e.session == up_pid and e.pid != up_pid and e.running]
        left = {e.pid: e for e in [*still_running(stack), *in_session]}
        if not left or time.monotonic() >= deadline:
            return sorted(left.values(), key=lambda e: e.pid)
        time.sleep(0.2)


@dataclass
class RunningUp:
    """A running `vidrek up`: its process, its API's port, the file of its output and its processes."""

    process: subprocess.Popen[bytes]
    api_port: int
    log: Path
    stack: list[ProcessEntry]

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def running_up(tmp_path: Path, inherited_ignored: Sequence[signal.Signals] = ()) -> Iterator[RunningUp]:
    """`vidrek up` while the block runs; whatever the block did, nothing it started is left running."""
    api_port = free_port()
    log_path = tmp_path / "up.log"
    with log_path.open("wb") as log:
        process = start_up(tmp_path, free_port(), api_port, inherited_ignored=inherited_ignored, output=log)
        seen: list[ProcessEntry] = []
        try:
            wait_healthy(api_port, process)
            seen = wait_for_stack(process.pid)
            yield RunningUp(process, api_port, log_path, seen)
        finally:
            kill_all(process, seen)


def kill_all(up: subprocess.Popen[bytes], seen: list[ProcessEntry]) -> None:
    """SIGKILL `vidrek up` and every process of its stack that still runs (a failed test's clean-up)."""
    seen = [*seen, *descendants(up.pid)]
    if up.poll() is None:
        up.kill()
    up.wait()
    for entry in still_running([*seen, *(e for e in all_processes() if e.session == up.pid)]):
        os.kill(entry.pid, signal.SIGKILL)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_stop_signal_stops_everything_whatever_was_inherited(tmp_path: Path, stop: signal.Signals) -> None:
    # Started the way `nohup vidrek up &` starts it (SIGINT ignored), and with SIGTERM ignored as well.
    with running_up(tmp_path, inherited_ignored=(signal.SIGINT, signal.SIGTERM)) as up:
        up.process.send_signal(stop)
        try:
            code = up.process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            pytest.fail(f"vidrek up did not stop on {stop.name}:\n{up.output()}")
        assert code == 0, up.output()
        assert "stopping vidrek" in up.output()
        assert leftovers(up.process.pid, up.stack) == [], up.output()
        assert not port_in_use(up.api_port)


def test_a_killed_vidrek_up_leaves_no_process_behind(tmp_path: Path) -> None:
    with running_up(tmp_path) as up:
        up.process.kill()
        up.process.wait(timeout=60)
        # The kernel kills each child (its parent-death signal), and each pool process with its worker.
        assert leftovers(up.process.pid, up.stack) == [], up.output()


def test_a_stop_signal_while_starting_stops_what_was_started(tmp_path: Path) -> None:
    with (tmp_path / "up.log").open("wb") as log:
        process = start_up(tmp_path, free_port(), free_port(), output=log)
        try:
            deadline = time.monotonic() + 90
            while not (started := descendants(process.pid)) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert started, "vidrek up started no process"
            process.send_signal(signal.SIGTERM)  # Redis runs, the rest is starting or not started yet
            assert process.wait(timeout=120) == 0
            assert leftovers(process.pid, started) == [], (tmp_path / "up.log").read_text(errors="replace")
        finally:
            kill_all(process, [])
