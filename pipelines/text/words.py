"""Recognised lines -> :class:`TextLine` with words, split from the recogniser's character positions.

PP-OCR's recogniser emits a space character only sometimes: between English words it may run the
words together ("HelloWorld", "ofgrey"). A word boundary is therefore placed where the recogniser
emitted a space, **or** where the rectified line image has a blank gap (no ink in any pixel column)
between two consecutive characters that is wide for the line's height (the narrower it is, the longer
the recogniser's advance between the two characters must also be), or after sentence punctuation
between a lowercase and an uppercase letter ("background.These"); see :class:`WordSplitRule`. Words are
NFKC-normalised (the recogniser's alphabet is Chinese + ASCII; it sometimes emits full-width punctuation,
U+FF08 for "(").

Measured on rendered lines: gaps between the letters of a word are mostly 0.03-0.21 of the strip
height (up to ~0.3 around "i"/"l" in monospaced fonts), spaces between words 0.29-0.5. Too low a ratio
splits words at wide letter gaps ("W orld"); too high merges words the recogniser ran together.
Character positions come from the recogniser's CTC columns (8 input pixels each), mapped linearly
onto the line, which is how they line up with the image gaps. Figures: benchmarks/text.md.
"""

from __future__ import annotations

import itertools
import math
import statistics
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from pipelines.text.ocr import RecognisedChar, RecognisedLine
from pipelines.text.types import Point, Quad, TextLine, TextWord

DEFAULT_SPACE_RATIO = 0.22


def _lerp(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32], t: float) -> npt.NDArray[np.float32]:
    return a + (b - a) * np.float32(t)


def _to_quad(corners: npt.NDArray[np.float32], width: int, height: int) -> Quad:
    p = [Point(float(x) / width, float(y) / height) for x, y in corners]
    clipped = [Point(min(max(q.x, 0.0), 1.0), min(max(q.y, 0.0), 1.0)) for q in p]
    return (clipped[0], clipped[1], clipped[2], clipped[3])


def _sub_quad(corners: npt.NDArray[np.float32], start: float, end: float) -> npt.NDArray[np.float32]:
    """The part of a line's quadrilateral between fractions ``start`` and ``end`` of its length."""
    tl, tr, br, bl = corners
    return np.array(
        [_lerp(tl, tr, start), _lerp(tl, tr, end), _lerp(bl, br, end), _lerp(bl, br, start)],
        dtype=np.float32,
    )


@dataclass(frozen=True, slots=True)
class WordSplitRule:
    """When two consecutive characters of a line start a new word (see the module doc).

    ``strong_space_ratio``: an ink-free gap at least this many line heights wide is always a space
    (default 0.35). ``space_ratio``: a gap at least this wide (default 0.22) is a space when the
    recogniser also placed the two characters at least ``space_advance_ratio`` (1.1) times the line's
    median character advance apart (without that check, the wide blanks around the narrow letters of
    monospaced fonts, "i" and "l", split words: DejaVu Sans Mono at 32 px lost 22 points of precision).
    ``adaptive_jump`` / ``adaptive_min_ratio``: a line whose widest gaps stand clearly apart from the
    rest uses its own space threshold (see ``_line_space_ratio``); ``adaptive_jump=inf`` disables it.
    The defaults were chosen by a sweep on benchmarks/text.py's rendered set (so that figure is a
    training score); page.png, not used to choose them, did not move.
    ``weak_space_ratio`` / ``advance_ratio``: a narrower gap (>= 0.18 line heights) is a space when the
    recogniser also placed the two characters at least ``advance_ratio`` (1.6) times the line's median
    character advance apart. ``sentence_case``: "word.Next" (lowercase letter, sentence punctuation,
    uppercase letter) is split after the punctuation. Any rule is disabled by a ratio of ``inf`` /
    ``sentence_case=False``; ``use_spaces=False`` ignores the recogniser's own spaces (for measuring).
    """

    strong_space_ratio: float = 0.35
    space_ratio: float = DEFAULT_SPACE_RATIO
    space_advance_ratio: float = 1.1
    adaptive_jump: float = 1.6
    adaptive_min_ratio: float = 0.15
    weak_space_ratio: float = 0.18
    advance_ratio: float = 1.6
    sentence_case: bool = True
    use_spaces: bool = True


DEFAULT_RULE = WordSplitRule()
SENTENCE_PUNCTUATION = frozenset(".,;:!?")
NUMBER_CHARS = frozenset("0123456789.,")


def _centre(char: RecognisedChar) -> float:
    return (char.start + char.end) / 2


