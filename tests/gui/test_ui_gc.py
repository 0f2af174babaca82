"""Cycles are collected on the UI thread's timer, never by a worker thread's allocation."""

from __future__ import annotations

import gc
import threading
import weakref

from pytestqt.qtbot import QtBot

from client.ui.app import make_application
from client.ui.garbage import collect_on_ui_thread


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


def test_automatic_collection_is_off_and_the_ui_timer_frees_cycles(qtbot: QtBot) -> None:
    collector = collect_on_ui_thread(make_application())
    assert not gc.isenabled()
    thresholds = gc.get_threshold()
    gc.set_threshold(1, thresholds[1], thresholds[2])  # the next UI tick is due to collect
    freed_on: list[str] = []

    def allocate_on_a_worker() -> None:
        node = _Node()
        watch = weakref.finalize(node, lambda: freed_on.append(threading.current_thread().name))
        del node
        for _ in range(50_000):  # far past gen-0's threshold: no collection runs here
            _Node.__new__(_Node)
        watch.atexit = False

    worker = threading.Thread(target=allocate_on_a_worker, name="worker")
    worker.start()
    worker.join()
    assert freed_on == []
    try:
        qtbot.waitUntil(lambda: freed_on != [], timeout=5_000)
    finally:
        gc.set_threshold(*thresholds)
    assert freed_on == [threading.main_thread().name]
    assert collector.timer.isActive()
