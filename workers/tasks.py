"""Celery tasks and worker start-up hooks."""

from __future__ import annotations

import functools
import logging
import threading
from typing import Any

from celery.signals import worker_ready

from workers.celery_app import ANALYSE_TASK, app, enqueue_analysis
from workers.job_runner import JobRunner, recover_stalled_jobs
from workers.jobs import JobStore
from workers.notifications.tasks import notification_service
from workers.redis_connection import connect
from workers.results import ResultStore
from workers.settings import get_settings
from workers.sources import VideoSources

log = logging.getLogger(__name__)


def job_store() -> JobStore:
    settings = get_settings()
    return JobStore(
        connect(settings),
        retention_seconds=settings.result_ttl_seconds,
        running_grace_seconds=settings.job_time_limit_seconds * settings.job_max_attempts,
    )


@functools.lru_cache(maxsize=1)
def job_runner() -> JobRunner:
    settings = get_settings()
    return JobRunner(
        settings,
        job_store(),
        ResultStore(connect(settings)),
        VideoSources(settings),
        requeue_later=_requeue_later,
    )


def _requeue_later(job_id: str, delay_seconds: float) -> None:
    app.send_task(ANALYSE_TASK, args=[job_id], queue="vidrek", countdown=delay_seconds)


@app.task(name=ANALYSE_TASK, ignore_result=True)
def analyse_video(job_id: str) -> None:
    job_runner().run(job_id)
    # Queue the job's completion notification at once (the periodic sweep is the safety net).
    try:
        notification_service().dispatch_due()
    except Exception:
        log.exception("dispatching notifications after job %s failed", job_id)


def _recovery_loop(stop: threading.Event) -> None:
    store = job_store()
    while True:
        try:
            requeued = recover_stalled_jobs(store, enqueue_analysis)
            if requeued:
                log.warning("re-queued stalled jobs: %s", ", ".join(requeued))
        except Exception:
            log.exception("stalled-job sweep failed")
        try:
            notification_service().sweep()
        except Exception:
            log.exception("notification sweep failed")
        if stop.wait(get_settings().stalled_job_sweep_seconds):
            return


@worker_ready.connect
def _start_recovery(**_: Any) -> None:
    threading.Thread(
        target=_recovery_loop, args=(threading.Event(),), daemon=True, name="vidrek-recovery"
    ).start()
