"""Word splitting, filters and the DetectText JSON, on synthetic recogniser output (no model)."""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.text.filters import TextFilter, TextFilterError, limit_words
from pipelines.text.ocr import RecognisedChar, RecognisedLine
from pipelines.text.types import Point, TextLine, TextWord
from pipelines.text.words import split_words, to_text_line
from pipelines.text_results import text_detection_results, text_detections


def chars(text: str, advance: float = 0.05, extra: dict[int, float] | None = None) -> list[RecognisedChar]:
    """Characters one ``advance`` apart; ``extra`` adds space before the character at that index."""
    out = []
    x = 0.01
    for i, c in enumerate(text):
        x += (extra or {}).get(i, 0.0)
        out.append(RecognisedChar(c, x, x + 0.01, 0.95))
        x += advance
    return out


def words(groups: list[list[RecognisedChar]]) -> list[str]:
    return ["".join(c.char for c in g) for g in groups]


def test_recogniser_spaces_split_words() -> None:
    assert words(split_words(chars("ab cd"))) == ["ab", "cd"]


def test_wide_image_gap_splits_run_together_words() -> None:
    line = chars("HelloWorld", extra={5: 0.04})
    gap = (line[4].end + 0.005, line[5].start - 0.005, 0.4)  # 0.4 line heights: a space
    assert words(split_words(line, [gap])) == ["Hello", "World"]
    # The same gap between characters at the usual advance, narrower than a strong space: no split
    # (the blank beside a narrow letter of a monospaced font).
    mono = chars("million")
    narrow = (mono[1].end + 0.005, mono[2].start - 0.005, 0.3)
    assert words(split_words(mono, [narrow])) == ["million"]


def test_sentence_case_split() -> None:
    assert words(split_words(chars("end.The"))) == ["end.", "The"]
    assert words(split_words(chars("U.S.A"))) == ["U.S.A"]


def test_text_line_geometry_and_normalisation() -> None:
    corners = np.array([[100, 50], [500, 50], [500, 90], [100, 90]], dtype=np.float32)
    line = RecognisedLine(corners, tuple(chars("ab \uff08cd\uff09", advance=0.12)), vertical=False)
    text_line = to_text_line(line, 1000, 500)
    assert text_line.text == "ab (cd)"
    assert [w.text for w in text_line.words] == ["ab", "(cd)"]
    first, second = (w.box for w in text_line.words)
    assert first.right <= second.left + 1e-6
    assert first.left >= 0.1 - 1e-6 and second.right <= 0.5 + 1e-6
    assert first.top == pytest.approx(0.1) and first.height == pytest.approx(0.08)


def _word(
    text: str, confidence: float, x: float, y: float = 0.1, w: float = 0.1, h: float = 0.05
) -> TextWord:
    quad = (Point(x, y), Point(x + w, y), Point(x + w, y + h), Point(x, y + h))
    return TextWord(text, confidence, quad)


def _line(*ws: TextWord) -> TextLine:
    first, last = ws[0].quad, ws[-1].quad
    return TextLine(" ".join(w.text for w in ws), 90.0, (first[0], last[1], last[2], first[3]), ws)


LINES = [
    _line(_word("sure", 95, 0.1), _word("maybe", 60, 0.3), _word("yes", 99, 0.5)),
    _line(_word("low", 40, 0.1, y=0.5)),
]


def test_word_filter_min_confidence_rebuilds_lines() -> None:
    kept = TextFilter.from_request(None).apply(LINES)  # MinConfidence defaults to 80
    assert [line.text for line in kept] == ["sure yes"]
    assert kept[0].confidence == pytest.approx((95 * 4 + 99 * 3) / 7)
    assert kept[0].box.left == pytest.approx(0.1) and kept[0].box.right == pytest.approx(0.6)
    everything = TextFilter.from_request({"WordFilter": {"MinConfidence": 0}}).apply(LINES)
    assert [line.text for line in everything] == ["sure maybe yes", "low"]


def test_word_filter_box_size() -> None:
    tall = TextFilter.from_request({"WordFilter": {"MinConfidence": 0, "MinBoundingBoxHeight": 0.06}})
    assert tall.apply(LINES) == []
    wide = TextFilter.from_request({"WordFilter": {"MinConfidence": 0, "MinBoundingBoxWidth": 0.1}})
    assert len(wide.apply(LINES)) == 2


def test_regions_of_interest_keep_words_more_than_half_inside() -> None:
    # 0.1-0.2 "sure" fully inside, 0.3-0.4 "maybe" 60% inside, 0.5-0.6 "yes" outside.
    box = {"BoundingBox": {"Left": 0.0, "Top": 0.0, "Width": 0.36, "Height": 0.3}}
    kept = TextFilter.from_request({"WordFilter": {"MinConfidence": 0}, "RegionsOfInterest": [box]}).apply(
        LINES
    )
    assert [line.text for line in kept] == ["sure maybe"]
    # 40% inside is not enough.
    box["BoundingBox"]["Width"] = 0.34
    kept = TextFilter.from_request({"WordFilter": {"MinConfidence": 0}, "RegionsOfInterest": [box]}).apply(
        LINES
    )
    assert [line.text for line in kept] == ["sure"]
    triangle = {"Polygon": [{"X": 0.0, "Y": 0.4}, {"X": 0.5, "Y": 0.4}, {"X": 0.0, "Y": 1.0}]}
    kept = TextFilter.from_request(
        {"WordFilter": {"MinConfidence": 0}, "RegionsOfInterest": [triangle]}
    ).apply(LINES)
    assert [line.text for line in kept] == ["low"]


@pytest.mark.parametrize(
    "region",
    [
        {},
        {"Polygon": [{"X": 0.1, "Y": 0.1}, {"X": 0.2, "Y": 0.2}]},
        {"BoundingBox": {"Width": 0.0, "Height": 1.0}},
    ],
)
def test_invalid_regions_are_refused(region: dict[str, object]) -> None:
    with pytest.raises(TextFilterError):
        TextFilter.from_request({"RegionsOfInterest": [region]})


def test_limit_words_cuts_in_reading_order() -> None:
    everything = TextFilter.from_request({"WordFilter": {"MinConfidence": 0}}).apply(LINES)
    assert [line.text for line in limit_words(everything, 2)] == ["sure maybe"]
    assert [line.text for line in limit_words(everything, 4)] == ["sure maybe yes", "low"]


def test_text_detection_json_ids() -> None:
    items = text_detections(TextFilter.from_request({"WordFilter": {"MinConfidence": 0}}).apply(LINES))
    assert [(i["Type"], i["Id"], i.get("ParentId")) for i in items] == [
        ("LINE", 0, None),
        ("LINE", 1, None),
        ("WORD", 2, 0),
        ("WORD", 3, 0),
        ("WORD", 4, 0),
        ("WORD", 5, 1),
    ]
    geometry = items[2]["Geometry"]
    assert geometry["BoundingBox"] == pytest.approx({"Width": 0.1, "Height": 0.05, "Left": 0.1, "Top": 0.1})
    assert geometry["Polygon"][2] == pytest.approx({"X": 0.2, "Y": 0.15})
    video = text_detection_results(1234, LINES[:1])
    assert {i["Timestamp"] for i in video} == {1234}
    assert video[0]["TextDetection"]["DetectedText"] == "sure maybe yes"
