"""Stream processors in Redis: their definition, Rekognition status, current session and process lock.

One hash per processor (``keys.stream_processor``) holds the CreateStreamProcessor request (JSON), the
status (Rekognition's ``STOPPED | STARTING | RUNNING | FAILED | STOPPING | UPDATING``), the status message,
timestamps, the wanted state (``desired``: run / stop), and the current session (id, Start request,
start time, whether the stream ever opened, restarts, labels already notified). A sorted set lists every
name (ListStreamProcessors pages through it) and a set holds the names that should be running: the
supervisors in the workers (:mod:`workers.stream_supervisor`) start a process for each of those whose
lock (``keys.stream_processor_lock``, refreshed by the running process's heartbeat) is not held.

Status model (what the API and the runner do):

* CreateStreamProcessor -> ``STOPPED``.
* StartStreamProcessor (from STOPPED or FAILED) -> ``STARTING``; the runner sets ``RUNNING`` once the
  stream opened (FaceSearch processors). ConnectedHome (label) processors stay ``STARTING`` while they run,
  as AWS documents for label detection processors.
* StopStreamProcessor (from STARTING or RUNNING) -> ``STOPPING``; the runner ends the session -> ``STOPPED``.
  MaxDurationInSeconds reached -> ``STOPPED``.
* A stream that never opens, drops for good, or a process that keeps dying -> ``FAILED`` + StatusMessage.
* UpdateStreamProcessor and DeleteStreamProcessor are refused (ResourceInUseException) while a session is
  STARTING, RUNNING or STOPPING.
"""

from __future__ import annotations

import enum
import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import redis

from pipelines.errors import AlreadyExists, Conflict, NotFound
from workers import keys

#: The account id in ARNs: vidrek has no accounts.
ACCOUNT_ID = "000000000000"

#: Only one UpdateStreamProcessor or Start/Stop at a time per processor: optimistic transactions retry
#: this often before giving up.
WATCH_RETRIES = 20


class StreamStatus(enum.StrEnum):
    STOPPED = "STOPPED"
    STARTING = "STARTING"
    RUNNING = "RUNNING"
    FAILED = "FAILED"
    STOPPING = "STOPPING"
    UPDATING = "UPDATING"

    @property
    def is_busy(self) -> bool:
        """A session is on: Start, Update and Delete are refused."""
        return self in (StreamStatus.STARTING, StreamStatus.RUNNING, StreamStatus.STOPPING)


class ProcessorNotFound(NotFound):
    """No stream processor has this name."""


class ProcessorExists(AlreadyExists):
    """CreateStreamProcessor with a name in use (AWS answers ResourceInUseException)."""

    wire_error = "ResourceInUseException"


class ProcessorBusy(Conflict):
    """The operation is not allowed in the processor's current status (message says why)."""

    wire_error = "ResourceInUseException"


@dataclass(frozen=True)
class StreamProcessorRecord:
    """One stream processor as stored; ``definition`` is its (updated) CreateStreamProcessor request."""

    name: str
    arn: str
    definition: dict[str, Any]
    status: StreamStatus
    status_message: str
    created: float  # epoch seconds
    updated: float  # epoch seconds
    desired: str  # "run" or "stop"
    session_id: str
    start_request: dict[str, Any] = field(default_factory=dict)
    session_started: float = 0.0  # epoch seconds
    stream_opened: bool = False
    restarts: int = 0
    notified_labels: tuple[str, ...] = ()
    pid: int = 0

    @property
    def is_face_search(self) -> bool:
        return "FaceSearch" in (self.definition.get("Settings") or {})

    @property
    def max_duration_seconds(self) -> float | None:
        stop = self.start_request.get("StopSelector") or {}
        value = stop.get("MaxDurationInSeconds")
        return float(value) if value is not None else None


def _hash(mapping: dict[str, str]) -> Mapping[Any, Any]:
    """redis-py's stubs type hash mappings invariantly; these fields are plain str -> str."""
    return mapping


def _decode(name: str, raw: Mapping[Any, Any]) -> StreamProcessorRecord:
    return StreamProcessorRecord(
        name=name,
        arn=raw["arn"],
        definition=json.loads(raw["definition"]),
        status=StreamStatus(raw["status"]),
        status_message=raw.get("status_message", ""),
        created=float(raw["created"]),
        updated=float(raw["updated"]),
        desired=raw.get("desired", "stop"),
        session_id=raw.get("session_id", ""),
        start_request=json.loads(raw.get("start_request") or "{}"),
        session_started=float(raw.get("session_started") or 0.0),
        stream_opened=raw.get("stream_opened") == "1",
        restarts=int(raw.get("restarts") or 0),
        notified_labels=tuple(json.loads(raw.get("notified_labels") or "[]")),
        pid=int(raw.get("pid") or 0),
    )


