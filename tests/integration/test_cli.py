"""`vidrek analyze`, `vidrek jobs`, `vidrek results` and `vidrek render` as a user runs them, against a
running stack (the command reads the stack's VIDREK_* settings: its API port and data dir)."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

from tests.stack import REPO, Stack, get_pages, wait_for_job
from workers.redis_server import free_port


def vidrek(stack: Stack, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        env=stack.env(),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory, bikes_mp4: Path) -> Path:
    """A video file of the user's (not in any bucket)."""
    path = tmp_path_factory.mktemp("my-videos") / "street.mp4"
    shutil.copyfile(bikes_mp4, path)
    return path


@pytest.fixture(scope="module")
def analysed(stack: Stack, clip: Path) -> subprocess.CompletedProcess[str]:
    return vidrek(stack, "analyze", str(clip), "--ops", "labels,persons,segments")


def job_ids(analysed: subprocess.CompletedProcess[str]) -> list[str]:
    """The ids of the render command the summary suggests."""
    line = next(line for line in analysed.stdout.splitlines() if line.startswith("Annotated video:"))
    return line.split("vidrek render ")[1].split(" -o ")[0].split()


def rows(text: str) -> list[list[str]]:
    return [line.split() for line in text.splitlines() if line.strip()]


def test_analyze_shows_progress_then_labels_persons_and_shots(
    analysed: subprocess.CompletedProcess[str],
) -> None:
    assert analysed.returncode == 0, analysed.stderr
    assert "Traceback" not in analysed.stderr
    progress = [line for line in analysed.stderr.splitlines() if "SUCCEEDED in" in line]
    assert [line.split()[0] for line in progress] == ["LabelDetection", "PersonTracking", "SegmentDetection"]
    assert all("100.0 %" in line for line in progress)

    out = analysed.stdout
    assert (
        out.splitlines()[0].startswith("s3://uploads/") and "street.mp4: 0:10 (10.0s) of 640x272 h264" in out
    )
    for title in ("Labels (LabelDetection", "Persons (PersonTracking", "Shots (SegmentDetection"):
        assert title in out
    table = rows(out)
    car = next(r for r in table if r[0] == "Car")
    assert car[1].endswith("%") and float(car[1][:-1]) > 90
    assert "s-" in car[3]  # seen over a time range, e.g. 1.2s-7.4s
    assert any(r[0] == "Person" for r in table) and any(r[0] == "Bicycle" for r in table)
    persons = [r for r in table if r[0].isdigit() and r[1].endswith("s") and len(r) >= 5]
    assert len(persons) >= 2
    shots = [r for r in table if len(r) == 4 and r[1].count(":") == 3]
    assert len(shots) >= 3 and shots[0][1] == "00:00:00:00"


def test_a_local_file_is_put_in_the_uploads_bucket_without_a_copy(
    stack: Stack, clip: Path, analysed: subprocess.CompletedProcess[str]
) -> None:
    url = analysed.stdout.splitlines()[0].split(": ")[0]  # s3://uploads/<digest>/street.mp4
    name = url.removeprefix("s3://uploads/")
    stored = Path(stack.env()["VIDREK_DATA_DIR"]) / "uploads" / name
    assert stored.read_bytes() == clip.read_bytes()
    assert stored.stat().st_ino == clip.stat().st_ino  # a hard link (same file system)


