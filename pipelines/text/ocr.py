"""PP-OCRv4 text detection and recognition (the models inside ``rapidocr-onnxruntime``), per character.

rapidocr's own pipeline returns one string per detected region; it cannot say where each character is,
and PP-OCR's recogniser often drops the spaces between English words. This wrapper runs the same ONNX
models (rapidocr's pre- and post-processing for the detector, its CTC alphabet for the recogniser) but
decodes the recogniser's output itself, keeping each character's column position along the line, so
:mod:`pipelines.text.words` can split lines into words from the gaps between characters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from pipelines.detection import RGBImage
from pipelines.onnx_session import create_session

#: The recogniser's input height in pixels (PP-OCRv4 rec: 3 x 48 x W) and its minimum input width.
REC_HEIGHT = 48
REC_MIN_WIDTH = 320
#: Crops taller than this many times their width are read as vertical text (rotated 90 degrees).
VERTICAL_ASPECT = 1.5


@dataclass(frozen=True, slots=True)
class OcrParams:
    """Tuning of the OCR models.

    ``det_limit_side_len``: the picture is scaled so that its longer side is this many pixels before
    text detection (range 320-2000, rounded to a multiple of 32; default 960). Smaller is faster (the
    detector's cost grows with the area) but text lower than about 8 px after scaling is missed;
    larger finds smaller text and costs quadratically more. Upscaling is limited to ``det_max_upscale``.
    ``det_max_upscale``: largest enlargement of a small picture before detection (1-4, default 2);
    above 2 the detector mostly sees blur.
    ``det_box_thresh``: mean text probability a detected region needs (0-1, default 0.5); lower finds
    faint text and more noise (texture read as characters), higher loses low-contrast text.
    ``det_unclip_ratio``: how far each region is grown around its text core (default 1.6); below ~1.4
    characters at the ends of a line are cut, above ~2.2 neighbouring lines merge.
    ``min_line_score``: regions whose mean character probability is below this are dropped as
    not-text (0-1, default 0.5).
    ``rec_batch``: crops recognised per inference (default 6); larger batches pad more.
    ``threads``: onnxruntime intra-op threads per session.
    """

    det_limit_side_len: int = 960
    det_max_upscale: float = 2.0
    det_box_thresh: float = 0.5
    det_unclip_ratio: float = 1.6
    min_line_score: float = 0.5
    rec_batch: int = 6
    threads: int = 2


@dataclass(frozen=True, slots=True)
class RecognisedChar:
    """One character; ``start``/``end`` are fractions [0, 1] of the line's length where the recogniser
    saw it; ``probability`` in [0, 1]."""

    char: str
    start: float
    end: float
    probability: float


@dataclass(frozen=True, slots=True)
class RecognisedLine:
    """One detected text region: ``corners`` (4 x 2 float pixels, clockwise from the top-left of the
    text as read) and the characters read in it. ``vertical`` lines were rotated to be read."""

    corners: npt.NDArray[np.float32]
    chars: tuple[RecognisedChar, ...]
    vertical: bool
    #: Blank (ink-free) column runs between ink in the rectified line: (start, end) as fractions of the
    #: line's length and the run's width divided by the line's height. Empty for vertical lines.
    blank_runs: tuple[tuple[float, float, float], ...] = ()

    @property
    def score(self) -> float:
        return float(np.mean([c.probability for c in self.chars])) if self.chars else 0.0


def rapidocr_version() -> str:
    return metadata.version("rapidocr-onnxruntime")


def _model_file(name: str) -> Path:
    return Path(str(resources.files("rapidocr_onnxruntime").joinpath("models", name)))


class OcrEngine:
    """Finds text lines in an RGB picture and reads them character by character."""

    DET_MODEL = "ch_PP-OCRv4_det_infer.onnx"
    REC_MODEL = "ch_PP-OCRv4_rec_infer.onnx"

    def __init__(self, params: OcrParams | None = None) -> None:
        from rapidocr_onnxruntime.ch_ppocr_det.utils import DBPostProcess, DetPreProcess

        params = params or OcrParams()
        self.params = params
        self._det = create_session(_model_file(self.DET_MODEL), params.threads)
        self._rec = create_session(_model_file(self.REC_MODEL), params.threads)
        self._det_pre_type = DetPreProcess
        self._det_post = DBPostProcess(
            thresh=0.3,
            box_thresh=params.det_box_thresh,
            max_candidates=1000,
            unclip_ratio=params.det_unclip_ratio,
            use_dilation=True,
            score_mode="fast",
        )
        meta = self._rec.get_modelmeta().custom_metadata_map
        # CTC alphabet: index 0 is the blank, the last one the space (as rapidocr's CTCLabelDecode).
        self._alphabet: list[str] = ["", *meta["character"].splitlines(), " "]

    @property
    def model_version(self) -> str:
        return f"PP-OCRv4 (rapidocr-onnxruntime {rapidocr_version()})"

    # --- detection ------------------------------------------------------------------------------

    def detect(self, bgr: npt.NDArray[np.uint8]) -> list[npt.NDArray[np.float32]]:
        """Text regions as 4 x 2 corner arrays in picture pixels, in reading order."""
        h, w = bgr.shape[:2]
        scale = min(self.params.det_limit_side_len / max(h, w), self.params.det_max_upscale)
        limit = max(32, round(max(h, w) * scale))
        pre = self._det_pre_type(limit, "max", [0.5, 0.5, 0.5], [0.5, 0.5, 0.5])
        source: Any = bgr
        if scale > 1.0:
            source = cv2.resize(bgr, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_CUBIC)
        blob = pre(source)
        if blob is None:
            return []
        (pred,) = self._det.run(None, {self._det.get_inputs()[0].name: blob})[:1]
        boxes, _ = self._det_post(pred, (source.shape[0], source.shape[1]))
        result: list[npt.NDArray[np.float32]] = []
        for box in boxes:
            quad = _order_clockwise(np.asarray(box, dtype=np.float32)) / np.float32(max(scale, 1.0))
            width = np.linalg.norm(quad[0] - quad[1])
            height = np.linalg.norm(quad[0] - quad[3])
            if width <= 3 or height <= 3:
                continue
            result.append(quad.astype(np.float32))
        return _reading_order(result)

    # --- recognition ----------------------------------------------------------------------------

    def read(self, rgb: RGBImage) -> list[RecognisedLine]:
        """All text lines of the picture whose mean character probability reaches ``min_line_score``."""
        bgr = np.ascontiguousarray(rgb[:, :, ::-1])
        return self.read_regions(bgr, self.detect(bgr))

    def read_regions(
        self, bgr: npt.NDArray[np.uint8], quads: list[npt.NDArray[np.float32]]
    ) -> list[RecognisedLine]:
        """Recognise the given regions of a BGR picture (see :meth:`detect`); same filtering as read."""
        return [line for line in self.recognise_regions(bgr, quads) if line is not None]

    def recognise_regions(
        self, bgr: npt.NDArray[np.uint8], quads: list[npt.NDArray[np.float32]]
    ) -> list[RecognisedLine | None]:
        """One entry per region, in order: its line, or None when it reads as no text (no character,
        or a mean character probability below ``min_line_score``)."""
        crops = [_crop(bgr, quad) for quad in quads]
        chars = self._recognise([crop for crop, _ in crops])
        result: list[RecognisedLine | None] = []
        for quad, (crop, vertical), line_chars in zip(quads, crops, chars, strict=True):
            line = RecognisedLine(quad, line_chars, vertical, () if vertical else blank_runs(crop))
            result.append(line if line.chars and line.score >= self.params.min_line_score else None)
        return result

    def _recognise(self, crops: list[npt.NDArray[np.uint8]]) -> list[tuple[RecognisedChar, ...]]:
        results: list[tuple[RecognisedChar, ...]] = [() for _ in crops]
        ratios = [c.shape[1] / max(c.shape[0], 1) for c in crops]
        order = np.argsort(ratios)  # similar widths together: less padding per batch
        batch = max(1, self.params.rec_batch)
        for start in range(0, len(crops), batch):
            indices = [int(i) for i in order[start : start + batch]]
            max_ratio = max([REC_MIN_WIDTH / REC_HEIGHT, *(ratios[i] for i in indices)])
            width = int(REC_HEIGHT * max_ratio)
            inputs = []
            used_widths = []
            for i in indices:
                tensor, used = _rec_input(crops[i], width)
                inputs.append(tensor)
                used_widths.append(used)
            (pred,) = self._rec.run(None, {self._rec.get_inputs()[0].name: np.stack(inputs)})[:1]
            for row, i in enumerate(indices):
                results[i] = self._decode(np.asarray(pred[row]), width, used_widths[row])
        return results

    def _decode(
        self, probs: npt.NDArray[np.float32], input_width: int, used_width: int
    ) -> tuple[RecognisedChar, ...]:
        """Greedy CTC decoding that keeps each character's columns (first and last frame of its run)."""
        best = probs.argmax(axis=1)
        best_p = probs.max(axis=1)
        columns = len(best)
        col_px = input_width / columns  # pixels of the recogniser input per output column
        chars: list[RecognisedChar] = []
        t = 0
        while t < columns:
            k = int(best[t])
            end = t
            while end + 1 < columns and int(best[end + 1]) == k:
                end += 1
            if k != 0 and k < len(self._alphabet):
                x0 = t * col_px / used_width
                x1 = (end + 1) * col_px / used_width
                chars.append(RecognisedChar(self._alphabet[k], min(x0, 1.0), min(x1, 1.0), float(best_p[t])))
            t = end + 1
        return tuple(chars)


def blank_runs(strip: npt.NDArray[np.uint8]) -> tuple[tuple[float, float, float], ...]:
    """Runs of ink-free columns between the first and last inked column of a rectified line.

    Ink is the minority class of an Otsu threshold of the grey strip (so light-on-dark text works as
    dark-on-light does). Returns (start, end, width / strip height) with start/end fractions of the
    strip's width.
    """
    grey = cv2.cvtColor(strip, cv2.COLOR_BGR2GRAY)
    _, binary = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    dark = binary == 0
    ink = dark if dark.mean() < 0.5 else ~dark
    inked = ink.any(axis=0)
    columns = np.flatnonzero(inked)
    if len(columns) == 0:
        return ()
    height, width = strip.shape[:2]
    runs: list[tuple[float, float, float]] = []
    x = int(columns[0])
    last = int(columns[-1])
    while x <= last:
        if not inked[x]:
            start = x
            while x <= last and not inked[x]:
                x += 1
            runs.append((start / width, x / width, (x - start) / max(height, 1)))
        x += 1
    return tuple(runs)


def _rec_input(crop: npt.NDArray[np.uint8], width: int) -> tuple[npt.NDArray[np.float32], int]:
    """The recogniser's input for one crop, padded to ``width``; returns it and the width it fills."""
    h, w = crop.shape[:2]
    used = min(width, math.ceil(REC_HEIGHT * w / max(h, 1)))
    resized = cv2.resize(crop, (max(used, 1), REC_HEIGHT)).astype(np.float32)
    tensor = np.zeros((3, REC_HEIGHT, width), dtype=np.float32)
    tensor[:, :, :used] = (resized.transpose(2, 0, 1) / 255.0 - 0.5) / 0.5
    return tensor, max(used, 1)


def _crop(bgr: npt.NDArray[np.uint8], quad: npt.NDArray[np.float32]) -> tuple[npt.NDArray[np.uint8], bool]:
    """The region rectified to a horizontal strip (as rapidocr does); vertical strips are rotated."""
    width = int(max(np.linalg.norm(quad[0] - quad[1]), np.linalg.norm(quad[2] - quad[3])))
    height = int(max(np.linalg.norm(quad[0] - quad[3]), np.linalg.norm(quad[1] - quad[2])))
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(quad.astype(np.float32), target)
    strip: Any = cv2.warpPerspective(
        bgr, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE, flags=cv2.INTER_CUBIC
    )
    if height / max(width, 1) >= VERTICAL_ASPECT:
        return np.ascontiguousarray(np.rot90(strip)), True
    return np.ascontiguousarray(strip), False


def _order_clockwise(points: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Top-left, top-right, bottom-right, bottom-left (the detector's boxes come in any rotation)."""
    by_x = points[np.argsort(points[:, 0])]
    left = by_x[:2][np.argsort(by_x[:2, 1])]
    right = by_x[2:][np.argsort(by_x[2:, 1])]
    return np.array([left[0], right[0], right[1], left[1]], dtype=np.float32)


def _reading_order(quads: list[npt.NDArray[np.float32]]) -> list[npt.NDArray[np.float32]]:
    """Top to bottom; regions whose vertical centres are within half a line height are one row, left
    to right."""
    if not quads:
        return []
    items = sorted(quads, key=lambda q: float(q[:, 1].mean()))
    rows: list[list[npt.NDArray[np.float32]]] = [[items[0]]]
    for quad in items[1:]:
        row = rows[-1]
        centre = float(quad[:, 1].mean())
        row_centre = float(np.mean([q[:, 1].mean() for q in row]))
        height = float(np.mean([q[3, 1] - q[0, 1] for q in row]))
        if abs(centre - row_centre) <= 0.5 * max(height, 1.0):
            row.append(quad)
        else:
            rows.append([quad])
    return [q for row in rows for q in sorted(row, key=lambda q: float(q[0, 0]))]
