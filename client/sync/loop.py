"""``SyncLoop``: the background thread that keeps a replica in sync (no Qt).

Syncs on start, after local writes (``wake``), when the live channel says our
buckets changed (pull within a second), and every ``interval`` otherwise.
Failures back off with full jitter, retried on their own without waiting for
a new local write; an ended session or a revoked device stops the loop.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator

from client.sync.backoff import Backoff
from client.sync.engine import SyncEngine
from client.sync.errors import DeviceRevoked, SchemaOutdated, SessionExpired, SyncError
from client.sync.protocol import event_buckets
from client.sync.pull import cursors

log = logging.getLogger(__name__)
#: How long to wait before asking a server that needs a newer client again.
SCHEMA_OUTDATED_RETRY_S = 3600.0

EventSource = Callable[[str], Iterator[dict[str, str]]]


class SyncLoop:
    def __init__(
        self,
        engine: SyncEngine,
        *,
        interval: float = 60.0,
        backoff: Backoff | None = None,
        events: EventSource | None = None,
    ) -> None:
        self.engine = engine
        self.interval = interval
        self.backoff = backoff or Backoff()
        self.events = events
        self.failures = 0
        self.stopped_reason: str | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        self._spawn(self._run, "sync-loop")
        if self.events is not None:
            self._spawn(self._listen, "sync-live")

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout)

    def wake(self, *, force: bool = False) -> None:
        """Sync now; during a failure backoff only ``force`` (the server spoke) cuts it short."""
        if force or not self.failures:
            self._wake.set()

    @property
    def running(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            wait = self.step()
            if wait is None:
                self._stop.set()
                return
            self._wake.wait(wait)

    def step(self) -> float | None:
        """One sync attempt; returns how long to wait before the next (None = stop)."""
        try:
            self.engine.sync_once()
        except (SessionExpired, DeviceRevoked) as exc:
            self.stopped_reason = f"{exc.code}: {exc}"
            return None
        except SchemaOutdated:
            return SCHEMA_OUTDATED_RETRY_S
        except SyncError as exc:
            delay = self.backoff.delay(self.failures, exc)
            self.failures += 1
            log.info("sync failed (%s); retry %d in %.1fs", exc, self.failures, delay)
            return delay
        except Exception:  # a bug must not kill the loop silently
            log.exception("sync cycle crashed")
            delay = self.backoff.delay(self.failures)
            self.failures += 1
            return delay
        self.failures = 0
        return self.interval

    def _listen(self) -> None:
        """Follow the live channel; reconnect with backoff when it drops."""
        assert self.events is not None
        misses = 0
        while not self._stop.is_set():
            try:
                token = self.engine.tokens.access_token()
                for message in self.events(token):
                    misses = 0
                    if self._stop.is_set():
                        return
                    buckets = event_buckets(message)
                    if message.get("event") in ("ping", "keepalive", "hello"):
                        continue
                    if buckets is None or buckets & self._subscribed():
                        self.wake(force=True)
            except SyncError as exc:
                log.debug("live channel: %s", exc)
            except Exception:
                log.exception("live channel crashed")
            misses += 1
            self._stop.wait(self.backoff.delay(misses))

    def _subscribed(self) -> set[str]:
        if self.engine.wiped:
            return set()
        with self.engine.store.engine.connect() as conn:
            return set(cursors(conn))
