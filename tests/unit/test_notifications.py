"""Completion notifications without services: message, retry policy, SSRF checks, SNS signing."""

from __future__ import annotations

import base64
import json
import random
import socket
from typing import Any

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from workers.jobs import JobRecord, JobStatus
from workers.notifications.endpoint_safety import UnsafeEndpoint, check_endpoint
from workers.notifications.envelopes import EnvelopeFactory, notification_message_id, sns_timestamp
from workers.notifications.message import completion_message
from workers.notifications.retry_policy import RetryPolicy
from workers.notifications.signing import _generate, string_to_sign
from workers.notifications.subscriptions import Subscription


def finished_job(**request: Any) -> JobRecord:
    return JobRecord(
        job_id="ab" * 32,
        operation="LabelDetection",
        request={"Video": {"S3Object": {"Bucket": "b1", "Name": "v/clip.mp4"}}, **request},
        status=JobStatus.SUCCEEDED,
        finished_ms=1_764_000_000_123,
    )


def test_completion_message_has_rekognition_fields_and_omits_absent_job_tag() -> None:
    plain = json.loads(completion_message(finished_job()))
    assert plain == {
        "JobId": "ab" * 32,
        "Status": "SUCCEEDED",
        "API": "StartLabelDetection",
        "Timestamp": 1_764_000_000_123,
        "Video": {"S3ObjectName": "v/clip.mp4", "S3Bucket": "b1"},
    }
    assert json.loads(completion_message(finished_job(JobTag="t1")))["JobTag"] == "t1"
    with pytest.raises(ValueError):
        completion_message(JobRecord(job_id="x", operation="LabelDetection", request={}))


def test_retry_policy_backs_off_exponentially_with_bounded_jitter() -> None:
    policy = RetryPolicy(max_retries=3, base_seconds=1.0, factor=2.0, max_seconds=5.0, jitter=0.2)
    rng = random.Random(7)
    for retry, nominal in ((1, 1.0), (2, 2.0), (3, 4.0), (4, 5.0)):
        delays = [policy.delay_seconds(retry, rng) for _ in range(200)]
        assert all(0.8 * nominal <= d <= nominal for d in delays)
        assert max(delays) - min(delays) > 0.1 * nominal  # jitter is really applied
    assert policy.may_retry(3) and not policy.may_retry(4)
    sns_default = RetryPolicy(3, 20.0, 2.0, 20.0, 0.0)
    assert [sns_default.delay_seconds(n) for n in (1, 2, 3)] == [20.0, 20.0, 20.0]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.1.2.3/",
        "http://192.168.0.10/",
        "http://172.16.5.5/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[fd00::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
    ],
)
def test_internal_targets_are_refused_unless_allowed(url: str) -> None:
    with pytest.raises(UnsafeEndpoint, match="non-public"):
        check_endpoint(url, allow_internal=False)
    check_endpoint(url, allow_internal=True)


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "file:///etc/passwd", "http:///nohost", "https://u:p@example.com/"]
)
def test_malformed_targets_are_refused_even_in_development(url: str) -> None:
    with pytest.raises(UnsafeEndpoint):
        check_endpoint(url, allow_internal=True)


def test_public_address_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    def resolve(host: str, port: int, **_: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    check_endpoint("https://hooks.example.com/rek", allow_internal=False)


def test_string_to_sign_follows_sns_key_order() -> None:
    note = {"Type": "Notification", "MessageId": "m", "TopicArn": "t", "Message": "x", "Timestamp": "ts"}
    assert (
        string_to_sign(note) == "Message\nx\nMessageId\nm\nTimestamp\nts\nTopicArn\nt\nType\nNotification\n"
    )
    with_subject = {**note, "Subject": "s"}
    assert "MessageId\nm\nSubject\ns\nTimestamp" in string_to_sign(with_subject)


@pytest.mark.parametrize(("version", "digest"), [("1", hashes.SHA1()), ("2", hashes.SHA256())])
def test_envelopes_verify_with_the_served_certificate(version: str, digest: hashes.HashAlgorithm) -> None:
    identity = _generate()
    factory = EnvelopeFactory(identity, "http://vidrek.test:8000/")
    subscription = Subscription("sub-1", "arn:aws:sns:us-east-1:123456789012:T", "https://h/", "tok", version)
    note = factory.notification(
        subscription, notification_message_id("job-1"), '{"JobId":"job-1"}', 1_764_000_000_5
    )
    assert note["MessageId"] == notification_message_id("job-1")  # stable across retries
    assert note["SigningCertURL"] == f"http://vidrek.test:8000/vidrek/sns/{identity.certificate_name}"
    assert note["UnsubscribeURL"].startswith("http://vidrek.test:8000/vidrek/sns?Action=Unsubscribe&")
    public_key = x509.load_pem_x509_certificate(identity.certificate_pem).public_key()
    assert isinstance(public_key, rsa.RSAPublicKey)
    signature = base64.b64decode(note["Signature"])
    public_key.verify(signature, string_to_sign(note).encode(), padding.PKCS1v15(), digest)
    with pytest.raises(InvalidSignature):
        tampered = {**note, "Message": '{"JobId":"job-2"}'}
        public_key.verify(signature, string_to_sign(tampered).encode(), padding.PKCS1v15(), digest)
    confirmation = factory.subscription_confirmation(subscription, 1_764_000_000_000)
    assert "Token=tok" in confirmation["SubscribeURL"] and confirmation["Token"] == "tok"
    public_key.verify(
        base64.b64decode(confirmation["Signature"]),
        string_to_sign(confirmation).encode(),
        padding.PKCS1v15(),
        digest,
    )


def test_sns_timestamp_format() -> None:
    assert sns_timestamp(1_764_000_000_005) == "2025-11-24T16:00:00.005Z"
