"""Per job: one delivery record per notification target, with every attempt; and the dead letters.

Target ids: ``sns`` for the publish to the NotificationChannel topic, ``webhook:<subscription id>`` for
each confirmed webhook subscription of that topic at the time the job's deliveries were planned.
:func:`notifications_member` is the one place that turns records into the API's ``Notifications`` member.
"""

from __future__ import annotations

import enum
import json
from dataclasses import asdict, dataclass, field
from typing import Any

import redis

from workers import keys

SNS_TARGET = "sns"


class DeliveryStatus(enum.StrEnum):
    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    DEAD_LETTER = "DEAD_LETTER"

    @property
    def is_final(self) -> bool:
        return self is not DeliveryStatus.PENDING


@dataclass
class Attempt:
    at_ms: int
    ok: bool
    detail: str
    status_code: int | None = None


@dataclass
class DeliveryRecord:
    target_id: str
    protocol: str  # "sns", "http" or "https"
    endpoint: str  # the topic ARN for SNS, the URL for webhooks
    topic_arn: str
    status: DeliveryStatus = DeliveryStatus.PENDING
    message_id: str = ""
    next_attempt_ms: int = 0
    attempts: list[Attempt] = field(default_factory=list)

    def to_json(self) -> str:
        data = asdict(self)
        data["status"] = self.status.value
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> DeliveryRecord:
        data = json.loads(text)
        data["status"] = DeliveryStatus(data["status"])
        data["attempts"] = [Attempt(**a) for a in data.get("attempts", [])]
        return cls(**data)


def webhook_target(subscription_id: str) -> str:
    return f"webhook:{subscription_id}"


class DeliveryLog:
    """The delivery records of jobs; they expire ``retention_seconds`` after their last change."""

    def __init__(self, client: redis.Redis, retention_seconds: int) -> None:
        self._redis = client
        self.retention_seconds = retention_seconds

    def plan(self, job_id: str, records: list[DeliveryRecord]) -> None:
        """Add the records of targets not planned yet (existing records are never replaced)."""
        key = keys.notification_log(job_id)
        pipe = self._redis.pipeline(transaction=True)
        for record in records:
            pipe.hsetnx(key, record.target_id, record.to_json())
        pipe.hsetnx(key, "_planned", "1")
        pipe.expire(key, self.retention_seconds)
        pipe.execute()

    def count_dispatch(self, job_id: str) -> int:
        """Count one more dispatch of the job's pending deliveries; return the count."""
        return int(self._redis.hincrby(keys.notification_log(job_id), "_dispatches", 1))

    def is_planned(self, job_id: str) -> bool:
        return bool(self._redis.hexists(keys.notification_log(job_id), "_planned"))

    def get(self, job_id: str, target_id: str) -> DeliveryRecord | None:
        text = self._redis.hget(keys.notification_log(job_id), target_id)
        return DeliveryRecord.from_json(str(text)) if text is not None else None

    def records(self, job_id: str) -> list[DeliveryRecord]:
        data = self._redis.hgetall(keys.notification_log(job_id))
        return [
            DeliveryRecord.from_json(str(text))
            for target, text in sorted(data.items())
            if not str(target).startswith("_")
        ]

    def save(self, job_id: str, record: DeliveryRecord) -> None:
        pipe = self._redis.pipeline(transaction=True)
        pipe.hset(keys.notification_log(job_id), record.target_id, record.to_json())
        pipe.expire(keys.notification_log(job_id), self.retention_seconds)
        if record.status is DeliveryStatus.DEAD_LETTER:
            last = record.attempts[-1] if record.attempts else None
            pipe.rpush(
                keys.NOTIFICATION_DEAD_LETTERS,
                json.dumps(
                    {
                        "JobId": job_id,
                        "Target": record.target_id,
                        "Endpoint": record.endpoint,
                        "Attempts": len(record.attempts),
                        "LastError": last.detail if last else "",
                        "Timestamp": last.at_ms if last else 0,
                    }
                ),
            )
        pipe.execute()

    def dead_letters(self, limit: int = 100) -> list[dict[str, Any]]:
        return [json.loads(str(t)) for t in self._redis.lrange(keys.NOTIFICATION_DEAD_LETTERS, -limit, -1)]


def _attempt_item(attempt: Attempt) -> dict[str, Any]:
    item: dict[str, Any] = {
        "Timestamp": attempt.at_ms,
        "Outcome": "SUCCESS" if attempt.ok else "FAILURE",
        "Detail": attempt.detail,
    }
    if attempt.status_code is not None:
        item["HttpStatusCode"] = attempt.status_code
    return item


def notification_item(record: DeliveryRecord) -> dict[str, Any]:
    item: dict[str, Any] = {
        "Target": record.target_id,
        "Protocol": record.protocol,
        "Endpoint": record.endpoint,
        "TopicArn": record.topic_arn,
        "Status": record.status.value,
        "Attempts": [_attempt_item(a) for a in record.attempts],
    }
    if record.message_id:
        item["MessageId"] = record.message_id
    if record.status is DeliveryStatus.PENDING and record.next_attempt_ms:
        item["NextAttemptTimestamp"] = record.next_attempt_ms
    return item


def notifications_member(log: DeliveryLog, job_id: str) -> dict[str, Any]:
    """``{"Notifications": [...]}`` for a Get* answer, or ``{}`` when the job has no deliveries (yet)."""
    records = log.records(job_id)
    return {"Notifications": [notification_item(r) for r in records]} if records else {}
