"""Reproducible UUIDv7 ids for seeded rows.

``shared_models.ids.uuid7`` mixes the wall clock with ``os.urandom``, so two
seeds of the same company would never match. Here the 48-bit timestamp comes
from the row's own (seeded) creation time, or from a counter running from a
fixed anchor, and the 74 random bits from a seeded ``random.Random``: the same
seed and anchor give the same ids, and they still sort by creation time.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid

_MS_MASK = (1 << 48) - 1


def uuid7_from(ms: int, rand_a: int, rand_b: int) -> uuid.UUID:
    """Assemble an RFC 9562 UUIDv7 from its three fields."""
    value = (ms & _MS_MASK) << 80
    value |= 0x7 << 76
    value |= (rand_a & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand_b & ((1 << 62) - 1)
    return uuid.UUID(int=value)


def epoch_ms(at: dt.datetime) -> int:
    """Milliseconds since the Unix epoch of an aware datetime."""
    if at.tzinfo is None:
        raise ValueError("seed timestamps must be timezone-aware")
    return int(at.timestamp() * 1000)


class SeededIds:
    """Hands out UUIDv7 ids from a seeded generator, never from the clock."""

    def __init__(self, seed: int, anchor: dt.datetime) -> None:
        self._rng = random.Random(f"cnc-seed-ids:{seed}")
        self._next_ms = epoch_ms(anchor)

    def new(self, at: dt.datetime | None = None) -> uuid.UUID:
        """An id stamped with ``at`` (the row's creation time) or the next anchor tick."""
        if at is None:
            ms = self._next_ms
            self._next_ms += 1
        else:
            ms = epoch_ms(at)
        bits = self._rng.getrandbits(74)
        return uuid7_from(ms, bits >> 62, bits)
