"""Hostile and broken requests get a fast AWS-style 4xx, never a 500 (issue 13, "Bad input").

Each case was a 500 or a leniency before: deep JSON, lone surrogates, non-ASCII tokens, bodies that are
too big, sent too slowly, not UTF-8 or not announced as JSON, images with too many pixels or with both
Bytes and S3Object.
"""

from __future__ import annotations

import base64
import io
import json
import socket
import threading
import time
import urllib.parse
from contextlib import closing
from typing import Any

import httpx
import pytest
from PIL import Image

import api.operations
from tests.contract.conftest import BUCKET, InProcessApi
from tests.contract.wire import check_raw_error, post, refused, sign, unique
from workers.jobs import JobStatus
from workers.notifications.delivery import NotificationService
from workers.operations import VIDEO_OPERATIONS
from workers.settings import Settings
from workers.stores import Stores

GET_LABELS = "RekognitionService.GetLabelDetection"
LIST_COLLECTIONS = "RekognitionService.ListCollections"
DETECT_LABELS = "RekognitionService.DetectLabels"
#: Ten times deeper than Python's recursion limit.
DEEP = 100_000
#: What each Start* needs besides Video (StartFaceSearch: a collection, made by the test).
START_EXTRAS: dict[str, dict[str, Any]] = {"StartSegmentDetection": {"SegmentTypes": ["SHOT"]}}
#: How long a test waits for the server to close a slow connection (the contract app's header and
#: body timeouts are 1 s); a bound for the wait, not a measured duration.
CLOSE_WAIT_SECONDS = 30.0


def png_bytes(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("L", (width, height)).save(out, format="PNG", optimize=True)
    return out.getvalue()


# --- JSON nested 10^5 levels ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"[" * DEEP + b"]" * DEEP,
        b'{"JobId": ' + b"[" * DEEP + b"]" * DEEP + b"}",
        b'{"JobId": ' + b'{"a": ' * DEEP + b"1" + b"}" * DEEP + b"}",
        # Deeper than the limit of 32 levels but nowhere near the parser's recursion limit.
        b'{"JobId": ' + b"[" * 40 + b"]" * 40 + b"}",
    ],
    ids=["whole-body", "in-a-member", "objects-in-a-member", "40-levels"],
)
def test_deeply_nested_json_is_a_serialization_error(
    http: httpx.Client, api: InProcessApi, body: bytes
) -> None:
    body_json = check_raw_error(post(http, api.endpoint, GET_LABELS, body), "SerializationException")
    assert "nested too deeply" in body_json["message"]


def test_deep_json_on_the_subscriptions_route_is_an_aws_error_too(
    http: httpx.Client, api: InProcessApi
) -> None:
    answer = http.post(f"{api.endpoint}/vidrek/subscriptions", content=b"[" * DEEP + b"]" * DEEP)
    check_raw_error(answer, "SerializationException")


def test_the_deepest_valid_request_is_accepted(rek: Any) -> None:
    """StartTextDetection's filters are the model's deepest input (6 levels)."""
    job = rek.start_text_detection(
        Video={"S3Object": {"Bucket": BUCKET, "Name": "clip.mp4"}},
        Filters={
            "RegionsOfInterest": [
                {"Polygon": [{"X": 0.1, "Y": 0.1}, {"X": 0.9, "Y": 0.1}, {"X": 0.5, "Y": 0.9}]}
            ]
        },
    )
    assert job["JobId"]


# --- lone surrogates -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def face_collection(rek: Any) -> str:
    name = unique("bad-input")
    rek.create_collection(CollectionId=name)
    return name


@pytest.mark.parametrize("action", sorted(op.start_action for op in VIDEO_OPERATIONS.values()))
def test_a_lone_surrogate_in_the_video_name_is_an_invalid_parameter(
    http: httpx.Client, api: InProcessApi, face_collection: str, action: str
) -> None:
    params: dict[str, Any] = {"Video": {"S3Object": {"Bucket": BUCKET, "Name": "clip\ud800.mp4"}}}
    params.update(START_EXTRAS.get(action, {}))
    if action == "StartFaceSearch":
        params["CollectionId"] = face_collection
    # json.dumps writes the lone surrogate as the escape "\ud800", as a hand-written client would.
    answer = post(http, api.endpoint, f"RekognitionService.{action}", json.dumps(params).encode())
    body = check_raw_error(answer, "InvalidParameterException")
    assert "Video.S3Object.Name" in body["message"] and "surrogate" in body["message"]


