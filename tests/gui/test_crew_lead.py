"""The crew lead's day with the network off, then sync: the dispatcher's replica sees it all.

Real widgets driven with pytest-qt against the real server (tests/e2e's live
server and PostgreSQL); the "network" is a relay the test switches off.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, QPointF, Qt, QTime
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from client.services.crew import journey_detail
from client.services.queries import list_rows
from client.services.workspace import Workspace
from client.ui.equipment_check import EquipmentCheckView
from client.ui.inventory import InventoryView
from client.ui.journey import JourneyView
from client.ui.main_window import MainWindow
from client.ui.today import TodayView
from shared_models.enums import CheckResult, JourneyEventType
from tests.gui.crew_fixtures import (  # noqa: F401
    BRANCH_TZ,
    CrewDay,
    NetworkSwitch,
    crew_day,
    network,
)
from tests.utils.e2e import Scene, ServerDb

E = JourneyEventType
WAIT = 20_000


def _at(minutes_ago: int) -> QTime:
    """``minutes_ago`` on the branch's clock, never before midnight (steps may share a minute)."""
    now = dt.datetime.now(ZoneInfo(BRANCH_TZ)).replace(tzinfo=None)  # the branch's wall clock
    midnight = dt.datetime.combine(now.date(), dt.time())
    when = max(now - dt.timedelta(minutes=minutes_ago), midnight)
    return QTime(when.hour, when.minute)


def _step(qtbot: QtBot, view: JourneyView, kind: JourneyEventType, minutes_ago: int) -> None:
    qtbot.waitUntil(lambda: kind in view.step.buttons, timeout=WAIT)
    view.step.time.edit.setTime(_at(minutes_ago))
    count = len(view.detail.events) if view.detail else 0
    qtbot.mouseClick(view.step.buttons[kind], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: view.detail is not None and len(view.detail.events) > count, timeout=WAIT
    )


