"""What to draw when: Get* result items (Rekognition JSON) -> a :class:`Timeline` of boxes and captions.

Video results are sampled (5 frames/s by default) while a video shows 25-60, so each sampled result is
held on screen until the next sample of its track, at most :data:`MAX_HOLD_MS` (a track: one operation's
results; a gap longer than that is a time when nothing was seen). Boxes are in Rekognition's
normalised coordinates (fractions of the upright frame's width and height).
"""

from __future__ import annotations

import bisect
import colorsys
import hashlib
import itertools
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: Longest time, in ms, a sampled result stays drawn after its timestamp when no later sample of its track
#: comes. Range 100-5000. Larger bridges sparse sampling (text at 2 frames/s) but keeps boxes on things
#: that have moved or left; smaller makes boxes blink between samples.
MAX_HOLD_MS = 1000
#: How long, in ms, the start of a shot is marked (a border around the picture). Range 0-2000.
SHOT_MARK_MS = 400

RGB = tuple[int, int, int]

FACE_COLOUR: RGB = (255, 214, 0)
MATCH_COLOUR: RGB = (0, 230, 118)
TEXT_COLOUR: RGB = (0, 229, 255)
CELEBRITY_COLOUR: RGB = (255, 64, 129)
SHOT_COLOUR: RGB = (255, 61, 0)


def colour_for(key: str) -> RGB:
    """A stable, saturated colour for a label name or person index."""
    hue = int(hashlib.sha1(key.encode()).hexdigest()[:4], 16) / 0xFFFF
    r, g, b = colorsys.hsv_to_rgb(hue, 0.85, 1.0)
    return (round(r * 255), round(g * 255), round(b * 255))


@dataclass(frozen=True)
class Box:
    """A rectangle in normalised coordinates, with its caption."""

    left: float
    top: float
    width: float
    height: float
    caption: str
    colour: RGB

    @classmethod
    def from_bounding_box(cls, box: Mapping[str, Any], caption: str, colour: RGB) -> Box | None:
        try:
            left, top = float(box["Left"]), float(box["Top"])
            width, height = float(box["Width"]), float(box["Height"])
        except (KeyError, TypeError, ValueError):
            return None
        return cls(left, top, width, height, caption, colour)


@dataclass(frozen=True)
class Shot:
    """One shot (or technical cue) from GetSegmentDetection, in ms."""

    start_ms: int
    end_ms: int
    caption: str


@dataclass
class Track:
    """One operation's results: boxes and captions by timestamp, held until the next sample."""

    boxes: dict[int, list[Box]] = field(default_factory=lambda: defaultdict(list))
    captions: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))

    def timestamps(self) -> list[int]:
        return sorted(set(self.boxes) | set(self.captions))


@dataclass(frozen=True)
class Frame:
    """What to draw on the picture shown at one instant."""

    boxes: tuple[Box, ...]
    captions: tuple[str, ...]
    shot: str | None
    shot_starts: bool


class Timeline:
    """Every track and shot of one or more jobs on one video; :meth:`at` says what to draw at a time."""

    def __init__(self, tracks: Iterable[Track], shots: Sequence[Shot] = ()) -> None:
        self._tracks = []
        for track in tracks:
            times = track.timestamps()
            if times:
                self._tracks.append((track, times, _hold_ms(times)))
        self._shots = sorted(shots, key=lambda s: s.start_ms)
        self._shot_starts = [s.start_ms for s in self._shots]

    @property
    def empty(self) -> bool:
        return not self._tracks and not self._shots

    def at(self, time_ms: float) -> Frame:
        boxes: list[Box] = []
        captions: list[str] = []
        for track, times, hold in self._tracks:
            i = bisect.bisect_right(times, time_ms + 0.5) - 1
            if i < 0:
                continue
            stamp = times[i]
            next_stamp = times[i + 1] if i + 1 < len(times) else None
            held_until = stamp + hold if next_stamp is None else min(next_stamp, stamp + hold)
            if time_ms <= held_until:
                boxes += track.boxes.get(stamp, [])
                captions += track.captions.get(stamp, [])
        shot, starts = None, False
        j = bisect.bisect_right(self._shot_starts, time_ms + 0.5) - 1
        if j >= 0 and time_ms <= self._shots[j].end_ms + 0.5:
            shot = self._shots[j].caption
            starts = time_ms - self._shots[j].start_ms < SHOT_MARK_MS
        return Frame(tuple(boxes), tuple(captions), shot, starts)


def _hold_ms(times: Sequence[int]) -> float:
    """How long a sample of a track is held: 1.5 sampling intervals (the median gap), at most MAX_HOLD_MS."""
    gaps = [b - a for a, b in itertools.pairwise(times) if b > a]
    if not gaps:
        return float(min(MAX_HOLD_MS, 400))
    return float(min(MAX_HOLD_MS, 1.5 * statistics.median(gaps)))


def _percent(value: Any) -> str:
    try:
        return f"{float(value):.0f}%"
    except (TypeError, ValueError):
        return ""


# --- one converter per Get* results member ------------------------------------------------------


def label_track(items: Iterable[Mapping[str, Any]]) -> Track:
    """GetLabelDetection (AggregateBy TIMESTAMPS): a box per instance; labels without boxes as captions."""
    track = Track()
    for item in items:
        label = item.get("Label") or {}
        name, stamp = str(label.get("Name", "?")), int(item.get("Timestamp", 0))
        instances = label.get("Instances") or []
        placed = False
        for instance in instances:
            caption = f"{name} {_percent(instance.get('Confidence', label.get('Confidence')))}"
            box = Box.from_bounding_box(instance.get("BoundingBox") or {}, caption, colour_for(name))
            if box is not None:
                track.boxes[stamp].append(box)
                placed = True
        if not placed:  # scene-level labels (Transportation, Vehicle ...) have no box
            track.captions[stamp].append(f"{name} {_percent(label.get('Confidence'))}")
    return track


