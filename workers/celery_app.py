"""The Celery application: Redis broker, one task per job, late acknowledgement.

A job's message is acknowledged only after the job has reached a final state (``acks_late``), a child
process that dies hands its message back (``reject_on_worker_lost``), and each worker process takes one
job at a time (prefetch 1). The broker's visibility timeout is longer than the longest job allowed, so a
long job is never handed to a second worker while the first still runs.
"""

from __future__ import annotations

from celery import Celery

from workers.redis_connection import redis_url
from workers.settings import get_settings

ANALYSE_TASK = "vidrek.analyse_video"


def create_celery_app() -> Celery:
    settings = get_settings()
    url = redis_url(settings) if settings.redis_url else "redis://127.0.0.1:6390/0"
    app = Celery("vidrek", broker=url, include=["workers.tasks", "workers.stream_supervisor"])
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
        task_default_queue="vidrek",
        worker_max_tasks_per_child=200,
    )
    return app


app = create_celery_app()


def enqueue_analysis(job_id: str) -> None:
    """Queue a job for a worker. Safe to call twice: the worker runs a job at most once to completion."""
    app.send_task(ANALYSE_TASK, args=[job_id], queue="vidrek")
