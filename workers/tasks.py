"""Celery tasks and worker start-up hooks."""

from __future__ import annotations

import functools
import logging
import threading
from typing import Any

from celery import shared_task
from celery.signals import worker_process_init, worker_ready

from workers.celery_app import enqueue_analysis
from workers.celery_names import ANALYSE_TASK
from workers.job_runner import JobRunner, recover_stalled_jobs
from workers.jobs import JobStore
from workers.notifications.tasks import notification_service
from workers.settings import get_settings
from workers.worker_context import process_context

log = logging.getLogger(__name__)


def job_store() -> JobStore:
    return process_context().stores.jobs


@functools.lru_cache(maxsize=1)
def job_runner() -> JobRunner:
    ctx = process_context()
    return JobRunner(ctx.settings, ctx.stores, ctx.models, ctx.sources, requeue_later=_requeue_later)


def _requeue_later(job_id: str, delay_seconds: float) -> None:
    enqueue_analysis(job_id, countdown=delay_seconds)


@shared_task(name=ANALYSE_TASK, ignore_result=True)
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


@worker_process_init.connect
def _warm_models(**_: Any) -> None:
    """With VIDREK_WARM_MODELS, each pool process loads its models in the background as it starts."""
    if get_settings().warm_models:
        threading.Thread(target=process_context().models.warm, daemon=True, name="vidrek-warm-models").start()
