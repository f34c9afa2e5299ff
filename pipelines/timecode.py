"""SMPTE timecodes (ST 12-1): ``HH:MM:SS:FF``, and ``HH:MM:SS;FF`` drop-frame for 29.97 and 59.94 fps.

A timecode counts frames at a *nominal* integer rate (24, 25, 30, 60 ...). At 30000/1001 (29.97) fps a
non-drop count drifts 3.6 s per hour behind the clock, so drop-frame timecode skips the labels ``;00`` and
``;01`` (``;00``-``;03`` at 59.94) at the start of every minute except minutes 00, 10, 20, 30, 40, 50;
no frame is dropped, only labels. 23.976 fps (24000/1001) uses non-drop timecode at nominal 24, as the
industry does (there is no 23.976 drop-frame standard).

Which frame a time is: ``round(ms * rate / 1000)`` with the exact rational rate, i.e. the frame count on
the player's clock, so a timecode agrees with the pts-based ``*TimestampMillis`` of the same segment.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

#: How close (fps) a measured average frame rate must be to 30000/1001 or 60000/1001 to be treated as
#: that NTSC rate. Range 0.001-0.02. Too small misses NTSC videos whose container average rate is a
#: little off (edit lists, a dropped frame); too large turns a true 30.00 fps video into drop-frame.
NTSC_RATE_TOLERANCE = 0.005

_NTSC_RATES = {
    24: Fraction(24000, 1001),
    30: Fraction(30000, 1001),
    48: Fraction(48000, 1001),
    60: Fraction(60000, 1001),
}
#: Labels skipped per minute by drop-frame timecode, per nominal rate.
_DROP_FRAMES = {30: 2, 60: 4}


@dataclass(frozen=True, slots=True)
class TimecodeBase:
    """The counting rules of one video's timecode.

    ``rate``: the real frame rate (frames/s, exact when NTSC); ``nominal``: frames per timecode second;
    ``drop``: labels skipped per minute (0 for non-drop).
    """

    rate: Fraction
    nominal: int
    drop: int

    @classmethod
    def for_frame_rate(cls, fps: float) -> TimecodeBase:
        """The timecode base of a video whose average frame rate is ``fps`` (> 0)."""
        if not fps > 0:
            raise ValueError(f"a timecode needs a positive frame rate, got {fps}")
        for nominal, exact in _NTSC_RATES.items():
            if abs(fps - float(exact)) <= NTSC_RATE_TOLERANCE:
                return cls(rate=exact, nominal=nominal, drop=_DROP_FRAMES.get(nominal, 0))
        nominal = max(1, round(fps))
        if abs(fps - nominal) <= NTSC_RATE_TOLERANCE:
            return cls(rate=Fraction(nominal), nominal=nominal, drop=0)
        return cls(rate=Fraction(fps).limit_denominator(1001), nominal=nominal, drop=0)

    @property
    def is_drop_frame(self) -> bool:
        return self.drop > 0

    def frame_at(self, ms: int) -> int:
        """The frame count (from 0) at ``ms`` milliseconds on the timeline."""
        return math.floor(Fraction(ms) * self.rate / 1000 + Fraction(1, 2))

    def format(self, frames: int) -> str:
        """The timecode label of frame count ``frames`` (>= 0); hours wrap at 24 as SMPTE's do."""
        if frames < 0:
            raise ValueError(f"a timecode counts frames from 0, got {frames}")
        label = frames
        if self.drop:
            per_minute = 60 * self.nominal - self.drop
            per_ten_minutes = 10 * 60 * self.nominal - 9 * self.drop
            tens, rest = divmod(frames, per_ten_minutes)
            label += 9 * self.drop * tens
            if rest > self.drop:
                label += self.drop * ((rest - self.drop) // per_minute)
        frame = label % self.nominal
        seconds_total = label // self.nominal
        hours = (seconds_total // 3600) % 24
        minutes = (seconds_total // 60) % 60
        seconds = seconds_total % 60
        separator = ";" if self.drop else ":"
        return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{frame:02d}"
