"""Completion notifications through boto3: SNS publish (moto server SNS -> SQS) and SNS-format webhooks."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from sns_message_validator import SNSMessageValidator

from api.app import create_app
from tests.stack import Stack, wait_for_job
from tests.webhook_receiver import WebhookReceiver
from workers.settings import Settings

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/AmazonRekognitionServiceRole"
CLIP = {"S3Object": {"Bucket": "samples", "Name": "carphone_pristine.mp4"}}


@pytest.fixture(scope="module")
def topic_with_queue(sns: Any, sqs: Any) -> tuple[str, str]:
    """An SNS topic on the moto server with an SQS queue subscribed to it: (topic ARN, queue URL)."""
    topic_arn = sns.create_topic(Name="AmazonRekognitionJobs")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="rekognition-jobs")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    return topic_arn, queue_url


def read_queue(sqs: Any, queue_url: str, seconds: float) -> list[dict[str, Any]]:
    """Every SNS envelope that arrives in the queue within ``seconds``."""
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        wait = max(1, min(5, int(deadline - time.monotonic())))
        answer = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait)
        for message in answer.get("Messages", []):
            found.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return found


def raw_get(rek: Any, job_id: str) -> dict[str, Any]:
    """A GetLabelDetection answer as sent, with vidrek's extra members (boto3 drops them)."""
    raw: dict[str, Any] = {}

    def keep(http_response: Any, **_: Any) -> None:
        raw.update(json.loads(http_response.content))

    rek.meta.events.register("after-call.rekognition.GetLabelDetection", keep)
    try:
        rek.get_label_detection(JobId=job_id, MaxResults=1)
    finally:
        rek.meta.events.unregister("after-call.rekognition.GetLabelDetection", keep)
    return raw


