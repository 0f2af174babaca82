"""The prompts that ask "why": resolving a schedule conflict, cancelling an invoice, and the
crew's signature card. Each explains a missing or too long answer next to its field as it
is typed, keeps its action disabled meanwhile, and queues nothing until it passes.

Real replicas synced from the real server (the gui fixtures); the invoice case bills the
scene's completed job j1 as the office manager of ``test_invoices``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QPointF, Qt
from pytestqt.qtbot import QtBot

from client.services.conflicts import list_open_conflicts
from client.services.queries import get_row
from client.services.workspace import Workspace
from client.sync import outbox
from client.ui import tasks
from client.ui.dispatch import DispatchView
from client.ui.fields import Field, ReasonDialog
from client.ui.journey_panels import SignaturePanel
from client.ui.main_window import MainWindow
from shared_models.ids import uuid7
from tests.gui.test_invoices import _billed, _invoices, _shown, office  # noqa: F401 - fixture
from tests.utils.auth import Account
from tests.utils.e2e import Scene, ServerDb

WAIT = 20_000


def _pending(ws: Workspace) -> int:
    with ws.store.engine.connect() as conn:
        return outbox.count(conn)


def _retype(qtbot: QtBot, field: Field, text: str) -> None:
    field.edit.selectAll()
    field.edit.del_()
    qtbot.keyClicks(field.edit, text)


def _refuses_blank_and_long(qtbot: QtBot, dialog: ReasonDialog, required: str, limit: int) -> None:
    assert dialog.isVisible() and not dialog.save_button.isEnabled()
    _retype(qtbot, dialog.field, "   ")
    assert dialog.field.message.isVisible() and dialog.field.message.text() == required
    assert not dialog.save_button.isEnabled()
    _retype(qtbot, dialog.field, "y" * (limit + 1))
    assert dialog.field.message.text() == f"Use at most {limit} characters ({limit + 1} now)."
    assert not dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)  # disabled: nothing runs
    _retype(qtbot, dialog.field, "")
    assert not dialog.submit() and dialog.isVisible()
    qtbot.wait(100)
    tasks.wait_idle()


def test_resolving_a_conflict_needs_a_note_explained_under_the_field(
    qtbot: QtBot,
    scene: Scene,
    server_db: ServerDb,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
) -> None:
    conflict_id = uuid7()
    with server_db.writer(scene.tenant_id, scene.user("admin"), "ADMIN") as w:
        w.insert(
            "schedule_conflict",
            {
                "id": conflict_id,
                "location_id": scene.locations[0],
                "kind": "CREW_TOO_SMALL",
                "journey_id": scene.rows["j1"],
                "detected_at": dt.datetime.now(dt.UTC),
                "note": "Two movers booked, three needed",
            },
        )
    ws = signed_in(scene.accounts["disp"])
    ws.engine().sync_once()
    window = open_window(ws, sync=False)
    view = window.show_section("dispatch")
    assert isinstance(view, DispatchView)
    [conflict] = list_open_conflicts(ws.store, scene.locations[0])
    before = _pending(ws)

    view.conflicts.resolve_requested.emit(conflict)  # the list's "Resolve…" button
    dialog = view.resolve_dialog
    assert isinstance(dialog, ReasonDialog)
    _refuses_blank_and_long(qtbot, dialog, "Say how the conflict was resolved.", 1000)
    assert _pending(ws) == before
    assert list_open_conflicts(ws.store, scene.locations[0]) == [conflict]

    _retype(qtbot, dialog.field, "Called in Sam for the afternoon")
    assert dialog.save_button.isEnabled() and not dialog.field.message.isVisible()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not list_open_conflicts(ws.store, scene.locations[0]), timeout=WAIT)
    row = get_row(ws.store, "schedule_conflict", conflict_id)
    assert row is not None and row["note"].endswith("Resolved: Called in Sam for the afternoon")
    assert _pending(ws) == before + 1


def test_cancelling_an_invoice_needs_a_reason_explained_under_the_field(
    qtbot: QtBot,
    scene: Scene,
    office: Account,  # noqa: F811
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
) -> None:
    ws = signed_in(office)
    ws.engine().sync_once()
    invoice_id = _billed(ws, scene)
    window = open_window(ws, sync=False)
    view = _invoices(window, qtbot)
    _shown(qtbot, view, invoice_id)
    before = _pending(ws)

    view.step("CANCELLED")  # the pane's "Cancel invoice" button
    dialog = view.cancel_dialog
    assert isinstance(dialog, ReasonDialog)
    _refuses_blank_and_long(qtbot, dialog, "Say why the invoice is cancelled.", 500)
    assert _pending(ws) == before
    assert get_row(ws.store, "invoice", invoice_id)["status"] == "DRAFT"  # type: ignore[index]

    _retype(qtbot, dialog.field, "Billed twice by mistake")
    with qtbot.waitSignal(view.acted, timeout=WAIT):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    row = get_row(ws.store, "invoice", invoice_id)
    assert row is not None
    assert (row["status"], row["cancellation_reason"]) == ("CANCELLED", "Billed twice by mistake")
    assert _pending(ws) == before + 1


def test_the_signature_card_says_to_sign_in_the_box_and_checks_the_name_as_typed(
    qtbot: QtBot,
) -> None:
    panel = SignaturePanel()
    qtbot.addWidget(panel)
    panel.resize(560, 420)
    panel.show()
    requested: list[tuple[str, bytes]] = []
    panel.sign_requested.connect(lambda name, png: requested.append((name, png)))
    assert panel.pad_message.isVisible()
    assert panel.pad_message.text() == "Ask the customer to sign in the box."
    assert not panel.save_button.isEnabled()

    qtbot.keyClicks(panel.signer.edit, "M" * 201)
    assert panel.signer.message.isVisible()
    assert panel.signer.message.text() == "Use at most 200 characters (201 now)."
    _retype(qtbot, panel.signer, "  ")
    assert panel.signer.message.text() == "Type the name of the person signing."
    qtbot.wait(100)
    panel.pad.add_stroke([QPointF(40 + i * 12, 60 + (-1) ** i * 20) for i in range(16)])
    assert not panel.pad_message.isVisible()
    assert not panel.save_button.isEnabled()  # still no name
    panel._request()  # what a click would run: refused, nothing emitted
    assert requested == []

    _retype(qtbot, panel.signer, "Margaux Delacroix-Whitfield")
    assert not panel.signer.message.isVisible() and panel.save_button.isEnabled()
    panel.pad.clear()
    assert panel.pad_message.isVisible() and not panel.save_button.isEnabled()
    panel.pad.add_stroke([QPointF(40 + i * 12, 60 + (-1) ** i * 20) for i in range(16)])
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert [name for name, _ in requested] == ["Margaux Delacroix-Whitfield"]
