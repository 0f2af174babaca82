"""Background operations with a chained API (Anki's ``QueryOp``), results on the UI thread.

``Op(parent=w, op=fn).success(cb).failure(cb).run_in_background()`` runs
``fn`` on the database worker (one thread: replica reads queue up instead of
contending) and calls ``cb`` on the UI thread, unless ``parent`` was
destroyed meanwhile. Widgets are never touched inside ``fn``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)
T = TypeVar("T")

_db_pool: QThreadPool | None = None
_pending: set[_Relay] = set()


def db_pool() -> QThreadPool:
    """The single database worker thread."""
    global _db_pool
    if _db_pool is None:
        _db_pool = QThreadPool()
        _db_pool.setMaxThreadCount(1)
        _db_pool.setObjectName("cnc-db")
    return _db_pool


def wait_idle(timeout_ms: int = 30_000) -> bool:
    """Block until queued operations finished (shutdown and tests)."""
    return db_pool().waitForDone(timeout_ms)


class _Relay(QObject):
    """Lives on the UI thread; its queued slot delivers the worker's outcome there."""

    finished = Signal(bool, object)

    def __init__(self, op: Op[Any]) -> None:
        super().__init__()
        self.op = op
        self.finished.connect(self._deliver)

    @Slot(bool, object)
    def _deliver(self, ok: bool, value: object) -> None:
        _pending.discard(self)
        self.op._deliver(ok, value)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.fn, self.relay = fn, relay

    def run(self) -> None:
        try:
            value = self.fn()
        except Exception as exc:  # noqa: BLE001 - delivered to failure(), never lost
            self.relay.finished.emit(False, exc)
        else:
            self.relay.finished.emit(True, value)


def show_exception(parent: QObject | None, exc: BaseException) -> None:
    """The one fallback for operations without a failure handler: log, then tell the window."""
    log.error("background operation failed", exc_info=exc)
    window = parent.window() if parent is not None and hasattr(parent, "window") else None
    notify = getattr(window, "notify_error", None)
    if callable(notify):
        notify(str(exc) or type(exc).__name__)


class Op(Generic[T]):
    """One background read or write; callbacks run on the UI thread."""

    def __init__(self, *, parent: QObject, op: Callable[[], T]) -> None:
        self.parent = parent
        self.op = op
        self._success: Callable[[T], None] | None = None
        self._failure: Callable[[BaseException], None] | None = None

    def success(self, callback: Callable[[T], None]) -> Op[T]:
        self._success = callback
        return self

    def failure(self, callback: Callable[[BaseException], None]) -> Op[T]:
        self._failure = callback
        return self

    def run_in_background(self, pool: QThreadPool | None = None) -> None:
        relay = _Relay(self)
        _pending.add(relay)
        (pool or db_pool()).start(_Job(self.op, relay))

    def _deliver(self, ok: bool, value: object) -> None:
        if not shiboken6.isValid(self.parent):
            return  # the screen closed while the work ran
        if ok:
            if self._success is not None:
                self._success(value)  # type: ignore[arg-type]
        elif self._failure is not None:
            self._failure(value)  # type: ignore[arg-type]
        else:
            show_exception(self.parent, value)  # type: ignore[arg-type]


_net_pool: QThreadPool | None = None


def net_pool() -> QThreadPool:
    """Network work (sign-in): never queued behind replica reads."""
    global _net_pool
    if _net_pool is None:
        _net_pool = QThreadPool()
        _net_pool.setMaxThreadCount(2)
        _net_pool.setObjectName("cnc-net")
    return _net_pool
