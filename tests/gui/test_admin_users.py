"""Admin user management against the real server: edit (offline, synced), create (online), rules."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from client.services.workspace import Workspace
from client.sync import outbox
from client.sync.db import table_for
from client.ui.admin import AdminView
from client.ui.admin_user_form import UserCreateDialog, UserEditDialog
from client.ui.fields import Field
from client.ui.main_window import MainWindow
from tests.utils.e2e import Scene
from tests.utils.server import live_server


def _synced(workspace: Workspace) -> Workspace:
    workspace.engine().sync_once()
    return workspace


def _admin_view(
    qtbot: QtBot, scene: Scene, window: MainWindow, *, users: int | None = None
) -> AdminView:
    view = window.show_section("admin")
    assert isinstance(view, AdminView)
    expected = users or len(scene.accounts)
    qtbot.waitUntil(lambda: view.users_model.total == expected, timeout=10_000)
    return view


def _select(view: AdminView, email: str) -> None:
    rows = [view.users_model.row(i) for i in range(view.users_model.rowCount())]
    view.users_table.selectRow(next(i for i, u in enumerate(rows) if u and u.email == email))


def _type(qtbot: QtBot, field: Field, text: str) -> None:
    field.edit.clear()
    qtbot.keyClicks(field.edit, text)


def _journeys_at(workspace: Workspace, location: uuid.UUID) -> int:
    """Journeys sit only in location buckets for a dispatcher (no personal bucket holds them)."""
    c = table_for("journey")
    stmt = select(func.count()).where(c.c.location_id == location, c.c.deleted_at.is_(None))
    with workspace.store.engine.connect() as conn:
        return int(conn.execute(stmt).scalar() or 0)


def _edit(qtbot: QtBot, view: AdminView, email: str) -> UserEditDialog:
    _select(view, email)
    dialog = view.edit_selected()
    assert dialog is not None
    qtbot.waitUntil(lambda: bool(dialog.before), timeout=10_000)
    return dialog


def test_admin_moves_a_dispatcher_and_their_next_sync_follows_the_new_location(
    qtbot: QtBot,
    scene: Scene,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
) -> None:
    home, branch = scene.locations
    dispatcher = _synced(signed_in(scene.accounts["disp"]))
    assert _journeys_at(dispatcher, home) > 0 and _journeys_at(dispatcher, branch) == 0
    admin = _synced(signed_in(scene.accounts["admin"]))
    view = _admin_view(qtbot, scene, open_window(admin, sync=False))

    dialog = _edit(qtbot, view, "disp@acme.example")
    assert dialog.location.value() == str(home)  # type: ignore[attr-defined]
    combo = dialog.location.combo  # type: ignore[attr-defined]
    combo.setCurrentIndex(combo.findData(str(branch)))
    dialog.location._edited()
    _type(qtbot, dialog.fields["phone"], "(416) 555 0142")  # type: ignore[arg-type]
    assert dialog.save_button.isEnabled()
    dialog.save_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    qtbot.waitUntil(lambda: "saved" in view.users_banner.text.text(), timeout=5_000)
    qtbot.waitUntil(
        lambda: any(
            u.email == "disp@acme.example" and u.location.endswith("(L1)")
            for u in view.users_model.rows
        ),
        timeout=10_000,
    )

    admin.engine().sync_once()  # the edit leaves the outbox as an ordinary update
    dispatcher.engine().sync_once()
    assert _journeys_at(dispatcher, branch) > 0
    assert _journeys_at(dispatcher, home) == 0  # rows of the old branch left the replica
    u = table_for("user")
    with dispatcher.store.engine.connect() as conn:
        row = conn.execute(select(u).where(u.c.id == scene.user("disp"))).mappings().one()
    assert row["location_id"] == branch and row["phone"] == "416-555-0142"


def test_an_admin_cannot_demote_or_disable_themself_and_bad_input_is_explained(
    qtbot: QtBot,
    scene: Scene,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
) -> None:
    admin = _synced(signed_in(scene.accounts["admin"]))
    view = _admin_view(qtbot, scene, open_window(admin, sync=False))
    dialog = _edit(qtbot, view, "admin@acme.example")

    role = dialog.role  # type: ignore[attr-defined]
    role.combo.setCurrentIndex(role.combo.findData("DISPATCHER"))
    role._edited()
    assert role.message.isVisible()
    assert "cannot change your own role" in role.message.text()
    assert not dialog.save_button.isEnabled()
    role.set_value("ADMIN")
    role._edited()
    assert not role.message.isVisible() and dialog.save_button.isEnabled()

    status = dialog.status  # type: ignore[attr-defined]
    status.combo.setCurrentIndex(status.combo.findData("INACTIVE"))
    status._edited()
    assert "cannot disable your own account" in status.message.text()
    assert not dialog.save_button.isEnabled()
    status.set_value("ACTIVE")
    status._edited()

    phone = dialog.fields["phone"]
    _type(qtbot, phone, "555")  # type: ignore[arg-type]
    assert phone.message.isVisible() and "10 digits" in phone.message.text()
    assert not dialog.submit()  # nothing invalid reaches the outbox
    with admin.store.engine.connect() as conn:
        assert outbox.count(conn) == 0


def test_admin_creates_a_user_online_and_it_arrives_by_the_next_sync(
    qtbot: QtBot,
    scene: Scene,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
) -> None:
    admin = _synced(signed_in(scene.accounts["admin"]))
    view = _admin_view(qtbot, scene, open_window(admin, sync=False))
    dialog = view.new_user()
    assert isinstance(dialog, UserCreateDialog)
    qtbot.waitUntil(lambda: dialog.location.combo.count() == 2, timeout=10_000)  # type: ignore[attr-defined]
    fields = dialog.fields
    _type(qtbot, fields["full_name"], "Nia Mover")  # type: ignore[arg-type]
    _type(qtbot, fields["email"], "nia@acme.example")  # type: ignore[arg-type]
    _type(qtbot, fields["password"], "password1234")  # type: ignore[arg-type]
    dialog.role.set_value("CREW_LEAD")  # type: ignore[attr-defined]
    assert dialog.submit()
    # zxcvbn's verdict comes back from the server and sits under the password field
    qtbot.waitUntil(lambda: fields["password"].message.isVisible(), timeout=10_000)
    assert "weak" in fields["password"].message.text().lower()
    assert dialog.isVisible() and "Nothing was saved" in dialog.banner.text.text()

    _type(qtbot, fields["password"], "Quiet-Otter-Lantern-93")  # type: ignore[arg-type]
    assert dialog.submit()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    assert "appear in this list after the next sync" in view.users_banner.text.text()

    admin.engine().sync_once()
    view.load_users()
    qtbot.waitUntil(lambda: view.users_model.total == len(scene.accounts) + 1, timeout=10_000)
    nia = next(u for u in view.users_model.rows if u.email == "nia@acme.example")
    assert nia.role == "CREW_LEAD" and nia.active


def test_creating_a_user_offline_shows_a_clear_message_and_keeps_the_form(
    qtbot: QtBot,
    world_db: tuple[str, object],
    scene: Scene,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
) -> None:
    with live_server(world_db[0]) as url:
        admin = _synced(signed_in(scene.accounts["admin"], url))
    view = _admin_view(qtbot, scene, open_window(admin, sync=False))  # the server is gone
    dialog = view.new_user()
    qtbot.waitUntil(lambda: dialog.location.combo.count() == 2, timeout=10_000)  # type: ignore[attr-defined]
    _type(qtbot, dialog.fields["full_name"], "Nia Mover")  # type: ignore[arg-type]
    _type(qtbot, dialog.fields["email"], "nia@acme.example")  # type: ignore[arg-type]
    _type(qtbot, dialog.fields["password"], "Quiet-Otter-Lantern-93")  # type: ignore[arg-type]
    assert dialog.submit()
    qtbot.waitUntil(lambda: not dialog.banner.isHidden(), timeout=30_000)
    assert "needs a connection" in dialog.banner.text.text()
    assert dialog.isVisible() and dialog.fields["full_name"].raw() == "Nia Mover"
    assert dialog.save_button.isEnabled()  # they can retry once online
