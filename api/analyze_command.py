"""``vidrek analyze PATH|s3://BUCKET/KEY [--ops ...] [--json] [--endpoint URL]``.

Starts one Rekognition job per operation through the API with boto3 (a local file is first put into the
uploads bucket, :mod:`api.uploads`), shows one live progress bar per job (the raw ``Progress`` member,
which boto3 drops, read with an after-call hook; ``StatusMessage`` says "queued, N jobs ahead" or
"analysing: 42 % of 10:00"), then prints a summary (:mod:`api.job_summary`) or, with ``--json``, every
job's whole Get* answer. Progress goes to stderr, results to stdout. Ctrl-C stops following, not the jobs.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from api.cli_client import (
    CliError,
    RawBodies,
    all_results,
    api_errors,
    default_endpoint,
    method_name,
    operation_named,
    rekognition_client,
    run_command,
)
from api.job_summary import Section, make_console, print_sections, summarise, video_line
from api.uploads import stage_local_file
from workers.operations import VideoOperation
from workers.settings import Settings, get_settings

#: Seconds between two polls of each running job's Get* (one small request per job). Range 0.1-10.
POLL_SECONDS = 0.5
#: JobTag of the jobs the command starts (so `vidrek jobs` shows where they came from).
JOB_TAG = "vidrek-analyze"
#: Exit status after Ctrl-C (128 + SIGINT, as shells report it).
INTERRUPTED = 130


@dataclass(frozen=True)
class OpChoice:
    """One ``--ops`` entry: the operation and the extra members of its Start* request."""

    key: str
    operation: str
    start_params: Callable[[str], dict[str, Any]]
    get_params: dict[str, Any] = field(default_factory=dict)
    needs_value: str = ""


OP_CHOICES: dict[str, OpChoice] = {
    choice.key: choice
    for choice in (
        OpChoice("labels", "LabelDetection", lambda _: {"MinConfidence": 50.0}, {"SortBy": "TIMESTAMP"}),
        OpChoice("faces", "FaceDetection", lambda _: {"FaceAttributes": "DEFAULT"}),
        OpChoice("persons", "PersonTracking", lambda _: {}, {"SortBy": "TIMESTAMP"}),
        OpChoice("text", "TextDetection", lambda _: {}),
        OpChoice("moderation", "ContentModeration", lambda _: {}, {"SortBy": "TIMESTAMP"}),
        OpChoice("segments", "SegmentDetection", lambda _: {"SegmentTypes": ["SHOT", "TECHNICAL_CUE"]}),
        OpChoice("celebrities", "CelebrityRecognition", lambda _: {}, {"SortBy": "TIMESTAMP"}),
        OpChoice(
            "faces-search",
            "FaceSearch",
            lambda collection: {"CollectionId": collection},
            {"SortBy": "TIMESTAMP"},
            needs_value="COLLECTION",
        ),
    )
}
DEFAULT_OPS = "labels"


@dataclass
class StartedJob:
    choice: OpChoice
    operation: VideoOperation
    job_id: str
    task: TaskID | None = None
    status: str = "IN_PROGRESS"
    message: str = ""
    started: float = field(default_factory=time.monotonic)
    elapsed: float = 0.0


def op_names() -> list[str]:
    return [c.key + (f"={c.needs_value}" if c.needs_value else "") for c in OP_CHOICES.values()]


def parse_ops(text: str) -> list[tuple[OpChoice, str]]:
    """``labels,faces-search=people`` -> the choices with their values, in order, without repeats."""
    chosen: list[tuple[OpChoice, str]] = []
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        key, _, value = entry.partition("=")
        choice = OP_CHOICES.get(key)
        if choice is None:
            raise CliError(f"unknown operation {key!r} in --ops; choose from {', '.join(op_names())}")
        if choice.needs_value and not value:
            raise CliError(f"--ops {key} needs a value: {key}={choice.needs_value}")
        if not choice.needs_value and value:
            raise CliError(f"--ops {key} takes no value (got {entry!r})")
        if all(c.key != key or v != value for c, v in chosen):
            chosen.append((choice, value))
    if not chosen:
        raise CliError("--ops names no operation")
    return chosen


def resolve_video(spec: str, settings: Settings) -> dict[str, Any]:
    """The Start* ``Video`` member for a local file (put into the uploads bucket) or an s3:// URL."""
    if spec.startswith("s3://"):
        bucket, _, key = spec.removeprefix("s3://").partition("/")
        if not bucket or not key:
            raise CliError(f"{spec} is not an S3 URL of an object: write s3://BUCKET/KEY")
        return {"S3Object": {"Bucket": bucket, "Name": key}}
    path = Path(spec).expanduser()
    if path.is_dir():
        raise CliError(f"{spec} is a folder, not a video file")
    if not path.is_file():
        raise CliError(
            f"no such file: {spec} (an object in a bucket is s3://BUCKET/KEY, e.g. s3://samples/bikes.mp4)"
        )
    bucket, name = stage_local_file(path, settings)
    return {"S3Object": {"Bucket": bucket, "Name": name}}


def video_url(video: dict[str, Any]) -> str:
    s3 = video.get("S3Object", {})
    return f"s3://{s3.get('Bucket')}/{s3.get('Name')}"


def start_jobs(
    rek: Any, endpoint: str, video: dict[str, Any], ops: list[tuple[OpChoice, str]], started: list[StartedJob]
) -> None:
    """Start one job per operation, appending each to ``started`` as soon as it exists."""
    for choice, value in ops:
        operation = operation_named(choice.operation)
        start = getattr(rek, method_name(operation.start_action))
        try:
            with api_errors(endpoint):
                job_id = start(Video=video, JobTag=JOB_TAG, **choice.start_params(value))["JobId"]
        except CliError as err:
            if started:
                ids = ", ".join(f"{j.operation.name} {j.job_id}" for j in started)
                raise CliError(f"{operation.start_action}: {err} (already started: {ids})") from err
            raise
        started.append(StartedJob(choice, operation, job_id))


