"""A quiet `vidrek up`: one line per component on the console, each process's own output in a log file.

Celery prints a banner per worker and, run as root, a "running the worker with superuser privileges"
SecurityWarning; uvicorn and the workers log as they go. All of that goes to
``<data_dir>/logs/<component>.log`` (appended, with a header line per start), unless ``vidrek up
--verbose`` leaves it on the console. The embedded Redis writes its own ``<data_dir>/redis/redis.log``.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import subprocess
import urllib.parse
from collections import deque
from pathlib import Path
from typing import IO, Any

#: Lines of a component's log shown when it exits unexpectedly. Range 0-200.
TAIL_LINES = 12
#: Width of the component name column of the start-up lines.
NAME_WIDTH = 9


class StackOutput:
    """Where the processes of one `vidrek up` write (log files, or the console when ``verbose``)."""

    def __init__(self, log_dir: Path, *, verbose: bool) -> None:
        self.log_dir = log_dir
        self.verbose = verbose
        self._files: dict[str, IO[bytes]] = {}

    def path(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def streams(self, name: str) -> dict[str, Any]:
        """``stdout``/``stderr`` arguments of :func:`workers.redis_server.start_child` for ``name``."""
        if self.verbose:
            return {}
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = self.path(name).open("ab")
        started = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
        log.write(f"=== vidrek up (pid {os.getpid()}) started {name} at {started} ===\n".encode())
        log.flush()
        self._files[name] = log
        return {"stdout": log, "stderr": subprocess.STDOUT}

    def where(self, name: str) -> str:
        """`` (log: <path>)``, or nothing with ``--verbose``."""
        return "" if self.verbose else f" (log: {self.path(name)})"

    def tail(self, name: str, lines: int = TAIL_LINES) -> str:
        """The last ``lines`` lines of ``name``'s log, indented (empty with ``--verbose``)."""
        if self.verbose or not self.path(name).is_file():
            return ""
        with self.path(name).open(errors="replace") as log:
            last = deque(log, maxlen=lines)
        return "".join(f"    {line}" for line in last).rstrip("\n")

    def close(self) -> None:
        for log in self._files.values():
            with contextlib.suppress(OSError):
                log.close()
        self._files.clear()


def component_line(name: str, what: str) -> str:
    return f"{name:<{NAME_WIDTH}} {what}"


def redacted_url(url: str) -> str:
    """``url`` without its password (``redis://:secret@host`` -> ``redis://:***@host``)."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{user}:***@{host}{port}"))


def _first_exited(named: dict[str, subprocess.Popen[bytes]]) -> tuple[str, int] | None:
    for name, process in named.items():
        code = process.poll()
        if code is not None:
            return name, code
    return None


def _with_tail(message: str, name: str, output: StackOutput) -> str:
    tail = output.tail(name)
    return f"{message}; last lines of {output.path(name)}:\n{tail}" if tail else message


def startup_failure(err: Exception, named: dict[str, subprocess.Popen[bytes]], output: StackOutput) -> str:
    """Why `vidrek up` could not start: which process exited, with the end of its log."""
    exited = _first_exited(named)
    if exited is None:
        return str(err)
    name, code = exited
    return _with_tail(f"the {name} exited while starting (exit code {code})", name, output)


def exited_while_running(named: dict[str, subprocess.Popen[bytes]], output: StackOutput) -> str:
    exited = _first_exited(named)
    if exited is None:
        return "a process of the stack exited"
    name, code = exited
    return _with_tail(f"the {name} exited (exit code {code})", name, output)
