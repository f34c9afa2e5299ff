"""The Celery application: Redis broker, one task per job, late acknowledgement.

A job's message is acknowledged only after the job has reached a final state (``acks_late``), a child
process that dies hands its message back (``reject_on_worker_lost``), and each worker process takes one
job at a time (prefetch 1). The broker's visibility timeout is longer than the longest job allowed, so a
long job is never handed to a second worker while the first still runs.

The app is built by :func:`create_celery_app` from a :class:`Settings`; nothing is built at import.
Each process uses one app, :func:`process_app`, built from its ``VIDREK_*`` settings on first use: the
enqueue functions send with it, and ``celery -A workers.celery_app`` finds it as this module's ``app``
attribute (read through the module's ``__getattr__``). The tasks are registered with
``celery.shared_task`` in the modules of :data:`TASK_MODULES`, which the worker imports.
"""

from __future__ import annotations

import threading

from celery import Celery

from workers.celery_names import ANALYSE_TASK, ANALYSIS_QUEUE
from workers.job_logging import WORKER_LOG_FORMAT, WORKER_TASK_LOG_FORMAT, install_job_log_records
from workers.redis_connection import redis_url
from workers.settings import Settings, get_settings

#: The modules that define vidrek's tasks and worker hooks; a worker imports them at start.
TASK_MODULES = ("workers.tasks", "workers.notifications.tasks", "workers.stream_supervisor")


def create_celery_app(settings: Settings) -> Celery:
    """A Celery app configured from ``settings`` (it connects to the broker only when first used)."""
    url = redis_url(settings) if settings.redis_url else "redis://127.0.0.1:6390/0"
    install_job_log_records()  # the log formats below print the job a record was made for
    app = Celery("vidrek", broker=url, include=list(TASK_MODULES))
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_ignore_result=True,
        worker_prefetch_multiplier=1,
        task_time_limit=settings.job_time_limit_seconds + 60,
        task_soft_time_limit=settings.job_time_limit_seconds,
        broker_transport_options={"visibility_timeout": settings.job_time_limit_seconds + 3600},
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        task_default_queue=ANALYSIS_QUEUE,
        worker_max_tasks_per_child=200,
        worker_log_format=WORKER_LOG_FORMAT,
        worker_task_log_format=WORKER_TASK_LOG_FORMAT,
    )
    return app


_process_app: Celery | None = None
_process_app_lock = threading.Lock()


def process_app() -> Celery:
    """This process's Celery app, built from the ``VIDREK_*`` settings on first use."""
    global _process_app
    with _process_app_lock:
        if _process_app is None:
            _process_app = create_celery_app(get_settings())
        return _process_app


def __getattr__(name: str) -> Celery:
    """``app``: this process's app, for ``celery -A workers.celery_app`` (built on first read)."""
    if name == "app":
        return process_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def enqueue_analysis(job_id: str, *, countdown: float | None = None) -> None:
    """Queue a job for a worker, after ``countdown`` seconds if given.

    Safe to call twice: the worker runs a job at most once to completion.
    """
    process_app().send_task(ANALYSE_TASK, args=[job_id], queue=ANALYSIS_QUEUE, countdown=countdown)
