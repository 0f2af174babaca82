"""This device's hybrid logical clock (``shared_models.sync.hlc``), monotonic across restarts.

The last stamp is kept in ``sync_meta`` by the writer that used it, so a
restarted app never issues a stamp below one already in the outbox.
"""

from __future__ import annotations

import threading
import time
import uuid

from client.replica.store import LocalStore
from client.sync.db import META_DEVICE_ID, META_HLC, read_meta
from shared_models.sync.hlc import Hlc, HlcError


def node_id(device_id: str | None) -> str:
    """The HLC node of a device: its id without dashes (the stamp alphabet has none)."""
    return uuid.UUID(device_id).hex if device_id else "local"


class DeviceClock:
    """``clock()`` returns the next stamp as text; thread-safe."""

    def __init__(self, node: str, last: str | None = None) -> None:
        self._lock = threading.Lock()
        self._last = Hlc.zero(node)
        if last:
            try:
                parsed = Hlc.parse(last)
                self._last = Hlc(parsed.ms, parsed.counter, node)
            except HlcError:
                pass  # a corrupt stamp only costs monotonicity against itself

    @classmethod
    def for_store(cls, store: LocalStore) -> DeviceClock:
        return cls(node_id(read_meta(store, META_DEVICE_ID)), read_meta(store, META_HLC))

    def __call__(self) -> str:
        with self._lock:
            self._last = self._last.tick(time.time_ns() // 1_000_000)
            return str(self._last)