def wait_for_delivery(rek: Any, job_id: str, timeout: float = 60.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        notes = raw_get(rek, job_id).get("Notifications", [])
        if notes and all(n["Status"] != "PENDING" for n in notes):
            return list(notes)
        time.sleep(0.25)
    raise TimeoutError(
        f"notifications of {job_id} still pending: {raw_get(rek, job_id).get('Notifications')}"
    )


def test_sns_completion_message_reaches_sqs_once(
    rek: Any, sqs: Any, topic_with_queue: tuple[str, str]
) -> None:
    topic_arn, queue_url = topic_with_queue
    started_ms = int(time.time() * 1000)
    request = {
        "Video": CLIP,
        "NotificationChannel": {"SNSTopicArn": topic_arn, "RoleArn": ROLE},
        "JobTag": "notify-me",
        "ClientRequestToken": "notify-token-1",
    }
    job_id = rek.start_label_detection(**request)["JobId"]
    assert rek.start_label_detection(**request)["JobId"] == job_id  # repeated while running
    assert wait_for_job(rek, job_id)["JobStatus"] == "SUCCEEDED"
    assert rek.start_label_detection(**request)["JobId"] == job_id  # repeated after the end

    envelopes = read_queue(sqs, queue_url, seconds=8)
    finished_ms = int(time.time() * 1000)
    mine = [e for e in envelopes if json.loads(e["Message"])["JobId"] == job_id]
    assert len(mine) == 1, envelopes  # one message although Start was sent three times
    envelope = mine[0]
    assert envelope["Type"] == "Notification"
    assert envelope["TopicArn"] == topic_arn
    message = json.loads(envelope["Message"])
    assert set(message) == {"JobId", "Status", "API", "JobTag", "Timestamp", "Video"}
    assert message["Status"] == "SUCCEEDED"
    assert message["API"] == "StartLabelDetection"
    assert message["JobTag"] == "notify-me"
    assert isinstance(message["Timestamp"], int) and started_ms <= message["Timestamp"] <= finished_ms
    assert message["Video"] == {"S3ObjectName": "carphone_pristine.mp4", "S3Bucket": "samples"}

    [log] = wait_for_delivery(rek, job_id)
    assert log["Protocol"] == "sns" and log["Status"] == "DELIVERED"
    assert log["MessageId"] == envelope["MessageId"]
    assert [a["Outcome"] for a in log["Attempts"]] == ["SUCCESS"]
    # Dispatched right after the analysis task, not at the next sweep (measured: ~0.2 s on 2 busy cores).
    latency_ms = log["Attempts"][0]["Timestamp"] - message["Timestamp"]
    print(f"SNS publish {latency_ms} ms after the job finished")
    assert 0 <= latency_ms < 3000, latency_ms


def test_failed_job_notifies_without_job_tag(rek: Any, sqs: Any, topic_with_queue: tuple[str, str]) -> None:
    topic_arn, queue_url = topic_with_queue
    job_id = rek.start_label_detection(
        Video={"S3Object": {"Bucket": "media", "Name": "random.mp4"}},
        NotificationChannel={"SNSTopicArn": topic_arn, "RoleArn": ROLE},
    )["JobId"]
    assert wait_for_job(rek, job_id)["JobStatus"] == "FAILED"
    mine = [
        json.loads(e["Message"])
        for e in read_queue(sqs, queue_url, seconds=6)
        if json.loads(e["Message"])["JobId"] == job_id
    ]
    assert len(mine) == 1
    assert mine[0]["Status"] == "FAILED" and "JobTag" not in mine[0]
    assert mine[0]["Video"] == {"S3ObjectName": "random.mp4", "S3Bucket": "media"}


def test_unknown_topic_is_dead_lettered_with_the_reason(stack: Stack, rek: Any) -> None:
    job_id = rek.start_label_detection(
        Video={"S3Object": {"Bucket": "media", "Name": "random.mp4"}},
        NotificationChannel={"SNSTopicArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:NoSuchTopic", "RoleArn": ROLE},
    )["JobId"]
    wait_for_job(rek, job_id)
    [log] = wait_for_delivery(rek, job_id)
    assert log["Status"] == "DEAD_LETTER"
    assert "NotFound" in log["Attempts"][-1]["Detail"]
    assert len(log["Attempts"]) == 1  # a missing topic is not retried
    dead = httpx.get(f"{stack.endpoint}/vidrek/notifications/dead-letters", timeout=10).json()["DeadLetters"]
    assert [d["Target"] for d in dead if d["JobId"] == job_id] == ["sns"]


# --- webhooks -------------------------------------------------------------------------------------------


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(fail_notifications=2) as running:
        yield running


def subscribe(stack: Stack, topic_arn: str, endpoint: str, version: str | None = None) -> httpx.Response:
    body = {"TopicArn": topic_arn, "Endpoint": endpoint, **({"SignatureVersion": version} if version else {})}
    return httpx.post(f"{stack.endpoint}/vidrek/subscriptions", json=body, timeout=10)


def verify_sha256(envelope: dict[str, str]) -> None:
    """Check a SignatureVersion 2 signature with the certificate at SigningCertURL, as SNS documents."""
    with urllib.request.urlopen(envelope["SigningCertURL"], timeout=10) as reply:
        certificate = x509.load_pem_x509_certificate(reply.read())
    keys = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
    if envelope["Type"] != "Notification":
        keys = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
    text = "".join(f"{k}\n{envelope[k]}\n" for k in keys if k in envelope)
    public_key = certificate.public_key()
    assert isinstance(public_key, rsa.RSAPublicKey)
    public_key.verify(
        base64.b64decode(envelope["Signature"]), text.encode(), padding.PKCS1v15(), hashes.SHA256()
    )


def test_webhook_confirmation_signed_notification_and_retries(
    stack: Stack, rek: Any, receiver: WebhookReceiver
) -> None:
    topic_arn = f"arn:aws:sns:us-east-1:{ACCOUNT}:WebhookOnly"
    validator = SNSMessageValidator(cert_url_regex=rf"^{stack.endpoint}/vidrek/sns/")

    # SignatureVersion 1 subscription: checked by the PyPI validator (SHA1 only), with vidrek's cert host.
    with WebhookReceiver() as sha1_receiver:
        for target, version in ((receiver, "2"), (sha1_receiver, "1")):
            answer = subscribe(stack, topic_arn, target.url, version)
            assert answer.status_code == 200, answer.text
            assert answer.json()["Status"] == "PendingConfirmation"
        [confirmation] = receiver.wait_for("SubscriptionConfirmation", 1, timeout=30)
        [sha1_confirmation] = sha1_receiver.wait_for("SubscriptionConfirmation", 1, timeout=30)
        assert confirmation.headers["x-amz-sns-message-type"] == "SubscriptionConfirmation"
        assert confirmation.body["TopicArn"] == topic_arn and confirmation.body["SignatureVersion"] == "2"
        verify_sha256(confirmation.body)
        validator.validate_message(sha1_confirmation.body)
        listed = httpx.get(f"{stack.endpoint}/vidrek/subscriptions", params={"TopicArn": topic_arn}).json()
        deadline = time.monotonic() + 10
        while {s["Status"] for s in listed["Subscriptions"]} != {"Confirmed"} and time.monotonic() < deadline:
            time.sleep(0.2)
            listed = httpx.get(
                f"{stack.endpoint}/vidrek/subscriptions", params={"TopicArn": topic_arn}
            ).json()
        assert [s["Status"] for s in listed["Subscriptions"]] == ["Confirmed", "Confirmed"]

        job_id = rek.start_label_detection(
            Video=CLIP, NotificationChannel={"SNSTopicArn": topic_arn, "RoleArn": ROLE}, JobTag="hook"
        )["JobId"]
        wait_for_job(rek, job_id)
        attempts = receiver.wait_for("Notification", 3, timeout=60)  # 2 refused, then accepted
        [sha1_note] = sha1_receiver.wait_for("Notification", 1, timeout=30)
        validator.validate_message(sha1_note.body)

    assert [a.answered for a in attempts] == [500, 500, 200]
    assert len({a.body["MessageId"] for a in attempts}) == 1  # a retry carries the same MessageId
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(attempts)]
    # retry 1 waits 1 s, retry 2 waits 2 s (test policy: base 1 s, factor 2), each minus <= 20 % jitter
    assert gaps[0] >= 0.75 and gaps[1] >= 1.55, gaps
    assert gaps[1] > gaps[0] * 1.2, gaps
    note = attempts[-1]
    for field in ("Type", "MessageId", "TopicArn", "Message", "Timestamp", "SignatureVersion", "Signature"):
        assert field in note.body
    assert note.body["SignatureVersion"] == "2" and "Subject" not in note.body
    verify_sha256(note.body)
    assert note.headers["x-amz-sns-message-type"] == "Notification"
    assert note.headers["x-amz-sns-subscription-arn"].startswith(topic_arn + ":")
    message = json.loads(note.body["Message"])
    assert (
        message["JobId"] == job_id and message["API"] == "StartLabelDetection" and message["JobTag"] == "hook"
    )
    assert note.body["Timestamp"].endswith("Z")

    logs = {n["Endpoint"]: n for n in wait_for_delivery(rek, job_id)}
    assert [a["Outcome"] for a in logs[receiver.url]["Attempts"]] == ["FAILURE", "FAILURE", "SUCCESS"]
    assert logs[receiver.url]["Attempts"][0]["HttpStatusCode"] == 500
    assert logs[receiver.url]["MessageId"] == note.body["MessageId"]
    assert "sns" in {n["Protocol"] for n in logs.values()}  # the SNS publish was tried too (no such topic)

    # UnsubscribeURL works: no more deliveries to this endpoint.
    with urllib.request.urlopen(note.body["UnsubscribeURL"], timeout=10) as reply:
        assert reply.status == 200
    listed = httpx.get(f"{stack.endpoint}/vidrek/subscriptions", params={"TopicArn": topic_arn}).json()
    assert receiver.url not in [s["Endpoint"] for s in listed["Subscriptions"]]


