"""Every log line written while a job runs names the job: ``[job <JobId>] ...``.

The job runner (and the notification delivery of a job) sets the job id in a context variable for the
duration of its work (:func:`job_context`); a log record factory copies it into every record as
``record.vidrek_job`` (``"[job <id>] "``, or ``""`` outside a job), which the worker's log formats print
(:data:`WORKER_LOG_FORMAT`). A record factory rather than a handler filter: it reaches the records of every
logger (vidrek's, Celery's, onnxruntime's) whatever handler writes them.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_current_job: contextvars.ContextVar[str] = contextvars.ContextVar("vidrek_job", default="")

#: Celery's default worker formats, with the job in front of the message.
WORKER_LOG_FORMAT = "[%(asctime)s: %(levelname)s/%(processName)s] %(vidrek_job)s%(message)s"
WORKER_TASK_LOG_FORMAT = (
    "[%(asctime)s: %(levelname)s/%(processName)s] %(vidrek_job)s%(task_name)s[%(task_id)s]: %(message)s"
)

_installed = False
_install_lock = threading.Lock()


def current_job() -> str:
    """The id of the job this thread works on, or ``""``."""
    return _current_job.get()


@contextmanager
def job_context(job_id: str) -> Iterator[None]:
    """Log records made inside the block carry ``job_id``."""
    token = _current_job.set(job_id)
    try:
        yield
    finally:
        _current_job.reset(token)


def install_job_log_records() -> None:
    """Make every log record of this process carry ``vidrek_job`` (idempotent)."""
    global _installed
    with _install_lock:
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            job = _current_job.get()
            record.vidrek_job = f"[job {job}] " if job else ""
            return record

        logging.setLogRecordFactory(factory)
        _installed = True
