"""When a failed delivery is tried again: exponential backoff with jitter, bounded retries."""

from __future__ import annotations

import random
from dataclasses import dataclass

from workers.settings import Settings


@dataclass(frozen=True)
class RetryPolicy:
    """``max_retries`` retries after the first attempt; retry n waits ``base * factor^(n-1)`` seconds,
    capped at ``max_delay``, minus a random share of at most ``jitter`` of it."""

    max_retries: int
    base_seconds: float
    factor: float
    max_seconds: float
    jitter: float

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(
            max_retries=settings.notification_max_retries,
            base_seconds=settings.notification_retry_base_seconds,
            factor=settings.notification_retry_factor,
            max_seconds=settings.notification_retry_max_seconds,
            jitter=settings.notification_retry_jitter,
        )

    def may_retry(self, attempts_made: int) -> bool:
        """Whether another attempt is allowed after ``attempts_made`` failed ones."""
        return attempts_made <= self.max_retries

    def delay_seconds(self, retry_number: int, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry ``retry_number`` (1 for the first retry)."""
        if retry_number < 1:
            raise ValueError("retry numbers start at 1")
        nominal = min(self.max_seconds, self.base_seconds * self.factor ** (retry_number - 1))
        share = (rng or random).random() * self.jitter
        return nominal * (1.0 - share)
