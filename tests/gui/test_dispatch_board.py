"""The dispatcher's board, driven like a dispatcher: dialog, drag and drop, red conflicts.

A real replica signed in and synced from the real server (the gui fixtures);
drops go through the canvas's own drop handler with the QMimeData the side
list or a block really produces; assignments reach the server through the
window's own sync.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt
from PySide6.QtGui import QColor, QDropEvent
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from client.services.dispatch import PERSON, TRUCK
from client.services.workspace import Workspace
from client.sync import outbox
from client.sync.db import replica_tx
from client.ui.dispatch import DispatchView
from client.ui.dispatch.assign_dialog import LEAD_COL, MOVER_COL
from client.ui.dispatch.mime import DraggedJourney, journey_mime
from client.ui.main_window import MainWindow
from tests.gui.crew_fixtures import NetworkSwitch, network  # noqa: F401
from tests.integration.client_sync.test_dispatch_service import (
    DAY,
    build_dispatch_day,
)
from tests.utils.e2e import Scene, ServerDb

WAIT = 20_000
ON = Qt.CheckState.Checked


def _board(
    qtbot: QtBot,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
    scene: Scene,
    url: str | None = None,
) -> tuple[Workspace, MainWindow, DispatchView]:
    ws = signed_in(scene.accounts["disp"], url)
    ws.engine().sync_once()
    window = open_window(ws, write_sync_delay_ms=50)
    view = window.show_section("dispatch")
    assert isinstance(view, DispatchView)
    view.go_to(DAY)
    qtbot.waitUntil(lambda: view.board is not None and view.board.days == (DAY,), timeout=WAIT)
    return ws, window, view


def _drop(view: DispatchView, mime: QMimeData, kind: str, resource_id: uuid.UUID) -> None:
    """What Qt delivers when a drag is released over a row: a real QDropEvent."""
    event = QDropEvent(
        view.canvas.lane_point(kind, resource_id),
        Qt.DropAction.MoveAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    view.canvas.dropEvent(event)


def _card_mime(view: DispatchView, journey_id: uuid.UUID) -> QMimeData:
    """The side list's own drag payload for a journey card."""
    row = view.unassigned.ids().index(journey_id)
    return view.unassigned.mimeData([view.unassigned.item(row)])


def _blocks(view: DispatchView, journey_id: uuid.UUID) -> set[tuple[str, uuid.UUID]]:
    board = view.board
    return (
        set() if board is None else {(b.kind, b.resource_id) for b in board.blocks_of(journey_id)}
    )


def _server(server_db: ServerDb, sql: str, journey: uuid.UUID) -> set[tuple[object, ...]]:
    with server_db.engine.connect() as conn:
        return {tuple(r) for r in conn.execute(text(sql), {"j": journey})}


CREW_SQL = (
    "SELECT user_id, crew_role FROM journey_crew WHERE journey_id = :j AND deleted_at IS NULL"
)
TRUCK_SQL = (
    "SELECT equipment_id, status FROM equipment_assignment"
    " WHERE journey_id = :j AND deleted_at IS NULL"
)


def _redness(view: DispatchView, block_rect: object) -> QColor:
    """The painted fill of a block, away from its text."""
    image = view.canvas.grab().toImage()
    rect = block_rect  # QRectF
    point = rect.bottomRight() - QPointF(6, 4)  # type: ignore[attr-defined]
    return QColor(image.pixel(int(point.x()), int(point.y())))


def test_dispatcher_assigns_a_crew_and_truck_in_the_dialog_and_the_server_gets_the_rows(
    qtbot: QtBot,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
    scene: Scene,
    server_db: ServerDb,
) -> None:
    d = build_dispatch_day(scene, server_db)
    _, _, view = _board(qtbot, signed_in, open_window, scene)
    assert view.unassigned.ids() == [d.morning, d.late, d.evening]

    # Select the morning card and press Ctrl+Enter: the assign dialog opens for it.
    view.unassigned.setCurrentRow(0)
    view.unassigned.setFocus()
    qtbot.keyClick(view.unassigned, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible(), timeout=WAIT)
    dialog = view.dialog
    assert dialog is not None and dialog.journey_id == d.morning
    assert "No crew lead" in dialog.summary.text()
    shop = dialog.truck_item(d.shop)
    assert "REPAIR" in shop.text(2)  # who is free is shown beside each unit
    dialog.person_item(d.ann).setCheckState(LEAD_COL, ON)
    dialog.person_item(d.bob).setCheckState(MOVER_COL, ON)
    dialog.person_item(d.cy).setCheckState(MOVER_COL, ON)
    dialog.truck_item(d.t1).setCheckState(0, ON)
    assert "no conflicts" in dialog.summary.text()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    expected = {(PERSON, d.ann), (PERSON, d.bob), (PERSON, d.cy), (TRUCK, d.t1)}
    qtbot.waitUntil(lambda: _blocks(view, d.morning) == expected, timeout=WAIT)
    assert d.morning not in view.unassigned.ids()
    assert all(not b.problems for b in view.board.blocks_of(d.morning))  # type: ignore[union-attr]
    # The window syncs the write on its own; the server has the rows.
    qtbot.waitUntil(
        lambda: (
            _server(server_db, CREW_SQL, d.morning)
            == {(d.ann, "LEAD"), (d.bob, "MOVER"), (d.cy, "MOVER")}
        ),
        timeout=WAIT,
    )
    qtbot.waitUntil(
        lambda: _server(server_db, TRUCK_SQL, d.morning) == {(d.t1, "ACTIVE")}, timeout=WAIT
    )


