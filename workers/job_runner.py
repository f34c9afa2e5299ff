"""Runs one job to a final state: fetch the video, probe it, analyse it, store the results.

Whatever goes wrong with the input ends the job FAILED with a message a user can act on; the worker
process itself survives. A job is run by one process at a time (a run lock refreshed by a heartbeat),
and a job whose process died is re-queued by :func:`recover_stalled_jobs` up to ``job_max_attempts``.
"""

from __future__ import annotations

import logging
import math
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable

from celery.exceptions import SoftTimeLimitExceeded

from pipelines.decoding import DecodeDamage, VideoDecodeError, probe_video
from pipelines.errors import VidrekError
from pipelines.video_metadata import video_metadata_item
from workers.analyses import AnalysisInput, load_analysis
from workers.job_logging import job_context
from workers.jobs import JobRecord, JobStatus, JobStore, now_ms
from workers.metrics import FRAMES_ANALYSED, operation_frames_analysed
from workers.models import Models
from workers.operations import VIDEO_OPERATIONS, VideoOperation
from workers.settings import Settings
from workers.sources import S3ObjectRef, SourceError, VideoSources
from workers.stores import Stores

log = logging.getLogger(__name__)

#: Seconds before a job whose video could not be fetched for a transient reason is tried again,
#: multiplied by the attempt number (10 s, 20 s, ...).
RETRY_DELAY_SECONDS = 10


class ResultViewMismatch(VidrekError):
    """An analysis returned views other than the ones its operation's Get* reads (a bug: its pages
    would be silently empty); the job ends FAILED instead of SUCCEEDED with missing results."""


def check_result_views(operation: VideoOperation, views: Iterable[str]) -> None:
    """Raise :class:`ResultViewMismatch` unless ``views`` are exactly ``operation.all_views()``."""
    written, read = set(views), set(operation.all_views())
    if written != read:
        raise ResultViewMismatch(
            f"Internal error: the {operation.name} analysis produced the result views "
            f"{sorted(written)}, but {operation.get_action} reads {sorted(read)}."
        )