def test_a_lone_surrogate_in_the_topic_is_refused_at_start(http: httpx.Client, api: InProcessApi) -> None:
    params = {
        "Video": {"S3Object": {"Bucket": BUCKET, "Name": "clip.mp4"}},
        "NotificationChannel": {
            "SNSTopicArn": "arn:aws:sns:us-east-1:123456789012:done\ud800",
            "RoleArn": "arn:aws:iam::123456789012:role/Rek",
        },
    }
    answer = post(http, api.endpoint, "RekognitionService.StartLabelDetection", json.dumps(params).encode())
    body = check_raw_error(answer, "InvalidParameterException")
    assert "NotificationChannel.SNSTopicArn" in body["message"]


def test_a_lone_surrogate_in_a_next_token_is_an_invalid_token(http: httpx.Client, api: InProcessApi) -> None:
    for target in (LIST_COLLECTIONS, "RekognitionService.ListStreamProcessors"):
        answer = post(http, api.endpoint, target, json.dumps({"NextToken": "abc\ud800"}).encode())
        check_raw_error(answer, "InvalidPaginationTokenException")


def test_a_forged_collections_token_naming_a_lone_surrogate_is_an_invalid_token(rek: Any) -> None:
    payload = json.dumps({"s": "collections", "a": "\ud800"}).encode()  # the JSON escape, ASCII
    forged = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    with refused(rek, "InvalidPaginationTokenException"):
        rek.list_collections(NextToken=forged)


# --- non-ASCII in tokens ------------------------------------------------------------------------------


def test_non_ascii_tokens_are_invalid_tokens(rek: Any, face_collection: str) -> None:
    for user in ("u1", "u2"):
        rek.create_user(CollectionId=face_collection, UserId=user)
    rek.create_collection(CollectionId=face_collection + "-2")
    listings: list[tuple[Any, dict[str, Any]]] = [
        (rek.list_collections, {}),
        (rek.list_users, {"CollectionId": face_collection}),
        (rek.list_faces, {"CollectionId": face_collection}),
        (rek.list_stream_processors, {}),
    ]
    for call, params in listings:
        for token in ("abc.\u00e9\u00e9", "\u00e9", "AAAA.\u2603"):
            with refused(rek, "InvalidPaginationTokenException"):
                call(NextToken=token, MaxResults=1, **params)
    users_token = rek.list_users(CollectionId=face_collection, MaxResults=1)["NextToken"]
    body, _, _ = users_token.partition(".")
    with refused(rek, "InvalidPaginationTokenException"):
        rek.list_users(CollectionId=face_collection, NextToken=body + ".\u00e9\u00e9\u00e9")


def test_a_non_ascii_subscription_token_confirms_nothing(http: httpx.Client, api: InProcessApi) -> None:
    topic = f"arn:aws:sns:us-east-1:123456789012:{unique('topic')}"
    stores = Stores.connect(Settings(redis_url=api.redis_url))
    try:  # a pending subscription of the topic, as POST /vidrek/subscriptions leaves one
        subscription, _ = stores.subscriptions.create(topic, "https://hooks.example.com/rek", "2")
    finally:
        stores.close()

    def confirm(token: str) -> httpx.Response:
        query = urllib.parse.urlencode({"Action": "ConfirmSubscription", "TopicArn": topic, "Token": token})
        return http.get(f"{api.endpoint}/vidrek/sns?{query}")

    for token in ("\u00e9" * 64, subscription.token[:-1] + "\u2603", "\U0001f600"):
        check_raw_error(confirm(token), "ResourceNotFoundException")
    confirmed = confirm(subscription.token)
    assert confirmed.status_code == 200 and subscription.arn in confirmed.text


# --- body size ------------------------------------------------------------------------------------


def raw_exchange(api: InProcessApi, head: bytes, body: bytes = b"") -> tuple[int, dict[str, Any]]:
    """Send ``head`` (and ``body``) on a raw socket and read one answer: (status, JSON body)."""
    address = urllib.parse.urlsplit(api.endpoint)
    with closing(
        socket.create_connection((address.hostname, address.port), timeout=CLOSE_WAIT_SECONDS)
    ) as sock:
        sock.sendall(head + body)
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = sock.recv(65536)
            assert chunk, f"the server closed the connection without an answer: {received!r}"
            received += chunk
        head_text, _, rest = received.partition(b"\r\n\r\n")
        lines = head_text.decode().split("\r\n")
        headers = {
            name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])
        }
        length = int(headers["content-length"])
        while len(rest) < length:
            chunk = sock.recv(65536)
            assert chunk, "the answer was cut short"
            rest += chunk
        return int(lines[0].split()[1]), json.loads(rest[:length])


