"""Black frames, as Rekognition's ``BlackFrame`` filter defines them.

A pixel is black when its luma is at most ``MaxPixelThreshold`` of the full range (0.2 -> 51 of 0-255,
i.e. 16 + 0.2 * 219 on a limited-range video's code values; see :mod:`pipelines.segments.luma`), and a
frame is black when at least ``MinCoveragePercentage`` of its pixels are. Equivalently: the luma at the
``MinCoveragePercentage``-th percentile of the frame is at most the threshold; that percentile luma
``p`` also gives the frame's confidence, ``50 + 50 * (1 - p / threshold)``: 100 for digital black,
50 for a frame just at the threshold.

Coverage is measured on the analysis image (about 96 px wide, area-averaged), so a white detail smaller
than about one analysis pixel on a black frame is averaged away.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.segments.luma import Luma

#: Rekognition's defaults (StartSegmentDetection's BlackFrame filter).
DEFAULT_MAX_PIXEL_THRESHOLD = 0.2
DEFAULT_MIN_COVERAGE_PERCENTAGE = 99.0


@dataclass(frozen=True, slots=True)
class BlackFrameRule:
    """``max_pixel_threshold``: fraction 0-1 of the luma range; ``min_coverage_percentage``: 0-100."""

    max_pixel_threshold: float = DEFAULT_MAX_PIXEL_THRESHOLD
    min_coverage_percentage: float = DEFAULT_MIN_COVERAGE_PERCENTAGE

    @classmethod
    def from_request(cls, black_frame: dict[str, float] | None) -> BlackFrameRule:
        """From a request's ``Filters.TechnicalCueFilter.BlackFrame`` (None -> the defaults)."""
        black_frame = black_frame or {}
        return cls(
            max_pixel_threshold=float(black_frame.get("MaxPixelThreshold", DEFAULT_MAX_PIXEL_THRESHOLD)),
            min_coverage_percentage=float(
                black_frame.get("MinCoveragePercentage", DEFAULT_MIN_COVERAGE_PERCENTAGE)
            ),
        )

    @property
    def threshold_luma(self) -> float:
        return self.max_pixel_threshold * 255.0

    def coverage_luma(self, luma: Luma) -> float:
        """The luma below which ``min_coverage_percentage`` of the frame's pixels lie."""
        flat = luma.reshape(-1)
        rank = int(np.ceil(self.min_coverage_percentage / 100.0 * flat.size)) - 1
        rank = min(max(rank, 0), flat.size - 1)
        return float(np.partition(flat, rank)[rank])

    def blackness(self, luma: Luma) -> float | None:
        """The frame's black-frame confidence (percent 50-100), or None when it is not black."""
        level = self.coverage_luma(luma)
        threshold = self.threshold_luma
        if level > threshold:
            return None
        if threshold <= 0:
            return 100.0
        return 50.0 + 50.0 * (1.0 - level / threshold)

    def content_confidence(self, luma: Luma) -> float:
        """How surely a non-black frame is not black (percent 50-100): 100 once its coverage luma is at
        least twice the threshold."""
        level = self.coverage_luma(luma)
        threshold = max(self.threshold_luma, 1.0)
        return float(min(100.0, max(50.0, 50.0 + 50.0 * (level - threshold) / threshold)))