def _draw(pad: QWidget) -> None:
    """A real stroke: press, moves with the button held, release."""
    points = [QPointF(40 + i * 12, 90 + (-1) ** i * 25) for i in range(20)]

    def send(kind: QEvent.Type, point: QPointF, buttons: Qt.MouseButton) -> None:
        event = QMouseEvent(
            kind,
            point,
            pad.mapToGlobal(point),
            Qt.MouseButton.LeftButton,
            buttons,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(pad, event)

    send(QEvent.Type.MouseButtonPress, points[0], Qt.MouseButton.LeftButton)
    for point in points[1:]:
        send(QEvent.Type.MouseMove, point, Qt.MouseButton.LeftButton)
    send(QEvent.Type.MouseButtonRelease, points[-1], Qt.MouseButton.NoButton)


def _do_journey(qtbot: QtBot, today: TodayView, day: CrewDay) -> JourneyView:
    qtbot.waitUntil(lambda: len(today.list.cards) == 2, timeout=WAIT)
    first = today.list.cards[0]
    assert first.card.id == day.morning  # in start order
    assert first.phone.phone == "+1 416 555 0142"
    assert [m.role for m in first.card.crew] == ["LEAD", "MOVER"]
    assert first.card.truck is not None and first.card.truck.unit_number == "T1"
    qtbot.mouseClick(first.phone, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == "+1 416 555 0142"
    qtbot.mouseClick(first.open_button, Qt.MouseButton.LeftButton)
    view = today.journey
    assert view is not None
    qtbot.waitUntil(lambda: view.detail is not None, timeout=WAIT)
    assert list(view.step.buttons) == [E.ARRIVED_ORIGIN]  # only what makes sense now
    _step(qtbot, view, E.ARRIVED_ORIGIN, 50)
    # A time before the previous step is refused next to the field, before any write.
    qtbot.waitUntil(lambda: E.LOADING_STARTED in view.step.buttons, timeout=WAIT)
    view.step.time.edit.setTime(_at(50).addSecs(-3600) if _at(50).hour() else QTime(0, 0))
    if not view.step.error.isHidden():
        assert not view.step.buttons[E.LOADING_STARTED].isEnabled()
        assert "before the previous step" in view.step.error.text()
    _step(qtbot, view, E.LOADING_STARTED, 45)
    assert set(view.step.buttons) == {E.BREAK_START, E.UNLOADING_FINISHED}
    _step(qtbot, view, E.BREAK_START, 30)
    assert list(view.step.buttons) == [E.BREAK_END]
    _step(qtbot, view, E.BREAK_END, 20)
    _step(qtbot, view, E.UNLOADING_FINISHED, 5)
    assert not view.step.buttons
    assert not view.complete.button.isEnabled()  # no signature yet
    assert "signature" in view.complete.reason.text()

    damage = view.damage
    assert not damage.add_button.isEnabled()
    qtbot.keyClicks(damage.item.edit, "Dining table")
    assert not damage.add_button.isEnabled()
    qtbot.keyClicks(damage.description.edit, "Scratch on the left leg, 5 cm")
    damage.acknowledged.setChecked(True)
    count = len(view.detail.events)
    qtbot.mouseClick(damage.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(view.detail.events) > count, timeout=WAIT)

    sig = view.signature
    assert sig.signer.text == "Margaux Delacroix-Whitfield"  # prefilled with the customer
    assert not sig.save_button.isEnabled()  # nothing drawn yet
    _draw(sig.pad)
    assert sig.save_button.isEnabled()
    qtbot.mouseClick(sig.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.detail.signed, timeout=WAIT)
    qtbot.waitUntil(view.complete.button.isEnabled, timeout=WAIT)
    qtbot.mouseClick(view.complete.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.detail.card.status == "COMPLETED", timeout=WAIT)
    assert not view.complete.done.isHidden() and "Completed" in view.complete.done.text()
    return view


def _do_check(qtbot: QtBot, check: EquipmentCheckView, day: CrewDay) -> None:
    qtbot.waitUntil(lambda: bool(check.rows), timeout=WAIT)
    assert check.current_unit() is not None and check.current_unit().id == day.truck
    for row in check.rows:
        qtbot.mouseClick(row.buttons[CheckResult.PASS], Qt.MouseButton.LeftButton)
    brakes = next(r for r in check.rows if r.item.code == "service_brakes")
    qtbot.mouseClick(brakes.buttons[CheckResult.FAIL], Qt.MouseButton.LeftButton)
    assert not brakes.error.isHidden() and not check.submit.isEnabled()  # a failure needs a note
    assert not check.warning.isHidden() and "out of service" in check.warning.text()
    qtbot.keyClicks(brakes.note, "Pedal goes to the floor")
    qtbot.keyClicks(check.odometer.edit, "12x")
    assert not check.submit.isEnabled() and not check.odometer.message.isHidden()
    check.odometer.edit.clear()
    qtbot.keyClicks(check.odometer.edit, "152340")
    assert check.submit.isEnabled()
    with qtbot.waitSignal(check.recorded, timeout=WAIT) as recorded:
        qtbot.mouseClick(check.submit, Qt.MouseButton.LeftButton)
    assert recorded.args[0].outcome.status == "REPAIR"
    assert "out of service" in check.result.text()


def _do_inventory(qtbot: QtBot, stock: InventoryView, day: CrewDay) -> None:
    qtbot.waitUntil(lambda: day.blankets in stock.rows, timeout=WAIT)
    assert stock.journey_id() == day.morning
    row = stock.rows[day.blankets]
    qtbot.keyClicks(row.quantity, "500")
    assert not row.take.isEnabled() and not row.message.isHidden()
    assert "only 100 on hand" in row.message.text()
    row.quantity.clear()
    qtbot.keyClicks(row.quantity, "10")
    assert row.take.isEnabled() and row.message.isHidden()
    with qtbot.waitSignal(stock.moved, timeout=WAIT):
        qtbot.mouseClick(row.take, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: stock.rows[day.blankets].line.on_hand == 90, timeout=WAIT)


def test_crew_lead_day_offline_then_dispatch_sees_it(
    qtbot: QtBot,
    scene: Scene,
    crew_day: CrewDay,  # noqa: F811
    network: NetworkSwitch,  # noqa: F811
    server_db: ServerDb,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
) -> None:
    lead = signed_in(scene.accounts["lead1"], network.url)
    lead.engine().sync_once()
    network.off()  # out of coverage from here on
    window = open_window(lead, write_sync_delay_ms=3_600_000)
    assert window.nav.keys()[:1] == ["today"] and {"equipment", "inventory"} <= set(
        window.nav.keys()
    )
    bar = window.status
    qtbot.waitUntil(lambda: "working offline" in bar.currentMessage(), timeout=WAIT)

    today = window.show_section("today")
    assert isinstance(today, TodayView)
    _do_journey(qtbot, today, crew_day)
    check = window.show_section("equipment")
    assert isinstance(check, EquipmentCheckView)
    _do_check(qtbot, check, crew_day)
    stock = window.show_section("inventory")
    assert isinstance(stock, InventoryView)
    _do_inventory(qtbot, stock, crew_day)
    qtbot.waitUntil(lambda: "waiting to sync" in bar.pending.text(), timeout=WAIT)
    assert server_db.row("journey", crew_day.morning)["status"] != "COMPLETED"  # type: ignore[index]

    network.on()
    qtbot.mouseClick(bar.sync_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bar.pending.text() == "All changes synced", timeout=60_000)

    disp = signed_in(scene.accounts["disp"])
    disp.engine().sync_once()
    detail = journey_detail(disp.store, crew_day.morning)
    assert detail is not None and detail.card.status == "COMPLETED"
    kinds = [e.event_type for e in detail.events]
    for kind in (
        E.ARRIVED_ORIGIN,
        E.LOADING_STARTED,
        E.BREAK_START,
        E.BREAK_END,
        E.UNLOADING_FINISHED,
    ):
        assert kind in kinds
    assert kinds[-1] is E.COMPLETED and E.DAMAGE in kinds and E.SIGNATURE in kinds
    signature = next(e for e in detail.events if e.event_type is E.SIGNATURE)
    assert signature.payload["signer_name"] == "Margaux Delacroix-Whitfield"
    journey = list_rows(disp.store, "journey", filters={"id": crew_day.morning})[0]
    assert journey["signer_name"] == "Margaux Delacroix-Whitfield" and journey["billable_hours"] > 0
    truck = list_rows(disp.store, "equipment", filters={"id": crew_day.truck})[0]
    assert truck["status"] in ("MAINTENANCE", "REPAIR")
    jobs = list_rows(disp.store, "equipment_maintenance", filters={"equipment_id": crew_day.truck})
    assert any(j["type"] == "CORRECTIVE" and j["status"] != "COMPLETED" for j in jobs)
    moves = list_rows(disp.store, "inventory_transaction", filters={"journey_id": crew_day.morning})
    assert [(m["inventory_id"], m["quantity"]) for m in moves] == [(crew_day.blankets, -10)]


def test_crew_screens_render(
    qtbot: QtBot,
    scene: Scene,
    crew_day: CrewDay,  # noqa: F811
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
    tmp_path: Path,
) -> None:
    """Each crew screen with demo-like data, saved where ``CNC_SCREENSHOT_DIR`` says."""
    out = Path(os.environ.get("CNC_SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    lead = signed_in(scene.accounts["lead1"])
    lead.engine().sync_once()
    window = open_window(lead, sync=False)
    window.resize(1440, 900)
    today = window.show_section("today")
    qtbot.waitUntil(lambda: len(today.list.cards) == 2, timeout=WAIT)  # type: ignore[attr-defined]
    qtbot.wait(300)  # deferred shows and deletions land before the grab
    shots = {"today": window.grab()}
    view = today.open_journey(crew_day.morning)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: view.detail is not None, timeout=WAIT)
    _step(qtbot, view, E.ARRIVED_ORIGIN, 40)
    _step(qtbot, view, E.LOADING_STARTED, 35)
    count = len(view.detail.events)
    view.record_damage("Hallway wall", "Scuff by the front door, 10 cm", True)
    qtbot.waitUntil(lambda: len(view.detail.events) > count, timeout=WAIT)
    _draw(view.signature.pad)
    qtbot.wait(300)
    shots["journey"] = window.grab()
    check = window.show_section("equipment")
    qtbot.waitUntil(lambda: bool(check.rows), timeout=WAIT)  # type: ignore[attr-defined]
    for row in check.rows[:6]:  # type: ignore[attr-defined]
        row.set_result(CheckResult.PASS)
    check.rows[0].set_result(CheckResult.FAIL, "Pedal goes to the floor")  # type: ignore[attr-defined]
    qtbot.wait(300)
    shots["equipment"] = window.grab()
    stock = window.show_section("inventory")
    qtbot.waitUntil(lambda: len(stock.rows) == 3, timeout=WAIT)  # type: ignore[attr-defined]
    qtbot.keyClicks(stock.rows[crew_day.blankets].quantity, "120")  # type: ignore[attr-defined]
    qtbot.wait(300)
    shots["inventory"] = window.grab()
    for name, pixmap in shots.items():
        assert not pixmap.isNull()
        assert pixmap.save(str(out / f"crew-{name}.png"))
