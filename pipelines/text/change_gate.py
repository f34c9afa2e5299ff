"""Video OCR that re-reads only what changed since the last frame it read.

OCR costs 0.2-1.5 s per frame, and text on screen (titles, signs, slides, subtitles) usually stays for
seconds while other things move. Each sampled frame is compared with the last frame that was read:

    thumbnail   = grey picture scaled (area average) so its longer side is ``thumb_side`` pixels
    block diffs = mean |thumbnail - reference thumbnail| over each ``block`` x ``block`` cell

1. No cell differs by more than ``max_diff`` grey levels: nothing changed; the previous lines are
   reported again at the new timestamp (no model runs at all).
2. Otherwise the text detector runs (it is needed to see new text anywhere). For each region it finds,
   if the previous frame had a line in the same place (box IoU >= ``same_box_iou``) and none of the
   cells under the region changed, that line's recognition is reused; only new or changed regions go
   through the recogniser.

Using the most-changed cell rather than the whole-frame mean means a new subtitle covering 2% of the
picture still counts as a change, while compression noise (averaged away by the thumbnail) does not.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from pipelines.detection import RGBImage
from pipelines.geometry import BoundingBox
from pipelines.text.ocr import OcrEngine, RecognisedLine
from pipelines.text.types import TextLine
from pipelines.text.words import DEFAULT_RULE, WordSplitRule, to_text_line

DEFAULT_MAX_DIFF = 8.0
DEFAULT_THUMB_SIDE = 256
DEFAULT_BLOCK = 8
DEFAULT_SAME_BOX_IOU = 0.8


def thumbnail(rgb: RGBImage, side: int) -> npt.NDArray[np.float32]:
    h, w = rgb.shape[:2]
    scale = min(1.0, side / max(h, w))
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return np.asarray(cv2.resize(grey, size, interpolation=cv2.INTER_AREA), dtype=np.float32)


def block_differences(
    a: npt.NDArray[np.float32], b: npt.NDArray[np.float32], block: int
) -> npt.NDArray[np.float32]:
    """Mean absolute difference per ``block`` x ``block`` cell (edge cells padded by repetition)."""
    diff = np.abs(a - b)
    h, w = diff.shape
    padded = np.pad(diff, ((0, -h % block), (0, -w % block)), mode="edge")
    cells = padded.reshape(padded.shape[0] // block, block, padded.shape[1] // block, block)
    return np.asarray(cells.mean(axis=(1, 3)), dtype=np.float32)


@dataclass
class ReadStats:
    """What the reader did: sampled frames, frames with no change at all, detector runs, and text
    regions recognised vs reused from the previous read."""

    frames: int = 0
    unchanged_frames: int = 0
    detector_runs: int = 0
    regions_recognised: int = 0
    regions_reused: int = 0


def _box(corners: npt.NDArray[np.float32], width: int, height: int) -> BoundingBox:
    xs, ys = corners[:, 0], corners[:, 1]
    return BoundingBox.from_corners(
        float(xs.min()) / width, float(ys.min()) / height, float(xs.max()) / width, float(ys.max()) / height
    )


class IncrementalTextReader:
    """Reads the text of consecutive video frames, re-running OCR only where the picture changed.

    ``max_diff``: grey levels (0-255, default 8); 0 disables all reuse (every frame fully read). Too
    low and noise or camera shake trigger reads (no saving); too high and a small text change (one
    word of a subtitle, a ticking counter) is missed until something larger changes.
    ``thumb_side`` (pixels, default 256) and ``block`` (thumbnail pixels, default 8) set the smallest
    change noticed: about ``block / thumb_side`` (1/32) of the picture's longer side.
    ``same_box_iou``: how closely a region must match the previous frame's to reuse its reading.
    """

    def __init__(
        self,
        engine: OcrEngine,
        *,
        rule: WordSplitRule = DEFAULT_RULE,
        max_diff: float = DEFAULT_MAX_DIFF,
        thumb_side: int = DEFAULT_THUMB_SIDE,
        block: int = DEFAULT_BLOCK,
        same_box_iou: float = DEFAULT_SAME_BOX_IOU,
    ) -> None:
        if max_diff < 0:
            raise ValueError(f"max_diff must be >= 0, got {max_diff}")
        self.engine = engine
        self.rule = rule
        self.max_diff = max_diff
        self.thumb_side = thumb_side
        self.block = block
        self.same_box_iou = same_box_iou
        self.stats = ReadStats()
        self._reference: npt.NDArray[np.float32] | None = None
        self._recognised: list[RecognisedLine] = []
        self._lines: list[TextLine] = []

    def read(self, rgb: RGBImage) -> list[TextLine]:
        self.stats.frames += 1
        height, width = rgb.shape[:2]
        thumb = thumbnail(rgb, self.thumb_side)
        cells: npt.NDArray[np.float32] | None = None
        if self.max_diff > 0 and self._reference is not None and self._reference.shape == thumb.shape:
            cells = block_differences(thumb, self._reference, self.block)
            if float(cells.max()) <= self.max_diff:
                self.stats.unchanged_frames += 1
                return self._lines
        bgr = np.ascontiguousarray(rgb[:, :, ::-1])
        quads = self.engine.detect(bgr)
        self.stats.detector_runs += 1
        reused: dict[int, RecognisedLine] = {}
        to_read: list[int] = []
        for i, quad in enumerate(quads):
            previous = self._unchanged_line(quad, cells, width, height) if cells is not None else None
            if previous is None:
                to_read.append(i)
            else:
                reused[i] = previous
        fresh = dict(
            zip(to_read, self.engine.recognise_regions(bgr, [quads[i] for i in to_read]), strict=True)
        )
        self.stats.regions_recognised += len(to_read)
        self.stats.regions_reused += len(reused)
        recognised = [line for i in range(len(quads)) if (line := reused.get(i) or fresh.get(i))]
        self._reference = thumb
        self._recognised = recognised
        lines = [to_text_line(line, width, height, self.rule) for line in recognised]
        self._lines = [line for line in lines if line.words]
        return self._lines

    def _unchanged_line(
        self, quad: npt.NDArray[np.float32], cells: npt.NDArray[np.float32], width: int, height: int
    ) -> RecognisedLine | None:
        box = _box(quad, width, height)
        for line in self._recognised:
            if _box(line.corners, width, height).iou(box) < self.same_box_iou:
                continue
            rows, cols = cells.shape
            scale = self.thumb_side / max(width, height) if max(width, height) > self.thumb_side else 1.0
            r0 = int(box.top * height * scale) // self.block
            r1 = int(box.bottom * height * scale) // self.block
            c0 = int(box.left * width * scale) // self.block
            c1 = int(box.right * width * scale) // self.block
            region = cells[max(r0, 0) : min(r1, rows - 1) + 1, max(c0, 0) : min(c1, cols - 1) + 1]
            if region.size and float(region.max()) <= self.max_diff:
                return line
        return None
