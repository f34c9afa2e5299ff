"""Shot cut detection over every frame, from cheap features of a small (about 96 px) luma image.

**Score.** For each frame the detector measures how different it is from the previous one:

* Each frame's luma is normalised to zero mean and unit standard deviation (the deviation floored at
  :data:`CONTRAST_FLOOR`), so a fade or a flash (luma scaled and offset) changes almost nothing and only
  structure counts; the floor keeps the noise of nearly black frames from being blown up.
* The difference is *motion compensated*, coarse to fine: the global shift (a pan) is found on
  half-resolution images within +-2 ``search_px`` pixels, then each 8x8 block keeps its best shift
  within +-``search_px``/2 around it. Pans, shake and moving objects cost (almost) nothing; a new
  picture differs at every shift.
* ``score`` = mean over blocks of that best mean absolute difference, in units of the luma's standard
  deviation: ~0.05-0.2 within a shot, ~0.5-1 across a cut between unrelated pictures.

**Decision** (adaptive, as PySceneDetect's AdaptiveDetector): frame ``k`` is a cut candidate when its
score is a local maximum and::

    strength = min(score / min_score, score / (ratio * max(baseline, BASELINE_FLOOR))) >= 1

where ``baseline`` is the mean score of the two frames before and the two after. Sustained fast motion
raises the baseline, so it does not cut; a cut is a one-frame spike. A candidate is rejected as a flash
(photo flash, a glitch frame, a one- or two-frame insert) when one of the next :data:`FLASH_LOOKAHEAD`
frames looks like the frame before the candidate again. Two cuts closer than ``min_shot_frames`` keep
the stronger. The cut's confidence is ``50 + 50 * (strength - 1)``, clipped to 50-100.

**Gaps** (fades through black, black slugs: flat frames, luma deviation below :data:`FLAT_STD`, that
are dark, mean luma at most :data:`DARK_GAP_LUMA`).
A flat frame has no structure: entering one scores the raw luma change (divided by :data:`RAW_SCALE`)
only from a well-exposed picture (a hard cut to black spikes, the dim end of a fade does not); frames
after a flat one score 0. When pictures come back after a gap, the first one with enough contrast (or
the :data:`RETURN_WAIT_FRAMES`-th) is compared with the last well-exposed picture before the gap: if
they differ (score >= ``min_score``), or when the pictures came back at once (a hard cut out of black:
raw luma change / :data:`RAW_SCALE` >= ``min_score``), there is a cut at the first frame after the gap,
with strength ``score / min_score``. A fade through black into a new picture is thus one cut where the
new picture starts; a fade out and back into the same picture is none.

**Cross-dissolves** change little per frame, so the spike test misses them. For each half-length
``k`` in :data:`DISSOLVE_HALF_LENGTHS`, a frame is a dissolve's middle when, in the window of ``k``
frames either side, no score reaches ``min_score`` but their sum does, their mean is
:data:`DISSOLVE_RATIO` times the mean of the ``k`` frames before and after the window, every frame is
well exposed (fades are the gap logic's), the two ends of the window differ like a
cut (compensated score >= ``min_score``), and the middle frame is close to a mix of the two ends (luma
residual <= :data:`DISSOLVE_MAX_RESIDUAL` of their difference; fast motion fails this test, its middle
frame is displaced, not mixed). The cut is placed at the middle frame; overlapping detections keep the
best-fitting one.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from pipelines.segments.luma import Luma
from pipelines.segments.spans import FrameRef, FrameSpan, Shot

#: Luma standard deviation (0-255 code values) below which a frame is "flat": black, white, a uniform
#: colour. Range 2-10. Too low: the noise of a black frame counts as a picture and a fade through black
#: is compared noise to noise; too high: very low-contrast pictures (fog, night) are treated as gaps.
FLAT_STD = 5.0

#: Floor (code values) of the standard deviation used to normalise a frame. Range 8-24. Below it a
#: frame's differences are scaled down, so the last, darkest frames of a fade do not spike; too high and
#: cuts between two low-contrast (dark) shots score too little to be found.
CONTRAST_FLOOR = 12.0

#: Raw mean luma change (code values) that scores 1.0 when a flat frame is involved. Range 16-64. Lower
#: makes the end of a fast fade to black look like a cut; higher misses hard cuts to dark grey slates.
RAW_SCALE = 32.0

#: Smallest baseline (score units) used by the ratio test, so that a small change after perfectly still
#: frames (score ~0) is not an "infinite" ratio. Range 0.02-0.2.
BASELINE_FLOOR = 0.1

#: Frames after a candidate cut that are compared with the frame before it to recognise a flash.
#: Range 1-5. More rejects longer inserts; too many also rejects a real cut back to the previous shot
#: within that many frames (rare: shots last seconds).
FLASH_LOOKAHEAD = 3

#: After a gap, how many frames to wait at most for a picture with ``CONTRAST_FLOOR`` contrast before
#: comparing it with the picture before the gap. Range 5-60. Too few compares a still-dark fade-in frame
#: (noisy, weak structure); too many delays nothing but holds one frame in memory.
RETURN_WAIT_FRAMES = 25

#: Mean luma (0-255) up to which a flat frame is a dark gap (fade through black, black slug) after which
#: the picture is compared with the one before. Range 16-96. Higher also treats a camera passing over a
#: uniform grey wall as a gap (a false cut if it comes out on a different view); lower misses fades
#: through dark grey.
DARK_GAP_LUMA = 48.0

#: Half-lengths (frames) of the cross-dissolves looked for: a dissolve of up to about twice the largest
#: is found. Each costs one motion-compensated comparison per frame that passes the cheap pre-test.
#: Longer dissolves (over ~1 s) change too little per frame and too much over the window to be found.
DISSOLVE_HALF_LENGTHS = (5, 9, 14)

#: How far (fraction of the change between its ends) a dissolve's middle frame may be from the best
#: mix of the two ends. Range 0.2-0.6. Higher also takes fast motion (whose middle frame is not a mix)
#: for a dissolve; lower misses dissolves with motion inside them.
DISSOLVE_MAX_RESIDUAL = 0.45

#: How many times the mean score just before and just after a dissolve window the mean score inside
#: it must reach. Range 1.2-3. Lower takes bursts of motion for dissolves; higher misses dissolves
#: between moving shots.
DISSOLVE_RATIO = 1.4

#: Block side (pixels of the analysis image) of the motion compensation. Range 4-16: smaller blocks
#: follow independent motions better but also match unrelated pictures better (weaker cuts).
BLOCK_PX = 8


@dataclass(frozen=True, slots=True)
class Cut:
    """A cut between ``previous`` (last frame of the old shot) and ``frame`` (first of the new one);
    ``strength`` >= 1 (see the module doc)."""

    frame: FrameRef
    previous: FrameRef
    strength: float

    @property
    def confidence(self) -> float:
        return cut_confidence(self.strength)


def cut_confidence(strength: float) -> float:
    """Percent 50-100 from a cut's strength (1 -> 50, 2 or more -> 100)."""
    return float(min(100.0, max(50.0, 50.0 + 50.0 * (strength - 1.0))))