def person_track(items: Iterable[Mapping[str, Any]]) -> Track:
    """GetPersonTracking: each person's box captioned with its index."""
    track = Track()
    for item in items:
        person = item.get("Person") or {}
        index = person.get("Index", "?")
        box = Box.from_bounding_box(
            person.get("BoundingBox") or {}, f"Person {index}", colour_for(f"person-{index}")
        )
        if box is not None:
            track.boxes[int(item.get("Timestamp", 0))].append(box)
    return track


def face_track(items: Iterable[Mapping[str, Any]]) -> Track:
    """GetFaceDetection: face boxes with their confidence (and age range when reported)."""
    track = Track()
    for item in items:
        face = item.get("Face") or {}
        caption = f"face {_percent(face.get('Confidence'))}"
        age = face.get("AgeRange")
        if isinstance(age, Mapping) and "Low" in age and "High" in age:
            caption += f" {age['Low']}-{age['High']}"
        box = Box.from_bounding_box(face.get("BoundingBox") or {}, caption, FACE_COLOUR)
        if box is not None:
            track.boxes[int(item.get("Timestamp", 0))].append(box)
    return track


def face_search_track(items: Iterable[Mapping[str, Any]]) -> Track:
    """GetFaceSearch: each person's box with its index and best collection match (face box when seen)."""
    track = Track()
    for item in items:
        person = item.get("Person") or {}
        index = person.get("Index", "?")
        matches = item.get("FaceMatches") or []
        stamp = int(item.get("Timestamp", 0))
        caption, colour = f"Person {index}", colour_for(f"person-{index}")
        if matches:
            best = max(matches, key=lambda m: float(m.get("Similarity", 0)))
            face = best.get("Face") or {}
            who = face.get("ExternalImageId") or str(face.get("FaceId", "?"))[:8]
            caption, colour = f"Person {index}: {who} {_percent(best.get('Similarity'))}", MATCH_COLOUR
        box = Box.from_bounding_box(person.get("BoundingBox") or {}, caption, colour)
        face_box = Box.from_bounding_box((person.get("Face") or {}).get("BoundingBox") or {}, "", colour)
        for drawn in (box, face_box):
            if drawn is not None:
                track.boxes[stamp].append(drawn)
    return track


def text_track(items: Iterable[Mapping[str, Any]]) -> Track:
    """GetTextDetection: a box per LINE with its text."""
    track = Track()
    for item in items:
        text = item.get("TextDetection") or {}
        if text.get("Type") != "LINE":
            continue
        geometry = text.get("Geometry") or {}
        box = Box.from_bounding_box(
            geometry.get("BoundingBox") or {}, str(text.get("DetectedText", "")), TEXT_COLOUR
        )
        if box is not None:
            track.boxes[int(item.get("Timestamp", 0))].append(box)
    return track


def moderation_track(items: Iterable[Mapping[str, Any]]) -> Track:
    """GetContentModeration: whole-frame labels, as captions."""
    track = Track()
    for item in items:
        label = item.get("ModerationLabel") or {}
        track.captions[int(item.get("Timestamp", 0))].append(
            f"moderation: {label.get('Name', '?')} {_percent(label.get('Confidence'))}"
        )
    return track


def celebrity_track(items: Iterable[Mapping[str, Any]]) -> Track:
    """GetCelebrityRecognition: the recognised person's face box with their name."""
    track = Track()
    for item in items:
        celebrity = item.get("Celebrity") or {}
        box_source = celebrity.get("BoundingBox") or (celebrity.get("Face") or {}).get("BoundingBox") or {}
        caption = f"{celebrity.get('Name', '?')} {_percent(celebrity.get('Confidence'))}"
        box = Box.from_bounding_box(box_source, caption, CELEBRITY_COLOUR)
        if box is not None:
            track.boxes[int(item.get("Timestamp", 0))].append(box)
    return track


def segment_shots(items: Iterable[Mapping[str, Any]]) -> list[Shot]:
    """GetSegmentDetection: shots ("Shot 3") and technical cues ("BlackFrames")."""
    shots = []
    for item in items:
        start, end = int(item.get("StartTimestampMillis", 0)), int(item.get("EndTimestampMillis", 0))
        timecode = str(item.get("StartTimecodeSMPTE", ""))
        if item.get("Type") == "SHOT":
            index = (item.get("ShotSegment") or {}).get("Index", "?")
            shots.append(Shot(start, end, f"Shot {index}  {timecode}".strip()))
        elif item.get("Type") == "TECHNICAL_CUE":
            cue = (item.get("TechnicalCueSegment") or {}).get("Type", "cue")
            shots.append(Shot(start, end, f"{cue}  {timecode}".strip()))
    return shots


#: The converter of each Get* results member (the operation's ``results_member``), by operation name.
TRACKS = {
    "LabelDetection": label_track,
    "PersonTracking": person_track,
    "FaceDetection": face_track,
    "FaceSearch": face_search_track,
    "TextDetection": text_track,
    "ContentModeration": moderation_track,
    "CelebrityRecognition": celebrity_track,
}


def timeline(results: Mapping[str, Sequence[Mapping[str, Any]]]) -> Timeline:
    """The timeline of several jobs' results, ``{operation name: result items}`` (SegmentDetection's
    segments become shots)."""
    tracks = [convert(results[name]) for name, convert in TRACKS.items() if name in results]
    shots = segment_shots(results.get("SegmentDetection", []))
    return Timeline(tracks, shots)
