"""The Maintenance screen against the real server: release a truck grounded by failed brakes.

The dispatcher's replica holds the shop of ``test_maintenance_service``: T1 in
REPAIR with the CORRECTIVE job its failed check opened, T2's PREVENTIVE job
without a shop day, and T2's completed inspection of last month.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from client.services.queries import get_row
from client.services.workspace import Workspace
from client.sync import outbox
from client.ui import format as fmt
from client.ui.fields import Field, ReasonDialog
from client.ui.main_window import MainWindow
from client.ui.maintenance import SELECT_FIRST, MaintenanceView
from client.ui.maintenance_forms import CompleteDialog, NewJobDialog
from shared_models.ids import uuid7
from tests.utils.e2e import Scene, ServerDb
from tests.utils.maintenance import FOUND, build_shop


def open_shop(
    scene: Scene,
    server_db: ServerDb,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
    qtbot: QtBot,
) -> tuple[Workspace, MaintenanceView, dict[str, object]]:
    """The dispatcher's maintenance screen over ``build_shop``'s fleet (T1 grounded by brakes)."""
    ids = build_shop(scene, server_db)
    ws = signed_in(scene.accounts["disp"])
    ws.engine().sync_once()
    window = open_window(ws, sync=False)
    window.resize(1360, 800)
    view = window.show_section("maintenance")
    assert isinstance(view, MaintenanceView)
    qtbot.waitUntil(lambda: view.permissions_known and len(view.jobs) == 2, timeout=10_000)
    return ws, view, ids


@pytest.fixture
def office(
    scene: Scene,
    server_db: ServerDb,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
    qtbot: QtBot,
) -> tuple[Workspace, MaintenanceView, dict[str, object]]:
    return open_shop(scene, server_db, signed_in, open_window, qtbot)


def _pending(ws: Workspace) -> int:
    with ws.store.engine.connect() as conn:
        return outbox.count(conn)


def _type(qtbot: QtBot, field: Field, text: str) -> None:
    field.edit.selectAll()
    field.edit.del_()
    qtbot.keyClicks(field.edit, text)


def _cell(view: MaintenanceView, row: int, column: int) -> str:
    return str(view.model.index(row, column).data())


def test_the_list_shows_the_open_repair_first_and_actions_wait_for_a_selection(
    qtmodeltester: ModelTester, office: tuple[Workspace, MaintenanceView, dict[str, object]]
) -> None:
    _, view, ids = office
    qtmodeltester.check(view.model)
    assert [j.id for j in view.jobs] == [ids["brakes"], ids["service_due"]]
    found = FOUND.date()
    overdue = found < dt.datetime.now().astimezone().date()
    assert [_cell(view, 0, c) for c in range(4)] == [
        "T1",
        "Corrective",
        "Overdue" if overdue else "Scheduled",
        fmt.date(found),
    ]
    assert _cell(view, 1, 3) == "Not booked"
    assert view.header.subtitle.text() == "2 open jobs · 0 in the shop · 1 unit out of service"
    for widget in view.buttons.values():
        assert not widget.isEnabled() and widget.toolTip() == SELECT_FIRST
    assert view.new_button.isEnabled()


def test_completing_the_brake_job_puts_the_truck_back_in_service(
    qtbot: QtBot,
    scene: Scene,
    server_db: ServerDb,
    office: tuple[Workspace, MaintenanceView, dict[str, object]],
) -> None:
    ws, view, ids = office
    view.table.selectRow(0)
    assert view.shown is not None and view.shown.id == ids["brakes"]
    assert all(w.isEnabled() for w in view.buttons.values())

    dialog = view.complete()
    assert isinstance(dialog, CompleteDialog)
    assert dialog.save_button.isEnabled()  # time prefilled, the rest optional
    _type(qtbot, dialog.odometer, "120450")
    _type(qtbot, dialog.vendor, "Lakeshore Truck Centre")
    _type(qtbot, dialog.reference, "WO-88123")
    _type(qtbot, dialog.cost, "642.18")
    assert dialog.save_button.isEnabled() and dialog.hint.text() == ""
    with qtbot.waitSignal(view.acted, timeout=10_000) as acted:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert acted.args == ["completed"]
    assert view.banner.text.text() == "Job completed: T1 is back in service."
    # The open list no longer holds it; "All jobs" shows it completed with its bill.
    qtbot.waitUntil(lambda: [j.id for j in view.jobs] == [ids["service_due"]], timeout=10_000)
    view.scope.setCurrentIndex(1)
    qtbot.waitUntil(lambda: len(view.jobs) == 3, timeout=10_000)
    done = next(j for j in view.jobs if j.id == ids["brakes"])
    assert (done.status, done.vendor_reference, done.unit_status) == (
        "COMPLETED",
        "WO-88123",
        "ACTIVE",
    )
    row = [j.id for j in view.jobs].index(ids["brakes"])
    assert _cell(view, row, 2) == "Completed" and _cell(view, row, 5) == "$642.18"
    unit = get_row(ws.store, "equipment", scene.rows["t1"])
    assert unit is not None and unit["status"] == "ACTIVE"
    assert _pending(ws) == 2  # the job and its unit, synced by the next round


def test_a_bad_cost_shows_its_error_inline_and_keeps_save_disabled(
    qtbot: QtBot, office: tuple[Workspace, MaintenanceView, dict[str, object]]
) -> None:
    ws, view, _ = office
    view.table.selectRow(0)
    dialog = view.complete()
    assert dialog is not None
    _type(qtbot, dialog.cost, "-5")
    assert not dialog.save_button.isEnabled()
    assert dialog.cost.message.isVisibleTo(dialog)
    assert dialog.cost.message.text() == "The cost cannot be negative."
    assert dialog.hint.text() == "1 field to complete or correct"
    _type(qtbot, dialog.cost, "twelve")
    assert dialog.cost.message.text() == "The cost is a number, e.g. 480.00"
    assert not dialog.submit() and not dialog.save_button.isEnabled()
    _type(qtbot, dialog.odometer, "-3")
    assert dialog.odometer.message.text() == "The odometer reading cannot be negative."
    assert dialog.hint.text() == "2 fields to complete or correct"
    _type(qtbot, dialog.cost, "12.50")
    _type(qtbot, dialog.odometer, "120450")
    assert dialog.save_button.isEnabled() and not dialog.cost.message.isVisibleTo(dialog)
    dialog.reject()
    assert _pending(ws) == 0


def test_start_then_cancel_with_a_reason_and_buttons_say_why_they_are_off(
    qtbot: QtBot, office: tuple[Workspace, MaintenanceView, dict[str, object]]
) -> None:
    ws, view, ids = office
    view.table.selectRow(1)
    assert view.shown is not None and view.shown.id == ids["service_due"]
    with qtbot.waitSignal(view.acted, timeout=10_000):
        qtbot.mouseClick(view.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: view.shown is not None and view.shown.status == "IN_PROGRESS", timeout=10_000
    )
    assert not view.start_button.isEnabled()
    assert view.start_button.toolTip() == "The job is already in progress."
    assert not view.book_button.isEnabled()
    assert "only a scheduled job can be booked" in view.book_button.toolTip()

    dialog = view.cancel()
    assert isinstance(dialog, ReasonDialog)
    assert not dialog.save_button.isEnabled()
    qtbot.keyClicks(dialog.field.edit, "Done by the dealer under warranty")
    with qtbot.waitSignal(view.acted, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    view.scope.setCurrentIndex(1)
    qtbot.waitUntil(
        lambda: view.shown is not None and view.shown.status == "CANCELLED", timeout=10_000
    )
    for name in ("book_button", "start_button", "complete_button", "cancel_button"):
        widget = getattr(view, name)
        assert not widget.isEnabled() and "cancelled" in widget.toolTip()
    assert view.shown.notes == "Cancelled: Done by the dealer under warranty"
    assert _pending(ws) == 2


def test_a_new_job_opened_by_hand_is_listed_and_selected(
    qtbot: QtBot, scene: Scene, office: tuple[Workspace, MaintenanceView, dict[str, object]]
) -> None:
    _, view, _ = office
    view.new_job()
    qtbot.waitUntil(lambda: isinstance(view.dialog, NewJobDialog), timeout=10_000)
    dialog = view.dialog
    assert isinstance(dialog, NewJobDialog)
    assert not dialog.save_button.isEnabled()  # says nothing yet about what to do
    dialog.unit.set_value(scene.rows["t2"])
    qtbot.keyClicks(dialog.description.edit, "Tail lift leaks hydraulic fluid")
    with qtbot.waitSignal(view.acted, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: view.shown is not None and view.shown.description.startswith("Tail lift"),
        timeout=10_000,
    )
    assert (view.shown.unit_number, view.shown.type, view.shown.status) == (
        "T2",
        "CORRECTIVE",
        "SCHEDULED",
    )
    assert len(view.jobs) == 3


def test_without_update_permission_the_screen_reads_but_offers_no_action(
    qtbot: QtBot,
    scene: Scene,
    server_db: ServerDb,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
) -> None:
    build_shop(scene, server_db)
    with server_db.writer(scene.tenant_id, scene.user("admin"), "ADMIN") as w:
        for action in ("UPDATE", "CREATE"):
            w.insert(
                "user_permission",
                {
                    "id": uuid7(),
                    "user_id": scene.user("disp"),
                    "resource": "equipment_maintenance",
                    "action": action,
                    "granted": False,
                    "reason": "Fleet is run by the branch manager",
                },
            )
    ws = signed_in(scene.accounts["disp"])
    ws.engine().sync_once()
    window = open_window(ws, sync=False)
    view = window.show_section("maintenance")
    assert isinstance(view, MaintenanceView)
    qtbot.waitUntil(lambda: view.permissions_known and len(view.jobs) == 2, timeout=10_000)
    view.table.selectRow(0)
    for widget in view.buttons.values():
        assert not widget.isEnabled()
        assert widget.toolTip() == "Your role may read maintenance jobs but not change them."
    assert not view.new_button.isEnabled()


def test_a_crew_lead_has_no_maintenance_section(
    scene: Scene, signed_in: Callable[..., Workspace], open_window: Callable[..., MainWindow]
) -> None:
    window = open_window(signed_in(scene.accounts["lead1"]), sync=False)
    assert "maintenance" not in window.nav.keys()  # noqa: SIM118 - NavList.keys()
    assert "equipment" in window.nav.keys()  # noqa: SIM118 - NavList.keys()


def test_the_screen_and_the_completion_form_render_in_the_main_window(
    qtbot: QtBot, office: tuple[Workspace, MaintenanceView, dict[str, object]], tmp_path: Path
) -> None:
    """Grabbed as ``make screenshots`` does (it picks up the section by itself)."""
    _, view, ids = office
    view.scope.setCurrentIndex(1)
    qtbot.waitUntil(lambda: len(view.jobs) == 3, timeout=10_000)
    view.select_job(ids["brakes"])  # type: ignore[arg-type]
    assert view.window().grab().save(str(tmp_path / "maintenance.png"))
    dialog = view.complete()
    assert dialog is not None
    qtbot.waitExposed(dialog)
    _type(qtbot, dialog.cost, "-5")
    assert dialog.grab().save(str(tmp_path / "complete.png"))
    dialog.reject()
