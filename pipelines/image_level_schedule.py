"""When, in a video, the image-level models run: at a lower rate than the detector, labels held between.

The object detector runs on every sampled frame (``VIDREK_LABEL_SAMPLE_FPS``); the classifier and the
face models (:meth:`pipelines.frame_labeller.FrameLabeller.image_level`) cost two to three times the
detector per frame and describe what changes slowly (the scene, who is in it), so they run on the first
sampled frame and then on the first sampled frame at least ``period_ms`` after the last run
(``VIDREK_LABEL_CLASSIFIER_FPS``, default 0.5 per second: every tenth frame at 5 samples per second),
and every sampled frame in between reports the labels of the last run. After a cut the old scene's
labels therefore stay for up to one period (2 s by default).
"""

from __future__ import annotations

from collections.abc import Callable


class ImageLevelSchedule:
    """Decides, frame by frame in presentation order, whether the image-level models run, and holds their
    last labels."""

    def __init__(self, period_ms: float, tolerance_ms: float = 0.0) -> None:
        """``period_ms``: video time between two runs (> 0). ``tolerance_ms``: a frame this much before
        the due time already counts (half a sample interval absorbs the jitter of frame timestamps,
        so 5 samples per second and a period of 1000 ms run on every fifth frame)."""
        if period_ms <= 0:
            raise ValueError(f"period_ms must be > 0, got {period_ms}")
        if tolerance_ms < 0:
            raise ValueError(f"tolerance_ms must be >= 0, got {tolerance_ms}")
        self.period_ms = period_ms
        self.tolerance_ms = tolerance_ms
        self._due_ms: float | None = None
        self._held: dict[str, float] = {}
        self.runs = 0

    def labels_at(self, timestamp_ms: int, run: Callable[[], dict[str, float]]) -> dict[str, float]:
        """The image-level labels of the frame at ``timestamp_ms``: ``run()``'s answer if the models are
        due, else the last answer."""
        if self._due_ms is None or timestamp_ms >= self._due_ms - self.tolerance_ms:
            self._held = run()
            self.runs += 1
            self._due_ms = timestamp_ms + self.period_ms
        return self._held
