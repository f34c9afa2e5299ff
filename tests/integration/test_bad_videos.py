"""Bad videos end FAILED with a message a user can act on, and the worker survives them."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import redis

from tests import media_factory
from tests.stack import Stack, wait_for_job
from workers import keys


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("empty.mp4", ["empty"]),
        ("random.mp4", ["not a video"]),
        ("text.mp4", ["not a video"]),
        ("truncated-moov-end.mp4", ["not a video", "truncated", "corrupt"]),
        ("truncated-moov-front.mp4", ["truncated", "corrupt"]),
        ("audio-only.mp4", ["no video stream"]),
    ],
)
def test_bad_video_fails_with_a_useful_message(rek: Any, stack: Stack, name: str, words: list[str]) -> None:
    worker_pid = stack.processes["worker"].pid
    job = rek.start_label_detection(Video={"S3Object": {"Bucket": "media", "Name": name}})["JobId"]
    page = wait_for_job(rek, job, timeout=120)
    assert page["JobStatus"] == "FAILED"
    message = page["StatusMessage"].lower()
    assert any(word in message for word in words), message
    assert page["Labels"] == []
    # The same worker process is alive and takes the next job.
    assert stack.processes["worker"].poll() is None and stack.processes["worker"].pid == worker_pid
    good = rek.start_label_detection(
        Video={"S3Object": {"Bucket": "samples", "Name": "carphone_pristine.mp4"}}
    )
    assert wait_for_job(rek, good["JobId"])["JobStatus"] == "SUCCEEDED"


def test_killed_worker_loses_no_job(rek: Any, stack: Stack) -> None:
    """SIGKILL the worker mid-job; a new worker finishes the job (the stalled-job sweep re-queues it)."""
    job = rek.start_label_detection(Video={"S3Object": {"Bucket": "samples", "Name": "bigbuckbunny.mp4"}})[
        "JobId"
    ]
    with redis.Redis.from_url(stack.redis_url, decode_responses=True) as store:
        deadline = time.monotonic() + 60
        while store.hget(keys.job(job), "started_ms") in (None, "0") and time.monotonic() < deadline:
            time.sleep(0.02)
    stack.stop_worker(kill=True)
    assert rek.get_label_detection(JobId=job)["JobStatus"] == "IN_PROGRESS"
    stack.start_worker()
    page = wait_for_job(rek, job, timeout=180)
    assert page["JobStatus"] == "SUCCEEDED", page.get("StatusMessage")
    assert page["Labels"], "the re-run job stored no labels"


@pytest.fixture(scope="module")
def damaged_copies(media_bucket: Path, bikes_mp4: Path) -> dict[str, str]:
    """Copies of bikes.mp4 in the local bucket ``media`` with some of their media bytes inverted."""
    names = {"heavy": "bikes-1pct-flipped.mp4", "light": "bikes-0.01pct-flipped.mp4"}
    for kind, fraction in (("heavy", 0.01), ("light", 0.0001)):
        media_factory.make_bit_flipped_copy(bikes_mp4, media_bucket / names[kind], flipped_fraction=fraction)
    return names


def labels_of(rek: Any, bucket: str, name: str) -> dict[str, Any]:
    job = rek.start_label_detection(Video={"S3Object": {"Bucket": bucket, "Name": name}})["JobId"]
    return wait_for_job(rek, job, timeout=180)


def test_a_video_whose_pictures_are_mostly_damaged_fails_saying_so(
    rek: Any, stack: Stack, damaged_copies: dict[str, str]
) -> None:
    """1 % of the bytes flipped: FFmpeg flags most pictures corrupt; it used to SUCCEED with a quarter of
    the labels and no word of damage."""
    page = labels_of(rek, "media", damaged_copies["heavy"])
    assert page["JobStatus"] == "FAILED"
    message = page["StatusMessage"]
    assert "corrupt" in message and "of 250 pictures" in message and "damaged" in message, message
    assert page["Labels"] == []


def test_a_slightly_damaged_video_succeeds_and_says_how_much_was_damaged(
    rek: Any, stack: Stack, damaged_copies: dict[str, str]
) -> None:
    page = labels_of(rek, "media", damaged_copies["light"])
    assert page["JobStatus"] == "SUCCEEDED"
    assert "partly damaged" in page["StatusMessage"] and "of 250 pictures" in page["StatusMessage"]
    assert page["Labels"]
    clean = labels_of(rek, "samples", "bikes.mp4")
    assert clean["JobStatus"] == "SUCCEEDED"
    assert "StatusMessage" not in clean
