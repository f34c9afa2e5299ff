"""Celery tasks that deliver notifications, outside the analysis task, on ``notification_queue``."""

from __future__ import annotations

import functools

from celery import shared_task

from workers.celery_app import process_app
from workers.celery_names import CONFIRM_TASK, DELIVER_TASK
from workers.job_logging import job_context
from workers.notifications.delivery import NotificationService
from workers.settings import get_settings
from workers.worker_context import process_context


def queue_delivery(job_id: str, target_id: str, delay_seconds: float) -> None:
    process_app().send_task(
        DELIVER_TASK,
        args=[job_id, target_id],
        queue=get_settings().notification_queue,
        countdown=delay_seconds if delay_seconds > 0 else None,
    )


def queue_confirmation(subscription_id: str, delay_seconds: float) -> None:
    process_app().send_task(
        CONFIRM_TASK,
        args=[subscription_id],
        queue=get_settings().notification_queue,
        countdown=delay_seconds if delay_seconds > 0 else None,
    )


@functools.lru_cache(maxsize=1)
def notification_service() -> NotificationService:
    ctx = process_context()
    return NotificationService(ctx.settings, ctx.stores, queue_delivery, queue_confirmation)


def _deliver_notification(job_id: str, target_id: str) -> None:
    with job_context(job_id):  # the delivery's log lines name the job
        notification_service().deliver(job_id, target_id)


def _confirm_subscription(subscription_id: str) -> None:
    notification_service().send_confirmation(subscription_id)


# Registered without decorator syntax: Celery's decorator is untyped.
deliver_notification = shared_task(name=DELIVER_TASK, ignore_result=True)(_deliver_notification)
confirm_subscription = shared_task(name=CONFIRM_TASK, ignore_result=True)(_confirm_subscription)
