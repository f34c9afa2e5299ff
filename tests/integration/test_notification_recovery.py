"""A worker that dies between finishing a job and notifying: exactly one notification still arrives.

The stack runs delivery tasks on their own queue (VIDREK_NOTIFICATION_QUEUE). While the job runs, the
worker consumes only the analysis queue, so the job ends SUCCEEDED with its notification recorded in the
outbox and its delivery tasks queued but not run. The worker is then killed (SIGKILL, whole process
group) and a new worker that also consumes the delivery queue takes over.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from tests.stack import Stack, wait_for_job
from tests.webhook_receiver import WebhookReceiver
from workers import keys
from workers.celery_names import ANALYSIS_QUEUE

DELIVERY_QUEUE = "vidrek-notify"
TOPIC = "arn:aws:sns:us-east-1:123456789012:RecoveryTopic"
LEASE_SECONDS = 2.0
CONFIGURED_TOPIC = "arn:aws:sns:us-east-1:123456789012:ConfiguredTopic"


@pytest.fixture(scope="module")
def configured_receiver() -> Iterator[WebhookReceiver]:
    """A receiver subscribed through VIDREK_WEBHOOK_SUBSCRIPTIONS (started before the stack)."""
    with WebhookReceiver() as receiver:
        yield receiver


@pytest.fixture(scope="module")
def recovery_stack(
    tmp_path_factory: pytest.TempPathFactory, model_dir: Path, configured_receiver: WebhookReceiver
) -> Iterator[Stack]:
    settings = {
        "VIDREK_MODEL_DIR": str(model_dir),
        "VIDREK_NOTIFICATION_QUEUE": DELIVERY_QUEUE,
        "VIDREK_NOTIFICATION_SNS_PUBLISH": "false",
        "VIDREK_WEBHOOK_ALLOW_INTERNAL_TARGETS": "true",
        "VIDREK_NOTIFICATION_LEASE_SECONDS": str(LEASE_SECONDS),
        "VIDREK_NOTIFICATION_RETRY_BASE_SECONDS": "1",
        "VIDREK_STALLED_JOB_SWEEP_SECONDS": "0.5",
        "VIDREK_JOB_HEARTBEAT_SECONDS": "1",
        "VIDREK_LABEL_SAMPLE_FPS": "2",
        "VIDREK_WEBHOOK_SUBSCRIPTIONS": json.dumps({CONFIGURED_TOPIC: [configured_receiver.url]}),
    }
    stack = Stack(tmp_path_factory.mktemp("recovery-stack"), settings)
    stack.worker_queues = f"{ANALYSIS_QUEUE},{DELIVERY_QUEUE}"
    with stack as running:
        yield running


def delivery_log(stack: Stack, job_id: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{stack.endpoint}/vidrek/jobs/{job_id}/notifications", timeout=10)
    notes: list[dict[str, Any]] = answer.json()["Notifications"]
    return notes


def test_configured_subscription_is_confirmed_at_worker_start(
    recovery_stack: Stack, configured_receiver: WebhookReceiver
) -> None:
    [confirmation] = configured_receiver.wait_for("SubscriptionConfirmation", 1, timeout=30)
    assert confirmation.body["TopicArn"] == CONFIGURED_TOPIC
    deadline = time.monotonic() + 10
    while configured_receiver.confirm_answers != [200] and time.monotonic() < deadline:
        time.sleep(0.1)
    listed = httpx.get(
        f"{recovery_stack.endpoint}/vidrek/subscriptions", params={"TopicArn": CONFIGURED_TOPIC}, timeout=10
    ).json()["Subscriptions"]
    assert [(s["Endpoint"], s["Status"]) for s in listed] == [(configured_receiver.url, "Confirmed")]


def test_worker_killed_after_finishing_still_notifies_once(recovery_stack: Stack) -> None:
    stack = recovery_stack
    rek = stack.client()
    store = redis.Redis.from_url(stack.redis_url, decode_responses=True)
    with store, WebhookReceiver() as receiver:
        answer = httpx.post(
            f"{stack.endpoint}/vidrek/subscriptions",
            json={"TopicArn": TOPIC, "Endpoint": receiver.url},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        receiver.wait_for("SubscriptionConfirmation", 1, timeout=30)
        deadline = time.monotonic() + 10
        while receiver.confirm_answers != [200] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert receiver.confirm_answers == [200]

        # The worker now runs analyses only: deliveries queue up but nobody delivers them.
        stack.stop_worker()
        stack.worker_queues = ANALYSIS_QUEUE
        stack.start_worker()
        job_id = rek.start_label_detection(
            Video={"S3Object": {"Bucket": "samples", "Name": "carphone_pristine.mp4"}},
            NotificationChannel={"SNSTopicArn": TOPIC, "RoleArn": "arn:aws:iam::123456789012:role/Rek"},
            ClientRequestToken="recovery-1",
        )["JobId"]
        assert wait_for_job(rek, job_id, timeout=120)["JobStatus"] == "SUCCEEDED"
        time.sleep(LEASE_SECONDS * 2)  # several sweeps re-dispatch the entry: duplicates pile up
        assert store.zscore(keys.NOTIFICATION_OUTBOX, job_id) is not None
        [pending] = delivery_log(stack, job_id)
        assert pending["Status"] == "PENDING" and pending["Attempts"] == []
        assert receiver.of_type("Notification") == []
        queued = store.llen(DELIVERY_QUEUE)
        assert queued >= 2, queued  # the first dispatch and at least one re-dispatch by the sweep

        stack.stop_worker(kill=True)
        stack.worker_queues = f"{ANALYSIS_QUEUE},{DELIVERY_QUEUE}"
        stack.start_worker()
        # The same token again after the restart: the same job, no new notification.
        assert (
            rek.start_label_detection(
                Video={"S3Object": {"Bucket": "samples", "Name": "carphone_pristine.mp4"}},
                NotificationChannel={"SNSTopicArn": TOPIC, "RoleArn": "arn:aws:iam::123456789012:role/Rek"},
                ClientRequestToken="recovery-1",
            )["JobId"]
            == job_id
        )

        [note] = receiver.wait_for("Notification", 1, timeout=60)
        time.sleep(LEASE_SECONDS * 3)  # every queued duplicate and later sweeps have had their chance
        assert len(receiver.of_type("Notification")) == 1
        assert json.loads(note.body["Message"])["JobId"] == job_id
        [done] = delivery_log(stack, job_id)
        assert done["Status"] == "DELIVERED" and len(done["Attempts"]) == 1
        assert store.zscore(keys.NOTIFICATION_OUTBOX, job_id) is None
