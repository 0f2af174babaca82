"""Python's cycle collector runs on the UI thread only.

Cyclic garbage often holds Qt wrappers (a closure that captured a widget, a
dropped view and its signal connections). When the collector happens to run on
the database or photo worker, it destroys those widgets off the UI thread while
the UI thread is using Qt, and the process crashes (a segfault, seen under load
in the GUI tests). As Anki does, automatic collection is switched off and a
UI-thread timer collects instead, by the interpreter's own thresholds.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

#: Often enough that garbage never piles up between two looks, rarely enough to cost nothing.
INTERVAL_MS = 500


class UiThreadCollector(QObject):
    """Collects on a timer of the thread it was created on (the UI thread)."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.collect)
        self.start()

    def start(self) -> None:
        gc.disable()
        self.timer.start()

    def stop(self) -> None:
        """Back to automatic collection (code that runs no event loop any more)."""
        self.timer.stop()
        gc.collect()
        gc.enable()

    def collect(self) -> int:
        """What automatic collection would have done by now; the number of objects freed."""
        t0, t1, t2 = gc.get_threshold()
        c0, c1, c2 = gc.get_count()
        if c2 > t2:
            return gc.collect(2)
        if c1 > t1:
            return gc.collect(1)
        if c0 > t0:
            return gc.collect(0)
        return 0


def collect_on_ui_thread(app: QObject) -> UiThreadCollector:
    """Install the collector on ``app`` once; later calls restart and return the same one."""
    found = app.findChild(UiThreadCollector)
    if isinstance(found, UiThreadCollector):
        found.start()
        return found
    return UiThreadCollector(app)
