"""Progress any SDK sees: an IN_PROGRESS job's StatusMessage (boto3 parses it; it drops Progress)."""

from __future__ import annotations

import re
import time
from typing import Any

from tests.integration.test_metrics import scrape, value
from tests.stack import Stack

CLIP = {"S3Object": {"Bucket": "samples", "Name": "carphone_pristine.mp4"}}


def jobs_ahead(message: str) -> int:
    match = re.fullmatch(r"queued, (\d+) jobs? ahead", message)
    assert match, message
    return int(match.group(1))


def test_queued_jobs_say_how_many_are_ahead_and_a_running_one_how_far_it_is(stack: Stack, rek: Any) -> None:
    stack.stop_worker()
    try:
        ids = [rek.start_label_detection(Video=CLIP)["JobId"] for _ in range(3)]
        messages = [rek.get_label_detection(JobId=job_id)["StatusMessage"] for job_id in ids]
        # each job is one place further back (jobs of earlier tests may still be ahead of them all)
        ahead = [jobs_ahead(m) for m in messages]
        assert ahead == [ahead[0], ahead[0] + 1, ahead[0] + 2], messages
        assert messages[1] == f"queued, {ahead[1]} job{'' if ahead[1] == 1 else 's'} ahead"

        samples, _ = scrape(stack)
        assert value(samples, "vidrek_queue_depth", queue="vidrek") >= 3
        assert value(samples, "vidrek_jobs_in_progress", operation="LabelDetection", state="queued") >= 3
    finally:
        stack.start_worker()

    seen: list[str] = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        page = rek.get_label_detection(JobId=ids[-1], MaxResults=1)
        if page["JobStatus"] != "IN_PROGRESS":
            break
        seen.append(page["StatusMessage"])
        time.sleep(0.05)
    assert page["JobStatus"] == "SUCCEEDED"
    assert "StatusMessage" not in page
    running = [m for m in seen if m.startswith("analysing")]
    assert running and all(re.fullmatch(r"analysing: \d{1,2} % of 0:04", m) for m in running), seen
    # the jobs ahead of it were taken first: it was queued behind fewer and fewer of them
    queued = [jobs_ahead(m) for m in seen if m.startswith("queued,")]
    assert queued == sorted(queued, reverse=True)