def strength_for_confidence(confidence: float) -> float:
    """The smallest strength whose confidence is ``confidence`` (inverse of :func:`cut_confidence`)."""
    return 1.0 + (confidence - 50.0) / 50.0


@dataclass(slots=True)
class _Picture:
    ref: FrameRef
    luma: Luma
    std: float
    #: Luma normalised with the deviation floored at CONTRAST_FLOOR (None for a flat frame).
    normalised: Luma | None

    @property
    def flat(self) -> bool:
        return self.normalised is None

    @property
    def well_exposed(self) -> bool:
        return self.std >= CONTRAST_FLOOR


def _picture(ref: FrameRef, luma: Luma) -> _Picture:
    std = float(luma.std())
    if std < FLAT_STD:
        return _Picture(ref, luma, std, None)
    normalised: Luma = ((luma - float(luma.mean())) / max(std, CONTRAST_FLOOR)).astype(np.float32)
    return _Picture(ref, luma, std, normalised)


@dataclass(slots=True)
class _Candidate:
    cut: Cut
    before: _Picture


@dataclass(slots=True)
class _Gap:
    """Flat frames seen after ``before`` (the last well-exposed picture); ``after`` is the first frame
    with structure once pictures come back, with the frame before it."""

    before: _Picture | None
    after: FrameRef | None = None
    previous: FrameRef | None = None
    waited: int = 0
    #: Raw luma change (score units) into ``after`` when pictures came back at once, else 0.
    abrupt: float = 0.0


def _half(image: Luma) -> Luma:
    """2x2 mean pooling (odd last row/column dropped)."""
    h, w = image.shape[0] // 2 * 2, image.shape[1] // 2 * 2
    half: Luma = image[:h, :w].reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))
    return half


def _global_shift(current: Luma, previous: Luma, radius: int) -> tuple[int, int]:
    """The (dy, dx) shift of ``previous`` that best matches ``current`` (mean absolute difference)."""
    height, width = current.shape
    padded = np.pad(previous, radius, mode="edge")
    best, best_shift = np.inf, (0, 0)
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            shifted = padded[radius + dy : radius + dy + height, radius + dx : radius + dx + width]
            cost = float(np.abs(current - shifted).mean())
            if cost < best:
                best, best_shift = cost, (dy, dx)
    return best_shift


