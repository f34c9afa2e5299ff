"""A deterministic ground-truth video for person tracking: real person cut-outs on crossing paths.

Four people cut out of the photos in ``../shared/media`` (Obama and Biden from ``faces/two_people.jpg``,
the kneeling woman of ``images/person.jpg``, a walker from ``images/kite.jpg``) move over a seeded,
smooth noise background. Their paths cross (Obama walks behind Biden and behind the kneeling woman),
Obama leaves the frame on the right and comes back 2 s later, the walker enters late and leaves.

Each sprite is the rectangle of the person's box in the photo, so the ground-truth box of a person is the
visible part of its sprite inside the frame. Per frame the truth lists, for every person on screen, the box
(ratios of the frame) and the visible fraction of the sprite (occlusion by sprites drawn in front and the
frame border both count). The evaluation treats people with visibility < ``MIN_VISIBILITY`` as "don't
care" (a tracker is neither rewarded nor punished for them), the usual MOT convention.

Encoding: PyAV, H.264 (MPEG-4 part 2 if the FFmpeg build lacks libx264), 25 fps, 640x360, 12 s.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
from PIL import Image

from tests.media_factory import video_encoder_name

FPS = 25
SIZE = (640, 360)
SECONDS = 12.0
#: People less visible than this are "don't care" in the evaluation.
MIN_VISIBILITY = 0.5

RGBArray = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class Sprite:
    """A person cut-out: ``source`` photo under the media folder, crop box in pixels, drawn height."""

    name: str
    source: str
    crop: tuple[int, int, int, int]
    height: int


@dataclass(frozen=True)
class Walk:
    """A sprite's path: keyframes (seconds, left x, top y) in pixels, linear in between; absent outside
    ``[first key, last key]`` and between two keys where the second one's x is None."""

    sprite: Sprite
    keys: tuple[tuple[float, float | None, float], ...]
    depth: int  # larger is drawn later (in front)


@dataclass(frozen=True)
class TruthBox:
    person: int
    left: float
    top: float
    width: float
    height: float
    visibility: float


@dataclass(frozen=True)
class TruthFrame:
    timestamp_ms: int
    people: tuple[TruthBox, ...]


SPRITES = (
    Sprite("obama", "faces/two_people.jpg", (0, 0, 563, 661), 210),
    Sprite("biden", "faces/two_people.jpg", (563, 0, 1126, 661), 210),
    Sprite("kneeling", "images/person.jpg", (191, 105, 273, 382), 190),
    Sprite("walker", "images/kite.jpg", (214, 697, 275, 846), 170),
)

WALKS = (
    # Obama: left -> right behind Biden and the kneeling woman, leaves on the right, returns 2 s later.
    Walk(
        SPRITES[0],
        (
            (0.0, 20.0, 120.0),
            (5.0, 470.0, 130.0),
            (6.2, 660.0, 130.0),
            (8.2, None, 130.0),
            (8.2, 640.0, 120.0),
            (12.0, 330.0, 110.0),
        ),
        depth=1,
    ),
    # Biden: right -> left in front of everybody, then stays on the left.
    Walk(SPRITES[1], ((0.0, 450.0, 140.0), (5.0, 10.0, 140.0), (12.0, 60.0, 140.0)), depth=3),
    # The kneeling woman: slow drift in the middle, in front of Obama.
    Walk(SPRITES[2], ((0.0, 300.0, 160.0), (12.0, 340.0, 150.0)), depth=2),
    # The walker: enters from the left at 3 s, crosses behind everybody, leaves on the right.
    Walk(SPRITES[3], ((3.0, -60.0, 60.0), (10.0, 650.0, 70.0)), depth=0),
)


def _load_sprite(media: Path, sprite: Sprite) -> RGBArray:
    image = Image.open(media / sprite.source).convert("RGB").crop(sprite.crop)
    width = round(image.width * sprite.height / image.height)
    return np.asarray(image.resize((width, sprite.height), Image.Resampling.BILINEAR))


def _background(seed: int) -> RGBArray:
    rng = np.random.default_rng(seed)
    coarse = rng.uniform(60, 190, size=(9, 16, 3)).astype(np.uint8)
    smooth = Image.fromarray(coarse).resize(SIZE, Image.Resampling.BICUBIC)
    grain = rng.normal(0, 4, size=(SIZE[1], SIZE[0], 3))
    return np.clip(np.asarray(smooth, dtype=np.float64) + grain, 0, 255).astype(np.uint8)


def _position(walk: Walk, t: float) -> tuple[float, float] | None:
    keys = walk.keys
    if t < keys[0][0] or t > keys[-1][0]:
        return None
    for (t0, x0, y0), (t1, x1, y1) in itertools.pairwise(keys):
        if t0 <= t <= t1 and t1 > t0:
            if x0 is None or x1 is None:
                return None
            a = (t - t0) / (t1 - t0)
            return x0 + a * (x1 - x0), y0 + a * (y1 - y0)
    return None


def make_person_scene(path: Path, media: Path, *, seed: int = 4) -> list[TruthFrame]:
    """Write the scene to ``path`` and return the ground truth of every frame."""
    sprites = [_load_sprite(media, walk.sprite) for walk in WALKS]
    background = _background(seed)
    width, height = SIZE
    order = sorted(range(len(WALKS)), key=lambda i: WALKS[i].depth)
    truth: list[TruthFrame] = []
    count = round(FPS * SECONDS)
    with av.open(str(path), "w") as container:
        stream = container.add_stream(video_encoder_name(), rate=Fraction(FPS))
        assert isinstance(stream, av.video.stream.VideoStream)
        stream.width, stream.height = SIZE
        stream.pix_fmt = "yuv420p"
        stream.codec_context.gop_size = 25
        for frame_index in range(count):
            t = frame_index / FPS
            canvas = background.copy()
            owner = np.full((height, width), -1, dtype=np.int64)
            placed: dict[int, tuple[int, int, int, int]] = {}
            for person in order:
                pos = _position(WALKS[person], t)
                if pos is None:
                    continue
                sprite = sprites[person]
                x, y = round(pos[0]), round(pos[1])
                sh, sw = sprite.shape[:2]
                x1, y1, x2, y2 = max(x, 0), max(y, 0), min(x + sw, width), min(y + sh, height)
                if x2 <= x1 or y2 <= y1:
                    continue
                canvas[y1:y2, x1:x2] = sprite[y1 - y : y2 - y, x1 - x : x2 - x]
                owner[y1:y2, x1:x2] = person
                placed[person] = (x1, y1, x2, y2)
            people = []
            for person, (x1, y1, x2, y2) in sorted(placed.items()):
                area = sprites[person].shape[0] * sprites[person].shape[1]
                visible = int((owner[y1:y2, x1:x2] == person).sum()) / area
                people.append(
                    TruthBox(person, x1 / width, y1 / height, (x2 - x1) / width, (y2 - y1) / height, visible)
                )
            truth.append(TruthFrame(round(frame_index * 1000 / FPS), tuple(people)))
            frame = av.VideoFrame.from_ndarray(canvas, format="rgb24")
            frame.pts = frame_index
            frame.time_base = Fraction(1, FPS)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return truth
