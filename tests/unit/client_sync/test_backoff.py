"""The retry schedule of a failing sync: full jitter, capped, honouring ``Retry-After``."""

from __future__ import annotations

import random

from client.sync.backoff import Backoff, call_with_retries
from client.sync.errors import RateLimited, ServerUnavailable


def test_full_jitter_schedule_is_capped_and_spread() -> None:
    backoff = Backoff(base=1.0, cap=60.0, rng=random.Random(7))
    assert [backoff.ceiling(n) for n in range(8)] == [1, 2, 4, 8, 16, 32, 60, 60]
    delays = [backoff.delay(10) for _ in range(500)]
    assert all(0 <= d <= 60 for d in delays) and max(delays) > 45 and min(delays) < 15
    assert backoff.ceiling(10_000) == 60  # days offline never overflow
    assert backoff.delay(0, RateLimited("slow down", retry_after=5)) >= 5


def test_call_with_retries_waits_then_succeeds() -> None:
    waits: list[float] = []
    outcomes = iter([ServerUnavailable("a"), ServerUnavailable("b"), "ok"])

    def call() -> str:
        value = next(outcomes)
        if isinstance(value, Exception):
            raise value
        return value

    assert (
        call_with_retries(
            call, backoff=Backoff(rng=random.Random(1)), attempts=5, sleep=waits.append
        )
        == "ok"
    )
    assert len(waits) == 2 and waits[0] <= 1 and waits[1] <= 2