def _status_text(job: StartedJob) -> str:
    if job.status == "SUCCEEDED":
        return f"SUCCEEDED in {job.elapsed:.1f} s"
    if job.status == "FAILED":
        return f"FAILED: {job.message}"
    return job.message or "queued"


def follow(rek: Any, jobs: list[StartedJob], console: Console) -> None:
    """Poll every job until it is final, with one progress bar each."""
    raw = RawBodies(rek)
    columns = (
        TextColumn("{task.description:<22}"),
        BarColumn(bar_width=30),
        TextColumn("{task.percentage:>5.1f} %"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[status]}"),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        for job in jobs:
            job.task = progress.add_task(job.operation.name, total=100.0, status="queued")
        while any(job.status == "IN_PROGRESS" for job in jobs):
            for job in jobs:
                if job.status != "IN_PROGRESS" or job.task is None:
                    continue
                get = getattr(rek, method_name(job.operation.get_action))
                page = get(JobId=job.job_id, MaxResults=1)
                job.status = page["JobStatus"]
                job.message = page.get("StatusMessage", "")
                percent = float(raw.last.get(job.operation.get_action, {}).get("Progress", 0.0) or 0.0)
                if job.status != "IN_PROGRESS":
                    job.elapsed = time.monotonic() - job.started
                    percent = 100.0 if job.status == "SUCCEEDED" else percent
                progress.update(job.task, completed=percent, status=_status_text(job))
                if job.status != "IN_PROGRESS":
                    progress.stop_task(job.task)
            if any(job.status == "IN_PROGRESS" for job in jobs):
                time.sleep(POLL_SECONDS)


def interrupted_message(jobs: list[StartedJob]) -> str:
    lines = ["Stopped following; the jobs keep running on the server:"]
    lines += [f"  {job.operation.name:<22} {job.job_id}" for job in jobs]
    lines.append("Follow them with `vidrek jobs`; read the results with `vidrek results JOB_ID`.")
    return "\n".join(lines)


def cmd_analyze(args: argparse.Namespace) -> int:
    settings = get_settings()
    endpoint = args.endpoint or default_endpoint(settings)
    ops = parse_ops(args.ops)
    err_console = make_console(stderr=True)
    video = resolve_video(args.video, settings)
    rek = rekognition_client(endpoint)
    jobs: list[StartedJob] = []
    try:
        try:
            start_jobs(rek, endpoint, video, ops, jobs)
        except CliError as err:
            raise _hint_uploads(err, video, settings) from err
        with api_errors(endpoint):
            err_console.print(f"{video_url(video)}: {len(jobs)} job(s) started at {endpoint}")
            follow(rek, jobs, err_console)
            answers = [
                (job, all_results(rek, job.operation, job.job_id, **job.choice.get_params))
                if job.status == "SUCCEEDED"
                else (job, {"JobId": job.job_id, "JobStatus": job.status, "StatusMessage": job.message})
                for job in jobs
            ]
    except KeyboardInterrupt:
        if not jobs:
            print("vidrek: interrupted before any job was started", file=sys.stderr)
        else:
            print("\n" + interrupted_message(jobs), file=sys.stderr)
        return INTERRUPTED
    print_answers(video, answers, as_json=args.json)
    return 0 if all(job.status == "SUCCEEDED" for job in jobs) else 1


def _hint_uploads(err: CliError, video: dict[str, Any], settings: Settings) -> CliError:
    bucket = video.get("S3Object", {}).get("Bucket")
    if bucket == settings.uploads_bucket and "InvalidS3ObjectException" in str(err):
        folder = settings.local_buckets.get(bucket)
        return CliError(
            f"{err} -- the API does not see the uploads folder {folder}: run `vidrek analyze` on the "
            "stack's machine with its VIDREK_DATA_DIR, or put the video in S3 and pass s3://BUCKET/KEY"
        )
    return err


def print_answers(
    video: dict[str, Any], answers: list[tuple[StartedJob, dict[str, Any]]], *, as_json: bool
) -> None:
    if as_json:
        document = {"Video": video, "Jobs": [{"Operation": job.operation.name, **a} for job, a in answers]}
        print(json.dumps(document, indent=2))
        return
    console = make_console()
    described = next((video_line(a) for _, a in answers if video_line(a)), "")
    console.print(f"{video_url(video)}" + (f": {described}" if described else ""))
    console.print()
    sections: list[Section] = [summarise(job.operation.name, answer) for job, answer in answers]
    print_sections(console, sections)
    ids = " ".join(job.job_id[:12] for job, _ in answers if job.status == "SUCCEEDED")
    if ids:
        console.print(f"Annotated video: vidrek render {ids} -o annotated.mp4")


def add_analyze_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "analyze",
        help="analyse a video file or s3:// object through the API and summarise what was found",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("video", metavar="PATH|s3://BUCKET/KEY", help="a local video file, or an S3 object")
    names = ",".join(op_names())
    parser.add_argument(
        "--ops", default=DEFAULT_OPS, help=f"comma-separated operations (default {DEFAULT_OPS}): {names}"
    )
    parser.add_argument("--json", action="store_true", help="print every job's whole Get* answer as JSON")
    parser.add_argument("--endpoint", default="", help="API endpoint (default: the one `vidrek up` starts)")
    parser.set_defaults(func=lambda args: run_command(lambda: cmd_analyze(args)))