class JobRunner:
    def __init__(
        self,
        settings: Settings,
        stores: Stores,
        models: Models,
        sources: VideoSources,
        requeue_later: Callable[[str, float], None] | None = None,
    ) -> None:
        self.settings = settings
        #: Queues a job again after a delay in seconds (for transient source errors); None: never retry.
        self.requeue_later = requeue_later
        self.stores = stores
        self.models = models
        self.jobs = stores.jobs
        self.results = stores.results
        self.sources = sources
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.heartbeat_seconds = settings.job_heartbeat_seconds
        # A run lock lives three heartbeats; a job whose lock lapsed is stalled.
        self.lock_ttl_seconds = max(1, math.ceil(3 * settings.job_heartbeat_seconds))

    def run(self, job_id: str) -> None:
        with job_context(job_id):  # every log line of the run names the job
            log.info("run started by %s", self.owner)
            self._run(job_id)
            log.info("run ended")

    def _run(self, job_id: str) -> None:
        job = self.jobs.get(job_id)
        if job is None:
            log.warning("job %s no longer exists; dropping its task", job_id)
            return
        if job.status.is_final:
            return
        if not self.jobs.acquire_run_lock(job_id, self.owner, self.lock_ttl_seconds):
            log.info("job %s is already being run by another process", job_id)
            return
        stop = threading.Event()
        beat = threading.Thread(target=self._heartbeat, args=(job_id, stop), daemon=True)
        beat.start()
        try:
            attempt = self.jobs.begin_attempt(job_id)
            if attempt > self.settings.job_max_attempts:
                self.jobs.finish(
                    job_id,
                    JobStatus.FAILED,
                    message=f"The job was attempted {attempt - 1} times and the worker stopped unexpectedly "
                    "each time; the video may crash the decoder.",
                )
                return
            self._analyse(job, attempt)
        finally:
            stop.set()
            beat.join(timeout=5)
            self.jobs.release_run_lock(job_id, self.owner)

    def _heartbeat(self, job_id: str, stop: threading.Event) -> None:
        while not stop.wait(self.heartbeat_seconds):
            try:
                self.jobs.refresh_run_lock(job_id, self.owner, self.lock_ttl_seconds)
            except Exception:  # a lost heartbeat must not kill the analysis
                log.exception("heartbeat for job %s failed", job_id)

    def _analyse(self, job: JobRecord, attempt: int) -> None:
        operation = VIDEO_OPERATIONS[job.operation]
        try:
            ref = S3ObjectRef.from_request(job.video)
            with self.sources.local_copy(ref) as path:
                info = probe_video(path)
                if info.duration_ms > self.settings.max_video_seconds * 1000:
                    raise VideoDecodeError(
                        f"The video is {info.duration_ms / 1000:.0f} s long, more than the maximum of "
                        f"{self.settings.max_video_seconds:.0f} s."
                    )
                self.jobs.record_video_metadata(job.job_id, video_metadata_item(info))
                analysis = load_analysis(operation.analysis)
                damage = DecodeDamage()
                result = analysis(
                    AnalysisInput(
                        video_path=path,
                        info=info,
                        request=job.request,
                        settings=self.settings,
                        models=self.models,
                        stores=self.stores,
                        progress=self._progress_reporter(job.job_id),
                        damage=damage,
                    )
                )
                check_result_views(operation, result.views)
            counts = self.results.replace(job.job_id, result.views, self.jobs.retention_seconds)
            frames = operation_frames_analysed(
                operation.name, info.duration_ms, info.frame_rate, self.settings
            )
            self.stores.metrics.count(FRAMES_ANALYSED, {"operation": operation.name}, frames)
            self.stores.metrics.flush()  # a SUCCEEDED job's frames and inference times are in /metrics
            self.jobs.finish(
                job.job_id,
                JobStatus.SUCCEEDED,
                # Damage the decoder reported but the damage policy tolerated is never silent.
                message=damage.status_message(),
                response_members=result.response_members,
                result_counts=counts,
            )
        except SourceError as err:
            if err.retryable and self.requeue_later and attempt < self.settings.job_max_attempts:
                # e.g. the S3 endpoint is unreachable or throttling: try again later, not FAILED yet.
                delay = RETRY_DELAY_SECONDS * attempt
                log.warning("job %s: %s; retrying in %d s", job.job_id, err.detail, delay)
                self.jobs.mark_requeued(job.job_id)
                self.requeue_later(job.job_id, delay)
                return
            self.jobs.finish(job.job_id, JobStatus.FAILED, message=f"{err.message} ({err.detail})")
        except VideoDecodeError as err:
            self.jobs.finish(job.job_id, JobStatus.FAILED, message=f"Unsupported or invalid video: {err}")
        except SoftTimeLimitExceeded:
            self.jobs.finish(
                job.job_id,
                JobStatus.FAILED,
                message=f"The analysis exceeded the time limit of {self.settings.job_time_limit_seconds} s.",
            )
        except ResultViewMismatch as err:
            log.error("job %s: %s", job.job_id, err)
            self.jobs.finish(job.job_id, JobStatus.FAILED, message=str(err))
        except VidrekError as err:  # a reason the user can act on (AnalysisError, a bad filter...)
            self.jobs.finish(job.job_id, JobStatus.FAILED, message=str(err))
        except Exception as err:
            log.exception("job %s failed", job.job_id)
            self.jobs.finish(
                job.job_id, JobStatus.FAILED, message=f"Internal error while analysing the video: {err}"
            )

    def _progress_reporter(self, job_id: str) -> Callable[[float], None]:
        last = [0.0, -1.0]  # time of the last write, percent written

        def report(fraction: float) -> None:
            percent = max(0.0, min(99.9, fraction * 100.0))
            now = time.monotonic()
            if percent - last[1] >= 1.0 or now - last[0] >= 2.0:
                self.jobs.record_progress(job_id, percent)
                last[0], last[1] = now, percent

        return report


def recover_stalled_jobs(
    jobs: JobStore, enqueue: Callable[[str], None], *, queued_grace_ms: int = 60_000
) -> list[str]:
    """Re-queue jobs that no process is running any more; return their ids.

    A job is stalled when it started but its run lock lapsed (its process died without handing the
    message back), or when the API created it but never managed to queue it.
    """
    requeued = []
    for job_id in jobs.active_job_ids():
        job = jobs.get(job_id)
        if job is None or job.status.is_final:
            jobs.forget_active(job_id)
            continue
        if jobs.is_run_locked(job_id):
            continue
        started_and_dead = job.started_ms > 0
        never_queued = not job.enqueued and now_ms() - job.created_ms > queued_grace_ms
        if started_and_dead or never_queued:
            jobs.mark_requeued(job_id)
            enqueue(job_id)
            requeued.append(job_id)
    return requeued
