"""Sync issues against the real server: a refused change shows with its reason and both
values; "Edit and retry" gets a corrected value applied; "Discard" closes the issue.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from client.services.workspace import Workspace
from client.ui.main_window import MainWindow
from client.ui.sync_issues import RetryDialog, SyncIssuesView
from tests.utils.e2e import Scene, ServerDb


def _texts(widget: object) -> str:
    return "\n".join(w.text() for w in widget.findChildren(QLabel))  # type: ignore[attr-defined]


def _synced(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.worker.finished, timeout=30_000):
        window.sync_now()


def test_a_refused_change_is_shown_retried_with_a_fix_and_discarded(
    qtbot: QtBot,
    scene: Scene,
    server_db: ServerDb,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
) -> None:
    ws = signed_in(scene.accounts["disp"])
    window = open_window(ws, write_sync_delay_ms=3_600_000)
    qtbot.waitUntil(lambda: window.status.pill.text() == "● Online", timeout=30_000)
    assert "sync_issues" in list(window.nav.keys())

    # Two refusals for real: an edit of an ACCEPTED (locked) quote, and a truck whose
    # unit number is already used at a branch this dispatcher cannot see.
    ws.writes.update("quote", scene.rows["qa"], {"notes": "customer wants Tuesday instead"})
    truck = ws.writes.insert(
        "equipment",
        {
            "location_id": scene.locations[0],
            "unit_number": "T4",
            "name": "New truck",
            "type": "TRUCK",
        },
    )
    _synced(qtbot, window)
    qtbot.waitUntil(lambda: window.status.issues.text() == "2 sync issues", timeout=10_000)

    qtbot.mouseClick(window.status.issues, Qt.MouseButton.LeftButton)  # the count links here
    view = window.current_page()
    assert isinstance(view, SyncIssuesView)
    qtbot.waitUntil(lambda: view.model.rowCount() == 2, timeout=10_000)
    issues = {i.table: i for i in view.issues}
    locked, clash = issues["quote"], issues["equipment"]
    assert locked.reason == "locked" and "locked" in locked.explanation
    assert clash.op == "insert" and "clashes" in clash.explanation

    # The locked edit: your value beside the server's.
    view.table.selectRow(view.issues.index(locked))
    qtbot.waitUntil(lambda: "Your value" in _texts(view.pane), timeout=5_000)
    shown = _texts(view.pane)
    assert "customer wants Tuesday instead" in shown and "orig" in shown
    assert "The record is locked" in shown

    # Discard: the server's version stays and the issue is resolved.
    qtbot.mouseClick(view.discard_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: [i.table for i in view.issues] == ["equipment"], timeout=10_000)
    assert server_db.row("quote", scene.rows["qa"])["notes"] == "orig"  # type: ignore[index]

    # Edit and retry: type a free unit number (checked as you type), then sync.
    view.table.selectRow(0)
    qtbot.waitUntil(lambda: "T4" in _texts(view.pane), timeout=5_000)

    # The real button: the dialog opens window-modal without a nested event loop.
    qtbot.mouseClick(view.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.findChild(RetryDialog) is not None, timeout=5_000)
    dialog = view.findChild(RetryDialog)
    assert dialog is not None and dialog.isVisible()
    field = dialog.fields["unit_number"]
    field.edit.selectAll()
    qtbot.keyClicks(field.edit, "x" * 40)
    assert not dialog.ok.isEnabled() and field.message.isVisible()  # too long
    field.edit.selectAll()
    qtbot.keyClicks(field.edit, "T5")
    assert dialog.ok.isEnabled()
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.issues == [], timeout=10_000)
    _synced(qtbot, window)
    row = server_db.row("equipment", truck)
    assert row is not None and row["unit_number"] == "T5"
    qtbot.waitUntil(lambda: window.status.issues.text() == "No sync issues", timeout=10_000)
    assert "reached the server" in view.header.subtitle.text()
