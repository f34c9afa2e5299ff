"""vidrek's notification extension: webhook subscriptions, SNS-compatible URLs and delivery logs.

These are plain HTTP routes beside the Rekognition endpoint (``POST /``), not X-Amz-Target operations:
botocore's Rekognition model knows no such operations, so no SDK could call them anyway, and keeping them
off ``POST /`` leaves the model-driven validation of every Rekognition request untouched.

- ``POST /vidrek/subscriptions`` ``{"TopicArn", "Endpoint", "SignatureVersion"?}``: subscribe an HTTP(S)
  endpoint to a topic ARN; vidrek then POSTs it a SubscriptionConfirmation. Refused endpoints (SSRF
  protection, bad URL, bad ARN) answer 400 ``InvalidParameterException`` with the reason.
- ``GET /vidrek/subscriptions?TopicArn=...``: the topic's subscriptions and their status.
- ``GET /vidrek/sns?Action=ConfirmSubscription&TopicArn=...&Token=...``: the ``SubscribeURL``.
- ``GET /vidrek/sns?Action=Unsubscribe&SubscriptionArn=...``: the ``UnsubscribeURL``.
- ``GET /vidrek/sns/SimpleNotificationService-<hash>.pem``: the ``SigningCertURL``.
- ``GET /vidrek/jobs/{JobId}/notifications``: a job's delivery log (also the ``Notifications`` member of
  every Get* answer); ``GET /vidrek/notifications/dead-letters``: the latest dead-lettered deliveries.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.context import ServiceContext
from api.errors import InvalidParameterException, ResourceNotFoundException, SerializationException
from api.request_body import parse_json_object, read_body
from api.validation import is_unicode_text
from workers.notifications.delivery import NotificationService
from workers.notifications.delivery_log import notifications_member
from workers.notifications.envelopes import SNS_PATH
from workers.notifications.signing import signing_identity
from workers.notifications.subscriptions import split_subscription_arn

#: Rekognition's NotificationChannel.SNSTopicArn pattern (botocore model).
TOPIC_ARN = re.compile(r"^arn:aws:sns:.*:\w{12}:.+$")
#: Largest body of POST /vidrek/subscriptions (a topic ARN, a URL and a version: well under 4 KB).
SUBSCRIPTION_BODY_BYTES = 64 * 1024


def _subscription_too_large(size: int | None) -> SerializationException:
    told = f" ({size} bytes)" if size is not None else ""
    return SerializationException(
        f"The subscription body{told} is larger than {SUBSCRIPTION_BODY_BYTES} bytes."
    )


def _xml(action: str, result: str) -> Response:
    body = (
        f'<{action}Response xmlns="http://sns.amazonaws.com/doc/2010-03-31/">'
        f"<{action}Result>{result}</{action}Result></{action}Response>"
    )
    return Response(body, media_type="text/xml")


def notification_router(context: Callable[[], ServiceContext]) -> APIRouter:
    router = APIRouter()

    def service() -> NotificationService:
        from workers.notifications.tasks import queue_confirmation, queue_delivery

        ctx = context()
        return NotificationService(ctx.settings, ctx.stores, queue_delivery, queue_confirmation)

    @router.post("/vidrek/subscriptions")
    async def subscribe(request: Request) -> Response:
        # The same body rules as POST / (size, UTF-8, a JSON object, nesting), with a small limit.
        raw = await read_body(request, SUBSCRIPTION_BODY_BYTES, _subscription_too_large)
        body = parse_json_object(raw)
        topic, endpoint = body.get("TopicArn"), body.get("Endpoint")
        version = body.get("SignatureVersion")
        if not isinstance(topic, str) or not TOPIC_ARN.match(topic) or not is_unicode_text(topic):
            raise InvalidParameterException("TopicArn must be an SNS topic ARN.")
        if not isinstance(endpoint, str) or not endpoint or not is_unicode_text(endpoint):
            raise InvalidParameterException("Endpoint must be an http(s) URL.")
        if version is not None and version not in ("1", "2"):
            raise InvalidParameterException('SignatureVersion must be "1" or "2".')
        # An unsafe endpoint (UnsafeEndpoint) is InvalidParameterException with the reason.
        subscription = await run_in_threadpool(service().subscribe, topic, endpoint, version)
        return JSONResponse(subscription.describe())

    @router.get("/vidrek/subscriptions")
    async def list_subscriptions(TopicArn: str) -> dict[str, Any]:
        found = await run_in_threadpool(service().subscriptions.for_topic, TopicArn)
        return {"Subscriptions": [s.describe() for s in found]}

    @router.get(SNS_PATH)
    async def sns_action(request: Request) -> Response:
        query = request.query_params
        action = query.get("Action", "")
        notifications = service()
        if action == "ConfirmSubscription":
            confirmed = await run_in_threadpool(
                notifications.subscriptions.confirm, query.get("TopicArn", ""), query.get("Token", "")
            )
            if confirmed is None:
                raise ResourceNotFoundException("No subscription of this topic has this token.")
            return _xml(action, f"<SubscriptionArn>{escape(confirmed.arn)}</SubscriptionArn>")
        if action == "Unsubscribe":
            _, subscription_id = split_subscription_arn(query.get("SubscriptionArn", ""))
            if not await run_in_threadpool(notifications.subscriptions.delete, subscription_id):
                raise ResourceNotFoundException("No such subscription.")
            return _xml(action, "")
        raise InvalidParameterException(f"Unsupported Action {action!r}.")

    @router.get(SNS_PATH + "/{name}")
    async def signing_certificate(name: str) -> Response:
        identity = await run_in_threadpool(signing_identity, context().redis_client)
        if name != identity.certificate_name:
            raise ResourceNotFoundException("No such certificate.")
        return Response(identity.certificate_pem, media_type="application/x-pem-file")

    @router.get("/vidrek/jobs/{job_id}/notifications")
    async def job_notifications(job_id: str) -> Response:
        ctx = context()
        if await run_in_threadpool(ctx.stores.jobs.get, job_id) is None:
            raise ResourceNotFoundException(f"The job ID {job_id} was not found.")
        member = await run_in_threadpool(notifications_member, ctx.stores.delivery_log, job_id)
        return JSONResponse({"JobId": job_id, "Notifications": member.get("Notifications", [])})

    @router.get("/vidrek/notifications/dead-letters")
    async def dead_letters() -> dict[str, Any]:
        return {"DeadLetters": await run_in_threadpool(context().stores.delivery_log.dead_letters)}

    return router
