"""The summary `vidrek analyze` and `vidrek results` print: what was seen, when."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console

from api.job_summary import format_ranges, print_sections, summarise, time_ranges


def label(t: int, name: str, confidence: float, boxes: int = 0) -> dict[str, Any]:
    box = {"BoundingBox": {"Left": 0, "Top": 0, "Width": 0.1, "Height": 0.1}, "Confidence": confidence}
    return {"Timestamp": t, "Label": {"Name": name, "Confidence": confidence, "Instances": [box] * boxes}}


def printed(operation: str, answer: dict[str, Any]) -> str:
    out = io.StringIO()
    print_sections(Console(file=out, width=200), [summarise(operation, answer)])
    return out.getvalue()


def test_sightings_close_together_make_one_time_range() -> None:
    assert time_ranges([0, 200, 400, 2000, 2200, 9000]) == [(0, 400), (2000, 2200), (9000, 9000)]
    assert format_ranges([(0, 400), (2000, 2200), (9000, 9000), (9500, 9800)]) == (
        "0.0s-0.4s, 2.0s-2.2s, 9.0s, +1 more"
    )


def test_labels_are_listed_most_seen_first_with_their_time_ranges() -> None:
    items = [label(t, "Car", 90.0, boxes=2) for t in range(0, 3000, 200)]
    items += [label(t, "Bicycle", 60.0, boxes=1) for t in (4000, 4200, 8000)]
    text = printed("LabelDetection", {"JobId": "abc", "JobStatus": "SUCCEEDED", "Labels": items})
    lines = [line.split() for line in text.splitlines()]
    rows = [line for line in lines if line and line[0] in ("Car", "Bicycle")]
    assert rows == [["Car", "90.0%", "2", "0.0s-2.8s"], ["Bicycle", "60.0%", "1", "4.0s-4.2s,", "8.0s"]]
    assert all(line == line.rstrip() for line in text.splitlines())


def test_persons_shots_and_text_lines() -> None:
    persons = [{"Timestamp": t, "Person": {"Index": i}} for i, t in ((0, 0), (0, 200), (1, 5000))]
    text = printed("PersonTracking", {"JobStatus": "SUCCEEDED", "Persons": persons})
    assert any(line.split()[:4] == ["0", "0.0s", "0.2s", "2"] for line in text.splitlines())
    assert any(line.split()[:4] == ["1", "5.0s", "5.0s", "1"] for line in text.splitlines())

    shot = {
        "Type": "SHOT",
        "StartTimecodeSMPTE": "00:00:00:00",
        "EndTimecodeSMPTE": "00:00:04:12",
        "DurationMillis": 4480,
        "ShotSegment": {"Index": 0},
    }
    text = printed("SegmentDetection", {"JobStatus": "SUCCEEDED", "Segments": [shot]})
    assert ["0", "00:00:00:00", "00:00:04:12", "4.5s"] in [line.split() for line in text.splitlines()]

    lines = [
        {"Timestamp": t, "TextDetection": {"Type": "LINE", "DetectedText": "OPEN 24H"}} for t in (0, 500)
    ]
    words = [{"Timestamp": 0, "TextDetection": {"Type": "WORD", "DetectedText": "OPEN"}}]
    text = printed("TextDetection", {"JobStatus": "SUCCEEDED", "TextDetections": lines + words})
    rows = [line.split()[:2] for line in text.splitlines()[2:] if line]
    assert rows == [["OPEN", "24H"]]  # lines only, not their words


def test_a_failed_job_says_why_and_an_empty_one_says_nothing_was_found() -> None:
    failed = printed(
        "LabelDetection", {"JobId": "abc", "JobStatus": "FAILED", "StatusMessage": "not a video"}
    )
    assert "FAILED" in failed and "not a video" in failed
    empty = printed("TextDetection", {"JobStatus": "SUCCEEDED", "TextDetections": []})
    assert "nothing found" in empty


def test_markup_in_names_is_printed_as_is() -> None:
    text = printed(
        "TextDetection",
        {
            "JobStatus": "SUCCEEDED",
            "TextDetections": [
                {"Timestamp": 0, "TextDetection": {"Type": "LINE", "DetectedText": "[bold]SALE[/bold]"}}
            ],
        },
    )
    assert "[bold]SALE[/bold]" in text