class StreamProcessorStore:
    """Stream processors of one Redis (a client with decoded responses); safe to share between threads."""

    def __init__(self, client: redis.Redis, region: str) -> None:
        self._redis = client
        self._region = region

    def arn(self, name: str) -> str:
        return f"arn:aws:rekognition:{self._region}:{ACCOUNT_ID}:streamprocessor/{name}"

    # --- definition --------------------------------------------------------------------------------

    def create(self, name: str, definition: dict[str, Any]) -> StreamProcessorRecord:
        now = time.time()
        record = {
            "arn": self.arn(name),
            "definition": json.dumps(definition),
            "status": StreamStatus.STOPPED.value,
            "status_message": "",
            "created": repr(now),
            "updated": repr(now),
            "desired": "stop",
        }
        key = keys.stream_processor(name)
        # HSETNX on the name field makes creation atomic: two concurrent creates, one wins.
        if not self._redis.hsetnx(key, "name", name):
            raise ProcessorExists(f"A stream processor named {name} already exists.")
        pipe = self._redis.pipeline(transaction=True)
        pipe.hset(key, mapping=_hash(record))
        pipe.zadd(keys.STREAM_PROCESSORS, {name: 0})
        pipe.execute()
        return self.get(name)

    def find(self, name: str) -> StreamProcessorRecord | None:
        raw = self._redis.hgetall(keys.stream_processor(name))
        if not raw or "definition" not in raw:
            return None
        return _decode(name, raw)

    def get(self, name: str) -> StreamProcessorRecord:
        record = self.find(name)
        if record is None:
            raise ProcessorNotFound(f"The stream processor {name} does not exist.")
        return record

    def page(self, offset: int, limit: int) -> tuple[list[StreamProcessorRecord], bool]:
        """Processors ``offset .. offset + limit - 1`` in name order, and whether more follow."""
        names = [str(n) for n in self._redis.zrangebylex(keys.STREAM_PROCESSORS, "-", "+", offset, limit + 1)]
        page = [r for r in (self.find(n) for n in names[:limit]) if r is not None]
        return page, len(names) > limit

    def _transition(self, name: str, change: Any) -> StreamProcessorRecord:
        """Apply ``change(record) -> dict of fields`` atomically (WATCH/MULTI), retrying on a race."""
        key = keys.stream_processor(name)
        for _ in range(WATCH_RETRIES):
            with self._redis.pipeline(transaction=True) as pipe:
                try:
                    pipe.watch(key)  # type: ignore[no-untyped-call]
                    raw = pipe.hgetall(key)
                    if not raw or "definition" not in raw:
                        raise ProcessorNotFound(f"The stream processor {name} does not exist.")
                    fields: dict[str, str] = change(_decode(name, raw))
                    pipe.multi()
                    if fields:
                        pipe.hset(key, mapping=_hash({**fields, "updated": repr(time.time())}))
                    if fields.get("desired") == "run":
                        pipe.sadd(keys.STREAM_PROCESSORS_ACTIVE, name)
                    pipe.execute()
                    return self.get(name)
                except redis.WatchError:
                    continue
        raise ProcessorBusy(f"The stream processor {name} is being changed by another request; retry.")

    def update_definition(self, name: str, definition: dict[str, Any]) -> StreamProcessorRecord:
        def change(record: StreamProcessorRecord) -> dict[str, str]:
            if record.status.is_busy:
                raise ProcessorBusy(
                    f"The stream processor {name} is {record.status.value}; stop it before updating it."
                )
            return {"definition": json.dumps(definition)}

        return self._transition(name, change)

    def delete(self, name: str) -> None:
        def change(record: StreamProcessorRecord) -> dict[str, str]:
            if record.status.is_busy:
                raise ProcessorBusy(
                    f"The stream processor {name} is {record.status.value}; stop it before deleting it."
                )
            return {}

        record = self._transition(name, change)
        pipe = self._redis.pipeline(transaction=True)
        pipe.delete(keys.stream_processor(name), keys.resource_tags(record.arn))
        pipe.zrem(keys.STREAM_PROCESSORS, name)
        pipe.srem(keys.STREAM_PROCESSORS_ACTIVE, name)
        pipe.execute()

    # --- sessions (API side) -----------------------------------------------------------------------

    def start(self, name: str, start_request: dict[str, Any]) -> StreamProcessorRecord:
        """STOPPED/FAILED -> STARTING with a new session; ProcessorBusy otherwise."""

        def change(record: StreamProcessorRecord) -> dict[str, str]:
            if record.status.is_busy or record.status is StreamStatus.UPDATING:
                raise ProcessorBusy(f"The stream processor {name} is already {record.status.value}.")
            return {
                "status": StreamStatus.STARTING.value,
                "status_message": "",
                "desired": "run",
                "session_id": str(uuid.uuid4()),
                "start_request": json.dumps(start_request),
                "session_started": repr(time.time()),
                "stream_opened": "0",
                "restarts": "0",
                "notified_labels": "[]",
                "pid": "0",
            }

        return self._transition(name, change)

    def request_stop(self, name: str) -> StreamProcessorRecord:
        """STARTING/RUNNING -> STOPPING (the runner finishes the session); ProcessorBusy otherwise."""

        def change(record: StreamProcessorRecord) -> dict[str, str]:
            if record.status not in (StreamStatus.STARTING, StreamStatus.RUNNING):
                raise ProcessorBusy(f"The stream processor {name} is {record.status.value}, not running.")
            return {"status": StreamStatus.STOPPING.value, "desired": "stop"}

        return self._transition(name, change)

    # --- sessions (runner side) --------------------------------------------------------------------

    def active_names(self) -> list[str]:
        return sorted(str(n) for n in self._redis.smembers(keys.STREAM_PROCESSORS_ACTIVE))

    def desired(self, name: str) -> str | None:
        value = self._redis.hget(keys.stream_processor(name), "desired")
        return None if value is None else str(value)

    def mark_running(self, name: str, session_id: str, *, report_running: bool) -> None:
        """The stream opened: remember it, and show RUNNING unless a stop was asked meanwhile."""

        def change(record: StreamProcessorRecord) -> dict[str, str]:
            if record.session_id != session_id or record.desired != "run":
                return {}
            fields = {"stream_opened": "1"}
            if report_running:
                fields["status"] = StreamStatus.RUNNING.value
            return fields

        self._transition(name, change)

    def set_pid(self, name: str, pid: int) -> None:
        self._redis.hset(keys.stream_processor(name), "pid", str(pid))

    def add_notified_label(self, name: str, session_id: str, label: str) -> bool:
        """Record that ``label``'s first-detection notification is sent; False if it already was."""
        added = [False]

        def change(record: StreamProcessorRecord) -> dict[str, str]:
            if record.session_id != session_id or label in record.notified_labels:
                return {}
            added[0] = True
            return {"notified_labels": json.dumps([*record.notified_labels, label])}

        self._transition(name, change)
        return added[0]

    def count_restart(self, name: str) -> int:
        return int(self._redis.hincrby(keys.stream_processor(name), "restarts", 1))

    def finish(self, name: str, session_id: str, status: StreamStatus, message: str = "") -> bool:
        """End the session ``session_id`` as STOPPED or FAILED; False if another session is current."""
        done = [False]

        def change(record: StreamProcessorRecord) -> dict[str, str]:
            if record.session_id != session_id or not (
                record.status.is_busy or record.status is StreamStatus.UPDATING
            ):
                return {}
            done[0] = True
            return {"status": status.value, "status_message": message, "desired": "stop", "pid": "0"}

        try:
            self._transition(name, change)
        except ProcessorNotFound:
            return False
        self._redis.srem(keys.STREAM_PROCESSORS_ACTIVE, name)
        return done[0]

    def deactivate(self, name: str) -> None:
        self._redis.srem(keys.STREAM_PROCESSORS_ACTIVE, name)

    # --- the running process's lock ----------------------------------------------------------------

    def acquire_lock(self, name: str, owner: str, ttl_seconds: float) -> bool:
        return bool(
            self._redis.set(keys.stream_processor_lock(name), owner, nx=True, px=int(ttl_seconds * 1000))
        )

    def refresh_lock(self, name: str, owner: str, ttl_seconds: float) -> bool:
        key = keys.stream_processor_lock(name)
        with self._redis.pipeline(transaction=True) as pipe:
            try:
                pipe.watch(key)  # type: ignore[no-untyped-call]
                if pipe.get(key) != owner:
                    return False
                pipe.multi()
                pipe.pexpire(key, int(ttl_seconds * 1000))
                pipe.execute()
                return True
            except redis.WatchError:
                return False

    def release_lock(self, name: str, owner: str) -> None:
        key = keys.stream_processor_lock(name)
        with self._redis.pipeline(transaction=True) as pipe:
            try:
                pipe.watch(key)  # type: ignore[no-untyped-call]
                if pipe.get(key) == owner:
                    pipe.multi()
                    pipe.delete(key)
                    pipe.execute()
            except redis.WatchError:
                pass

    def lock_held(self, name: str) -> bool:
        return bool(self._redis.exists(keys.stream_processor_lock(name)))
