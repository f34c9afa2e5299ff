"""``vidrek jobs`` (the newest jobs) and ``vidrek results JOB_ID [--json]`` (one job's results).

Rekognition has no ListJobs and a job id does not say its operation, so both commands ask vidrek's
``GET /vidrek/jobs`` extension routes (:mod:`api.job_routes`) through the API rather than reading Redis:
they then work against any endpoint (another machine, a container) with nothing but its URL, and every
error comes back in the API's one error format. The results themselves are read with boto3's Get*,
every page, as any SDK user would.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from rich.table import Table
from rich.text import Text

from api.analyze_command import OP_CHOICES
from api.cli_client import (
    all_results,
    api_errors,
    default_endpoint,
    find_job,
    get_json,
    operation_named,
    rekognition_client,
    run_command,
)
from api.job_summary import make_console, print_sections, print_table, summarise, video_line
from workers.settings import get_settings

#: Get* parameters per operation (the summary reads items in time order).
GET_PARAMS = {choice.operation: choice.get_params for choice in OP_CHOICES.values()}


def age(created_ms: int, now_ms: int) -> str:
    """``45s``, ``12m``, ``3h``, ``2d`` since ``created_ms``."""
    seconds = max(0, (now_ms - created_ms) // 1000)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _video(job: dict[str, Any]) -> str:
    s3 = (job.get("Video") or {}).get("S3Object") or {}
    return f"s3://{s3.get('Bucket', '?')}/{s3.get('Name', '?')}"


def _status(job: dict[str, Any]) -> str:
    if job.get("JobStatus") == "IN_PROGRESS":
        return str(job.get("StatusMessage") or "IN_PROGRESS")
    return str(job.get("JobStatus", "?"))


def jobs_table(jobs: list[dict[str, Any]], now_ms: int) -> Table:
    table = Table(box=None, show_edge=False, pad_edge=False, header_style="bold", padding=(0, 2, 0, 0))
    for column in ("job id", "operation", "status", "progress", "video", "age"):
        table.add_column(column, justify="right" if column in ("progress", "age") else "left")
    for job in jobs:
        table.add_row(
            Text(str(job.get("JobId", ""))[:12]),
            Text(str(job.get("Operation", ""))),
            Text(_status(job)),
            Text(f"{float(job.get('Progress', 0)):.0f}%"),
            Text(_video(job)),
            Text(age(int(job.get("CreationTimestamp", 0)), now_ms)),
        )
    return table


def cmd_jobs(args: argparse.Namespace) -> int:
    endpoint = args.endpoint or default_endpoint(get_settings())
    jobs: list[dict[str, Any]] = get_json(endpoint, "/vidrek/jobs", {"Limit": str(args.limit)})["Jobs"]
    if args.json:
        print(json.dumps({"Jobs": jobs}, indent=2))
        return 0
    console = make_console()
    if not jobs:
        console.print(f"no jobs at {endpoint} (start one with `vidrek analyze PATH`)")
        return 0
    print_table(console, jobs_table(jobs, int(time.time() * 1000)))
    console.print("Results: vidrek results JOB_ID (a unique prefix of the id is enough)")
    return 0


def cmd_results(args: argparse.Namespace) -> int:
    endpoint = args.endpoint or default_endpoint(get_settings())
    job = find_job(endpoint, args.job_id)
    operation = operation_named(str(job.get("Operation")))
    rek = rekognition_client(endpoint)
    with api_errors(endpoint):
        answer = all_results(rek, operation, str(job["JobId"]), **GET_PARAMS.get(operation.name, {}))
    if args.json:
        print(json.dumps(answer, indent=2))
        return 0
    console = make_console()
    described = video_line(answer)
    console.print(_video(job) + (f": {described}" if described else ""))
    console.print()
    print_sections(console, [summarise(operation.name, answer)])
    return 0 if answer.get("JobStatus") != "FAILED" else 1


def add_jobs_parsers(sub: Any) -> None:
    jobs = sub.add_parser("jobs", help="list the newest jobs: operation, status, progress, video, age")
    jobs.add_argument("--limit", type=int, default=20, help="how many jobs (1-1000, default 20)")
    jobs.add_argument("--json", action="store_true", help="print the jobs as JSON")
    jobs.add_argument("--endpoint", default="", help="API endpoint (default: the one `vidrek up` starts)")
    jobs.set_defaults(func=lambda args: run_command(lambda: cmd_jobs(args)))

    results = sub.add_parser("results", help="summarise one job's results (or print them all as JSON)")
    results.add_argument("job_id", metavar="JOB_ID", help="a job id, or a unique prefix of one")
    results.add_argument("--json", action="store_true", help="the whole Get* answer, every page joined")
    results.add_argument("--endpoint", default="", help="API endpoint (default: the one `vidrek up` starts)")
    results.set_defaults(func=lambda args: run_command(lambda: cmd_results(args)))
