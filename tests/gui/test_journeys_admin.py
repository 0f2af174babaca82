"""Journeys and Admin against the real server: seeded journeys and filters, device revoke, roles."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QLabel, QMessageBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from client.services.queries import count_rows
from client.services.workspace import Workspace
from client.sync.errors import DeviceRevoked
from client.ui.admin import AdminView
from client.ui.journeys import JourneysView
from client.ui.main_window import MainWindow
from shared_models.enums import JourneyStatus
from tests.utils.e2e import Scene
from tests.utils.server import live_server

MOVING_DAY = dt.date(2026, 6, 2)  # every journey of the scene


def _texts(widget: object) -> str:
    return "\n".join(w.text() for w in widget.findChildren(QLabel))  # type: ignore[attr-defined]


def _synced(workspace: Workspace) -> Workspace:
    workspace.engine().sync_once()
    return workspace


def test_journeys_list_shows_the_seeded_journeys_and_filters(
    qtbot: QtBot,
    qtmodeltester: ModelTester,
    scene: Scene,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
) -> None:
    workspace = _synced(signed_in(scene.accounts["disp"]))
    window = open_window(workspace, sync=False)
    assert "journeys" in window.nav.keys()  # noqa: SIM118 - NavList.keys(), not a dict
    view = window.show_section("journeys")
    assert isinstance(view, JourneysView)
    qtmodeltester.check(view.model)
    seeded = count_rows(workspace.store, "journey")
    assert seeded >= 3 and view.model.total == seeded
    rows = [view.model.row(i) for i in range(view.model.rowCount())]
    assert {r.customer_name for r in rows} >= {"Zéphyrin Abernathy-Quillfeather"}
    led = next(r for r in rows if r.crew_lead)
    assert led.crew_lead == "Lead1 Person" or led.crew_lead == "Lead2 Person"
    assert f"{seeded:,} journeys" in view.header.subtitle.text()

    view.set_date_range(MOVING_DAY + dt.timedelta(days=1), None)
    assert view.model.total == 0
    view.set_date_range(MOVING_DAY, MOVING_DAY)
    assert view.model.total == seeded
    view.status_filter.setCurrentIndex(view.status_filter.findData(JourneyStatus.COMPLETED.value))
    assert view.model.total == 0
    view.status_filter.setCurrentIndex(view.status_filter.findData(JourneyStatus.PLANNED.value))
    assert view.model.total == seeded
    qtbot.waitUntil(lambda: view.status_filter.itemText(0) == f"All statuses ({seeded})")

    j1 = next(i for i, r in enumerate(rows) if r.id == scene.rows["j1"])
    view.table.selectRow(j1)
    qtbot.waitUntil(lambda: "Arrived" in _texts(view.pane), timeout=10_000)
    pane = _texts(view.pane)
    assert "Lead1 Person" in pane and "Truck t1" in pane and "Quote " in pane
    assert "2 Elm St" in pane


def test_admin_sees_users_and_devices_and_revokes_one(
    qtbot: QtBot,
    scene: Scene,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
) -> None:
    laptop = _synced(signed_in(scene.accounts["lead1"]))
    admin = _synced(signed_in(scene.accounts["admin"]))
    window = open_window(admin, sync=False)
    assert {"journeys", "admin"} <= set(window.nav.keys())
    view = window.show_section("admin")
    assert isinstance(view, AdminView)
    qtbot.waitUntil(lambda: view.users_model.total == len(scene.accounts), timeout=10_000)
    users = {view.users_model.row(i).email: view.users_model.row(i) for i in range(5)}  # type: ignore[union-attr]
    assert users["lead1@acme.example"].role == "CREW_LEAD" and users["lead1@acme.example"].active
    assert users["admin@acme.example"].location.startswith("Branch L0")

    qtbot.waitUntil(lambda: view.devices_model.total == 2, timeout=15_000)
    emails = [view.devices_model.row(i).user_email for i in range(2)]  # type: ignore[union-attr]
    assert sorted(emails) == ["admin@acme.example", "lead1@acme.example"]
    assert not view.revoke_button.isEnabled()
    view.tabs.setCurrentIndex(1)
    view.devices_table.selectRow(emails.index("lead1@acme.example"))
    assert view.revoke_button.isEnabled()

    def asked() -> QMessageBox:
        view.revoke_button.click()  # window-modal: the event loop (and sync) runs on
        box = view.revoke_box
        assert box is not None and box.isVisible() and "lead1@acme.example" in box.text()
        return box

    asked().button(QMessageBox.StandardButton.Cancel).click()
    assert view.revoke_button.isEnabled() and not any(d.revoked for d in view.devices_model.rows)
    box = asked()
    revoke = next(
        b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole
    )
    revoke.click()
    qtbot.waitUntil(
        lambda: any(
            d.revoked and d.user_email == "lead1@acme.example" for d in view.devices_model.rows
        ),
        timeout=15_000,
    )
    assert "was revoked" in view.banner.text.text()
    assert "1 active, 1 revoked" in view.devices_note.text()
    with pytest.raises(DeviceRevoked):  # the laptop learns it on its next contact
        laptop.engine().sync_once()


def test_a_dispatcher_never_sees_admin(
    scene: Scene, signed_in: Callable[..., Workspace], open_window: Callable[..., MainWindow]
) -> None:
    window = open_window(signed_in(scene.accounts["disp"]), sync=False)
    assert "admin" not in window.nav.keys()  # noqa: SIM118 - NavList.keys(), not a dict
    with pytest.raises(KeyError):
        window.show_section("admin")


def test_devices_need_a_connection(
    qtbot: QtBot,
    world_db: tuple[str, object],
    scene: Scene,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
) -> None:
    with live_server(world_db[0]) as url:
        admin = _synced(signed_in(scene.accounts["admin"], url))
    window = open_window(admin, sync=False)  # the server is gone
    view = window.show_section("admin")
    assert isinstance(view, AdminView)
    qtbot.waitUntil(lambda: not view.banner.isHidden(), timeout=30_000)
    assert "needs a connection" in view.banner.text.text()
    qtbot.waitUntil(lambda: view.users_model.total == len(scene.accounts), timeout=10_000)
