"""Main window against the real server: role-based nav, the status bar, sync on and off line."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable

from PySide6.QtCore import Qt, QThread, QTimer
from pytestqt.qtbot import QtBot

from client.services.workspace import Workspace
from client.ui.main_window import MainWindow
from client.ui.navigation import allowed_sections
from shared_models.enums import UserRole
from tests.utils.e2e import Scene, ServerDb
from tests.utils.server import live_server


def test_navigation_follows_the_role(
    qtbot: QtBot,
    scene: Scene,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
) -> None:
    navs = {}
    for name in ("lead1", "disp", "admin"):
        window = open_window(signed_in(scene.accounts[name]), sync=False)
        navs[name] = window.nav.keys()
    # Built screens only, in nav order; other sections join as their screens land.
    assert "customers" not in navs["lead1"]  # a crew lead has no sales pipeline
    assert navs["disp"][navs["disp"].index("customers") :][:2] == ["customers", "quotes"]
    assert "journeys" in navs["disp"] and "admin" not in navs["disp"]
    assert {"customers", "quotes", "journeys", "admin"} <= set(navs["admin"])
    allowed = {r: {s.key for s in allowed_sections(r)} for r in UserRole}
    assert "invoices" not in allowed[UserRole.CREW_LEAD]  # never sees invoices
    assert "admin" in allowed[UserRole.ADMIN] and "admin" not in allowed[UserRole.DISPATCHER]
    assert "dispatch" in allowed[UserRole.DISPATCHER]

    window = open_window(signed_in(scene.accounts["disp"], None), sync=False)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    keys = window.nav.keys()
    quotes, customers = keys.index("quotes"), keys.index("customers")
    qtbot.keyClick(window, Qt.Key(Qt.Key.Key_1 + quotes), Qt.KeyboardModifier.ControlModifier)
    assert window.nav.currentRow() == quotes and window.current_page() is window.pages["quotes"]
    qtbot.keyClick(window, Qt.Key(Qt.Key.Key_1 + customers), Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.pages["customers"].search.hasFocus()  # type: ignore[attr-defined]


def test_pending_changes_then_sync_now(
    qtbot: QtBot,
    scene: Scene,
    server_db: ServerDb,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
) -> None:
    workspace = signed_in(scene.accounts["disp"])
    window = open_window(workspace, write_sync_delay_ms=3_600_000)
    bar = window.status
    qtbot.waitUntil(lambda: bar.pill.text() == "● Online", timeout=30_000)
    assert bar.pending.text() == "All changes synced" and not bar.progress.isVisible()
    assert window.show_section("customers").model.total == 3  # type: ignore[attr-defined]

    workspace.writes.update("customer", scene.rows["c1"], {"notes": "call before 9"})
    qtbot.waitUntil(lambda: bar.pending.text() == "1 change waiting to sync", timeout=10_000)

    qtbot.mouseClick(bar.sync_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bar.pending.text() == "All changes synced", timeout=30_000)
    assert bar.last_sync.text() == "Synced just now"
    assert server_db.row("customer", scene.rows["c1"])["notes"] == "call before 9"  # type: ignore[index]


def test_server_down_shows_offline_without_freezing(
    qtbot: QtBot,
    world_db: tuple[str, object],
    scene: Scene,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
) -> None:
    with live_server(world_db[0]) as url:  # signed in while the server ran...
        workspace = signed_in(scene.accounts["disp"], url)
        workspace.engine().sync_once()
    # ...which is now gone: the app opens and keeps working on the replica.
    ticks: list[int] = []
    heartbeat = QTimer(interval=10)
    heartbeat.timeout.connect(lambda: ticks.append(1))
    heartbeat.start()
    sync_threads: list[QThread] = []
    window = open_window(workspace, sync=False)
    window.worker.started.connect(
        lambda: sync_threads.append(QThread.currentThread()), Qt.ConnectionType.DirectConnection
    )
    window.worker.start(live=False)
    bar = window.status
    with contextlib.suppress(Exception):
        qtbot.waitUntil(lambda: "working offline" in bar.currentMessage(), timeout=20_000)
    heartbeat.stop()
    assert "working offline" in bar.currentMessage()
    assert bar.pill.text() in ("● Offline", "● Syncing…")  # retrying with backoff
    assert sync_threads and sync_threads[0] is not QThread.currentThread()
    assert ticks  # the UI thread kept running its event loop
    quotes = window.show_section("quotes")
    assert quotes.model.rowCount() == 4  # type: ignore[attr-defined]
    workspace.writes.update("customer", scene.rows["c2"], {"notes": "offline edit"})
    qtbot.waitUntil(lambda: bar.pending.text() == "1 change waiting to sync", timeout=10_000)


def test_closing_during_a_sync_leaves_no_timer_running_on_the_sync_thread(
    qtbot: QtBot,
    scene: Scene,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
) -> None:
    """A cycle still running at shutdown schedules the next one as it ends; that timer
    belongs to the sync thread, which must stop it (Qt cannot from the UI thread)."""
    workspace = signed_in(scene.accounts["disp"])
    window = open_window(workspace, sync=False)
    worker = window.worker
    in_cycle = threading.Event()

    def busy() -> None:  # on the sync thread, at the start of a cycle
        in_cycle.set()
        time.sleep(0.3)  # the window closes meanwhile

    worker.started.connect(busy, Qt.ConnectionType.DirectConnection)
    worker.start(live=False)
    assert in_cycle.wait(30)
    window.shutdown()
    assert worker.thread.isFinished()
    assert worker.timer is not None and not worker.timer.isActive()
