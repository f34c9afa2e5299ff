"""The JSON bodies and headers that Amazon SNS's HTTP/S delivery sends, signed by vidrek.

SubscriptionConfirmation: Type, MessageId, Token, TopicArn, Message, SubscribeURL, Timestamp,
SignatureVersion, Signature, SigningCertURL. Notification: Type, MessageId, TopicArn, Message, Timestamp,
SignatureVersion, Signature, SigningCertURL, UnsubscribeURL (no Subject: Rekognition publishes none).
The URLs point at vidrek's own routes (:mod:`api.notification_routes`).
"""

from __future__ import annotations

import datetime
import uuid
from urllib.parse import urlencode

from workers.notifications.signing import SigningIdentity
from workers.notifications.subscriptions import Subscription

#: Namespace of notification MessageIds: uuid5(namespace, job id), the same on every retry.
MESSAGE_ID_NAMESPACE = uuid.UUID("3b8a61a2-84f4-4d2d-9d0f-2f5a8f0d1c67")

#: Path prefix of vidrek's SNS-compatible routes.
SNS_PATH = "/vidrek/sns"


def notification_message_id(job_id: str) -> str:
    return str(uuid.uuid5(MESSAGE_ID_NAMESPACE, job_id))


def sns_timestamp(unix_ms: int) -> str:
    """SNS's timestamp format: ISO 8601 UTC with milliseconds, e.g. ``2026-11-25T09:00:04.135Z``."""
    moment = datetime.datetime.fromtimestamp(unix_ms / 1000, datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class EnvelopeFactory:
    """Builds signed envelopes whose URLs start with ``public_url`` (vidrek's API as receivers see it)."""

    def __init__(self, identity: SigningIdentity, public_url: str) -> None:
        self.identity = identity
        self.public_url = public_url.rstrip("/")

    @property
    def signing_cert_url(self) -> str:
        return f"{self.public_url}{SNS_PATH}/{self.identity.certificate_name}"

    def subscribe_url(self, subscription: Subscription) -> str:
        query = urlencode(
            {"Action": "ConfirmSubscription", "TopicArn": subscription.topic_arn, "Token": subscription.token}
        )
        return f"{self.public_url}{SNS_PATH}?{query}"

    def unsubscribe_url(self, subscription: Subscription) -> str:
        query = urlencode({"Action": "Unsubscribe", "SubscriptionArn": subscription.arn})
        return f"{self.public_url}{SNS_PATH}?{query}"

    def _signed(self, body: dict[str, str], version: str) -> dict[str, str]:
        body["SignatureVersion"] = version
        body["Signature"] = self.identity.sign(body, version)
        body["SigningCertURL"] = self.signing_cert_url
        return body

    def subscription_confirmation(self, subscription: Subscription, unix_ms: int) -> dict[str, str]:
        body = {
            "Type": "SubscriptionConfirmation",
            "MessageId": str(uuid.uuid4()),
            "Token": subscription.token,
            "TopicArn": subscription.topic_arn,
            "Message": f"You have chosen to subscribe to the topic {subscription.topic_arn}.\n"
            "To confirm the subscription, visit the SubscribeURL included in this message.",
            "SubscribeURL": self.subscribe_url(subscription),
            "Timestamp": sns_timestamp(unix_ms),
        }
        return self._signed(body, subscription.signature_version)

    def notification(
        self, subscription: Subscription, message_id: str, message: str, unix_ms: int
    ) -> dict[str, str]:
        body = {
            "Type": "Notification",
            "MessageId": message_id,
            "TopicArn": subscription.topic_arn,
            "Message": message,
            "Timestamp": sns_timestamp(unix_ms),
        }
        signed = self._signed(body, subscription.signature_version)
        signed["UnsubscribeURL"] = self.unsubscribe_url(subscription)
        return signed


def delivery_headers(envelope: dict[str, str], subscription: Subscription) -> dict[str, str]:
    """The HTTP headers SNS sends with an envelope."""
    headers = {
        "x-amz-sns-message-type": envelope["Type"],
        "x-amz-sns-message-id": envelope["MessageId"],
        "x-amz-sns-topic-arn": envelope["TopicArn"],
        "Content-Type": "text/plain; charset=UTF-8",
        "User-Agent": "Amazon Simple Notification Service Agent",
    }
    if envelope["Type"] == "Notification":
        headers["x-amz-sns-subscription-arn"] = subscription.arn
    return headers
