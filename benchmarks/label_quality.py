"""Label quality of DetectLabels on the hand-labelled set (tests/data/label_sets.json), through boto3.

Starts a real stack (Redis, Celery worker, API; tests/stack.Stack) with the built models, or uses a
running one (``--endpoint``), sends every image as ``Image.Bytes`` (JPEG) at MinConfidence 50 and scores
the returned label names (and their aliases) against the image's tiers (tests/label_evaluation.py):
precision counts labels outside both tiers as wrong, recall counts only the ``required`` tier. Video frames
are scored with DetectLabels too (StartLabelDetection would be the natural call for a clip; one frame per
image keeps the two models comparable image by image).

Prints markdown: the per-image table, the summary (all, photos, video frames) and the labels most often
wrong or missed. ``--save`` keeps the raw answers (name, confidence, aliases per image) as JSON.

    .venv/bin/python benchmarks/label_quality.py [--min-confidence 50] [--endpoint URL] [--save out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import boto3

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.label_evaluation import (  # noqa: E402
    ImageScore,
    LabelSet,
    jpeg_bytes,
    load_label_sets,
    predicted_from_labels,
    score_image,
    summarise,
)
from tests.stack import Stack  # noqa: E402
from workers.settings import Settings  # noqa: E402

TOP = 12


def client_for(endpoint: str) -> Any:
    return boto3.client(
        "rekognition",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="any",
        aws_secret_access_key="any",
    )


def detect_all(rek: Any, sets: Sequence[LabelSet], min_confidence: float) -> tuple[dict[str, Any], float]:
    """DetectLabels on every image: the answers by image id, and the mean seconds per call."""
    rek.detect_labels(Image={"Bytes": jpeg_bytes(sets[0])}, MinConfidence=min_confidence)  # warm-up
    answers: dict[str, Any] = {}
    elapsed = 0.0
    for label_set in sets:
        image = jpeg_bytes(label_set)
        start = time.perf_counter()
        answers[label_set.image_id] = rek.detect_labels(Image={"Bytes": image}, MinConfidence=min_confidence)
        elapsed += time.perf_counter() - start
    return answers, elapsed / len(sets)


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def table(scores: Sequence[ImageScore], sets: Sequence[LabelSet]) -> list[str]:
    kinds = {s.image_id: s.kind for s in sets}
    lines = [
        "| image | kind | returned | P | R | wrong | missed (required) |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in scores:
        lines.append(
            f"| {s.image_id} | {kinds[s.image_id]} | {len(s.returned)} | {fmt(s.precision)} | "
            f"{len(s.found)}/{len(s.found) + len(s.missed)} = {s.recall:.2f} | "
            f"{', '.join(s.false_positives) or '-'} | {', '.join(s.missed) or '-'} |"
        )
    return lines


def summary_rows(scores: Sequence[ImageScore], sets: Sequence[LabelSet]) -> list[str]:
    kinds = {s.image_id: s.kind for s in sets}
    lines = [
        "| subset | images | none returned | returned | correct | micro P | macro P | "
        "required found | micro R | macro R | distinct names |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    subsets = [("all", scores)] + [
        (kind, [s for s in scores if kinds[s.image_id] == kind]) for kind in ("photo", "video frame")
    ]
    for name, subset in subsets:
        m = summarise(subset)
        lines.append(
            f"| {name} | {m.images} | {m.images_without_labels} | {m.returned} | {m.correct} | "
            f"{m.micro_precision:.2f} | {m.macro_precision:.2f} | {m.found}/{m.required} | "
            f"{m.micro_recall:.2f} | {m.macro_recall:.2f} | {m.distinct_names} |"
        )
    return lines


def report(scores: Sequence[ImageScore], sets: Sequence[LabelSet]) -> list[str]:
    total = summarise(scores)
    wrong = ", ".join(f"{name} {n}" for name, n in total.false_positives[:TOP]) or "-"
    missed = ", ".join(f"{name} {n}" for name, n in total.misses[:TOP]) or "-"
    return [
        *table(scores, sets),
        "",
        *summary_rows(scores, sets),
        "",
        "Macro P averages over the images with at least one label returned.",
        "",
        f"Most often wrong (images): {wrong}",
        "",
        f"Most often missed (images): {missed}",
    ]


def run(rek: Any, sets: Sequence[LabelSet], min_confidence: float, save: Path | None) -> None:
    answers, seconds = detect_all(rek, sets, min_confidence)
    versions = sorted({a.get("LabelModelVersion", "?") for a in answers.values()})
    scores = [score_image(s, predicted_from_labels(answers[s.image_id]["Labels"])) for s in sets]
    print(
        f"LabelModelVersion {', '.join(versions)}; MinConfidence {min_confidence:g}; "
        f"{len(sets)} images; {seconds * 1000:.0f} ms per DetectLabels call (mean, through boto3)"
    )
    print()
    print("\n".join(report(scores, sets)))
    if save is not None:
        raw = {
            image_id: [
                {
                    "Name": label["Name"],
                    "Confidence": round(label["Confidence"], 1),
                    "Aliases": [a["Name"] for a in label.get("Aliases", [])],
                }
                for label in answer["Labels"]
            ]
            for image_id, answer in answers.items()
        }
        save.write_text(json.dumps({"LabelModelVersion": versions, "labels": raw}, indent=1) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--min-confidence", type=float, default=50.0)
    parser.add_argument("--endpoint", help="a running vidrek API; default: start a stack")
    parser.add_argument("--save", type=Path, help="write the raw answers to this JSON file")
    args = parser.parse_args()
    sets = load_label_sets()
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, python {platform.python_version()}")
    if args.endpoint:
        run(client_for(args.endpoint), sets, args.min_confidence, args.save)
        return
    settings = Settings()
    with (
        tempfile.TemporaryDirectory() as tmp,
        Stack(Path(tmp), {"VIDREK_MODEL_DIR": str(settings.model_dir)}) as stack,
    ):
        run(stack.client(), sets, args.min_confidence, args.save)


if __name__ == "__main__":
    main()
