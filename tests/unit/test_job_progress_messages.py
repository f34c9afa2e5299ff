"""The StatusMessage of a running job and the frames each operation analyses."""

from __future__ import annotations

from workers.job_progress import clock, queued_message, running_message
from workers.jobs import JobRecord
from workers.metrics import SAMPLE_RATE_SETTINGS, frames_analysed, operation_frames_analysed
from workers.operations import VIDEO_OPERATIONS
from workers.settings import Settings


def test_messages_say_where_the_job_is() -> None:
    assert queued_message(3) == "queued, 3 jobs ahead"
    assert queued_message(1) == "queued, 1 job ahead"
    assert queued_message(None) == "queued"
    job = JobRecord(job_id="j", operation="LabelDetection", request={}, progress=42.6, started_ms=1)
    assert running_message(job) == "analysing: reading the video"
    job.video_metadata = {"DurationMillis": 600_000}
    assert running_message(job) == "analysing: 42 % of 10:00"
    assert clock(3_725_000) == "1:02:05"


def test_every_operation_has_a_sample_rate_and_frames_are_counted_from_it() -> None:
    assert set(SAMPLE_RATE_SETTINGS) == set(VIDEO_OPERATIONS)
    settings = Settings(label_sample_fps=5.0)
    assert operation_frames_analysed("LabelDetection", 10_000, 25.0, settings) == 50
    assert operation_frames_analysed("SegmentDetection", 10_000, 25.0, settings) == 250
    assert frames_analysed(10_000, 2.0, 5.0) == 20  # never more than the video has
    assert frames_analysed(0, 25.0, 5.0) == 0
