"""DetectLabels' label quality on the hand-labelled set (tests/data/label_sets.json) stays above its floors.

The floors sit a little below what benchmarks/label_quality.py measured (benchmarks/label_quality.md):
macro precision 0.60 and macro recall 0.22 at MinConfidence 50 with centernet-human-models-3.0.4.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.label_evaluation import jpeg_bytes, load_label_sets, predicted_from_labels, score_image, summarise

MIN_CONFIDENCE = 50
MACRO_PRECISION_FLOOR = 0.55
MACRO_RECALL_FLOOR = 0.20


@pytest.mark.slow
def test_macro_precision_and_recall_stay_above_the_floors(rek: Any) -> None:
    sets = load_label_sets()
    assert len(sets) >= 40
    scores = []
    for label_set in sets:
        response = rek.detect_labels(Image={"Bytes": jpeg_bytes(label_set)}, MinConfidence=MIN_CONFIDENCE)
        assert all(label["Confidence"] >= MIN_CONFIDENCE for label in response["Labels"])
        scores.append(score_image(label_set, predicted_from_labels(response["Labels"])))
    summary = summarise(scores)
    detail = (
        f"macro P {summary.macro_precision:.3f}, macro R {summary.macro_recall:.3f}; "
        f"most often wrong {summary.false_positives[:8]}; most often missed {summary.misses[:8]}"
    )
    assert summary.macro_precision >= MACRO_PRECISION_FLOOR, detail
    assert summary.macro_recall >= MACRO_RECALL_FLOOR, detail
