"""Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff and Jitter").

Full jitter spreads 100 laptops that lost the server at the same moment over
the whole window instead of having them return in lock-step.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from client.sync.errors import RateLimited, ServerUnavailable

T = TypeVar("T")


@dataclass
class Backoff:
    """``delay(n)`` for the n-th consecutive failure (0-based): uniform in [0, ceiling(n)]."""

    base: float = 1.0
    cap: float = 300.0
    factor: float = 2.0
    rng: random.Random = field(default_factory=random.Random)

    def ceiling(self, attempt: int) -> float:
        # min() before the power would overflow: attempts can grow for days offline.
        exponent = min(attempt, 64)
        return min(self.cap, self.base * self.factor**exponent)

    def delay(self, attempt: int, error: BaseException | None = None) -> float:
        wait = self.rng.uniform(0.0, self.ceiling(attempt))
        if isinstance(error, RateLimited) and error.retry_after:
            wait = max(wait, min(self.cap, error.retry_after))
        return wait


def call_with_retries(
    fn: Callable[[], T],
    *,
    backoff: Backoff,
    attempts: int,
    sleep: Callable[[float], None] = time.sleep,
    on_retry: Callable[[int, float, BaseException], None] | None = None,
) -> T:
    """Run ``fn``; on ``ServerUnavailable`` wait and retry, at most ``attempts`` tries in all."""
    for attempt in range(attempts):
        try:
            return fn()
        except ServerUnavailable as exc:
            if attempt + 1 >= attempts:
                raise
            wait = backoff.delay(attempt, exc)
            if on_retry is not None:
                on_retry(attempt + 1, wait, exc)
            sleep(wait)
    raise AssertionError("unreachable")
