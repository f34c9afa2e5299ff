"""GET /metrics as Prometheus reads it: the counters move when a job runs, in every process."""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Callable
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from tests.stack import Stack, wait_for_job

ROLE = "arn:aws:iam::123456789012:role/AmazonRekognitionServiceRole"
CLIP = {"S3Object": {"Bucket": "samples", "Name": "carphone_pristine.mp4"}}

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(stack: Stack) -> tuple[Samples, dict[str, str]]:
    """Every sample by (name, labels), and each family's type."""
    with urllib.request.urlopen(f"{stack.endpoint}/metrics", timeout=10) as response:
        assert response.headers["Content-Type"].startswith("text/plain")
        text = response.read().decode()
    samples: Samples = {}
    types: dict[str, str] = {}
    for family in text_string_to_metric_families(text):
        types[family.name] = family.type
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples, types


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum over every series of ``name`` whose labels include ``labels``."""
    wanted = set(labels.items())
    return sum(v for (n, series), v in samples.items() if n == name and wanted <= set(series))


def eventually(check: Callable[[], bool], timeout: float = 30.0) -> bool:
    """Counts written by other processes are flushed within a second or two."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


def test_counters_move_when_a_job_runs(stack: Stack, rek: Any, sns: Any) -> None:
    topic = sns.create_topic(Name="metrics-jobs")["TopicArn"]
    before, types = scrape(stack)
    assert types["vidrek_jobs_finished"] == "counter"
    assert types["vidrek_model_inference_seconds"] == "histogram"
    assert types["vidrek_queue_depth"] == "gauge"
    assert ("vidrek_queue_depth", (("queue", "vidrek"),)) in before

    job_id = rek.start_label_detection(
        Video=CLIP, NotificationChannel={"SNSTopicArn": topic, "RoleArn": ROLE}
    )["JobId"]
    assert wait_for_job(rek, job_id)["JobStatus"] == "SUCCEEDED"

    def moved() -> bool:
        after, _ = scrape(stack)
        return value(
            after, "vidrek_notification_deliveries_total", protocol="sns", outcome="delivered"
        ) > value(
            before, "vidrek_notification_deliveries_total", protocol="sns", outcome="delivered"
        ) and value(after, "vidrek_get_request_seconds_count", operation="GetLabelDetection") > value(
            before, "vidrek_get_request_seconds_count", operation="GetLabelDetection"
        )

    assert eventually(moved), scrape(stack)[0]
    after, _ = scrape(stack)

    def grew(name: str, by: float = 1, **labels: str) -> bool:
        return value(after, name, **labels) - value(before, name, **labels) >= by

    assert grew("vidrek_jobs_submitted_total", operation="LabelDetection")
    assert grew("vidrek_jobs_finished_total", operation="LabelDetection", status="SUCCEEDED")
    # carphone: 4 s at 30 fps, sampled at 5 frames/s
    assert grew("vidrek_frames_analysed_total", by=20, operation="LabelDetection")
    # the job's CenterNet runs, counted in the worker, are in the API's answer as soon as it SUCCEEDED
    assert grew("vidrek_model_inference_seconds_count", by=20, model="centernet")
    inference_sum = value(after, "vidrek_model_inference_seconds_sum", model="centernet")
    assert inference_sum > value(before, "vidrek_model_inference_seconds_sum", model="centernet")
    assert value(after, "vidrek_model_inference_seconds_bucket", model="centernet", le="+Inf") == value(
        after, "vidrek_model_inference_seconds_count", model="centernet"
    )
    assert total(after, "vidrek_jobs_in_progress", operation="LabelDetection") >= 0
    assert value(after, "vidrek_jobs_running") >= 0


def test_a_failed_job_is_counted_as_failed(stack: Stack, rek: Any) -> None:
    before, _ = scrape(stack)
    job_id = rek.start_label_detection(Video={"S3Object": {"Bucket": "media", "Name": "text.mp4"}})["JobId"]
    assert wait_for_job(rek, job_id)["JobStatus"] == "FAILED"
    after, _ = scrape(stack)
    labels = {"operation": "LabelDetection", "status": "FAILED"}
    assert (
        value(after, "vidrek_jobs_finished_total", **labels)
        == value(before, "vidrek_jobs_finished_total", **labels) + 1
    )
