"""A readable summary of finished jobs' Get* answers: top labels with time ranges, persons, faces, face
matches, text lines, moderation labels, shots (the text `vidrek analyze` and `vidrek results` print).

:func:`summarise` turns one merged Get* answer into a :class:`Section` (plain data, tested without a
terminal); :func:`print_sections` prints sections as aligned tables with rich.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from workers.job_progress import clock

#: Two sightings of the same thing at most this far apart (ms) belong to one time range. Range 200-10000.
#: Above the sampling interval of every operation (200 ms at 5 frames/s, 500 ms at 2); larger merges
#: separate appearances, smaller splits one appearance wherever a frame missed it.
MERGE_GAP_MS = 1000
#: Rows shown per section (the most seen first); `--json` gives everything.
TOP_ROWS = 15
#: Time ranges listed per row; more are counted as "+N more".
MAX_RANGES = 3
#: Width of the text written to a file or pipe (no terminal to fit).
WIDE = 200
#: Columns aligned left (besides the first); the others hold numbers.
LEFT_COLUMNS = frozenset({"seen", "text", "matched face", "attributes"})


@dataclass
class Section:
    """One table: a title, column names, rows of cells, and an optional note under it."""

    title: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]] = field(default_factory=list)
    note: str = ""


def seconds(ms: float) -> str:
    """``4.4s`` under a minute, ``1:04.4`` after."""
    if ms < 60_000:
        return f"{ms / 1000:.1f}s"
    minutes, rest = divmod(ms / 1000, 60)
    return f"{int(minutes)}:{rest:04.1f}"


def time_ranges(timestamps: Iterable[int], gap_ms: int = MERGE_GAP_MS) -> list[tuple[int, int]]:
    """Sorted timestamps merged into ``(first, last)`` ranges wherever they are at most ``gap_ms`` apart."""
    ranges: list[tuple[int, int]] = []
    for stamp in sorted(set(timestamps)):
        if ranges and stamp - ranges[-1][1] <= gap_ms:
            ranges[-1] = (ranges[-1][0], stamp)
        else:
            ranges.append((stamp, stamp))
    return ranges


def format_ranges(ranges: Sequence[tuple[int, int]], limit: int = MAX_RANGES) -> str:
    parts = [seconds(a) if a == b else f"{seconds(a)}-{seconds(b)}" for a, b in ranges[:limit]]
    if len(ranges) > limit:
        parts.append(f"+{len(ranges) - limit} more")
    return ", ".join(parts)


def _percent(value: Any) -> str:
    try:
        return f"{float(value):.1f}%"
    except (TypeError, ValueError):
        return "-"


def _top(groups: Mapping[str, list[int]], limit: int = TOP_ROWS) -> tuple[list[tuple[str, list[int]]], int]:
    ordered = sorted(groups.items(), key=lambda kv: (-len(set(kv[1])), min(kv[1]), kv[0]))
    return ordered[:limit], max(0, len(ordered) - limit)


def _more(hidden: int, what: str) -> str:
    return f"... and {hidden} more {what} (--json lists everything)" if hidden else ""


# --- one summariser per operation -----------------------------------------------------------------


def _labels(answer: Mapping[str, Any]) -> Section:
    seen: dict[str, list[int]] = defaultdict(list)
    best: dict[str, float] = defaultdict(float)
    boxes: dict[str, int] = defaultdict(int)
    for item in answer.get("Labels", []):
        label = item.get("Label", {})
        name = str(label.get("Name", "?"))
        seen[name].append(int(item.get("Timestamp", 0)))
        best[name] = max(best[name], float(label.get("Confidence", 0)))
        boxes[name] = max(boxes[name], len(label.get("Instances", [])))
    rows, hidden = _top(seen)
    section = Section("Labels", ("label", "max conf", "most at once", "seen"), note=_more(hidden, "labels"))
    for name, stamps in rows:
        at_once = str(boxes[name]) if boxes[name] else "-"
        section.rows.append((name, _percent(best[name]), at_once, format_ranges(time_ranges(stamps))))
    return section


def _persons(answer: Mapping[str, Any]) -> Section:
    seen: dict[str, list[int]] = defaultdict(list)
    faces: dict[str, int] = defaultdict(int)
    for item in answer.get("Persons", []):
        person = item.get("Person", {})
        index = str(person.get("Index", "?"))
        seen[index].append(int(item.get("Timestamp", 0)))
        faces[index] += "Face" in person
    ordered = sorted(seen.items(), key=lambda kv: int(kv[0]) if kv[0].isdigit() else -1)
    section = Section("Persons", ("person", "first", "last", "frames", "with face", "seen"))
    for index, stamps in ordered[:TOP_ROWS]:
        section.rows.append(
            (
                index,
                seconds(min(stamps)),
                seconds(max(stamps)),
                str(len(stamps)),
                str(faces[index]),
                format_ranges(time_ranges(stamps)),
            )
        )
    section.note = _more(max(0, len(ordered) - TOP_ROWS), "persons")
    return section


def _faces(answer: Mapping[str, Any]) -> Section:
    by_time: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    for item in answer.get("Faces", []):
        by_time[int(item.get("Timestamp", 0))].append(item.get("Face", {}))
    section = Section("Faces", ("seen", "frames", "most at once", "max conf", "attributes"))
    ranges = time_ranges(by_time)
    for first, last in ranges[:TOP_ROWS]:
        stamps = [t for t in by_time if first <= t <= last]
        faces = [f for t in stamps for f in by_time[t]]
        section.rows.append(
            (
                f"{seconds(first)}-{seconds(last)}" if first != last else seconds(first),
                str(len(stamps)),
                str(max(len(by_time[t]) for t in stamps)),
                _percent(max(float(f.get("Confidence", 0)) for f in faces)),
                _face_attributes(faces),
            )
        )
    total = sum(len(v) for v in by_time.values())
    section.note = f"{total} face detections in {len(by_time)} frames" + (
        f"; {len(ranges) - TOP_ROWS} more time ranges (--json)" if len(ranges) > TOP_ROWS else ""
    )
    return section


def _face_attributes(faces: Sequence[Mapping[str, Any]]) -> str:
    genders = [f["Gender"]["Value"] for f in faces if isinstance(f.get("Gender"), Mapping)]
    ages = [f["AgeRange"] for f in faces if isinstance(f.get("AgeRange"), Mapping)]
    parts = []
    if genders:
        parts.append(max(set(genders), key=genders.count))
    if ages:
        parts.append(f"age {min(a['Low'] for a in ages)}-{max(a['High'] for a in ages)}")
    return ", ".join(parts) or "-"


def _face_search(answer: Mapping[str, Any]) -> Section:
    seen: dict[tuple[str, str], list[int]] = defaultdict(list)
    similarity: dict[tuple[str, str], float] = defaultdict(float)
    for item in answer.get("Persons", []):
        index = str(item.get("Person", {}).get("Index", "?"))
        matches = item.get("FaceMatches") or []
        stamp = int(item.get("Timestamp", 0))
        if not matches:
            seen[(index, "")].append(stamp)
        for match in matches:
            face = match.get("Face", {})
            who = str(face.get("ExternalImageId") or face.get("FaceId", "?"))
            seen[(index, who)].append(stamp)
            similarity[(index, who)] = max(similarity[(index, who)], float(match.get("Similarity", 0)))
    section = Section("Face matches", ("person", "matched face", "max similarity", "seen"))
    matched = {k: v for k, v in seen.items() if k[1]}
    for (index, who), stamps in sorted(matched.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:TOP_ROWS]:
        best = _percent(similarity[(index, who)])
        section.rows.append((index, who, best, format_ranges(time_ranges(stamps))))
    unmatched = sorted({k[0] for k in seen if not k[1]} - {k[0] for k in matched})
    if unmatched:
        section.note = f"persons without a match in the collection: {', '.join(unmatched)}"
    return section


def _text(answer: Mapping[str, Any]) -> Section:
    seen: dict[str, list[int]] = defaultdict(list)
    for item in answer.get("TextDetections", []):
        text = item.get("TextDetection", {})
        if text.get("Type") == "LINE":
            seen[str(text.get("DetectedText", ""))].append(int(item.get("Timestamp", 0)))
    rows, hidden = _top(seen)
    section = Section("Text lines", ("text", "frames", "seen"), note=_more(hidden, "lines"))
    for line, stamps in sorted(rows, key=lambda kv: min(kv[1])):
        section.rows.append((line, str(len(stamps)), format_ranges(time_ranges(stamps))))
    return section


def _moderation(answer: Mapping[str, Any]) -> Section:
    seen: dict[str, list[int]] = defaultdict(list)
    best: dict[str, float] = defaultdict(float)
    for item in answer.get("ModerationLabels", []):
        label = item.get("ModerationLabel", {})
        name = "/".join(p for p in (label.get("ParentName"), label.get("Name")) if p)
        seen[name].append(int(item.get("Timestamp", 0)))
        best[name] = max(best[name], float(label.get("Confidence", 0)))
    rows, hidden = _top(seen)
    section = Section("Moderation labels", ("label", "max conf", "seen"), note=_more(hidden, "labels"))
    for name, stamps in rows:
        section.rows.append((name, _percent(best[name]), format_ranges(time_ranges(stamps))))
    return section


def _celebrities(answer: Mapping[str, Any]) -> Section:
    seen: dict[str, list[int]] = defaultdict(list)
    best: dict[str, float] = defaultdict(float)
    for item in answer.get("Celebrities", []):
        celebrity = item.get("Celebrity", {})
        name = str(celebrity.get("Name", "?"))
        seen[name].append(int(item.get("Timestamp", 0)))
        best[name] = max(best[name], float(celebrity.get("Confidence", 0)))
    rows, hidden = _top(seen)
    section = Section("Celebrities", ("name", "max conf", "seen"), note=_more(hidden, "people"))
    for name, stamps in rows:
        section.rows.append((name, _percent(best[name]), format_ranges(time_ranges(stamps))))
    return section


def _segments(answer: Mapping[str, Any]) -> Section:
    shots = [s for s in answer.get("Segments", []) if s.get("Type") == "SHOT"]
    cues = [s for s in answer.get("Segments", []) if s.get("Type") == "TECHNICAL_CUE"]
    section = Section("Shots", ("shot", "start", "end", "duration"))
    for shot in shots[:TOP_ROWS]:
        section.rows.append(
            (
                str(shot.get("ShotSegment", {}).get("Index", "?")),
                str(shot.get("StartTimecodeSMPTE", "")),
                str(shot.get("EndTimecodeSMPTE", "")),
                seconds(float(shot.get("DurationMillis", 0))),
            )
        )
    notes = []
    if len(shots) > TOP_ROWS:
        notes.append(f"{len(shots) - TOP_ROWS} more shots (--json)")
    for cue in cues:
        kind = cue.get("TechnicalCueSegment", {}).get("Type", "cue")
        notes.append(f"{kind} {cue.get('StartTimecodeSMPTE', '')}-{cue.get('EndTimecodeSMPTE', '')}")
    section.note = "; ".join(notes)
    return section


SUMMARISERS: dict[str, Callable[[Mapping[str, Any]], Section]] = {
    "LabelDetection": _labels,
    "PersonTracking": _persons,
    "FaceDetection": _faces,
    "FaceSearch": _face_search,
    "TextDetection": _text,
    "ContentModeration": _moderation,
    "CelebrityRecognition": _celebrities,
    "SegmentDetection": _segments,
}


def video_line(answer: Mapping[str, Any]) -> str:
    """``10.0 s of 640x272 h264 video at 25 fps`` from the answer's VideoMetadata."""
    meta = answer.get("VideoMetadata") or {}
    if isinstance(meta, list):
        meta = meta[0] if meta else {}
    if not meta:
        return ""
    rate = meta.get("FrameRate")
    return (
        f"{clock(float(meta.get('DurationMillis', 0)))} ({seconds(float(meta.get('DurationMillis', 0)))}) of "
        f"{meta.get('FrameWidth')}x{meta.get('FrameHeight')} {meta.get('Codec', '')} video"
        + (f" at {float(rate):g} fps" if rate else "")
    )


