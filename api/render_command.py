"""``vidrek render JOB_ID [JOB_ID ...] -o out.mp4`` / ``--frame MS -o frame.png``: the annotated video.

The jobs (any mix of label, person, face, face search, text, moderation, celebrity and segment jobs on
one video) are read through the API: ``GET /vidrek/jobs/{id}`` for their operation and video, every Get*
page with boto3 for their results. The source video is read the way the workers read it, from the local
bucket or S3 the job names, with this machine's ``VIDREK_*`` settings (``--video PATH`` gives the file
instead). Drawing and encoding are :mod:`pipelines.rendering`.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from api.cli_client import (
    CliError,
    all_results,
    api_errors,
    default_endpoint,
    find_job,
    operation_named,
    rekognition_client,
    run_command,
)
from api.job_summary import make_console
from api.jobs_command import GET_PARAMS
from workers.settings import Settings, get_settings

# PyAV, Pillow and the sources are imported by the command only: `vidrek up` never loads them.


def _video_key(job: dict[str, Any]) -> tuple[str, str]:
    s3 = (job.get("Video") or {}).get("S3Object") or {}
    return str(s3.get("Bucket", "")), str(s3.get("Name", ""))


def job_results(endpoint: str, job_ids: list[str]) -> tuple[tuple[str, str], dict[str, list[Any]]]:
    """The jobs' common video and their result items by operation (all must have SUCCEEDED)."""
    jobs = [find_job(endpoint, job_id) for job_id in job_ids]
    videos = {_video_key(job) for job in jobs}
    if len(videos) > 1:
        listed = ", ".join(
            f"{j['JobId'][:12]}: s3://{b}/{n}" for j, (b, n) in zip(jobs, map(_video_key, jobs), strict=True)
        )
        raise CliError(f"the jobs analysed different videos ({listed}); render one video's jobs together")
    rek = rekognition_client(endpoint)
    results: dict[str, list[Any]] = {}
    for job in jobs:
        if job.get("JobStatus") != "SUCCEEDED":
            status = job.get("JobStatus")
            raise CliError(
                f"job {job['JobId']} is {status} ({job.get('StatusMessage', '')}): nothing to draw yet"
            )
        operation = operation_named(str(job["Operation"]))
        with api_errors(endpoint):
            answer = all_results(rek, operation, str(job["JobId"]), **GET_PARAMS.get(operation.name, {}))
        results.setdefault(operation.name, []).extend(answer.get(operation.results_member, []))
    return next(iter(videos)), results


@contextmanager
def source_video(video: tuple[str, str], given: str, settings: Settings) -> Iterator[Path]:
    """The video file: ``--video`` if given, else the job's object read as a worker reads it."""
    if given:
        path = Path(given).expanduser()
        if not path.is_file():
            raise CliError(f"--video {given}: no such file")
        yield path
        return
    from workers.sources import S3ObjectRef, SourceError, VideoSources

    ref = S3ObjectRef(bucket=video[0], name=video[1])
    try:
        with VideoSources(settings).local_copy(ref) as path:
            yield path
    except SourceError as err:
        raise CliError(
            f"cannot read the jobs' video {ref} from here ({err.detail}); pass the file with --video PATH"
        ) from err


@contextmanager
def written_at_once(target: Path) -> Iterator[Path]:
    """A file beside ``target`` (same suffix, so the same format) that becomes ``target`` only if the
    block succeeds: a failed or interrupted render leaves no half-written file."""
    partial = target.with_name(f".{target.stem}.partial{target.suffix}")
    try:
        yield partial
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def cmd_render(args: argparse.Namespace) -> int:
    from pipelines.rendering.overlays import timeline
    from pipelines.rendering.video import RenderError, render_still, render_video

    settings = get_settings()
    endpoint = args.endpoint or default_endpoint(settings)
    video, results = job_results(endpoint, args.job_ids)
    drawn = timeline(results)
    output = Path(args.output).expanduser()
    if not output.parent.is_dir():
        raise CliError(f"-o {args.output}: the folder {output.parent} does not exist")
    console = make_console(stderr=True)
    with source_video(video, args.video, settings) as source, written_at_once(output) as partial:
        try:
            if args.frame is not None:
                shown = render_still(source, partial, args.frame, drawn)
            else:
                columns = (
                    TextColumn("rendering"),
                    BarColumn(bar_width=30),
                    TextColumn("{task.percentage:>5.1f} %"),
                    TimeElapsedColumn(),
                )
                with Progress(*columns, console=console, transient=True) as progress:
                    task = progress.add_task("render", total=1.0)
                    report = render_video(
                        source, partial, drawn, on_progress=lambda f: progress.update(task, completed=f)
                    )
        except RenderError as err:
            raise CliError(str(err).replace(str(partial), str(output))) from err
    if args.frame is not None:
        console.print(f"{output}: the picture shown at {shown / 1000:.3f} s, annotated")
        return 0
    console.print(
        f"{output}: {report.frames} frames, {report.width}x{report.height}, "
        f"{report.first_ms / 1000:.2f}-{report.last_ms / 1000:.2f} s, annotated from "
        f"{', '.join(sorted(results))}"
    )
    return 0


def add_render_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "render",
        help="draw jobs' results on their video: an annotated MP4, or one still with --frame",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "job_ids", nargs="+", metavar="JOB_ID", help="jobs on one video (ids or unique prefixes)"
    )
    parser.add_argument(
        "-o", "--output", required=True, help="the video (.mp4, .mkv ...) or picture (.png, .jpg) to write"
    )
    parser.add_argument(
        "--frame", type=float, default=None, metavar="MS", help="write the picture shown at MS ms instead"
    )
    parser.add_argument(
        "--video", default="", metavar="PATH", help="the video file, when this machine cannot read the job's"
    )
    parser.add_argument("--endpoint", default="", help="API endpoint (default: the one `vidrek up` starts)")
    parser.set_defaults(func=lambda args: run_command(lambda: cmd_render(args)))
