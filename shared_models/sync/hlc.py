"""Hybrid logical clock (Kulkarni et al.): wall-clock-like stamps that never go backwards.

Last-writer-wins needs an order of edits made on machines whose clocks
disagree and that were offline for hours. An HLC stays close to physical time,
grows monotonically on each node, and after ``receive`` is ahead of every
stamp it has seen, so causally later edits always sort later. Ties between
nodes are broken by node id, so the order is total.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: ``"{ms:013d}-{counter:05d}-{node}"``: string order equals clock order.
_PATTERN = re.compile(r"^(\d{13})-(\d{5})-([A-Za-z0-9_.:]{1,40})$")
MAX_COUNTER = 99_999
SERVER_NODE = "server"
#: How far ahead of the server a client's stamp may be. A laptop whose clock runs days
#: ahead would otherwise win every last-writer-wins field until real time catches up.
MAX_CLOCK_AHEAD_MS = 5 * 60 * 1000


class HlcError(ValueError):
    """A malformed stamp, or a counter that would overflow its five digits."""


@dataclass(frozen=True, slots=True, order=True)
class Hlc:
    """One stamp: physical milliseconds, logical counter, node id (compared in that order)."""

    ms: int
    counter: int
    node: str

    def __post_init__(self) -> None:
        if not 0 <= self.ms < 10**13:
            raise HlcError(f"physical time out of range: {self.ms}")
        if not 0 <= self.counter <= MAX_COUNTER:
            raise HlcError(f"counter out of range: {self.counter}")
        if not re.fullmatch(r"[A-Za-z0-9_.:]{1,40}", self.node):
            raise HlcError(f"invalid node id {self.node!r}")

    def __str__(self) -> str:
        return f"{self.ms:013d}-{self.counter:05d}-{self.node}"

    @classmethod
    def parse(cls, text: str) -> Hlc:
        match = _PATTERN.match(text)
        if match is None:
            raise HlcError(f"not a hybrid logical clock stamp: {text!r}")
        return cls(int(match.group(1)), int(match.group(2)), match.group(3))

    @classmethod
    def zero(cls, node: str = "0") -> Hlc:
        """Earlier than every real stamp: the clock of a value nobody stamped."""
        return cls(0, 0, node)

    def tick(self, now_ms: int) -> Hlc:
        """The stamp of a new local event on this node, given the wall clock ``now_ms``."""
        if now_ms > self.ms:
            return Hlc(now_ms, 0, self.node)
        return self._bump(self.ms, self.counter)

    def receive(self, remote: Hlc, now_ms: int) -> Hlc:
        """Merge a stamp seen from another node: the result is after both and after ``now_ms``-ish."""
        top = max(self.ms, remote.ms, now_ms)
        if top == self.ms == remote.ms:
            return self._bump(top, max(self.counter, remote.counter))
        if top == self.ms:
            return self._bump(top, self.counter)
        if top == remote.ms:
            return self._bump(top, remote.counter)
        return Hlc(top, 0, self.node)

    def _bump(self, ms: int, counter: int) -> Hlc:
        # On overflow, borrow a millisecond from the future rather than break monotonicity.
        if counter >= MAX_COUNTER:
            return Hlc(ms + 1, 0, self.node)
        return Hlc(ms, counter + 1, self.node)


def cap_future(stamp: Hlc, now_ms: int, ahead_ms: int = MAX_CLOCK_AHEAD_MS) -> Hlc:
    """``stamp``, or the same edit re-dated to ``now_ms`` when it claims to be further ahead
    than ``ahead_ms``: it then orders as an edit made when it reached the server."""
    if stamp.ms <= now_ms + ahead_ms:
        return stamp
    return Hlc(now_ms, stamp.counter, stamp.node)


def parse_hlc(text: str | None) -> Hlc | None:
    """``Hlc.parse`` that passes None through (a field nobody stamped)."""
    return None if text is None else Hlc.parse(text)
