"""Planning, dispatching and making the deliveries of finished jobs' completion notifications."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from workers import keys
from workers.jobs import JobRecord, now_ms
from workers.metrics import NOTIFICATION_DELIVERIES
from workers.notifications.channel import notification_topic, sendable_topic
from workers.notifications.delivery_log import (
    SNS_TARGET,
    Attempt,
    DeliveryRecord,
    DeliveryStatus,
    webhook_target,
)
from workers.notifications.endpoint_safety import UnsafeEndpoint, check_endpoint
from workers.notifications.envelopes import EnvelopeFactory, delivery_headers, notification_message_id
from workers.notifications.message import completion_message
from workers.notifications.retry_policy import RetryPolicy
from workers.notifications.senders import Outcome, api_answers, post_envelope, publish_to_sns
from workers.notifications.signing import signing_identity
from workers.notifications.subscriptions import (
    Subscription,
    SubscriptionStatus,
    configured_subscription_id,
)
from workers.settings import Settings
from workers.stores import Stores

log = logging.getLogger(__name__)

#: Queues one delivery task: (job id, target id, delay in seconds).
ScheduleDelivery = Callable[[str, str, float], None]
#: Queues the SubscriptionConfirmation of a subscription: (subscription id, delay in seconds).
ScheduleConfirmation = Callable[[str, float], None]

#: Re-dispatch intervals of a stuck outbox entry double up to 2^this leases.
MAX_REDISPATCH_DOUBLINGS = 5
#: A queued task that arrives this much before its record's next attempt time still runs (clock skew).
EARLY_TOLERANCE_MS = 1000


def public_url(settings: Settings) -> str:
    return settings.public_url or f"http://{settings.api_host}:{settings.api_port}"


@dataclass
class NotificationService:
    settings: Settings
    stores: Stores
    schedule_delivery: ScheduleDelivery
    schedule_confirmation: ScheduleConfirmation

    def __post_init__(self) -> None:
        self.client = self.stores.redis_client
        self.jobs = self.stores.jobs
        self.log = self.stores.delivery_log
        self.subscriptions = self.stores.subscriptions
        self.outbox = self.stores.outbox
        self.policy = RetryPolicy.from_settings(self.settings)

    # --- planning and dispatch ------------------------------------------------------------------------
    def plan(self, job: JobRecord) -> None:
        """Create the job's delivery records once: SNS (when enabled) and confirmed webhooks of its topic."""
        if self.log.is_planned(job.job_id):
            return
        topic = notification_topic(job.request)
        if topic is not None and not sendable_topic(topic):
            self._dead_letter_unsendable(job.job_id, topic)
            return
        records: list[DeliveryRecord] = []
        if topic is not None:
            if self.settings.notification_sns_publish:
                records.append(DeliveryRecord(SNS_TARGET, "sns", topic, topic))
            for subscription in self.subscriptions.for_topic(topic):
                if subscription.status is SubscriptionStatus.CONFIRMED:
                    records.append(
                        DeliveryRecord(
                            webhook_target(subscription.subscription_id),
                            subscription.protocol,
                            subscription.endpoint,
                            topic,
                            message_id=notification_message_id(job.job_id),
                        )
                    )
        self.log.plan(job.job_id, records)

    def _dead_letter_unsendable(self, job_id: str, topic: str) -> None:
        """Plan the one delivery a topic that cannot be encoded gets: dead-lettered at once, saying why
        (instead of a sweep that fails on it every time, with no attempt and no dead letter)."""
        shown = topic.encode("utf-8", "backslashreplace").decode("utf-8")
        record = DeliveryRecord(SNS_TARGET, "sns", shown, shown, status=DeliveryStatus.DEAD_LETTER)
        detail = "The SNSTopicArn is not valid Unicode text (a lone surrogate); nothing can be sent to it."
        record.attempts.append(Attempt(now_ms(), False, detail))
        self.log.plan(job_id, [record])
        self.log.save(job_id, record)
        log.warning("notification of job %s dead-lettered: %s", job_id, detail)

    def dispatch_due(self) -> int:
        """Queue the pending deliveries of every due outbox entry; return how many tasks were queued."""
        queued = 0
        for job_id in self.outbox.due():
            if not self.outbox.claim(job_id):
                continue
            job = self.jobs.get(job_id)
            if job is None or not job.status.is_final:
                self.outbox.remove(job_id)
                continue
            self.plan(job)
            pending = [r for r in self.log.records(job_id) if r.status is DeliveryStatus.PENDING]
            if not pending:
                self.outbox.remove(job_id)
                continue
            now = now_ms()
            for record in pending:
                self.schedule_delivery(
                    job_id, record.target_id, max(0.0, (record.next_attempt_ms - now) / 1000)
                )
                queued += 1
            # Re-dispatches of an entry that makes no progress (its tasks are lost, or wait behind long
            # analyses on a busy worker) come one, two, four ... leases apart, so duplicates stay few.
            dispatches = self.log.count_dispatch(job_id)
            backoff = 2 ** min(dispatches - 1, MAX_REDISPATCH_DOUBLINGS) - 1
            self.outbox.look_again_at(job_id, now + backoff * self.outbox.lease_ms)
        return queued

    def _refresh_outbox(self, job_id: str) -> None:
        pending = [r for r in self.log.records(job_id) if r.status is DeliveryStatus.PENDING]
        if not pending:
            self.outbox.remove(job_id)
        else:
            self.outbox.look_again_at(job_id, max(now_ms(), min(r.next_attempt_ms for r in pending)))

    # --- one delivery attempt -----------------------------------------------------------------------
    def deliver(self, job_id: str, target_id: str) -> None:
        """Make the next attempt of one target of one job, unless it is final, early or being made."""
        lock = keys.notification_lock(job_id, target_id)
        lock_seconds = int(self.settings.notification_timeout_seconds * 2) + 30
        if not self.client.set(lock, "1", nx=True, ex=lock_seconds):
            return
        try:
            record = self.log.get(job_id, target_id)
            if record is None or record.status.is_final:
                return
            if record.next_attempt_ms > now_ms() + EARLY_TOLERANCE_MS:
                return  # a duplicate of a task that is scheduled for later
            job = self.jobs.get(job_id)
            outcome = (
                Outcome(False, "The job expired before its notification was delivered.", permanent=True)
                if job is None
                else self._attempt(job, record)
            )
            self._record(job_id, record, outcome)
        finally:
            self.client.delete(lock)
        if record.status is DeliveryStatus.PENDING:
            self.schedule_delivery(job_id, target_id, max(0.0, (record.next_attempt_ms - now_ms()) / 1000))
        self._refresh_outbox(job_id)

    def _attempt(self, job: JobRecord, record: DeliveryRecord) -> Outcome:
        message = completion_message(job)
        if record.target_id == SNS_TARGET:
            return publish_to_sns(self.settings, record.topic_arn, message, job.job_id)
        subscription = self.subscriptions.get(record.target_id.removeprefix("webhook:"))
        if subscription is None:
            return Outcome(False, "The subscription was deleted before delivery.", permanent=True)
        envelopes = EnvelopeFactory(signing_identity(self.client), public_url(self.settings))
        envelope = envelopes.notification(subscription, record.message_id, message, job.finished_ms)
        return post_envelope(
            subscription.endpoint,
            envelope,
            delivery_headers(envelope, subscription),
            timeout=self.settings.notification_timeout_seconds,
            allow_internal=self.settings.webhook_allow_internal_targets,
        )

    def _record(self, job_id: str, record: DeliveryRecord, outcome: Outcome) -> None:
        now = now_ms()
        record.attempts.append(Attempt(now, outcome.ok, outcome.detail, outcome.status_code))
        if outcome.message_id:
            record.message_id = outcome.message_id
        failures = sum(1 for a in record.attempts if not a.ok)
        if outcome.ok:
            record.status = DeliveryStatus.DELIVERED
            record.next_attempt_ms = 0
        elif outcome.permanent or not self.policy.may_retry(failures):
            record.status = DeliveryStatus.DEAD_LETTER
            record.next_attempt_ms = 0
            log.warning(
                "notification of job %s to %s dead-lettered: %s", job_id, record.endpoint, outcome.detail
            )
        else:
            delay = self.policy.delay_seconds(failures)
            record.next_attempt_ms = now + int(delay * 1000)
        self.log.save(job_id, record)
        outcome_name = {DeliveryStatus.DELIVERED: "delivered", DeliveryStatus.DEAD_LETTER: "dead_letter"}
        labels = {"protocol": record.protocol, "outcome": outcome_name.get(record.status, "retry")}
        self.stores.metrics.count(NOTIFICATION_DELIVERIES, labels)

    # --- subscriptions ------------------------------------------------------------------------------
    def subscribe(self, topic_arn: str, endpoint: str, signature_version: str | None = None) -> Subscription:
        """Create a webhook subscription and queue its SubscriptionConfirmation.

        Raises :class:`UnsafeEndpoint` for an endpoint that webhooks may not reach.
        """
        check_endpoint(endpoint, allow_internal=self.settings.webhook_allow_internal_targets)
        subscription, created = self.subscriptions.create(
            topic_arn, endpoint, signature_version or self.settings.notification_signature_version
        )
        if created:
            self.schedule_confirmation(subscription.subscription_id, 0.0)
        return subscription

    def register_configured_subscriptions(self) -> None:
        """Subscribe the endpoints of VIDREK_WEBHOOK_SUBSCRIPTIONS that are not subscribed yet."""
        for topic_arn, endpoints in self.settings.webhook_subscriptions.items():
            for endpoint in endpoints:
                subscription_id = configured_subscription_id(topic_arn, endpoint)
                if self.subscriptions.get(subscription_id) is not None:
                    continue
                try:
                    check_endpoint(endpoint, allow_internal=self.settings.webhook_allow_internal_targets)
                except UnsafeEndpoint as err:
                    log.error("VIDREK_WEBHOOK_SUBSCRIPTIONS: %s", err)
                    continue
                _, created = self.subscriptions.create(
                    topic_arn, endpoint, self.settings.notification_signature_version, subscription_id
                )
                if created:
                    self.schedule_confirmation(subscription_id, 0.0)

    def send_confirmation(self, subscription_id: str) -> None:
        """POST the SubscriptionConfirmation; on a retryable failure queue the next try."""
        subscription = self.subscriptions.get(subscription_id)
        if subscription is None or subscription.status is SubscriptionStatus.CONFIRMED:
            return
        base_url = public_url(self.settings)
        last_chance = not self.policy.may_retry(subscription.confirmation_attempts + 1)
        if not last_chance and not api_answers(base_url, self.settings.notification_timeout_seconds):
            # A receiver that GETs the SubscribeURL at once would fail (e.g. the worker started before the
            # API): wait for the API, but send on the last try anyway (public_url may be unreachable from
            # the worker and still right for receivers).
            outcome = Outcome(
                False, f"vidrek's API at {base_url} does not answer yet; SubscribeURL would fail."
            )
        else:
            envelopes = EnvelopeFactory(signing_identity(self.client), base_url)
            envelope = envelopes.subscription_confirmation(subscription, now_ms())
            outcome = post_envelope(
                subscription.endpoint,
                envelope,
                delivery_headers(envelope, subscription),
                timeout=self.settings.notification_timeout_seconds,
                allow_internal=self.settings.webhook_allow_internal_targets,
            )
        attempts = self.subscriptions.record_confirmation_attempt(
            subscription_id, "" if outcome.ok else outcome.detail
        )
        if not outcome.ok and not outcome.permanent and self.policy.may_retry(attempts):
            self.schedule_confirmation(subscription_id, self.policy.delay_seconds(attempts))

    def sweep(self) -> None:
        """The periodic duty of every worker: configured subscriptions, then due deliveries."""
        self.register_configured_subscriptions()
        self.dispatch_due()
