"""The quote editor against the real server: lines by category, live totals, workflow, PDF."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from client.services.queries import list_rows
from client.services.quote_editing import new_quote
from client.services.workspace import Workspace
from client.sync import outbox
from client.ui import format as fmt
from client.ui.main_window import MainWindow
from client.ui.quote_editor import QuoteEditor
from client.ui.quotes import QuotesView
from shared_models.rules import DocumentInput, LineInput, TaxRateRow, compute_totals
from tests.utils.e2e import Scene, ServerDb

D = Decimal
LINES = [  # category, description, qty, unit, unit price, discount %
    ("MOVING_SERVICES", "Three movers and a 26 ft truck", "6.5", "hour", "189.00", "0"),
    ("PACKING_SERVICES", "Packing, kitchen and books", "1", "ea", "420.00", "10"),
    ("PACKING_SERVICES", "Boxes, medium", "25", "box", "3.49", "0"),
]


def _pending(ws: Workspace) -> int:
    with ws.store.engine.connect() as conn:
        return outbox.count(conn)


def _type(qtbot: QtBot, editor: QuoteEditor, name: str, text: str) -> None:
    edit = editor.form.fields[name].edit
    edit.selectAll()
    edit.del_()
    qtbot.keyClicks(edit, text)


def _add_line(qtbot: QtBot, editor: QuoteEditor, line: tuple[str, ...]) -> None:
    category, description, qty, unit, price, pct = line
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    form = editor.form
    form.category.setCurrentIndex(form.category.findData(category))
    for name, text in zip(
        ("description", "quantity", "unit", "unit_price", "discount_pct"),
        (description, qty, unit, price, pct),
        strict=True,
    ):
        _type(qtbot, editor, name, text)


def _open_new(qtbot: QtBot, ws: Workspace, window: MainWindow, scene: Scene) -> QuoteEditor:
    view = window.show_section("quotes")
    assert isinstance(view, QuotesView)
    from client.ui.quote_editor import open_quote_editor

    editor = open_quote_editor(window.ctx, None, view)
    qtbot.addWidget(editor)
    with qtbot.waitSignal(editor.loaded, timeout=10_000):
        editor.show_draft(new_quote(ws.store, scene.rows["c1"], dict(ws.user)))
    return editor


def _expected(ws: Workspace, discount_pct: Decimal) -> object:
    rows = tuple(TaxRateRow.from_record(r) for r in list_rows(ws.store, "tax_rate", limit=1000))
    return compute_totals(
        DocumentInput(
            currency="CAD",
            lines=tuple(
                LineInput(D(q), D(p), discount_pct=D(d), category=c) for c, _, q, _, p, d in LINES
            ),
            tax_date=dt.date.today() + dt.timedelta(days=14),
            province="ON",
            tax_rows=rows,
            document_discount_pct=discount_pct,
        )
    )


def test_a_dispatcher_builds_a_quote_whose_totals_match_the_rules_and_the_server(
    qtbot: QtBot,
    qtmodeltester: ModelTester,
    scene: Scene,
    server_db: ServerDb,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ws = signed_in(scene.accounts["disp"])
    window = open_window(ws, write_sync_delay_ms=3_600_000)
    qtbot.waitUntil(lambda: window.status.pill.text() == "● Online", timeout=30_000)
    editor = _open_new(qtbot, ws, window, scene)
    for line in LINES:
        _add_line(qtbot, editor, line)
    editor.header.discount.edit.setFocus()
    qtbot.keyClicks(editor.header.discount.edit, "5")
    qtmodeltester.check(editor.model)
    assert editor.model.rowCount() == 5  # two category headings and three lines

    expected = _expected(ws, D(5))
    shown = editor.totals.texts
    assert shown["Subtotal"] == fmt.money(expected.subtotal)  # type: ignore[attr-defined]
    assert shown["Discount"] == fmt.money(-expected.discount)  # type: ignore[attr-defined]
    assert shown["HST 13%"] == fmt.money(expected.taxes[0].amount)  # type: ignore[attr-defined]
    assert shown["Total"] == fmt.money(expected.total)  # type: ignore[attr-defined]

    # Bad input: the message sits under the field and nothing reaches the outbox.
    before = _pending(ws)
    _type(qtbot, editor, "unit_price", "-5")
    assert editor.form.fields["unit_price"].message.text() == "The unit price cannot be negative."
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)  # a line left blank
    assert not editor.save()
    assert editor.form.fields["description"].message.isVisible()
    assert "Nothing was saved" in editor.banner.text.text()
    assert _pending(ws) == before == 0
    qtbot.mouseClick(editor.remove_button, Qt.MouseButton.LeftButton)
    editor._select(2)  # the boxes line, in its packing group
    _type(qtbot, editor, "unit_price", "3.49")
    assert not editor.problems()

    with qtbot.waitSignal(editor.saved, timeout=10_000) as saved:
        assert editor.save()
    quote_id = saved.args[0]
    qtbot.waitUntil(lambda: not editor.dirty and bool(editor.offers), timeout=10_000)
    window.sync_now()
    qtbot.waitUntil(lambda: window.status.pending.text() == "All changes synced", timeout=30_000)
    server = server_db.row("quote", quote_id)
    assert server is not None and server["number"].startswith("Q-")
    assert (
        server["subtotal"],
        server["discount_amount"],
        server["tax_amount"],
        server["total"],
    ) == (
        expected.subtotal,  # type: ignore[attr-defined]
        expected.discount,  # type: ignore[attr-defined]
        expected.tax_total,  # type: ignore[attr-defined]
        expected.total,  # type: ignore[attr-defined]
    )

    # Workflow: send, and the list shows it as Sent.
    # The sync reloads the editor in the background: wait until it has settled.
    qtbot.waitUntil(
        lambda: (
            not editor.dirty
            and "send" in editor.workflow.buttons
            and editor.workflow.buttons["send"].isEnabled()
        ),
        timeout=10_000,
    )
    send = editor.workflow.buttons["send"]
    assert send.isEnabled()
    with qtbot.waitSignal(editor.acted, timeout=10_000):
        qtbot.mouseClick(send, Qt.MouseButton.LeftButton)
    view = window.pages["quotes"]
    assert isinstance(view, QuotesView)
    number = server["number"]

    def listed_as_sent() -> bool:
        rows = [view.model.row(i) for i in range(view.model.rowCount())]
        return any(r is not None and r.number == number and r.status == "SENT" for r in rows)

    qtbot.waitUntil(listed_as_sent, timeout=10_000)

    # Export PDF: written off the UI thread; its text names the quote and its total.
    target = tmp_path / "quote.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "PDF"))
    qtbot.waitUntil(lambda: editor.draft is not None and editor.draft.header["status"] == "SENT")
    with qtbot.waitSignal(editor.exported, timeout=20_000):
        qtbot.mouseClick(editor.pdf_button, Qt.MouseButton.LeftButton)
    text = "\n".join(page.extract_text() for page in PdfReader(target).pages)
    assert number in text
    assert f"{expected.total:,.2f}" in text  # type: ignore[attr-defined]


def _editor_of(
    qtbot: QtBot, ws: Workspace, open_window: Callable[..., MainWindow], quote_id: object
) -> QuoteEditor:
    """The quote's editor from the Quotes section of a synced laptop, loaded."""
    ws.engine().sync_once()
    window = open_window(ws, sync=False)
    view = window.show_section("quotes")
    assert isinstance(view, QuotesView)
    editor = view.open_editor(quote_id)
    assert editor is not None
    qtbot.addWidget(editor)
    qtbot.waitUntil(lambda: editor.draft is not None, timeout=10_000)
    return editor