def split_words(
    chars: Sequence[RecognisedChar],
    blank_runs: Sequence[tuple[float, float, float]] = (),
    rule: WordSplitRule = DEFAULT_RULE,
) -> list[list[RecognisedChar]]:
    """Group a line's characters into words (spaces are dropped); see :class:`WordSplitRule`."""
    visible = [c for c in chars if not c.char.isspace()]
    advances = [_centre(b) - _centre(a) for a, b in itertools.pairwise(visible)]
    median_advance = statistics.median(advances) if advances else 0.0
    line_space_ratio = _line_space_ratio(blank_runs, rule)
    words: list[list[RecognisedChar]] = []
    current: list[RecognisedChar] = []
    previous: RecognisedChar | None = None
    for char in chars:
        if char.char.isspace():
            if rule.use_spaces and current:
                words.append(current)
                current, previous = [], None
            continue
        if previous is not None and _is_boundary(
            current, previous, char, blank_runs, median_advance, line_space_ratio, rule
        ):
            words.append(current)
            current = []
        current.append(char)
        previous = char
    if current:
        words.append(current)
    return words


def _line_space_ratio(blank_runs: Sequence[tuple[float, float, float]], rule: WordSplitRule) -> float:
    """This line's own space width, when its widest gaps stand apart: half-way across the last jump
    (by width) of at least ``adaptive_jump`` times between consecutive sorted gap widths whose wider
    side is at least ``adaptive_min_ratio`` line heights; ``inf`` when there is none.

    Small, tightly-set fonts leave spaces narrower than ``space_ratio`` (0.19-0.24 line heights for
    Pillow's default font at 16 px, letter gaps 0.05-0.1), and at that size the recogniser's columns
    are too coarse for the advance check. Taking the *last* jump keeps the wide blanks beside "i"/"l"
    of monospaced fonts (0.3, with spaces at 0.6) on the letter side."""
    widths = sorted(ratio for _, _, ratio in blank_runs if ratio > 0)
    threshold = math.inf
    for narrow, wide in itertools.pairwise(widths):
        if wide >= rule.adaptive_min_ratio and wide / narrow >= rule.adaptive_jump:
            threshold = (narrow + wide) / 2
    return threshold


def _is_boundary(
    word: Sequence[RecognisedChar],
    previous: RecognisedChar,
    char: RecognisedChar,
    blank_runs: Sequence[tuple[float, float, float]],
    median_advance: float,
    line_space_ratio: float,
    rule: WordSplitRule,
) -> bool:
    lo, hi = _centre(previous), _centre(char)
    widest = max((ratio for start, end, ratio in blank_runs if lo < (start + end) / 2 < hi), default=0.0)
    long_advance = median_advance > 0 and hi - lo >= rule.space_advance_ratio * median_advance
    if widest >= rule.strong_space_ratio:
        return True
    if previous.char in NUMBER_CHARS and char.char in NUMBER_CHARS:
        # Inside a number ("12.50") only a strong gap splits: "1" has wide side bearings in many fonts.
        return False
    if widest >= line_space_ratio:
        return True
    if widest >= rule.space_ratio and long_advance:
        return True
    if (
        widest >= rule.weak_space_ratio
        and median_advance > 0
        and hi - lo >= rule.advance_ratio * median_advance
    ):
        return True
    return (
        rule.sentence_case
        and previous.char in SENTENCE_PUNCTUATION
        and len(word) >= 2
        and word[-2].char.islower()
        and char.char.isupper()
    )


def to_text_line(
    line: RecognisedLine, width: int, height: int, rule: WordSplitRule = DEFAULT_RULE
) -> TextLine:
    """The canonical line, with word geometry interpolated along the line's quadrilateral.

    Word edges are placed half-way into the blank columns around each word, so that adjacent word
    boxes touch the letters without overlapping. Vertical lines keep the line's geometry for each word.
    """
    groups = split_words(line.chars, line.blank_runs, rule)
    words: list[TextWord] = []
    for i, group in enumerate(groups):
        text = unicodedata.normalize("NFKC", "".join(c.char for c in group))
        confidence = 100.0 * float(np.mean([c.probability for c in group]))
        if line.vertical:
            corners = line.corners
        else:
            start = group[0].start if i == 0 else (groups[i - 1][-1].end + group[0].start) / 2
            end = group[-1].end if i == len(groups) - 1 else (group[-1].end + groups[i + 1][0].start) / 2
            if i == 0:
                start = max(0.0, start - 0.5 * (group[0].end - group[0].start))
            if i == len(groups) - 1:
                end = min(1.0, end + 0.5 * (group[-1].end - group[-1].start))
            corners = _sub_quad(line.corners, start, end)
        words.append(TextWord(text, confidence, _to_quad(corners, width, height)))
    confidence = 100.0 * line.score
    return TextLine(
        " ".join(w.text for w in words), confidence, _to_quad(line.corners, width, height), tuple(words)
    )