def compensated_difference(current: Luma, previous: Luma, search_px: int) -> float:
    """Motion-compensated difference of two normalised luma images, in score units (module doc).

    Coarse to fine: the global shift (a pan) is searched on half-resolution images over +-2*search_px
    pixels, then every BLOCK_PX block takes its best shift within +-search_px/2 around it (objects
    moving on their own, zoom, shake).
    """
    height, width = current.shape
    rows, cols = height // BLOCK_PX * BLOCK_PX, width // BLOCK_PX * BLOCK_PX
    if rows == 0 or cols == 0 or search_px == 0:
        return float(np.abs(current - previous).mean())
    gy, gx = _global_shift(_half(current), _half(previous), search_px)
    gy, gx = 2 * gy, 2 * gx
    local = max(1, search_px // 2)
    reach = 2 * search_px + local
    padded = np.pad(previous, reach, mode="edge")
    centre = current[:rows, :cols]
    best: Luma | None = None
    for dy in range(gy - local, gy + local + 1):
        for dx in range(gx - local, gx + local + 1):
            shifted = padded[reach + dy : reach + dy + rows, reach + dx : reach + dx + cols]
            blocks: Luma = (
                np.abs(centre - shifted)
                .reshape(rows // BLOCK_PX, BLOCK_PX, cols // BLOCK_PX, BLOCK_PX)
                .mean(axis=(1, 3))
            )
            best = blocks if best is None else np.minimum(best, blocks)
    assert best is not None
    return float(best.mean())


@dataclass(frozen=True, slots=True)
class _Dissolve:
    cut: Cut
    half: int
    residual: float


def _best_dissolves(candidates: list[_Dissolve]) -> list[Cut]:
    """One cut per group of overlapping dissolve windows: the middle that fits a mix best."""
    groups: list[list[_Dissolve]] = []
    for candidate in sorted(candidates, key=lambda d: d.cut.frame.index):
        last = groups[-1][-1] if groups else None
        if last is not None and candidate.cut.frame.index - last.cut.frame.index < last.half + candidate.half:
            groups[-1].append(candidate)
        else:
            groups.append([candidate])
    return [min(group, key=lambda d: d.residual).cut for group in groups]


def _mix_residual(start: Luma, middle: Luma, end: Luma) -> float | None:
    """How far ``middle`` is from the best mix ``start + a * (end - start)`` (a in 0.2-0.8), as a
    fraction of the change between the ends; None when the ends hardly differ or a falls outside."""
    change = end - start
    energy = float((change * change).sum())
    if energy <= 1e-6:
        return None
    mix = float(((middle - start) * change).sum()) / energy
    if not 0.2 <= mix <= 0.8:
        return None
    scale = float(np.abs(change).mean())
    return float(np.abs(middle - start - mix * change).mean()) / scale if scale > 0 else None


class ShotDetector:
    """Feed every decoded frame's luma in presentation order with :meth:`add`; then :meth:`shots`."""

    def __init__(
        self,
        *,
        min_score: float = 0.45,
        ratio: float = 2.5,
        min_shot_frames: int = 8,
        search_px: int = 4,
    ) -> None:
        """Args:
        min_score: score (luma standard deviations, see module doc) a cut needs at least; range
            0.2-0.8. Lower finds cuts between similar pictures but cuts on fast motion beyond the
            search range; higher misses cuts between shots of the same scene.
        ratio: how many times its neighbours' mean score a cut must reach; range 1.5-5. Lower cuts on
            bursts of motion; higher misses cuts inside fast motion.
        min_shot_frames: cuts closer than this many frames keep only the stronger, and no cut is
            reported this close to the first or last frame; range 1-30. Higher hides short shots
            (quick cutting, 3-frame black slugs); lower reports flicker and glitches as shots.
        search_px: motion search radius in pixels of the analysis image (about 96 px wide); range 0-8.
            Larger tolerates faster motion but also matches different pictures better (weaker cuts)
            and costs (2r+1)^2 block comparisons per frame.
        """
        if min_score <= 0 or ratio <= 0 or min_shot_frames < 1 or search_px < 0:
            raise ValueError("min_score and ratio must be > 0, min_shot_frames >= 1, search_px >= 0")
        self.min_score = min_score
        self.ratio = ratio
        self.min_shot_frames = min_shot_frames
        self.search_px = search_px
        self._recent: deque[_Picture] = deque(maxlen=FLASH_LOOKAHEAD + 4)
        self._window: deque[tuple[_Picture, float]] = deque(maxlen=5)
        self._last_exposed: _Picture | None = None
        self._gap: _Gap | None = None
        self._first: FrameRef | None = None
        self._last: FrameRef | None = None
        self._candidates: list[_Candidate] = []
        self._cuts: list[Cut] = []
        #: Every frame's score, in order (for benchmarks and tuning).
        self.scores: list[float] = []
        self._history: deque[_Picture] = deque(maxlen=4 * max(DISSOLVE_HALF_LENGTHS) + 1)
        self._dissolves: list[_Dissolve] = []

    # --- input ------------------------------------------------------------------------------------

    def add(self, ref: FrameRef, luma: Luma) -> None:
        """Add the next frame (presentation order) with its luma image (float32, 0-255)."""
        picture = _picture(ref, luma)
        if self._first is None:
            self._first = ref
        previous = self._recent[-1] if self._recent else None
        score = 0.0 if previous is None else self._consecutive_score(picture, previous)
        self.scores.append(score)
        self._follow_gap(picture, previous)
        if picture.well_exposed:
            self._last_exposed = picture
        self._recent.append(picture)
        self._last = ref
        self._window.append((picture, score))
        self._test_candidates(picture)
        self._decide_middle()
        self._history.append(picture)
        self._test_dissolves()

    def _difference(self, a: _Picture, b: _Picture) -> float:
        """How different two pictures are, in score units (see the module doc)."""
        if a.normalised is not None and b.normalised is not None:
            return compensated_difference(a.normalised, b.normalised, self.search_px)
        return float(np.abs(a.luma - b.luma).mean()) / RAW_SCALE

    def _consecutive_score(self, picture: _Picture, previous: _Picture) -> float:
        """The score of ``picture`` against the frame before it. Into a flat frame only a jump from a
        well-exposed picture counts (a hard cut to black), not the dim end of a fade; out of flat frames
        the gap logic decides (:meth:`_follow_gap`)."""
        if previous.flat or (picture.flat and not previous.well_exposed):
            return 0.0
        return self._difference(picture, previous)

    def _follow_gap(self, picture: _Picture, previous: _Picture | None) -> None:
        """Track flat runs and, when pictures come back, compare with the picture before the gap."""
        gap = self._gap
        if picture.flat:
            if float(picture.luma.mean()) > DARK_GAP_LUMA:
                return  # a uniform bright area (a wall, the sky), not a gap between shots
            if gap is None:
                self._gap = _Gap(before=self._last_exposed)
            elif gap.after is not None:  # flat again before the comparison: still the same gap
                gap.after, gap.previous, gap.waited, gap.abrupt = None, None, 0, 0.0
            return
        if gap is None:
            return
        if gap.after is None:
            gap.after = picture.ref
            gap.previous = previous.ref if previous is not None else picture.ref
            if picture.well_exposed and previous is not None:
                # An abrupt return (a hard cut out of black) is a cut whatever follows.
                gap.abrupt = float(np.abs(picture.luma - previous.luma).mean()) / RAW_SCALE
        gap.waited += 1
        if not picture.well_exposed and gap.waited < RETURN_WAIT_FRAMES:
            return
        self._gap = None
        score = gap.abrupt
        before = gap.before
        if before is not None and before.normalised is not None and picture.normalised is not None:
            score = max(score, compensated_difference(picture.normalised, before.normalised, self.search_px))
        after, last_of_gap = gap.after, gap.previous
        if score >= self.min_score and after is not None and last_of_gap is not None and after.index > 0:
            self._accept(Cut(after, last_of_gap, score / self.min_score))

    # --- decisions --------------------------------------------------------------------------------

    def _decide_middle(self) -> None:
        """Decide the middle frame of the 5-frame window (its two successors' scores are known)."""
        if len(self._window) < 3:
            return
        items = list(self._window)
        k = len(items) - 3
        picture, score = items[k]
        neighbours = [s for j, (_, s) in enumerate(items) if j != k]
        baseline = max(sum(neighbours) / len(neighbours), BASELINE_FLOOR)
        if (k >= 1 and score < items[k - 1][1]) or score < items[k + 1][1]:
            return  # not a local maximum
        strength = min(score / self.min_score, score / (self.ratio * baseline))
        if strength < 1.0:
            return
        before = [p for p in self._recent if p.ref.index < picture.ref.index]
        if not before:
            return
        candidate = _Candidate(Cut(picture.ref, before[-1].ref, strength), before[-1])
        self._candidates.append(candidate)
        for later in self._recent:
            if later.ref.index > picture.ref.index:
                self._test_candidates(later)

    def _test_candidates(self, picture: _Picture) -> None:
        """Flash test: a candidate whose next frames look like the frame before it again is dropped."""
        waiting: list[_Candidate] = []
        for candidate in self._candidates:
            distance = picture.ref.index - candidate.cut.frame.index
            if distance < 1:
                waiting.append(candidate)
            elif self._difference(picture, candidate.before) < self.min_score:
                continue  # back to the picture before the candidate: a flash, not a cut
            elif distance >= FLASH_LOOKAHEAD:
                self._accept(candidate.cut)
            else:
                waiting.append(candidate)
        self._candidates = waiting

    def _accept(self, cut: Cut) -> None:
        if self._cuts and cut.frame.index - self._cuts[-1].frame.index < self.min_shot_frames:
            if cut.strength > self._cuts[-1].strength:
                self._cuts[-1] = cut
            return
        self._cuts.append(cut)

    def _test_dissolves(self) -> None:
        """Is the frame ``2k`` frames back the middle of a cross-dissolve of about ``2k`` frames? It is
        tested once ``k`` more frames are known, to compare the change inside with the change around."""
        history = self._history
        scores = self.scores
        for half in DISSOLVE_HALF_LENGTHS:
            if len(history) < 4 * half + 1:
                return
            window = scores[-3 * half : -half]  # the frames after ``start`` up to ``end``
            # Pre-tests on known scores: no hard cut inside, clearly more change than still frames, and
            # more than around the window (sustained motion changes as much outside as inside).
            if max(window) >= self.min_score or sum(window) < self.min_score:
                continue
            inside = sum(window) / len(window)
            before = sum(scores[-4 * half : -3 * half]) / half
            after = sum(scores[-half:]) / half
            if inside < DISSOLVE_RATIO * max(before, after, BASELINE_FLOOR / 2):
                continue
            span = [history[-j] for j in range(3 * half + 1, half, -1)]
            if not all(p.well_exposed for p in span):
                continue  # dark frames inside: a fade, the gap logic's business
            start, middle, end = span[0], span[half], span[-1]
            assert start.normalised is not None and end.normalised is not None
            ends = compensated_difference(end.normalised, start.normalised, self.search_px)
            if ends < self.min_score:
                continue
            residual = _mix_residual(start.luma, middle.luma, end.luma)
            if residual is None or residual > DISSOLVE_MAX_RESIDUAL:
                continue
            strength = min(ends / self.min_score, DISSOLVE_MAX_RESIDUAL / max(residual, 1e-6))
            self._dissolves.append(_Dissolve(Cut(middle.ref, span[half - 1].ref, strength), half, residual))

    # --- output -----------------------------------------------------------------------------------

    def cuts(self) -> list[Cut]:
        """Every cut found, in time order: hard cuts (candidates the video ended before testing count),
        then the best-fitting dissolve middles at least ``min_shot_frames`` away from every other cut."""
        for candidate in self._candidates:
            self._accept(candidate.cut)
        self._candidates = []
        cuts = sorted(self._cuts, key=lambda cut: cut.frame.index)
        for dissolve in _best_dissolves(self._dissolves):
            if all(abs(dissolve.frame.index - c.frame.index) >= self.min_shot_frames for c in cuts):
                cuts.append(dissolve)
        # A shot shorter than min_shot_frames at either end of the video (e.g. one black frame an
        # encoder put first) is not reported as a shot of its own.
        first = self._first.index if self._first is not None else 0
        last = self._last.index if self._last is not None else 0
        kept = [
            cut
            for cut in cuts
            if cut.frame.index - first >= self.min_shot_frames
            and last - cut.frame.index + 1 >= self.min_shot_frames
        ]
        return sorted(kept, key=lambda cut: cut.frame.index)

    def shots(self, min_confidence: float = 50.0) -> list[Shot]:
        """The shots between the cuts whose confidence is >= ``min_confidence`` (percent, 50-100).

        A shot's confidence is the weaker of its two bounding cuts; the video's start and end count 100.
        """
        if self._first is None or self._last is None:
            return []
        threshold = strength_for_confidence(min_confidence) - 1e-9
        kept = [cut for cut in self.cuts() if cut.strength >= threshold]
        shots: list[Shot] = []
        start, start_confidence = self._first, 100.0
        for n, cut in enumerate(kept):
            confidence = min(start_confidence, cut.confidence)
            shots.append(Shot(n, FrameSpan(start, cut.previous), confidence))
            start, start_confidence = cut.frame, cut.confidence
        shots.append(Shot(len(kept), FrameSpan(start, self._last), start_confidence))
        return shots
