"""Colour bars: the SMPTE (EG 1 / RP 219) and EBU test patterns at the start of broadcast masters.

Every variant has, across the upper part of the picture, the seven bars white(grey), yellow, cyan,
green, magenta, red, blue, left to right, of equal width: 75 % or 100 % bars, full width (EBU, SMPTE
EG 1) or in the middle three quarters between grey pillars (SMPTE RP 219 HD bars). The test, on the
band from :data:`BAND_TOP` to :data:`BAND_BOTTOM` of the picture height:

1. the band is uniform vertically (each column's luma standard deviation is small);
2. the band's column colours split into runs of nearly constant colour;
3. seven consecutive runs have the bars' on/off channel patterns (R G B: 111, 110, 011, 010, 101, 100,
   001) with a clear gap between "on" and "off" channel levels, about equal widths, and together
   cover at least :data:`MIN_WIDTH_FRACTION` of the picture width.

Confidence: ``50 + 50 * min(1, margin / 0.5)`` where ``margin`` is the smallest gap, as a fraction of
255, between an "on" and an "off" channel of any bar: 75 % bars (191 vs 0) score 100; washed-out or
heavily tinted bars score lower or fail.
"""

from __future__ import annotations

import numpy as np

from pipelines.detection import RGBImage

#: The band of the picture height that is tested (fractions from the top). Inside the bars of every
#: variant (SMPTE's upper bars cover the top two thirds, RP 219's the top 7/12).
BAND_TOP = 0.1
BAND_BOTTOM = 0.5

#: The seven bars' channel patterns (R, G, B on/off), left to right.
BAR_PATTERNS = ((1, 1, 1), (1, 1, 0), (0, 1, 1), (0, 1, 0), (1, 0, 1), (1, 0, 0), (0, 0, 1))

#: Largest per-column luma standard deviation (0-255) of a uniform bar after compression. Range 4-20.
#: Higher accepts textured pictures as candidates (the colour test still has to pass); lower rejects
#: noisy bars (analogue captures).
MAX_COLUMN_STD = 10.0

#: Colour change (0-255, largest channel difference) between neighbouring columns that starts a new run.
RUN_BREAK = 24.0

#: Smallest gap between on and off channel levels, as a fraction of 255, for a run to count as a bar.
MIN_MARGIN = 0.2

#: The seven bars must cover at least this fraction of the picture width (RP 219: 0.75).
MIN_WIDTH_FRACTION = 0.6


def _runs(colours: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) column ranges of nearly constant colour."""
    runs: list[tuple[int, int]] = []
    start = 0
    for x in range(1, len(colours)):
        if float(np.abs(colours[x] - colours[x - 1]).max()) > RUN_BREAK:
            runs.append((start, x))
            start = x
    runs.append((start, len(colours)))
    return runs


def _bar_margin(colour: np.ndarray, pattern: tuple[int, int, int]) -> float:
    """Gap (fraction of 255) between the lowest "on" and the highest "off" channel; < 0 if they overlap."""
    on = [float(c) for c, bit in zip(colour, pattern, strict=True) if bit]
    off = [float(c) for c, bit in zip(colour, pattern, strict=True) if not bit]
    return (min(on) - (max(off) if off else 0.0)) / 255.0


def color_bars_confidence(image: RGBImage) -> float | None:
    """The frame's colour-bars confidence (percent 50-100), or None when it shows no colour bars."""
    height, width = image.shape[:2]
    top, bottom = int(height * BAND_TOP), max(int(height * BAND_BOTTOM), int(height * BAND_TOP) + 1)
    band = image[top:bottom].astype(np.float32)
    if width < 14 or band.shape[0] < 1:
        return None
    luma = band @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    if float(np.median(luma.std(axis=0))) > MAX_COLUMN_STD:
        return None
    colours = band.mean(axis=0)  # (width, 3)
    # Scaling blends neighbouring bars into narrow runs at their borders: ignore runs narrower than a
    # third of a bar of the narrowest variant (RP 219: 3/4 of the width over 7 bars).
    min_run = max(2, int(width * 0.75 / 7 / 3))
    runs = [r for r in _runs(colours) if r[1] - r[0] >= min_run]
    if len(runs) < 7:
        return None
    for first in range(len(runs) - 6):
        group = runs[first : first + 7]
        widths = np.array([end - start for start, end in group], dtype=np.float32)
        if group[-1][1] - group[0][0] < MIN_WIDTH_FRACTION * width:
            continue
        if widths.max() > 1.6 * widths.min() + 2:
            continue
        margins = []
        for (start, end), pattern in zip(group, BAR_PATTERNS, strict=True):
            quarter = (end - start) // 4
            colour = colours[start + quarter : end - quarter].mean(axis=0)
            margins.append(_bar_margin(colour, pattern))
        margin = min(margins)
        if margin >= MIN_MARGIN:
            return float(50.0 + 50.0 * min(1.0, margin / 0.5))
    return None