def test_an_accepted_quote_opens_read_only(
    qtbot: QtBot,
    scene: Scene,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
) -> None:
    editor = _editor_of(qtbot, signed_in(scene.accounts["disp"]), open_window, scene.rows["qa"])
    assert editor.banner.isVisible() and "locked" in editor.banner.text.text()
    assert editor.save_button.isHidden() and not editor.save()
    qtbot.waitUntil(lambda: "convert" in editor.workflow.buttons, timeout=10_000)
    assert editor.workflow.buttons["convert"].text() == "Convert to job"


def test_convert_asks_without_blocking_and_only_yes_creates_the_job(
    qtbot: QtBot,
    scene: Scene,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
    server_db: ServerDb,
) -> None:
    with server_db.writer(scene.tenant_id, scene.user("admin"), "ADMIN") as w:
        w.update("quote", scene.rows["qa"], {"origin_line1": "2 Elm St", "origin_city": "Toronto"})
    ws = signed_in(scene.accounts["disp"])
    editor = _editor_of(qtbot, ws, open_window, scene.rows["qa"])
    qtbot.waitUntil(lambda: "convert" in editor.workflow.buttons, timeout=10_000)

    # The question is open while the event loop runs on: a sync could reload behind it.
    editor.workflow.buttons["convert"].click()
    box = editor.convert_box  # type: ignore[attr-defined]
    assert box.isVisible() and "Create the job for this move" in box.text()
    box.button(QMessageBox.StandardButton.No).click()
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=5_000)
    assert list_rows(ws.store, "journey", filters={"quote_id": scene.rows["qa"]}) == []

    editor.workflow.buttons["convert"].click()
    box = editor.convert_box  # type: ignore[attr-defined]
    with qtbot.waitSignal(editor.acted, timeout=10_000) as acted:
        box.button(QMessageBox.StandardButton.Yes).click()
    assert acted.args == ["convert"]
    [job] = list_rows(ws.store, "journey", filters={"quote_id": scene.rows["qa"]})
    quote = list_rows(ws.store, "quote", filters={"id": scene.rows["qa"]})[0]
    assert quote["status"] == "CONVERTED" and quote["journey_id"] == job["id"]
