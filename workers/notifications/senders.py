"""One delivery attempt: publish to SNS through boto3, or POST an envelope to a webhook endpoint.

Every attempt ends in an :class:`Outcome`. Failures that retrying cannot fix are ``permanent``: a 4xx
answer from the endpoint other than 408/429 (SNS, too, retries only server-side errors), an SNS client
error (topic not found, access denied, invalid parameter ...), missing credentials, or an endpoint that
became unsafe. Connection errors, timeouts, 5xx, 408 and 429 are retried.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

import boto3
import httpx
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from workers.notifications.channel import topic_region
from workers.notifications.endpoint_safety import UnsafeEndpoint, check_endpoint
from workers.settings import Settings

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient

#: HTTP statuses worth retrying besides 5xx.
RETRYABLE_STATUSES = frozenset({408, 429})
#: SNS error codes that are transient.
RETRYABLE_SNS_CODES = frozenset({"Throttling", "ThrottlingException", "ThrottledException", "InternalError"})
#: Longest part of a response body kept in the delivery log.
DETAIL_CHARS = 300


@dataclass(frozen=True)
class Outcome:
    ok: bool
    detail: str
    permanent: bool = False
    status_code: int | None = None
    message_id: str = ""


@functools.lru_cache(maxsize=16)
def _sns_client(region: str, endpoint_url: str, key_id: str, secret: str, timeout: float) -> SNSClient:
    client: SNSClient = boto3.client(
        "sns",
        region_name=region,
        endpoint_url=endpoint_url or None,
        aws_access_key_id=key_id or None,
        aws_secret_access_key=secret or None,
        config=Config(connect_timeout=timeout, read_timeout=timeout, retries={"max_attempts": 1}),
    )
    return client


def publish_to_sns(settings: Settings, topic_arn: str, message: str, dedup_id: str) -> Outcome:
    """Publish ``message`` to ``topic_arn``; FIFO topics get ``dedup_id`` as deduplication id."""
    region = settings.sns_region or topic_region(topic_arn) or "us-east-1"
    client = _sns_client(
        region,
        settings.sns_endpoint_url,
        settings.sns_access_key_id,
        settings.sns_secret_access_key,
        settings.notification_timeout_seconds,
    )
    fifo = (
        {"MessageGroupId": "rekognition", "MessageDeduplicationId": dedup_id}
        if topic_arn.endswith(".fifo")
        else {}
    )
    try:
        answer = client.publish(TopicArn=topic_arn, Message=message, **fifo)  # type: ignore[arg-type]
    except ClientError as err:
        error = err.response.get("Error", {})
        code = str(error.get("Code", "ClientError"))
        status = int(err.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
        retryable = code in RETRYABLE_SNS_CODES or status >= 500 or status == 0
        return Outcome(
            False, f"SNS {code}: {error.get('Message', '')}", permanent=not retryable, status_code=status
        )
    except NoCredentialsError as err:
        return Outcome(
            False, f"SNS: {err} (set VIDREK_SNS_ACCESS_KEY_ID / _SECRET_ACCESS_KEY)", permanent=True
        )
    except BotoCoreError as err:
        return Outcome(False, f"SNS unreachable: {err}")
    message_id = str(answer.get("MessageId", ""))
    return Outcome(True, "published", status_code=200, message_id=message_id)


def post_envelope(
    endpoint: str, envelope: dict[str, str], headers: dict[str, str], *, timeout: float, allow_internal: bool
) -> Outcome:
    """POST an SNS envelope to a webhook endpoint (redirects are not followed, as with SNS)."""
    try:
        check_endpoint(endpoint, allow_internal=allow_internal)
    except UnsafeEndpoint as err:
        return Outcome(False, str(err), permanent=True)
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            response = client.post(endpoint, content=json.dumps(envelope).encode(), headers=headers)
    except httpx.HTTPError as err:
        return Outcome(False, f"{type(err).__name__}: {err}")
    status = response.status_code
    detail = f"HTTP {status}"
    body = response.text[:DETAIL_CHARS].strip()
    if body and not 200 <= status < 300:
        detail += f": {body}"
    if 200 <= status < 300:
        return Outcome(True, detail, status_code=status)
    retryable = status >= 500 or status in RETRYABLE_STATUSES
    return Outcome(False, detail, permanent=not retryable, status_code=status)


def api_answers(base_url: str, timeout: float) -> bool:
    """Whether vidrek's API answers its health check at ``base_url`` (where receivers confirm)."""
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            return client.get(f"{base_url.rstrip('/')}/health").status_code == 200
    except httpx.HTTPError:
        return False
