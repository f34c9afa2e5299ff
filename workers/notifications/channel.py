"""Whether a job's Start request asked for a completion notification, and to which topic."""

from __future__ import annotations

import json
from typing import Any


def notification_topic(request: dict[str, Any]) -> str | None:
    """The SNS topic ARN of the request's ``NotificationChannel``, or None."""
    channel = request.get("NotificationChannel")
    if not isinstance(channel, dict):
        return None
    topic = channel.get("SNSTopicArn")
    return topic if isinstance(topic, str) and topic else None


def sendable_topic(topic_arn: str) -> bool:
    """Whether anything can be sent to ``topic_arn``: SNS, Redis keys and HTTP all need UTF-8, which a
    lone surrogate (a JSON escape such as ``"\\ud800"``) has none of. Start* refuses such ARNs; a job stored
    before it did still names one."""
    try:
        topic_arn.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def wants_notification(request_json: str | bytes | None) -> bool:
    """True when a job's stored request (JSON text, as in the job hash) has a NotificationChannel."""
    if not request_json:
        return False
    try:
        request = json.loads(request_json)
    except ValueError:
        return False
    return isinstance(request, dict) and notification_topic(request) is not None


def topic_region(topic_arn: str) -> str | None:
    """The region inside ``arn:aws:sns:<region>:<account>:<name>``, or None."""
    parts = topic_arn.split(":")
    return parts[3] if len(parts) >= 6 and parts[3] else None
