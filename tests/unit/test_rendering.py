"""Annotated video: results become boxes on the right pictures, at the right places, upright."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt
from PIL import Image

from pipelines.rendering.draw import draw_frame
from pipelines.rendering.overlays import Frame, timeline
from pipelines.rendering.video import picture_at, render_still, render_video
from tests import media_factory

#: Inside the black top quarter of media_factory's index pictures.
BOX = {"Left": 0.1, "Top": 0.05, "Width": 0.5, "Height": 0.15}


def label_item(timestamp: int, box: dict[str, float] = BOX, name: str = "Car") -> dict[str, Any]:
    return {
        "Timestamp": timestamp,
        "Label": {"Name": name, "Confidence": 90.0, "Instances": [{"BoundingBox": box, "Confidence": 90.0}]},
    }


def decoded(path: Path) -> dict[int, npt.NDArray[np.uint8]]:
    """Every picture of ``path`` by its time in ms."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return {
            round(float(f.pts * f.time_base) * 1000): f.to_ndarray(format="rgb24")
            for f in container.decode(stream)
        }


def top_edge(image: npt.NDArray[np.uint8], box: dict[str, float]) -> npt.NDArray[np.uint8]:
    """The pixels of the box's top edge line (inside its left and right ends)."""
    height, width = image.shape[:2]
    y = round(box["Top"] * height) + 1
    x0, x1 = round(box["Left"] * width), round((box["Left"] + box["Width"]) * width)
    return image[y, x0 + (x1 - x0) // 2 : x1 - 4]


def test_a_sample_is_held_until_the_next_one_and_no_longer() -> None:
    drawn = timeline({"LabelDetection": [label_item(t) for t in (0, 200, 400)] + [label_item(2000)]})
    assert len(drawn.at(0).boxes) == 1
    assert len(drawn.at(399).boxes) == 1  # the 200 ms sample, held until the 400 ms one
    assert len(drawn.at(700).boxes) == 1  # the last of the run is held 1.5 sampling intervals
    assert drawn.at(800).boxes == ()
    assert drawn.at(1999).boxes == ()
    assert drawn.at(2000).boxes[0].caption == "Car 90%"


def test_each_operation_is_drawn_with_its_own_caption() -> None:
    drawn = timeline(
        {
            "PersonTracking": [{"Timestamp": 100, "Person": {"Index": 3, "BoundingBox": BOX}}],
            "FaceSearch": [
                {
                    "Timestamp": 100,
                    "Person": {"Index": 0, "BoundingBox": BOX},
                    "FaceMatches": [
                        {"Similarity": 99.0, "Face": {"FaceId": "f", "ExternalImageId": "alice"}}
                    ],
                }
            ],
            "TextDetection": [
                {
                    "Timestamp": 100,
                    "TextDetection": {
                        "Type": "LINE",
                        "DetectedText": "EXIT",
                        "Geometry": {"BoundingBox": BOX},
                    },
                },
                {
                    "Timestamp": 100,
                    "TextDetection": {
                        "Type": "WORD",
                        "DetectedText": "EXIT",
                        "Geometry": {"BoundingBox": BOX},
                    },
                },
            ],
            "ContentModeration": [
                {"Timestamp": 100, "ModerationLabel": {"Name": "Explicit", "Confidence": 91.0}}
            ],
            "SegmentDetection": [
                {
                    "Type": "SHOT",
                    "StartTimestampMillis": 0,
                    "EndTimestampMillis": 900,
                    "StartTimecodeSMPTE": "00:00:00:00",
                    "ShotSegment": {"Index": 0, "Confidence": 80.0},
                }
            ],
        }
    )
    frame = drawn.at(100)
    assert {b.caption for b in frame.boxes} >= {"Person 3", "Person 0: alice 99%", "EXIT"}
    assert frame.captions == ("moderation: Explicit 91%",)
    assert frame.shot == "Shot 0  00:00:00:00"
    assert frame.shot_starts
    assert not drawn.at(600).shot_starts


def test_a_box_is_drawn_on_its_place_and_nowhere_else() -> None:
    image = np.zeros((240, 320, 3), dtype=np.uint8)
    (box,) = timeline({"LabelDetection": [label_item(0)]}).at(0).boxes
    out = draw_frame(image, Frame((box,), (), None, False))
    assert top_edge(out, BOX).mean() > 100
    assert out[200:, :].max() == 0  # below the box nothing changed
    assert image.max() == 0  # the input is left alone


def test_the_video_keeps_every_picture_and_its_time_and_shows_boxes_only_when_they_were_seen(
    tmp_path: Path,
) -> None:
    source = tmp_path / "clip.mp4"
    times = media_factory.make_cfr_clip(source, fps=25, seconds=1.2)
    target = tmp_path / "out.mp4"
    report = render_video(source, target, timeline({"LabelDetection": [label_item(400)]}))
    assert report.frames == len(times)
    pictures = decoded(target)
    assert sorted(pictures) == times
    for index, stamp in enumerate(times):
        picture = pictures[stamp]
        assert media_factory.read_frame_index(picture) == index  # the right picture at the right time
        has_box = top_edge(picture, BOX).mean() > 60
        assert has_box == (400 <= stamp <= 800), stamp  # held 400 ms (no later sample)


def test_a_rotated_video_is_drawn_upright(tmp_path: Path) -> None:
    source = tmp_path / "rotated.mp4"
    media_factory.make_rotated_clip(source, rotation=90, seconds=0.4, size=(320, 180))
    target = tmp_path / "frame.png"
    shown = render_still(source, target, 120, timeline({"LabelDetection": [label_item(120)]}))
    assert shown == 120
    picture = np.asarray(Image.open(target).convert("RGB"))
    assert picture.shape[:2] == (320, 180)  # portrait, as players show it
    height, width = picture.shape[:2]
    marker = picture[: height // 8, width - width // 8 :]
    assert marker[..., 0].mean() > 150 and marker[..., 1].mean() < 100  # the red marker, top right


def test_the_still_is_the_picture_shown_at_that_time(tmp_path: Path) -> None:
    source = tmp_path / "clip.mp4"
    media_factory.make_cfr_clip(source, fps=25, seconds=2.0)
    shown, image = picture_at(source, 1010)  # between the pictures at 1000 and 1040
    assert shown == 1000
    assert media_factory.read_frame_index(image) == 25
