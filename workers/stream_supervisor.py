"""The stream processor supervisor: a thread in each worker's main process that keeps processors running.

Design: a started processor is a long-lived session, not a job, so it does not run in the Celery pool
(which would hold a job slot for hours and is recycled every ``worker_max_tasks_per_child`` tasks). Every
``stream_supervisor_poll_seconds`` the supervisor of each worker reads the set of processors that should
be running (``keys.STREAM_PROCESSORS_ACTIVE``) and, for each one whose lock is free and that it is not
already running, spawns ``python -m workers.stream_runner <name>``. The runner takes the lock (so with
several workers exactly one runs it) and refreshes it every ``stream_heartbeat_seconds``. If the runner
dies (killed, out of memory, crashed decoder), its lock lapses after three heartbeats and the next sweep
of any worker starts a new one, which resumes the same session (same SessionId, same MaxDuration
deadline). A processor whose process died more than ``stream_max_restarts`` times in one session ends
FAILED. A runner whose worker is gone exits by itself (it watches its parent), so stopping a worker never
leaves orphans; another worker (or the same one, restarted) takes the session over.

A stop asked while no runner holds the lock (e.g. before any worker picked the session up) is finished
here: the processor goes straight to STOPPED.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from typing import Any

from celery.signals import worker_ready, worker_shutdown

from workers.settings import Settings, get_settings
from workers.stream_processors import StreamProcessorStore, StreamStatus
from workers.worker_context import process_context

log = logging.getLogger(__name__)


class StreamSupervisor:
    def __init__(self, settings: Settings, store: StreamProcessorStore) -> None:
        self.settings = settings
        self.store = store
        self.children: dict[str, subprocess.Popen[bytes]] = {}

    def sweep(self) -> None:
        """Start or restart the runners of the processors that should run and have none."""
        for name, child in list(self.children.items()):
            code = child.poll()
            if code is not None:
                del self.children[name]
                if code != 0:
                    log.warning("stream processor %s: its process exited with %s", name, code)
        for name in self.store.active_names():
            if name in self.children or self.store.lock_held(name):
                continue
            record = self.store.find(name)
            if record is None:
                self.store.deactivate(name)
                continue
            if record.desired != "run" or not (
                record.status.is_busy or record.status is StreamStatus.UPDATING
            ):
                self.store.finish(name, record.session_id, StreamStatus.STOPPED)
                self.store.deactivate(name)
                continue
            if record.pid:  # a runner held this session before and is gone: a restart
                restarts = self.store.count_restart(name)
                if restarts > self.settings.stream_max_restarts:
                    self.store.finish(
                        name,
                        record.session_id,
                        StreamStatus.FAILED,
                        f"The stream processor's process stopped unexpectedly {restarts} times.",
                    )
                    continue
                log.warning("stream processor %s: restarting it (restart %d)", name, restarts)
            self.children[name] = subprocess.Popen([sys.executable, "-m", "workers.stream_runner", name])

    def stop_children(self) -> None:
        for child in self.children.values():
            child.terminate()
        for child in self.children.values():
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        self.children.clear()


_supervisor: list[StreamSupervisor] = []


def _loop(supervisor: StreamSupervisor, stop: threading.Event) -> None:
    while not stop.wait(supervisor.settings.stream_supervisor_poll_seconds):
        try:
            supervisor.sweep()
        except Exception:
            log.exception("stream processor sweep failed")


@worker_ready.connect  # type: ignore[untyped-decorator]
def _start_supervisor(**_: Any) -> None:
    settings = get_settings()
    supervisor = StreamSupervisor(settings, process_context().stores.stream_processors)
    _supervisor.append(supervisor)
    threading.Thread(
        target=_loop, args=(supervisor, threading.Event()), daemon=True, name="vidrek-streams"
    ).start()


@worker_shutdown.connect  # type: ignore[untyped-decorator]
def _stop_supervisor(**_: Any) -> None:
    for supervisor in _supervisor:
        supervisor.stop_children()
