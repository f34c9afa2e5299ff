"""Fitting an image into a square model input (letterboxed or stretched), and mapping boxes back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt
from PIL import Image

from pipelines.detection import RGBImage


class InputPlacement(Protocol):
    """Where a source image lies in a square model input, so that boxes found there can be mapped back."""

    def to_source_ratios(self, boxes: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Map [N, 4] corner boxes in input pixels to corner ratios of the source image, clipped to [0, 1]."""
        ...


@dataclass(frozen=True, slots=True)
class Letterbox:
    """How an image of ``source_width`` x ``source_height`` was placed into a ``size`` x ``size`` input.

    The image is scaled by ``scale`` (same on both axes) and pasted at (``pad_x``, ``pad_y``); the rest
    is filled with a constant. Stretching instead distorts a 2.35:1 video frame by 2.35x horizontally;
    on bikes.mp4 letterboxing found more of the labelled classes (see benchmarks/detector_accuracy.md).
    """

    size: int
    source_width: int
    source_height: int
    scale: float
    pad_x: int
    pad_y: int

    @classmethod
    def fit(cls, width: int, height: int, size: int) -> Letterbox:
        scale = min(size / width, size / height)
        new_w = max(1, round(width * scale))
        new_h = max(1, round(height * scale))
        return cls(size, width, height, scale, (size - new_w) // 2, (size - new_h) // 2)

    def apply(self, image: RGBImage, fill: int) -> RGBImage:
        """The ``size`` x ``size`` RGB uint8 input: the resized image centred on a ``fill`` background."""
        new_w = max(1, round(self.source_width * self.scale))
        new_h = max(1, round(self.source_height * self.scale))
        canvas = np.full((self.size, self.size, 3), fill, dtype=np.uint8)
        resized = np.asarray(Image.fromarray(image).resize((new_w, new_h), Image.Resampling.BILINEAR))
        canvas[self.pad_y : self.pad_y + new_h, self.pad_x : self.pad_x + new_w] = resized
        return canvas

    def to_source_ratios(self, boxes: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Map [N, 4] corner boxes in input pixels to corner ratios of the source image, clipped to [0, 1]."""
        out = np.empty_like(boxes, dtype=np.float32)
        out[:, 0::2] = (boxes[:, 0::2] - self.pad_x) / (self.scale * self.source_width)
        out[:, 1::2] = (boxes[:, 1::2] - self.pad_y) / (self.scale * self.source_height)
        return np.clip(out, 0.0, 1.0)


@dataclass(frozen=True, slots=True)
class Stretch:
    """An image resized to ``size`` x ``size`` ignoring its aspect ratio: input pixels / ``size`` = ratios."""

    size: int

    def to_source_ratios(self, boxes: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Map [N, 4] corner boxes in input pixels to corner ratios of the source image, clipped to [0, 1]."""
        return np.clip(boxes / self.size, 0.0, 1.0).astype(np.float32)


def stretch(image: RGBImage, size: int) -> RGBImage:
    """Resize to ``size`` x ``size`` ignoring the aspect ratio (what Human's TF.js code does)."""
    return np.asarray(Image.fromarray(image).resize((size, size), Image.Resampling.BILINEAR))


@dataclass(frozen=True, slots=True)
class SquareInput:
    """How a detector fits every image into its ``size`` x ``size`` input.

    ``letterbox``: keep the aspect ratio and pad with ``fill`` (0..255, e.g. 0 for the human-models
    detectors, 114 for YOLO), or stretch (``False``), which distorts wide video frames.
    """

    size: int
    letterbox: bool = True
    fill: int = 0

    def place(self, image: RGBImage) -> tuple[RGBImage, InputPlacement]:
        """The RGB uint8 input for ``image``, and where ``image`` lies in it."""
        if not self.letterbox:
            return stretch(image, self.size), Stretch(self.size)
        height, width = image.shape[:2]
        fit = Letterbox.fit(width, height, self.size)
        return fit.apply(image, self.fill), fit