def test_dispatcher_assigns_by_drag_and_drop_and_moves_a_block_between_trucks(
    qtbot: QtBot,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
    scene: Scene,
    server_db: ServerDb,
) -> None:
    d = build_dispatch_day(scene, server_db)
    _, _, view = _board(qtbot, signed_in, open_window, scene)
    _drop(view, _card_mime(view, d.evening), PERSON, d.ann)
    qtbot.waitUntil(lambda: _blocks(view, d.evening) == {(PERSON, d.ann)}, timeout=WAIT)
    assert "Ann Arbour joins as lead" in view.note.text()
    _drop(view, _card_mime(view, d.evening), PERSON, d.cy)
    _drop(view, _card_mime(view, d.evening), TRUCK, d.t2)
    qtbot.waitUntil(lambda: len(_blocks(view, d.evening)) == 3, timeout=WAIT)
    assert d.evening not in view.unassigned.ids()  # crew of two, a lead, a truck: done

    # Drag the evening's block off T2's row onto T1's: a block's own payload.
    (rect, block) = next(
        (r, b) for r, b in view.canvas.block_rects() if (b.kind, b.resource_id) == (TRUCK, d.t2)
    )
    assert block.journey_id == d.evening and rect.width() > 20
    _drop(view, journey_mime(DraggedJourney(d.evening, TRUCK, d.t2)), TRUCK, d.t1)
    qtbot.waitUntil(
        lambda: _blocks(view, d.evening) == {(PERSON, d.ann), (PERSON, d.cy), (TRUCK, d.t1)},
        timeout=WAIT,
    )
    qtbot.waitUntil(
        lambda: _server(server_db, TRUCK_SQL, d.evening) == {(d.t2, "CANCELLED"), (d.t1, "ACTIVE")},
        timeout=WAIT,
    )
    assert _server(server_db, CREW_SQL, d.evening) == {(d.ann, "LEAD"), (d.cy, "MOVER")}
    assert server_db.row("journey", d.evening)["truck_id"] == d.t1


def test_a_double_booking_turns_both_blocks_red_with_the_reason(
    qtbot: QtBot,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
    scene: Scene,
    server_db: ServerDb,
) -> None:
    d = build_dispatch_day(scene, server_db)
    _, window, view = _board(qtbot, signed_in, open_window, scene)
    window.resize(1440, 900)
    # The evening job fully staffed (Ann leads and drives T1, Bob moves): a calm blue block.
    for kind, rid in ((PERSON, d.ann), (PERSON, d.bob), (TRUCK, d.t1)):
        _drop(view, _card_mime(view, d.evening), kind, rid)
        qtbot.waitUntil(lambda k=kind, r=rid: (k, r) in _blocks(view, d.evening), timeout=WAIT)
    evening_rect = next(
        r
        for r, b in view.canvas.block_rects()
        if (b.journey_id, b.resource_id) == (d.evening, d.bob)
    )
    calm = _redness(view, evening_rect)
    assert calm.blue() > calm.red(), calm.name()

    for journey in (d.morning, d.late):
        _drop(view, _card_mime(view, journey), PERSON, d.bob)
        qtbot.waitUntil(lambda j=journey: (PERSON, d.bob) in _blocks(view, j), timeout=WAIT)
    bob = [(r, b) for r, b in view.canvas.block_rects() if b.resource_id == d.bob]
    clashing = [(r, b) for r, b in bob if b.journey_id in (d.morning, d.late)]
    assert len(clashing) == 2
    for rect, block in clashing:
        tip = view.canvas.tooltip_at(rect.center())
        assert "Bob Brandt is booked on" in tip and "at the same time" in tip
        assert "08:00-12:00" in tip and "10:00-14:00" in tip
        colour = _redness(view, rect)
        assert colour.red() > colour.blue() + 20, colour.name()
    evening = next(b for r, b in bob if b.journey_id == d.evening)
    assert not any("same time" in p for p in evening.problems)


def test_a_truck_out_of_service_is_red_and_so_is_a_journey_booked_on_it(
    qtbot: QtBot,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
    scene: Scene,
    server_db: ServerDb,
) -> None:
    d = build_dispatch_day(scene, server_db)
    _, _, view = _board(qtbot, signed_in, open_window, scene)
    point = view.canvas.lane_point(TRUCK, d.shop)
    assert "its status is REPAIR" in view.canvas.tooltip_at(QPointF(40, point.y()))
    shaded = QColor(view.canvas.grab().toImage().pixel(int(point.x()), int(point.y())))
    assert shaded.red() > shaded.green() + 8, shaded.name()  # hatched red, not white

    _drop(view, _card_mime(view, d.morning), TRUCK, d.shop)
    qtbot.waitUntil(lambda: (TRUCK, d.shop) in _blocks(view, d.morning), timeout=WAIT)
    rect = next(r for r, b in view.canvas.block_rects() if b.resource_id == d.shop)
    tip = view.canvas.tooltip_at(rect.center())
    assert "T9 is booked on" in tip and "REPAIR" in tip
    assert _redness(view, rect).red() > _redness(view, rect).blue() + 20


