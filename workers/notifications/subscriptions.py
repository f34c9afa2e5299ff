"""Webhook subscriptions of HTTP(S) endpoints to SNS topic ARNs, kept in Redis.

A subscription starts ``PendingConfirmation``; vidrek POSTs a SubscriptionConfirmation to the endpoint,
and the subscription becomes ``Confirmed`` when the receiver GETs the ``SubscribeURL`` (with the secret
token) it contained. Only confirmed subscriptions receive notifications, as with Amazon SNS.
"""

from __future__ import annotations

import enum
import json
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import redis

from pipelines.errors import InvalidInput
from workers import keys
from workers.jobs import now_ms

#: Namespace of the deterministic ids of subscriptions made from the VIDREK_WEBHOOK_SUBSCRIPTIONS setting.
CONFIGURED_NAMESPACE = uuid.UUID("6f0d7c55-3d6c-4a8e-9a43-7f1f0b8f9b11")


class SubscriptionStatus(enum.StrEnum):
    PENDING_CONFIRMATION = "PendingConfirmation"
    CONFIRMED = "Confirmed"


@dataclass
class Subscription:
    subscription_id: str
    topic_arn: str
    endpoint: str
    token: str
    signature_version: str
    status: SubscriptionStatus = SubscriptionStatus.PENDING_CONFIRMATION
    created_ms: int = 0
    confirmed_ms: int = 0
    confirmation_attempts: int = 0
    last_confirmation_error: str = ""

    @property
    def arn(self) -> str:
        return f"{self.topic_arn}:{self.subscription_id}"

    @property
    def protocol(self) -> str:
        return "https" if self.endpoint.startswith("https:") else "http"

    def to_hash(self) -> dict[str, str]:
        data = asdict(self)
        return {k: v.value if isinstance(v, enum.Enum) else str(v) for k, v in data.items()}

    @classmethod
    def from_hash(cls, data: Mapping[str, str]) -> Subscription:
        return cls(
            subscription_id=data["subscription_id"],
            topic_arn=data["topic_arn"],
            endpoint=data["endpoint"],
            token=data["token"],
            signature_version=data.get("signature_version", "2"),
            status=SubscriptionStatus(data.get("status", SubscriptionStatus.PENDING_CONFIRMATION.value)),
            created_ms=int(data.get("created_ms", "0")),
            confirmed_ms=int(data.get("confirmed_ms", "0")),
            confirmation_attempts=int(data.get("confirmation_attempts", "0")),
            last_confirmation_error=data.get("last_confirmation_error", ""),
        )

    def describe(self) -> dict[str, Any]:
        """The subscription as the API shows it (never with its token)."""
        return {
            "SubscriptionArn": self.arn,
            "TopicArn": self.topic_arn,
            "Protocol": self.protocol,
            "Endpoint": self.endpoint,
            "Status": self.status.value,
            "SignatureVersion": self.signature_version,
            "ConfirmationAttempts": self.confirmation_attempts,
            **(
                {"LastConfirmationError": self.last_confirmation_error}
                if self.last_confirmation_error
                else {}
            ),
        }


def _fields(mapping: dict[str, str]) -> Mapping[Any, Any]:
    return mapping


def split_subscription_arn(arn: str) -> tuple[str, str]:
    """``(topic_arn, subscription_id)`` of a subscription ARN; InvalidInput when it is not one."""
    topic_arn, sep, subscription_id = arn.rpartition(":")
    if not sep or not topic_arn.startswith("arn:") or not subscription_id:
        raise InvalidInput(f"SubscriptionArn: {arn!r} is not a subscription ARN.")
    return topic_arn, subscription_id


class SubscriptionStore:
    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    def create(
        self, topic_arn: str, endpoint: str, signature_version: str, subscription_id: str | None = None
    ) -> tuple[Subscription, bool]:
        """Add a subscription (``created`` False when ``subscription_id`` already exists)."""
        subscription = Subscription(
            subscription_id=subscription_id or str(uuid.uuid4()),
            topic_arn=topic_arn,
            endpoint=endpoint,
            token=secrets.token_hex(64),
            signature_version=signature_version,
            created_ms=now_ms(),
        )
        key = keys.webhook_subscription(subscription.subscription_id)
        if not self._redis.hsetnx(key, "subscription_id", subscription.subscription_id):
            existing = self.get(subscription.subscription_id)
            if existing is not None:
                return existing, False
        pipe = self._redis.pipeline(transaction=True)
        pipe.hset(key, mapping=_fields(subscription.to_hash()))
        pipe.sadd(keys.topic_subscriptions(topic_arn), subscription.subscription_id)
        pipe.execute()
        return subscription, True

    def get(self, subscription_id: str) -> Subscription | None:
        data = self._redis.hgetall(keys.webhook_subscription(subscription_id))
        if "topic_arn" not in data:
            return None
        return Subscription.from_hash({str(k): str(v) for k, v in data.items()})

    def for_topic(self, topic_arn: str) -> list[Subscription]:
        found = []
        for subscription_id in sorted(self._redis.smembers(keys.topic_subscriptions(topic_arn))):
            subscription = self.get(str(subscription_id))
            if subscription is not None:
                found.append(subscription)
        return found

    def confirm(self, topic_arn: str, token: str) -> Subscription | None:
        """Confirm the subscription of ``topic_arn`` whose token is ``token``; None if there is none.

        Any text is a possible (wrong) token: compared as UTF-8 bytes, since ``compare_digest`` refuses
        non-ASCII strings with a TypeError.
        """
        offered = token.encode("utf-8", "surrogatepass")
        for subscription in self.for_topic(topic_arn):
            if secrets.compare_digest(subscription.token.encode(), offered):
                if subscription.status is not SubscriptionStatus.CONFIRMED:
                    subscription.status = SubscriptionStatus.CONFIRMED
                    subscription.confirmed_ms = now_ms()
                    self._redis.hset(
                        keys.webhook_subscription(subscription.subscription_id),
                        mapping={
                            "status": subscription.status.value,
                            "confirmed_ms": str(subscription.confirmed_ms),
                        },
                    )
                return subscription
        return None

    def record_confirmation_attempt(self, subscription_id: str, error: str) -> int:
        key = keys.webhook_subscription(subscription_id)
        pipe = self._redis.pipeline(transaction=True)
        pipe.hincrby(key, "confirmation_attempts", 1)
        pipe.hset(key, "last_confirmation_error", error)
        attempts, _ = pipe.execute()
        return int(attempts)

    def delete(self, subscription_id: str) -> bool:
        subscription = self.get(subscription_id)
        if subscription is None:
            return False
        pipe = self._redis.pipeline(transaction=True)
        pipe.delete(keys.webhook_subscription(subscription_id))
        pipe.srem(keys.topic_subscriptions(subscription.topic_arn), subscription_id)
        pipe.execute()
        return True


def configured_subscription_id(topic_arn: str, endpoint: str) -> str:
    """The stable id of a subscription listed in VIDREK_WEBHOOK_SUBSCRIPTIONS."""
    return str(uuid.uuid5(CONFIGURED_NAMESPACE, json.dumps([topic_arn, endpoint])))