def request_head(
    target: str, content_length: int | None, content_type: str = "application/x-amz-json-1.1"
) -> bytes:
    lines = ["POST / HTTP/1.1", "Host: vidrek", f"X-Amz-Target: {target}", f"Content-Type: {content_type}"]
    lines.append(
        f"Content-Length: {content_length}" if content_length is not None else "Transfer-Encoding: chunked"
    )
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@pytest.mark.parametrize(
    ("target", "code"),
    [(DETECT_LABELS, "ImageTooLargeException"), (LIST_COLLECTIONS, "SerializationException")],
)
def test_a_content_length_above_the_limit_is_refused_before_the_body_is_sent(
    api: InProcessApi, target: str, code: str
) -> None:
    # 250 MB announced and never sent: the answer comes without waiting for any of it.
    status, body = raw_exchange(api, request_head(target, 250 * 1024 * 1024))
    assert (status, body["__type"]) == (400, code), body
    assert "larger than" in body["message"]


def test_a_chunked_body_is_refused_once_it_grows_past_the_limit(api: InProcessApi) -> None:
    chunk = b"x" * (256 * 1024)
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(8)) + b"0\r\n\r\n"  # 2 MB
    status, body = raw_exchange(api, request_head(LIST_COLLECTIONS, None), chunks)
    assert (status, body["__type"]) == (400, "SerializationException"), body


def test_boto3_sees_an_oversized_image_request_as_image_too_large(rek: Any) -> None:
    with refused(rek, "ImageTooLargeException"):  # 5 MB of bytes + 1 B: the model's limit
        rek.detect_labels(Image={"Bytes": bytes(5 * 1024 * 1024 + 1)})
    with refused(rek, "ImageTooLargeException"):  # 9 MB of base64: over the body limit
        rek.detect_labels(Image={"Bytes": bytes(6_800_000)})


def test_boto3_sees_an_oversized_body_as_a_serialization_error(rek_unchecked: Any) -> None:
    with refused(rek_unchecked, "SerializationException", match="larger than"):
        rek_unchecked.list_collections(NextToken="x" * (2 * 1024 * 1024))


def test_compare_faces_may_carry_two_images_of_5_mb(rek: Any) -> None:
    image = {"Bytes": bytes(5 * 1024 * 1024)}  # not a picture, but within every size limit
    with refused(rek, "InvalidImageFormatException"):
        rek.compare_faces(SourceImage=image, TargetImage=image)


# --- slow clients -----------------------------------------------------------------------------------


def closed_by_server(sock: socket.socket) -> bool:
    """Whether the server closes ``sock`` (reads until EOF; False if it is still open after the wait)."""
    sock.settimeout(CLOSE_WAIT_SECONDS)
    try:
        while sock.recv(65536):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    return True


def connect(api: InProcessApi) -> socket.socket:
    address = urllib.parse.urlsplit(api.endpoint)
    return socket.create_connection((address.hostname, address.port), timeout=CLOSE_WAIT_SECONDS)


def test_slow_clients_are_cut_off(http: httpx.Client, api: InProcessApi) -> None:
    """Connections that never finish their headers, a body that never arrives and an idle kept-alive
    connection are all closed by the server (header and body deadlines, keep-alive)."""
    sockets = [connect(api) for _ in range(52)]
    try:
        for sock in sockets[:50]:
            sock.sendall(b"POST / HTTP/1.1\r\nHost: vidrek\r\nX-Amz-Tar")
        sockets[50].sendall(request_head(LIST_COLLECTIONS, 1000) + b'{"MaxResults": ')
        sockets[51].sendall(request_head(LIST_COLLECTIONS, 2) + b"{}")  # answered, then left idle
        assert all(closed_by_server(sock) for sock in sockets)
    finally:
        for sock in sockets:
            sock.close()
    # The server still answers.
    assert post(http, api.endpoint, LIST_COLLECTIONS, b"{}").status_code == 200


# --- leniencies AWS does not have ----------------------------------------------------------------------


def test_a_utf16_body_is_a_serialization_error(http: httpx.Client, api: InProcessApi) -> None:
    for body in ('{"MaxResults": 1}'.encode("utf-16"), '{"MaxResults": 1}'.encode("utf-32")):
        check_raw_error(post(http, api.endpoint, LIST_COLLECTIONS, body), "SerializationException")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_a_body_not_announced_as_aws_json_is_an_unknown_operation(
    http: httpx.Client, api: InProcessApi, content_type: str | None
) -> None:
    url = f"{api.endpoint}/"
    headers = sign(LIST_COLLECTIONS, b"{}", url, content_type=content_type or "x/y")
    if content_type is None:
        del headers["Content-Type"]
    body = check_raw_error(http.post(url, content=b"{}", headers=headers), "UnknownOperationException")
    assert "Content-Type" in body["message"]


