"""Bad input in the quote editor and its workflow dialogs: each message sits next to its
field as the user types, the action stays disabled (or refuses), and nothing is queued.

Real replica synced from the real server (the gui fixtures); quotes of the scene:
``q1`` a draft of c1 (Ontario), ``qs`` sent to c2.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, Qt
from pytestqt.qtbot import QtBot

from client.services.queries import get_row
from client.services.workspace import Workspace
from client.sync import outbox
from client.ui import tasks
from client.ui.fields import Field, ReasonDialog
from client.ui.main_window import MainWindow
from client.ui.quote_accept import AcceptDialog
from client.ui.quote_editor import QuoteEditor
from client.ui.quote_workflow_ui import run_offer
from client.ui.quotes import QuotesView
from tests.utils.e2e import Scene

WAIT = 10_000


def _pending(ws: Workspace) -> int:
    with ws.store.engine.connect() as conn:
        return outbox.count(conn)


def _retype(qtbot: QtBot, field: Field, text: str) -> None:
    field.edit.selectAll()
    field.edit.del_()
    qtbot.keyClicks(field.edit, text)


def _editor(
    qtbot: QtBot,
    scene: Scene,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
    quote: str,
) -> tuple[Workspace, QuoteEditor]:
    ws = signed_in(scene.accounts["disp"])
    ws.engine().sync_once()
    window = open_window(ws, sync=False)
    view = window.show_section("quotes")
    assert isinstance(view, QuotesView)
    editor = view.open_editor(scene.rows[quote])
    assert editor is not None
    qtbot.addWidget(editor)
    qtbot.waitUntil(lambda: editor.draft is not None, timeout=WAIT)
    return ws, editor


def test_a_postal_code_of_another_province_and_a_window_ending_first_are_refused_in_place(
    qtbot: QtBot,
    scene: Scene,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
) -> None:
    ws, editor = _editor(qtbot, scene, signed_in, open_window, "q1")
    header = editor.header
    origin = header.address["origin"]
    province, postal = origin["province"], origin["postal_code"]
    province.setCurrentIndex(province.findData("ON"))
    before = _pending(ws)

    _retype(qtbot, postal, "V6B 1A1")  # a Vancouver code on an Ontario stop
    assert postal.message.isVisible()
    assert postal.message.text() == "Ontario postal codes start with K, L, M, N or P."
    _retype(qtbot, postal, "M5V 2TX")
    assert postal.message.text() == "A postal code looks like A1A 1A1, e.g. M5V 2T6."
    _retype(qtbot, header.arrival, "10:00-9:00")
    assert header.arrival.message.isVisible()
    assert header.arrival.message.text() == "The window must end after it starts, e.g. 8:00-10:00."
    _retype(qtbot, header.arrival, "morning")
    assert "start and an end time" in header.arrival.message.text()
    qtbot.wait(200)  # layout and deferred deletes land before the grab
    assert not editor.save_button.isEnabled()
    assert editor.save_button.toolTip() == editor.problems()[0]
    assert not editor.save()  # Ctrl+S still explains itself
    assert "Nothing was saved" in editor.banner.text.text()
    assert editor.totals.texts == {}  # no totals while the header is wrong
    tasks.wait_idle()
    assert _pending(ws) == before

    # The province chosen after the code re-checks it: a BC stop takes the Vancouver code.
    _retype(qtbot, postal, "v6b1a1")
    assert postal.message.isVisible()
    province.setCurrentIndex(province.findData("BC"))
    assert not postal.message.isVisible()
    _retype(qtbot, header.arrival, "8-10am")
    assert not header.arrival.message.isVisible() and not header.errors()
    qtbot.waitUntil(lambda: "Total" in editor.totals.texts, timeout=WAIT)  # totals are back
    assert editor.save_button.isEnabled()
    assert editor.save()
    qtbot.waitUntil(lambda: not editor.dirty, timeout=WAIT)
    row = get_row(ws.store, "quote", scene.rows["q1"])
    assert row is not None
    assert (row["origin_postal_code"], row["origin_province"]) == ("V6B 1A1", "BC")  # stored form
    assert row["arrival_window"] == "8-10am"
    assert _pending(ws) > before


def test_rejecting_a_quote_asks_for_the_reason_and_an_empty_one_is_explained_not_dropped(
    qtbot: QtBot,
    scene: Scene,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
) -> None:
    ws, editor = _editor(qtbot, scene, signed_in, open_window, "qs")
    before = _pending(ws)
    run_offer(editor, "reject")
    dialog = editor.reject_dialog  # type: ignore[attr-defined]
    assert isinstance(dialog, ReasonDialog) and dialog.isVisible()
    assert not dialog.save_button.isEnabled()
    assert dialog.hint.text() == "1 field to complete or correct"

    _retype(qtbot, dialog.field, "   ")
    assert dialog.field.message.isVisible()
    assert dialog.field.message.text() == "Enter the reason the customer gave."
    assert not dialog.save_button.isEnabled()
    _retype(qtbot, dialog.field, "x" * 501)
    assert dialog.field.message.text() == "Use at most 500 characters (501 now)."
    assert not dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)  # disabled: nothing runs
    _retype(qtbot, dialog.field, "")
    assert not dialog.submit() and dialog.isVisible()
    tasks.wait_idle()
    assert _pending(ws) == before
    assert get_row(ws.store, "quote", scene.rows["qs"])["status"] == "SENT"  # type: ignore[index]

    _retype(qtbot, dialog.field, "  Chose another mover  ")
    assert dialog.save_button.isEnabled() and not dialog.field.message.isVisible()
    with qtbot.waitSignal(editor.acted, timeout=WAIT):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    row = get_row(ws.store, "quote", scene.rows["qs"])
    assert row is not None
    assert (row["status"], row["rejection_reason"]) == ("REJECTED", "Chose another mover")
    assert _pending(ws) == before + 1


def test_the_acceptance_dialog_says_why_it_cannot_accept_yet(
    qtbot: QtBot,
    scene: Scene,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
) -> None:
    ws, editor = _editor(qtbot, scene, signed_in, open_window, "qs")
    before = _pending(ws)
    run_offer(editor, "accept")
    dialog = editor.accept_dialog  # type: ignore[attr-defined]
    assert isinstance(dialog, AcceptDialog) and dialog.isVisible()
    assert not dialog.ok.isEnabled()
    assert dialog.pad_message.isVisible()
    assert dialog.pad_message.text() == "Ask the customer to sign in the box."
    assert dialog.hint.text() == "To accept: the signer's name and the signature"

    _retype(qtbot, dialog.name, "J" * 201)
    assert dialog.name.message.isVisible()
    assert dialog.name.message.text() == "Use at most 200 characters (201 now)."
    _retype(qtbot, dialog.name, "  ")
    assert dialog.name.message.text() == "Type the name of the person signing."
    assert not dialog.ok.isEnabled()

    _retype(qtbot, dialog.name, "Beatrix Oakhurst")
    assert not dialog.name.message.isVisible() and not dialog.ok.isEnabled()
    assert dialog.hint.text() == "To accept: the signature"
    dialog.pad.stroke([QPointF(30 + i * 14, 70 + (-1) ** i * 20) for i in range(16)])
    assert not dialog.pad_message.isVisible() and dialog.ok.isEnabled()
    dialog.pad.clear()
    assert dialog.pad_message.isVisible() and not dialog.ok.isEnabled()
    dialog.reject()
    tasks.wait_idle()
    assert _pending(ws) == before
    assert get_row(ws.store, "quote", scene.rows["qs"])["status"] == "SENT"  # type: ignore[index]
