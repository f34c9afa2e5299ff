"""Fit the calibration of the labels without boxes, and measure label detection's design choices, in-process.

Runs every label model on every image of the labelled set (tests/data/label_sets.json; each image is the
JPEG a user would send, decoded as DetectLabels decodes it) and prints markdown:

1. the three curves of ``pipelines/data/calibration_image_labels.json`` (classifier labels that are a
   class's own label, classifier labels that are only parents, Face from MTCNN's confidence), fitted as
   ``pipelines/image_level_calibration.py`` describes; ``--write`` writes them;
2. the ablation: macro precision / recall and distinct names at MinConfidence 50 for the design and its
   alternatives (detector alone; with the crop check; with the classifier; with the face labels; the best
   class instead of the summed probability; one curve instead of two; noisy-OR or mean instead of the
   maximum when two sources name a label), each twice: with the curves fitted on the whole set
   (in-sample) and with the curves fitted without the scored image's clip or photo (leave one group out:
   the figure to expect on new pictures of the same kinds);
3. the derived labels (Face, Smile, Adult, Man, Woman) image by image, what OCR would give as Text and at
   what cost, and how many persons the detector sees (Crowd);
4. the cost of each model per image.

    .venv/bin/python benchmarks/label_calibration.py [--write] [--signals cache.pickle]

``--signals`` keeps the models' raw outputs in a local pickle file (written on the first run, read on the
next ones) so that the fits and the ablation can be re-run in a second.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipelines.calibration import ScoreCalibration  # noqa: E402
from pipelines.classification.crop_check import CropCheck  # noqa: E402
from pipelines.classification.label_scores import MIN_SCORE, ClassifierLabels  # noqa: E402
from pipelines.detection import Detection  # noqa: E402
from pipelines.face_labels import face_label_confidences  # noqa: E402
from pipelines.faces.detection import FaceDetection  # noqa: E402
from pipelines.faces.types import FaceAttributes  # noqa: E402
from pipelines.image_labels import image_labels  # noqa: E402
from pipelines.image_level_calibration import DATA_FILE, Block, curve_points, fit_blocks  # noqa: E402
from pipelines.images import decode_image  # noqa: E402
from pipelines.label_fusion import fused_confidence  # noqa: E402
from pipelines.taxonomy import LabelTaxonomy  # noqa: E402
from tests.label_evaluation import (  # noqa: E402
    ImageScore,
    LabelSet,
    jpeg_bytes,
    load_label_sets,
    score_image,
    summarise,
)
from workers.models import Models  # noqa: E402
from workers.settings import Settings  # noqa: E402

MIN_CONFIDENCE = 50.0
IDENTITY = ScoreCalibration.from_points([[0.0, 0.0], [1.0, 100.0]], name="identity")
PERSON_CROWD = 5  # persons at >= 50 that would make a crowd, to report how often it would fire


@dataclass
class Signals:
    """What every model said about one image."""

    image_id: str
    detections: list[Detection]
    checked: list[Detection]  # after the crop check
    probabilities: npt.NDArray[np.float32]
    faces: list[FaceDetection]
    attributes: list[FaceAttributes]
    text_lines: list[str]
    ms: dict[str, float]


def collect(sets: Sequence[LabelSet], models: Models, taxonomy: LabelTaxonomy) -> list[Signals]:
    """Every model on every image (the packaged image-level curves are not used: they are fitted here)."""
    detector, calibration = models.label_detector(), models.label_calibration()
    classifier, face_detector = models.image_classifier(), models.label_face_detector()
    attribute_model, reader = models.attribute_model(), models.text_reader()
    crops: list[float] = []

    def timed_classify(image: Any) -> npt.NDArray[np.float32]:
        start = time.perf_counter()
        out = classifier.classify(image)
        crops.append(time.perf_counter() - start)
        return out

    check = CropCheck(timed_classify, ClassifierLabels(taxonomy, IDENTITY, IDENTITY), taxonomy)
    out = []
    for label_set in sets:
        rgb = decode_image(jpeg_bytes(label_set)).rgb
        ms: dict[str, float] = {}

        def clock(name: str, start: float) -> None:
            ms[name] = (time.perf_counter() - start) * 1000  # noqa: B023

        start = time.perf_counter()
        detections = detector.detect(rgb)
        clock("detector", start)
        crops.clear()
        checked = check.keep(rgb, detections, lambda d: calibration.confidence(d.label, d.score))
        ms["crop check"] = sum(crops) * 1000
        start = time.perf_counter()
        probabilities = classifier.classify(rgb)
        clock("classifier", start)
        start = time.perf_counter()
        faces = face_detector.detect(rgb)
        clock("faces (MTCNN)", start)
        start = time.perf_counter()
        attributes = attribute_model.analyse(rgb, [f.box for f in faces]) if faces else []
        clock("face attributes", start)
        start = time.perf_counter()
        lines = [line.text for line in reader.read(rgb)]
        clock("OCR (not used)", start)
        out.append(
            Signals(label_set.image_id, detections, checked, probabilities, faces, attributes, lines, ms)
        )
        print(
            f"  {label_set.image_id}: " + ", ".join(f"{k} {v:.0f} ms" for k, v in ms.items()), file=sys.stderr
        )
    return out


# --- judging --------------------------------------------------------------------------------------------


def group_of(label_set: LabelSet) -> str:
    """Frames of one clip form one group; every photo is its own."""
    return str(label_set.source.get("video", label_set.image_id))


# --- variants -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    name: str
    crop_check: bool = True
    classifier: bool = True
    faces: bool = True
    summed: bool = True  # False: the best single class under the label
    two_curves: bool = True
    fuse: Callable[[float | None, float | None], float] = fused_confidence


def noisy_or(a: float | None, b: float | None) -> float:
    if a is None or b is None:
        return fused_confidence(a, b)
    return 100.0 * (1.0 - (1.0 - a / 100.0) * (1.0 - b / 100.0))


def mean(a: float | None, b: float | None) -> float:
    if a is None or b is None:
        return fused_confidence(a, b)
    return (a + b) / 2.0


DESIGN = Variant("design: detector + crop check + classifier + faces")
VARIANTS = (
    Variant("detector alone (the old model)", crop_check=False, classifier=False, faces=False),
    Variant("detector + crop check", classifier=False, faces=False),
    Variant("detector + crop check + classifier", faces=False),
    DESIGN,
    replace(DESIGN, name="design without the crop check", crop_check=False),
    replace(DESIGN, name="design without the classifier (detector + faces)", classifier=False),
    replace(DESIGN, name="classifier score = best class, not the sum", summed=False),
    replace(DESIGN, name="one classifier curve, not two", two_curves=False),
    replace(DESIGN, name="detector and classifier fused by noisy-OR", fuse=noisy_or),
    replace(DESIGN, name="detector and classifier fused by the mean", fuse=mean),
)

Curves = Mapping[str, ScoreCalibration]


class Bench:
    """What the variants share: the set, the taxonomy, the detector's calibration, and the classifier
    label scores (summed, or the best class under each label)."""

    def __init__(self, sets: Sequence[LabelSet], taxonomy: LabelTaxonomy, detector: ScoreCalibration) -> None:
        self.sets = {s.image_id: s for s in sets}
        self.taxonomy = taxonomy
        self.detector = detector
        self.labels = ClassifierLabels(taxonomy, IDENTITY, IDENTITY)
        self.under: dict[str, list[int]] = {}
        for index, name in enumerate(taxonomy.classifier_labels):
            for label in (name, *taxonomy.info(name).parents):
                self.under.setdefault(label, []).append(index)

    def right(self, image_id: str, name: str) -> bool:
        """Whether the label ``name`` (or an alias) is in either tier of the image."""
        aliases = list(self.taxonomy.info(name).aliases)
        return not score_image(self.sets[image_id], {name: aliases}).false_positives

    def scores(self, probabilities: npt.NDArray[np.float32], summed: bool) -> dict[str, float]:
        if summed:
            return self.labels.scores(probabilities)
        best = {name: float(probabilities[idx].max()) for name, idx in self.under.items()}
        return {name: s for name, s in best.items() if s >= MIN_SCORE}

    def kind(self, name: str, two_curves: bool) -> str:
        if not two_curves:
            return "classifier"
        return "classifier_own" if self.labels.is_own(name) else "classifier_ancestor"

    def judged(self, signals: Sequence[Signals], variant: Variant) -> dict[str, list[tuple[float, bool]]]:
        """Judged (score, right) points per curve."""
        points: dict[str, list[tuple[float, bool]]] = {}
        for s in signals:
            for name, score in self.scores(s.probabilities, variant.summed).items():
                kind = self.kind(name, variant.two_curves)
                points.setdefault(kind, []).append((score, self.right(s.image_id, name)))
            if s.faces:
                best = max(f.confidence for f in s.faces) / 100.0
                points.setdefault("face", []).append((best, self.right(s.image_id, "Face")))
        return points

    def predict(self, s: Signals, variant: Variant, curves: Curves) -> dict[str, float]:
        """The labels at MinConfidence 50 with their confidences, as DetectLabels forms them."""
        image_level: dict[str, float] = {}
        if variant.classifier:
            for name, score in self.scores(s.probabilities, variant.summed).items():
                image_level[name] = curves[self.kind(name, variant.two_curves)].confidence(name, score)
        if variant.faces:
            attributes: list[FaceAttributes | None] = list(s.attributes)
            for name, c in face_label_confidences(s.faces, attributes, curves["face"]).items():
                image_level[name] = fused_confidence(image_level.get(name), c)
        labels = image_labels(
            s.checked if variant.crop_check else s.detections,
            self.taxonomy,
            lambda d: self.detector.confidence(d.label, d.score),
            image_level=image_level,
            fuse=variant.fuse,
            min_confidence=MIN_CONFIDENCE,
        )
        return {label.info.name: label.confidence for label in labels}

    def score(self, s: Signals, variant: Variant, curves: Curves) -> ImageScore:
        predicted = self.predict(s, variant, curves)
        return score_image(self.sets[s.image_id], {n: list(self.taxonomy.info(n).aliases) for n in predicted})

    def evaluate(
        self, signals: Sequence[Signals], variant: Variant
    ) -> tuple[list[ImageScore], list[ImageScore]]:
        """(in-sample scores, leave-one-group-out scores), image by image."""
        curves = curves_of(fit_all(self.judged(signals, variant)))
        in_sample = [self.score(s, variant, curves) for s in signals]
        held_out: dict[str, ImageScore] = {}
        for group in sorted({group_of(self.sets[s.image_id]) for s in signals}):
            train = [s for s in signals if group_of(self.sets[s.image_id]) != group]
            group_curves = curves_of(fit_all(self.judged(train, variant)))
            for s in signals:
                if group_of(self.sets[s.image_id]) == group:
                    held_out[s.image_id] = self.score(s, variant, group_curves)
        return in_sample, [held_out[s.image_id] for s in signals]


def fit_all(points: Mapping[str, list[tuple[float, bool]]]) -> dict[str, list[Block]]:
    return {kind: fit_blocks(p) for kind, p in points.items()}


def curves_of(blocks: Mapping[str, list[Block]]) -> dict[str, ScoreCalibration]:
    return {k: ScoreCalibration.from_points(curve_points(b), name=k) for k, b in blocks.items()}


# --- report ---------------------------------------------------------------------------------------------


def print_curves(blocks: Mapping[str, list[Block]]) -> None:
    for kind in ("classifier_own", "classifier_ancestor", "face"):
        rows = blocks[kind]
        print(f"**{kind}** ({sum(b.judged for b in rows)} judged labels)\n")
        print("| scores | mean | right / judged | precision (Laplace, isotonic) |\n|---|---|---|---|")
        for b in rows:
            print(
                f"| {b.low:.4f}-{b.high:.4f} | {b.mean_score:.3f} | {b.right} / {b.judged} | "
                f"{100 * b.precision:.1f} % |"
            )
        print()


def print_ablation(bench: Bench, signals: Sequence[Signals]) -> None:
    print("| variant | in-sample macro P | macro R | names | held-out macro P | macro R | names |")
    print("|---|---|---|---|---|---|---|")
    for variant in VARIANTS:
        a, b = (summarise(x) for x in bench.evaluate(signals, variant))
        bold = "**" if variant is DESIGN else ""
        print(
            f"| {bold}{variant.name}{bold} | {a.macro_precision:.2f} | {a.macro_recall:.2f} | "
            f"{a.distinct_names} | {b.macro_precision:.2f} | {b.macro_recall:.2f} | {b.distinct_names} |"
        )
    print()


def print_derived(bench: Bench, signals: Sequence[Signals], curves: Curves) -> None:
    print("| label | returned (>= 50) on | right | required on | required found |\n|---|---|---|---|---|")
    for name in ("Face", "Smile", "Adult", "Man", "Woman"):
        returned, found, required, hit, wrong = 0, 0, 0, 0, []
        for s in signals:
            got = face_label_confidences(s.faces, list(s.attributes), curves["face"])
            is_required = name.casefold() in {n.casefold() for n in bench.sets[s.image_id].required}
            required += is_required
            if got.get(name, 0.0) >= MIN_CONFIDENCE:
                returned += 1
                ok = bench.right(s.image_id, name)
                found += ok
                hit += is_required
                if not ok:
                    wrong.append(s.image_id)
        extra = f" (wrong: {', '.join(wrong)})" if wrong else ""
        print(f"| {name} | {returned} images | {found}{extra} | {required} images | {hit} |")
    print()
    text = [(s.image_id, s.text_lines) for s in signals if s.text_lines]
    ocr_ms = [s.ms["OCR (not used)"] for s in signals]
    shown = sum("Text" in bench.sets[s.image_id].required for s in signals)
    print(
        f"Text (PP-OCR, not used): lines read on {len(text)} images "
        f"({'; '.join(f'{i}: {lines!r:.60}' for i, lines in text)}); Text is required on {shown} images; "
        f"OCR {statistics.median(ocr_ms):.0f} ms median, {max(ocr_ms):.0f} ms max per image.\n"
    )
    crowds = []
    for s in signals:
        persons = sum(
            1 for d in s.checked if d.label == "person" and bench.detector.confidence(d.label, d.score) >= 50
        )
        if persons >= PERSON_CROWD:
            crowds.append(f"{s.image_id} ({persons})")
    print(
        f"Images with >= {PERSON_CROWD} persons at confidence >= 50 (Crowd): {', '.join(crowds) or 'none'}.\n"
    )


def print_costs(signals: Sequence[Signals]) -> None:
    print("| model | median ms per image | max |\n|---|---|---|")
    for name in signals[0].ms:
        values = [s.ms[name] for s in signals]
        print(f"| {name} | {statistics.median(values):.0f} | {max(values):.0f} |")
    print()


def write(blocks: Mapping[str, list[Block]], count: int) -> None:
    document = {
        "measured_on": f"{count} images of tests/data/label_sets.json (benchmarks/label_calibration.py)",
        "method": "pool-adjacent-violators over the judged labels, Laplace-smoothed block precision "
        "(pipelines/image_level_calibration.py)",
        "curves": {
            kind: {
                "raw": "MTCNN face confidence / 100" if kind == "face" else "summed ImageNet probability",
                "blocks": [
                    {"low": round(b.low, 6), "high": round(b.high, 6), "right": b.right, "judged": b.judged}
                    for b in rows
                ],
                "points": curve_points(rows),
            }
            for kind, rows in blocks.items()
        },
    }
    path = REPO / "pipelines" / DATA_FILE
    path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--write", action="store_true", help=f"write pipelines/{DATA_FILE}")
    parser.add_argument("--signals", type=Path, help="cache of the models' outputs (read if it exists)")
    args = parser.parse_args()
    sets = load_label_sets()
    models = Models(Settings())
    taxonomy = LabelTaxonomy.load_default()
    if args.signals is not None and args.signals.exists():
        signals: list[Signals] = pickle.loads(args.signals.read_bytes())
    else:
        signals = collect(sets, models, taxonomy)
        if args.signals is not None:
            args.signals.write_bytes(pickle.dumps(signals))
    bench = Bench(sets, taxonomy, models.label_calibration())
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, python {platform.python_version()}; "
        f"{len(signals)} images\n"
    )
    blocks = fit_all(bench.judged(signals, DESIGN))
    print("## Curves\n")
    print_curves(blocks)
    print("## Ablation (MinConfidence 50)\n")
    print_ablation(bench, signals)
    print("## Derived labels\n")
    print_derived(bench, signals, curves_of(blocks))
    print("## Cost per image (2 threads per model)\n")
    print_costs(signals)
    if args.write:
        write(blocks, len(signals))


if __name__ == "__main__":
    main()
