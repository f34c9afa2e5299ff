"""Celery tasks that deliver notifications, outside the analysis task, on ``notification_queue``."""

from __future__ import annotations

import functools

from workers.celery_app import app
from workers.jobs import JobStore
from workers.notifications.delivery import NotificationService
from workers.redis_connection import connect
from workers.settings import get_settings

DELIVER_TASK = "vidrek.deliver_notification"
CONFIRM_TASK = "vidrek.confirm_subscription"


def queue_delivery(job_id: str, target_id: str, delay_seconds: float) -> None:
    app.send_task(
        DELIVER_TASK,
        args=[job_id, target_id],
        queue=get_settings().notification_queue,
        countdown=delay_seconds if delay_seconds > 0 else None,
    )


def queue_confirmation(subscription_id: str, delay_seconds: float) -> None:
    app.send_task(
        CONFIRM_TASK,
        args=[subscription_id],
        queue=get_settings().notification_queue,
        countdown=delay_seconds if delay_seconds > 0 else None,
    )


@functools.lru_cache(maxsize=1)
def notification_service() -> NotificationService:
    settings = get_settings()
    client = connect(settings)
    jobs = JobStore(
        client,
        retention_seconds=settings.result_ttl_seconds,
        running_grace_seconds=settings.job_time_limit_seconds * settings.job_max_attempts,
    )
    return NotificationService(settings, client, jobs, queue_delivery, queue_confirmation)


def _deliver_notification(job_id: str, target_id: str) -> None:
    notification_service().deliver(job_id, target_id)


def _confirm_subscription(subscription_id: str) -> None:
    notification_service().send_confirmation(subscription_id)


# Registered without decorator syntax: Celery's decorator is untyped.
deliver_notification = app.task(name=DELIVER_TASK, ignore_result=True)(_deliver_notification)
confirm_subscription = app.task(name=CONFIRM_TASK, ignore_result=True)(_confirm_subscription)