def test_refused_and_junk_drops_explain_themselves_and_write_nothing(
    qtbot: QtBot,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
    scene: Scene,
    server_db: ServerDb,
) -> None:
    d = build_dispatch_day(scene, server_db)
    ws, _, view = _board(qtbot, signed_in, open_window, scene)
    with replica_tx(ws.store) as conn:
        before = outbox.count(conn)
    # A person's block dropped on a truck's row.
    _drop(view, journey_mime(DraggedJourney(d.morning, PERSON, d.ann)), TRUCK, d.t1)
    qtbot.waitUntil(lambda: view.banner.isVisible(), timeout=WAIT)
    assert "can't go on a truck's row" in view.banner.text.text()
    # Something that is not a journey at all (text from another app) is ignored.
    junk = QMimeData()
    junk.setText("J-0000001")
    _drop(view, junk, PERSON, d.ann)
    broken = QMimeData()
    broken.setData("application/x-cnc-journey", b"{not json")
    _drop(view, broken, PERSON, d.ann)
    qtbot.wait(200)
    with replica_tx(ws.store) as conn:
        assert outbox.count(conn) == before
    assert _blocks(view, d.morning) == set()


def test_offline_auto_assign_says_it_needs_a_connection_and_the_board_keeps_working(
    qtbot: QtBot,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
    scene: Scene,
    server_db: ServerDb,
    network: NetworkSwitch,  # noqa: F811
) -> None:
    d = build_dispatch_day(scene, server_db)
    _, _, view = _board(qtbot, signed_in, open_window, scene, network.url)
    network.off()
    qtbot.mouseClick(view.auto_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.banner.isVisible(), timeout=WAIT)
    message = view.banner.text.text()
    assert "needs a connection to the server" in message and "by hand works offline" in message
    assert view.auto_button.isEnabled()
    # Still usable offline: a hand assignment goes through.
    _drop(view, _card_mime(view, d.morning), PERSON, d.ann)
    qtbot.waitUntil(lambda: (PERSON, d.ann) in _blocks(view, d.morning), timeout=WAIT)


def test_arrow_keys_move_days_and_the_week_shows_seven(
    qtbot: QtBot,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
    scene: Scene,
    server_db: ServerDb,
) -> None:
    d = build_dispatch_day(scene, server_db)
    _, window, view = _board(qtbot, signed_in, open_window, scene)
    view.canvas.setFocus()
    qtbot.keyClick(view.canvas, Qt.Key.Key_Right)
    nxt = DAY + dt.timedelta(days=1)
    qtbot.waitUntil(lambda: view.board is not None and view.board.days == (nxt,), timeout=WAIT)
    assert view.unassigned.ids() == []
    qtbot.keyClick(view.canvas, Qt.Key.Key_Left)
    qtbot.waitUntil(lambda: view.board is not None and view.board.days == (DAY,), timeout=WAIT)
    qtbot.mouseClick(view.week_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.board is not None and len(view.board.days) == 7, timeout=WAIT)
    assert view.board.days[0].weekday() == 0 and DAY in view.board.days
    waiting = view.unassigned.ids()
    assert [j for j in waiting if j in (d.morning, d.late, d.evening)] == [
        d.morning,
        d.late,
        d.evening,
    ]
    assert len(waiting) > 3  # the scene's jobs of Tuesday wait too
    window.resize(1440, 900)
    qtbot.wait(100)


def test_the_board_opens_on_the_branchs_today_not_the_laptops(
    qtbot: QtBot,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
    scene: Scene,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    toronto = ZoneInfo("America/Toronto")
    branch_today = dt.datetime.now(toronto).date()
    # A laptop zone on another date than Toronto's right now (26 hours apart: one always is).
    laptop = next(
        z
        for z in ("Pacific/Kiritimati", "Etc/GMT+12")
        if dt.datetime.now(ZoneInfo(z)).date() != branch_today
    )
    ws = signed_in(scene.accounts["disp"])
    ws.engine().sync_once()
    with monkeypatch.context() as patch:
        patch.setenv("TZ", laptop)
        time.tzset()
        try:
            assert dt.date.today() != branch_today
            window = open_window(ws, sync=False)
            view = window.show_section("dispatch")
            assert isinstance(view, DispatchView)
            qtbot.waitUntil(lambda: view.board is not None, timeout=WAIT)
            assert view.day == branch_today and view.board.days == (branch_today,)  # type: ignore[union-attr]
            assert view.board.today == branch_today  # type: ignore[union-attr]  # the header's "Today"
            view.go_to(branch_today + dt.timedelta(days=3))
            view.today_button.click()
            assert view.day == branch_today
        finally:
            patch.undo()
            time.tzset()