def test_application_json_is_accepted_and_a_charset_must_be_utf8(
    http: httpx.Client, api: InProcessApi
) -> None:
    url = f"{api.endpoint}/"
    for content_type in ("application/json", "application/x-amz-json-1.1; charset=UTF-8"):
        headers = sign(LIST_COLLECTIONS, b"{}", url, content_type=content_type)
        assert http.post(url, content=b"{}", headers=headers).status_code == 200
    headers = sign(LIST_COLLECTIONS, b"{}", url, content_type="application/json; charset=utf-16")
    check_raw_error(http.post(url, content=b"{}", headers=headers), "SerializationException")


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity"])
def test_non_json_number_literals_are_serialization_errors(
    http: httpx.Client, api: InProcessApi, literal: bytes
) -> None:
    answer = post(
        http, api.endpoint, "RekognitionService.DetectLabels", b'{"MinConfidence": ' + literal + b"}"
    )
    check_raw_error(answer, "SerializationException")


def test_an_image_with_both_bytes_and_an_s3_object_is_an_invalid_parameter(rek: Any) -> None:
    image = {"Bytes": png_bytes(8, 8), "S3Object": {"Bucket": BUCKET, "Name": "notes.jpg"}}
    with refused(rek, "InvalidParameterException", match="not both"):
        rek.detect_labels(Image=image)
    with refused(rek, "InvalidParameterException", match="not both"):
        rek.compare_faces(SourceImage={"Bytes": png_bytes(8, 8)}, TargetImage=image)


# --- images: pixel budget and concurrency ---------------------------------------------------------------


def test_a_small_png_of_too_many_pixels_is_too_large_before_it_is_decoded(rek: Any) -> None:
    bomb = png_bytes(8900, 8900)  # ~80 KB of PNG, 79 million pixels
    assert len(bomb) < 200_000
    for call in (rek.detect_labels, rek.detect_faces, rek.detect_text, rek.recognize_celebrities):
        with refused(rek, "ImageTooLargeException", match="8900x8900"):
            call(Image={"Bytes": bomb})


def test_a_side_above_10000_pixels_is_too_large(rek: Any) -> None:
    with refused(rek, "ImageTooLargeException", match="10000"):
        rek.detect_labels(Image={"Bytes": png_bytes(10_001, 80)})


def test_image_operations_run_a_bounded_number_at_once(rek: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The contract app allows api_image_concurrency (2) image operations at once; 6 clients call."""
    running = 0
    most = 0
    lock = threading.Lock()

    def slow_handler(ctx: Any, params: dict[str, Any]) -> dict[str, Any]:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.2)
        with lock:
            running -= 1
        return {"Labels": []}

    monkeypatch.setitem(api.operations.HANDLERS, "DetectLabels", slow_handler)
    errors: list[BaseException] = []

    def call() -> None:
        try:
            rek.detect_labels(Image={"Bytes": b"x"})
        except BaseException as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=call) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert 1 <= most <= 2


def test_a_stored_job_whose_topic_is_not_text_is_dead_lettered(http: httpx.Client, api: InProcessApi) -> None:
    """A job stored before Start* refused such topics: its notification ends DEAD_LETTER saying why,
    instead of failing every sweep with no attempt and no dead letter."""
    settings = Settings(redis_url=api.redis_url)
    stores = Stores.connect(settings)
    scheduled: list[tuple[str, str, float]] = []
    try:
        request = {
            "Video": {"S3Object": {"Bucket": BUCKET, "Name": "clip.mp4"}},
            "NotificationChannel": {
                "SNSTopicArn": "arn:aws:sns:us-east-1:123456789012:done\ud800",
                "RoleArn": "arn:aws:iam::123456789012:role/Rek",
            },
        }
        job, _ = stores.jobs.create("LabelDetection", request)
        stores.jobs.finish(job.job_id, JobStatus.FAILED, message="the video is gone")
        service = NotificationService(settings, stores, lambda *task: scheduled.append(task), lambda *_: None)
        service.dispatch_due()  # what every worker's sweep does
    finally:
        stores.close()
    assert not [task for task in scheduled if task[0] == job.job_id]
    answer = http.get(f"{api.endpoint}/vidrek/jobs/{job.job_id}/notifications")
    [note] = answer.json()["Notifications"]
    assert note["Status"] == "DEAD_LETTER"
    assert "lone surrogate" in note["Attempts"][0]["Detail"]
    dead = http.get(f"{api.endpoint}/vidrek/notifications/dead-letters").json()["DeadLetters"]
    assert job.job_id in {letter["JobId"] for letter in dead}
