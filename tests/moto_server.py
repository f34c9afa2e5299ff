"""A real moto server (AWS emulator) on loopback, run as a subprocess for integration tests.

Use it as a context manager, e.g. from a module-scoped pytest fixture::

    @pytest.fixture(scope="module")
    def moto() -> Iterator[MotoServer]:
        with MotoServer() as server:
            yield server

The server speaks every AWS protocol moto emulates (S3, IAM, SNS ...) at ``server.endpoint_url``.
By default it accepts any credentials; :meth:`MotoServer.enforce_auth` makes it check signatures and
IAM policies from then on (create the IAM users and their access keys *before* calling it).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from types import TracebackType
from typing import IO

#: How long to wait for the server to answer HTTP after starting it, in seconds. moto imports every
#: service's backend lazily and starts in ~1-2 s on a laptop; a loaded CI runner may need far more.
#: Too small: spurious start failures; too large: a broken server is reported late.
STARTUP_TIMEOUT_SECONDS = 60.0

#: How long to wait for the server to exit after SIGTERM before killing it, in seconds.
STOP_TIMEOUT_SECONDS = 10.0

#: How often to try another free port when the chosen one was taken between probing and binding.
PORT_ATTEMPTS = 3


def free_loopback_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class MotoServer:
    """``python -m moto.server`` on 127.0.0.1 and a free port, started by the current interpreter.

    ``env`` adds environment variables to the server process (e.g. ``INITIAL_NO_AUTH_ACTION_COUNT``).
    """

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self._extra_env = dict(env or {})
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self.port = 0

    @property
    def endpoint_url(self) -> str:
        if self._process is None:
            raise RuntimeError("the moto server is not running")
        return f"http://127.0.0.1:{self.port}"

    # --- lifecycle --------------------------------------------------------------------------------

    def start(self) -> str:
        """Start the server, wait until it answers HTTP, and return its endpoint URL."""
        if self._process is not None:
            return self.endpoint_url
        last_error = ""
        for _ in range(PORT_ATTEMPTS):
            self.port = free_loopback_port()
            # Closed in stop(); a file, not a pipe, so a chatty server never blocks on a full pipe.
            self._log = tempfile.TemporaryFile(prefix="moto-server-")  # noqa: SIM115
            env = {**os.environ, **self._extra_env}
            self._process = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                env=env,
            )
            if self._wait_until_ready():
                return self.endpoint_url
            last_error = self._read_log()
            self.stop()
        raise RuntimeError(
            f"moto server did not start after {PORT_ATTEMPTS} attempts; last output:\n{last_error}"
        )

    def stop(self) -> None:
        """Terminate the server (SIGTERM, then SIGKILL) and release its log file."""
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                process.terminate()
            try:
                process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> MotoServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # --- moto's own control API ---------------------------------------------------------------------

    def enforce_auth(self) -> None:
        """From the next request on, check signatures and IAM policies (moto's ``reset-auth``).

        Requests signed with an access key that moto's IAM does not know fail with
        ``InvalidAccessKeyId``; known users get exactly what their policies allow.
        """
        self._post("/moto-api/reset-auth", b"0")

    def disable_auth(self) -> None:
        """Accept any request again, signed or not."""
        self._post("/moto-api/reset-auth", b"inf")

    def reset(self) -> None:
        """Forget every resource (buckets, objects, IAM users ...)."""
        self._post("/moto-api/reset", b"")

    # --- internals -----------------------------------------------------------------------------------

    def _post(self, path: str, body: bytes) -> None:
        request = urllib.request.Request(
            self.endpoint_url + path, data=body, method="POST", headers={"Content-Type": "text/plain"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()

    def _wait_until_ready(self) -> bool:
        assert self._process is not None
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/moto-api/", timeout=2) as reply:
                    reply.read()
                return True
            except urllib.error.HTTPError:
                return True  # it answered, even if not with 200
            except OSError:
                time.sleep(0.05)
        return False

    def _read_log(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read().decode(errors="replace")[-4000:]
