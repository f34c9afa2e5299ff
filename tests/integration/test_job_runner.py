"""JobRunner against a real Redis: final states, retries of transient source errors, attempt limits."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from workers.job_runner import JobRunner, recover_stalled_jobs
from workers.jobs import JobStatus
from workers.models import Models
from workers.redis_server import free_port, start_redis_server, stop_process
from workers.settings import Settings
from workers.sources import S3ObjectRef, VideoSources, unreadable
from workers.stores import Stores

VIDEO = {"Video": {"S3Object": {"Bucket": "samples", "Name": "carphone_pristine.mp4"}}}


@pytest.fixture(scope="module")
def redis_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[redis.Redis]:
    port = free_port()
    process = start_redis_server(port, tmp_path_factory.mktemp("redis"), persistent=False)
    client = redis.Redis(port=port, decode_responses=True)
    yield client
    client.close()
    stop_process(process)


class FlakySources(VideoSources):
    """The real local-bucket source, failing the first ``failures`` fetches as an unreachable S3 would."""

    def __init__(self, settings: Settings, failures: int) -> None:
        super().__init__(settings)
        self.failures = failures

    @contextlib.contextmanager
    def local_copy(self, ref: S3ObjectRef) -> Iterator[Path]:
        if self.failures > 0:
            self.failures -= 1
            raise unreadable(ref, "S3 endpoint unreachable: connection refused", retryable=True)
        with super().local_copy(ref) as path:
            yield path


def make_runner(
    client: redis.Redis, model_dir: Path, failures: int, requeued: list[tuple[str, float]]
) -> JobRunner:
    settings = Settings(model_dir=model_dir, job_max_attempts=3, redis_url="redis://unused")
    return JobRunner(
        settings,
        Stores.on(client, settings),
        Models(settings),
        FlakySources(settings, failures),
        lambda j, d: requeued.append((j, d)),
    )


def test_transient_source_error_is_retried_then_succeeds(redis_client: redis.Redis, model_dir: Path) -> None:
    requeued: list[tuple[str, float]] = []
    runner = make_runner(redis_client, model_dir, failures=1, requeued=requeued)
    job, _ = runner.jobs.create("LabelDetection", dict(VIDEO))
    runner.run(job.job_id)
    record = runner.jobs.get(job.job_id)
    assert record is not None and record.status is JobStatus.IN_PROGRESS
    assert requeued == [(job.job_id, 10)]
    runner.run(job.job_id)
    record = runner.jobs.get(job.job_id)
    assert record is not None and record.status is JobStatus.SUCCEEDED
    assert record.result_counts["TIMESTAMP/TIMESTAMPS"] > 0


def test_source_that_stays_down_fails_after_the_last_attempt(
    redis_client: redis.Redis, model_dir: Path
) -> None:
    requeued: list[tuple[str, float]] = []
    runner = make_runner(redis_client, model_dir, failures=10, requeued=requeued)
    job, _ = runner.jobs.create("LabelDetection", dict(VIDEO))
    for _ in range(3):
        runner.run(job.job_id)
    record = runner.jobs.get(job.job_id)
    assert record is not None and record.status is JobStatus.FAILED
    assert "unreachable" in record.status_message
    assert [delay for _, delay in requeued] == [10, 20]


def test_stalled_job_is_requeued_once_and_final_jobs_are_forgotten(
    redis_client: redis.Redis, model_dir: Path
) -> None:
    runner = make_runner(redis_client, model_dir, failures=0, requeued=[])
    jobs = runner.jobs
    stalled, _ = jobs.create("LabelDetection", dict(VIDEO))
    jobs.mark_enqueued(stalled.job_id)
    jobs.begin_attempt(stalled.job_id)  # started, then its worker died: no run lock
    done, _ = jobs.create("LabelDetection", dict(VIDEO))
    jobs.finish(done.job_id, JobStatus.SUCCEEDED)
    queued: list[str] = []
    assert recover_stalled_jobs(jobs, queued.append) == [stalled.job_id]
    assert queued == [stalled.job_id]
    # Re-queued means not started: the next sweep leaves it alone until a runner takes it.
    assert recover_stalled_jobs(jobs, queued.append) == []
    assert done.job_id not in jobs.active_job_ids()


def test_too_many_attempts_end_failed(redis_client: redis.Redis, model_dir: Path) -> None:
    runner = make_runner(redis_client, model_dir, failures=0, requeued=[])
    job, _ = runner.jobs.create("LabelDetection", dict(VIDEO))
    for _ in range(3):  # three runs that "died" before finishing
        runner.jobs.begin_attempt(job.job_id)
    runner.run(job.job_id)
    record = runner.jobs.get(job.job_id)
    assert record is not None and record.status is JobStatus.FAILED
    assert "attempted 3 times" in record.status_message