def test_subscribe_refuses_bad_endpoints(stack: Stack) -> None:
    topic_arn = f"arn:aws:sns:us-east-1:{ACCOUNT}:Refused"
    answer = subscribe(stack, topic_arn, "file:///etc/passwd")
    assert answer.status_code == 400
    assert answer.json()["__type"] == "InvalidParameterException"
    assert "http" in answer.json()["message"]
    assert subscribe(stack, "not-an-arn", "https://example.com/").status_code == 400


def subscribe_in_process(settings: Settings, body: dict[str, str]) -> httpx.Response:
    """POST /vidrek/subscriptions to an in-process API app built with ``settings``."""

    async def post() -> httpx.Response:
        app = create_app(settings, enqueue=lambda _job_id: None)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://vidrek.test") as client:
                return await client.post("/vidrek/subscriptions", json=body)

    return asyncio.run(post())


@pytest.mark.parametrize("endpoint", ["http://127.0.0.1:9/hook", "http://169.254.169.254/latest/meta-data/"])
def test_internal_endpoints_are_refused_outside_development_mode(stack: Stack, endpoint: str) -> None:
    """The default settings (no development mode) refuse internal targets at subscribe time."""
    settings = Settings(redis_url=stack.redis_url, webhook_allow_internal_targets=False)
    answer = subscribe_in_process(
        settings, {"TopicArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:X", "Endpoint": endpoint}
    )
    assert answer.status_code == 400
    assert answer.json()["__type"] == "InvalidParameterException"
    assert "non-public address" in answer.json()["message"]
