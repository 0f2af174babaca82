"""Sync off the UI thread: a QObject on its own QThread owns every ``SyncEngine`` call.

Runs a cycle on start, on "Sync now", after local writes, when the live
channel says the server changed, and every ``interval`` otherwise. Failures
back off with full jitter (``client.sync.backoff``), exactly the policy of
``client.sync.loop.SyncLoop``; an ended session or a revoked device stop the
schedule until the user acts. Results travel back as signals only.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal, Slot

from client.services.sync_progress import bootstrap_total
from client.services.workspace import Workspace
from client.sync.backoff import Backoff
from client.sync.engine import SyncEngine
from client.sync.errors import DeviceRevoked, SchemaOutdated, SessionExpired, SyncError
from client.sync.loop import SCHEMA_OUTDATED_RETRY_S
from client.sync.protocol import event_buckets
from client.sync.status import SyncStatus

log = logging.getLogger(__name__)
QUIET_EVENTS = frozenset({"ping", "keepalive", "hello"})


class SyncWorker(QObject):
    """Lives on ``thread``; call its slots through signals (queued), never directly."""

    status = Signal(object)  # SyncStatus
    progress = Signal(int, int)  # rows received, expected (0: unknown)
    started = Signal()
    finished = Signal(object)  # SyncReport
    failed = Signal(object)  # SyncError (or an unexpected exception)
    changed = Signal(object)  # set[str] of tables a download touched
    _request = Signal()
    _stop = Signal()

    def __init__(self, workspace: Workspace, *, interval: float = 60.0) -> None:
        super().__init__()
        self.workspace = workspace
        self.interval = interval
        self.backoff = Backoff(base=2.0, cap=300.0)
        self.failures = 0
        self.stopped = False
        self._received = 0
        self._expected = 0
        self.engine: SyncEngine = workspace.engine(
            on_status=self.status.emit, on_change=self.changed.emit, on_page=self._page
        )
        self.thread = QThread()
        self.thread.setObjectName("cnc-sync")
        self.moveToThread(self.thread)
        self.timer: QTimer | None = None
        self._request.connect(self._run)
        self._stop.connect(self._halt)
        self.thread.started.connect(self._begin)
        # Emitted on the sync thread as it ends: the last chance to stop its timer there.
        self.thread.finished.connect(self._end, Qt.ConnectionType.DirectConnection)
        self._live: _LiveChannel | None = None

    # -- called from the UI thread -----------------------------------------------------

    def start(self, *, live: bool = True) -> None:
        self.thread.start()
        if live:
            self._live = _LiveChannel(self)
            self._live.start()

    def sync_now(self) -> None:
        """Queue a cycle now (a user click, a local write); resumes a stopped schedule."""
        self._request.emit()

    def shutdown(self, timeout_ms: int = 5000) -> None:
        if self._live is not None:
            self._live.stop()
        if self.thread.isRunning():
            self._stop.emit()
            self.thread.quit()
            if not self.thread.wait(timeout_ms):
                log.warning("sync thread still busy at shutdown; leaving it to finish")

    # -- on the sync thread --------------------------------------------------------------

    @Slot()
    def _begin(self) -> None:
        self.timer = QTimer()
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._run)
        self._run()

    def _end(self) -> None:
        """A cycle still running at shutdown schedules the next one as it ends, after the
        queued ``_halt`` was dropped with the thread's event loop; only this thread may
        stop that timer (from the UI thread Qt refuses, with a warning, at exit)."""
        self._halt()

    @Slot()
    def _halt(self) -> None:
        self.stopped = True
        if self.timer is not None:
            self.timer.stop()

    @Slot()
    def _run(self) -> None:
        if self.engine.wiped:
            return
        self.stopped = False
        if self.timer is not None:
            self.timer.stop()
        self.started.emit()
        self._received = 0
        self._expected = (
            bootstrap_total(self.engine.store, self.engine.protocol, self.engine.tokens) or 0
        )
        try:
            report = self.engine.sync_once()
        except (SessionExpired, DeviceRevoked) as exc:
            self.stopped = True
            self.failed.emit(exc)
            return
        except SchemaOutdated as exc:
            self._schedule(SCHEMA_OUTDATED_RETRY_S)
            self.failed.emit(exc)
            return
        except SyncError as exc:
            delay = self.backoff.delay(self.failures, exc)
            self.failures += 1
            log.info("sync failed (%s); retry %d in %.1fs", exc, self.failures, delay)
            self._schedule(delay)
            self.failed.emit(exc)
            return
        except Exception as exc:  # a bug must not stop syncing silently
            log.exception("sync cycle crashed")
            self._schedule(self.backoff.delay(self.failures))
            self.failures += 1
            self.failed.emit(exc)
            return
        self.failures = 0
        self._schedule(self.interval)
        self.finished.emit(report)

    def _schedule(self, seconds: float) -> None:
        if self.timer is not None and not self.stopped:
            self.timer.start(int(max(0.1, seconds) * 1000))

    def _page(self, changes: int, has_more: bool) -> None:
        """Any thread (pull prefetches): counts are plain ints, the signal is queued."""
        self._received += changes
        expected = max(self._expected, self._received) if self._expected else 0
        self.progress.emit(self._received, expected if has_more or expected else 0)

    def read_status(self) -> SyncStatus:
        """The replica's status (safe from any thread: a short read)."""
        return self.engine.status()


class _LiveChannel:
    """Follows ``/v1/sync/events`` on a daemon thread; any real event asks for a sync."""

    def __init__(self, worker: SyncWorker) -> None:
        self.worker = worker
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="cnc-live", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _listen(self) -> None:
        misses = 0
        protocol = self.worker.workspace.protocol
        tokens = self.worker.workspace.session
        while not self._stop.is_set() and not self.worker.engine.wiped:
            try:
                for message in protocol.events(token=tokens.access_token()):
                    misses = 0
                    if self._stop.is_set():
                        return
                    if message.get("event") in QUIET_EVENTS:
                        continue
                    log.debug("live channel: %s %s", message.get("event"), event_buckets(message))
                    self.worker.sync_now()
            except SyncError as exc:
                log.debug("live channel: %s", exc)
            except Exception:  # the channel is a hint; polling still runs
                log.exception("live channel crashed")
            misses += 1
            self._stop.wait(self.worker.backoff.delay(misses))