def summarise(operation: str, answer: Mapping[str, Any]) -> Section:
    """The section of one job: its results, or why there are none."""
    title = f"{operation} {str(answer.get('JobId', ''))[:12]}".strip()
    status = answer.get("JobStatus", "?")
    if status != "SUCCEEDED":
        message = answer.get("StatusMessage", "")
        return Section(f"{title}: {status}", (), note=str(message))
    summariser = SUMMARISERS.get(operation)
    if summariser is None:
        return Section(title, (), note="no summary for this operation (--json)")
    section = summariser(answer)
    section.title = f"{section.title} ({title})"
    if not section.rows and not section.note:
        section.note = "nothing found"
    return section


def print_sections(console: Console, sections: Iterable[Section]) -> None:
    """Each section as its title, an aligned table without borders and its note (no markup parsed)."""
    for section in sections:
        console.print(Text(section.title, style="bold"))
        if section.rows:
            table = Table(
                box=None, show_edge=False, pad_edge=False, header_style="bold", padding=(0, 2, 0, 0)
            )
            for i, column in enumerate(section.columns):
                left = i == 0 or column in LEFT_COLUMNS
                table.add_column(column, justify="left" if left else "right")
            for row in section.rows:
                table.add_row(*(Text(cell) for cell in row))
            print_table(console, table)
        if section.note:
            console.print(Text(section.note))
        console.print()


def print_table(console: Console, table: Table) -> None:
    """``table`` without the trailing blanks rich pads its last column with."""
    with console.capture() as captured:
        console.print(table)
    console.file.write("\n".join(line.rstrip() for line in captured.get().splitlines()) + "\n")


def make_console(*, stderr: bool = False) -> Console:
    """A console that wraps at the terminal's width, or not at all when the output is a file or pipe."""
    stream = sys.stderr if stderr else sys.stdout
    return Console(stderr=stderr, highlight=False, width=None if stream.isatty() else WIDE)