def test_json_is_every_jobs_whole_get_answer(stack: Stack, rek: Any, clip: Path) -> None:
    done = vidrek(stack, "analyze", str(clip), "--ops", "segments", "--json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    (job,) = document["Jobs"]
    assert job["Operation"] == "SegmentDetection" and job["JobStatus"] == "SUCCEEDED"
    assert document["Video"]["S3Object"]["Bucket"] == "uploads"
    pages = list(get_pages(rek, "get_segment_detection", JobId=job["JobId"]))
    assert job["Segments"] == [s for page in pages for s in page["Segments"]]
    assert job["VideoMetadata"] == pages[0]["VideoMetadata"]


def test_jobs_lists_them_and_results_reads_one(
    stack: Stack, rek: Any, analysed: subprocess.CompletedProcess[str]
) -> None:
    ids = job_ids(analysed)
    listing = vidrek(stack, "jobs")
    assert listing.returncode == 0, listing.stderr
    table = rows(listing.stdout)
    assert table[0] == ["job", "id", "operation", "status", "progress", "video", "age"]
    for prefix, operation in zip(ids, ["LabelDetection", "PersonTracking", "SegmentDetection"], strict=True):
        row = next(r for r in table if r[0] == prefix)
        assert row[1:4] == [operation, "SUCCEEDED", "100%"] and row[4].startswith("s3://uploads/")

    as_json = json.loads(vidrek(stack, "jobs", "--json", "--limit", "50").stdout)["Jobs"]
    full = next(j for j in as_json if j["JobId"].startswith(ids[0]))
    assert full["Operation"] == "LabelDetection" and full["JobTag"] == "vidrek-analyze"

    summary = vidrek(stack, "results", ids[0][:8])
    assert summary.returncode == 0, summary.stderr
    assert "Labels (LabelDetection" in summary.stdout and any(r[0] == "Car" for r in rows(summary.stdout))
    answer = json.loads(vidrek(stack, "results", full["JobId"], "--json").stdout)
    pages = list(get_pages(rek, "get_label_detection", JobId=full["JobId"], SortBy="TIMESTAMP"))
    assert answer["Labels"] == [label for page in pages for label in page["Labels"]]


def test_errors_are_one_clear_line(stack: Stack, clip: Path, tmp_path: Path) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    cases = [
        (["analyze", str(clip), "--endpoint", nowhere], "start the stack with `vidrek up`"),
        (["jobs", "--endpoint", nowhere], "start the stack with `vidrek up`"),
        (["analyze", str(tmp_path / "missing.mp4")], "no such file"),
        (["analyze", str(clip), "--ops", "labels,colours"], "unknown operation 'colours'"),
        (["analyze", str(clip), "--ops", "faces-search=nobody"], "ResourceNotFoundException"),
        (["results", "0123456789abcdef"], "ResourceNotFoundException"),
        (["render", "0123456789abcdef", "-o", str(tmp_path / "x.mp4")], "ResourceNotFoundException"),
    ]
    for args, expected in cases:
        done = vidrek(stack, *args)
        assert done.returncode == 1, (args, done.stdout, done.stderr)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("vidrek: ") and expected in lines[0], (
            args,
            done.stderr,
        )


def test_ctrl_c_stops_following_and_leaves_the_jobs_running(stack: Stack, rek: Any, clip: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "analyze", str(clip), "--ops", "labels"],
        env=stack.env(),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    first = process.stderr.readline()  # "<video>: 1 job(s) started at <endpoint>"
    assert "1 job(s) started" in first, first
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    if process.returncode == 0:  # on a loaded machine the short job can finish before the signal lands
        assert "SUCCEEDED" in err, err
        return
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert "the jobs keep running" in err and "vidrek jobs" in err and "vidrek results JOB_ID" in err
    job_id = next(line.split()[1] for line in err.splitlines() if line.strip().startswith("LabelDetection "))
    assert wait_for_job(rek, job_id)["JobStatus"] == "SUCCEEDED"


# --- vidrek render ------------------------------------------------------------------------------------


def pictures(path: Path) -> dict[int, npt.NDArray[np.int16]]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return {
            round(float(f.pts * f.time_base) * 1000): f.to_ndarray(format="rgb24").astype(np.int16)
            for f in container.decode(stream)
        }


def top_edge_change(
    before: npt.NDArray[np.int16], after: npt.NDArray[np.int16], box: dict[str, float]
) -> float:
    """How much the pixels along the right half of a box's top edge changed (mean over channels)."""
    height, width = before.shape[:2]
    y = min(height - 2, round(box["Top"] * height))
    x0, x1 = round(box["Left"] * width), round((box["Left"] + box["Width"]) * width)
    x_mid = x0 + (x1 - x0) // 2
    return max(
        float(np.abs(after[row, x_mid : x1 - 3] - before[row, x_mid : x1 - 3]).mean()) for row in (y, y + 1)
    )


def test_render_draws_the_person_boxes_on_the_pictures_they_were_seen_in(
    stack: Stack, rek: Any, clip: Path, analysed: subprocess.CompletedProcess[str], tmp_path: Path
) -> None:
    person_job = job_ids(analysed)[1]
    out = tmp_path / "annotated.mp4"
    done = vidrek(stack, "render", person_job, "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "250 frames, 640x272" in done.stderr

    full_id = json.loads(vidrek(stack, "results", person_job, "--json").stdout)["JobId"]
    persons = [p for page in get_pages(rek, "get_person_tracking", JobId=full_id) for p in page["Persons"]]
    source, rendered = pictures(clip), pictures(out)
    assert sorted(rendered) == sorted(source)  # every picture, at its time

    widest = max(persons, key=lambda p: p["Person"]["BoundingBox"]["Width"])
    stamp, box = widest["Timestamp"], widest["Person"]["BoundingBox"]
    assert top_edge_change(source[stamp], rendered[stamp], box) > 40

    # a picture more than a second after any person was seen shows no box: only encoding noise changed
    seen = sorted(p["Timestamp"] for p in persons)
    unseen = [t for t in sorted(source) if not any(t - 1100 <= s <= t for s in seen)]
    assert unseen
    quiet = unseen[len(unseen) // 2]
    assert float(np.abs(rendered[quiet] - source[quiet]).mean()) < 4
    assert top_edge_change(source[quiet], rendered[quiet], box) < 12

    still = tmp_path / "frame.png"
    done = vidrek(stack, "render", person_job, "--frame", str(stamp), "-o", str(still))
    assert done.returncode == 0, done.stderr
    picture = np.asarray(Image.open(still).convert("RGB")).astype(np.int16)
    assert top_edge_change(source[stamp], picture, box) > 40
    assert float(np.abs(picture - source[stamp]).mean()) < 10  # the picture at that time, not another


def test_render_refuses_jobs_of_different_videos(
    stack: Stack, rek: Any, analysed: subprocess.CompletedProcess[str], tmp_path: Path
) -> None:
    other = rek.start_segment_detection(
        Video={"S3Object": {"Bucket": "samples", "Name": "carphone_pristine.mp4"}}, SegmentTypes=["SHOT"]
    )["JobId"]
    wait_for_job(rek, other, "get_segment_detection")
    done = vidrek(stack, "render", job_ids(analysed)[0], other, "-o", str(tmp_path / "x.mp4"))
    assert done.returncode == 1 and "different videos" in done.stderr
    assert not (tmp_path / "x.mp4").exists()
