"""The quote editor: header, lines by category, live totals, workflow and PDF, in one window.

Reads and writes go through the service layer on the database worker
(``tasks.Op``); totals are priced on the UI thread on every keystroke with
``quote_editing.price`` (the services' own ``compute_totals`` inputs). Saving
writes header, lines and totals in one ``LocalWriteService.batch()``; a locked
(accepted or converted) quote opens read-only under a banner.
"""

from __future__ import annotations

import copy
import uuid
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from client.services.documents import export_quote_pdf
from client.services.quote_actions import Offer, QuoteActions
from client.services.quote_editing import LineDraft, QuoteDraft, load_quote, price, save_quote
from client.ui import format as fmt
from client.ui.context import AppContext
from client.ui.quote_line_form import LineForm
from client.ui.quote_lines import LineTableModel, line_errors
from client.ui.quote_side import TotalsCard, WorkflowCard
from client.ui.quote_workflow_ui import run_offer
from client.ui.survey_dialog import SurveyDialog, open_survey_dialog
from client.ui.tasks import Op
from client.ui.widgets import Banner, Card, ChipLabel, button, label
from shared_models.rules.errors import RuleViolation

LOCKED_TEXT = (
    "This quote is {status} and locked: it opens read-only. Convert it to a job or print it."
)


class QuoteEditor(QDialog):
    """``loaded`` after every (re)load, ``saved(id)`` after a save, ``acted(name)`` after an action."""

    loaded = Signal()
    saved = Signal(object)
    acted = Signal(str)
    exported = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.ctx = ctx
        self.store = ctx.workspace.store
        self.actions = QuoteActions(ctx.workspace.writes)
        self.draft: QuoteDraft | None = None
        self.dirty = False
        self.offers: tuple[Offer, ...] = ()
        self.resize(1320, 860)
        self._build()

    # -- layout --------------------------------------------------------------------------

    def _build(self) -> None:
        from client.ui.quote_header import QuoteHeaderForm

        self.title = label("Quote", "PageTitle")
        self.chip_holder = QHBoxLayout()
        self.subtitle = label("", "PageSubtitle")
        self.pdf_button = button("Export PDF…")
        self.survey_button = button("Estimate from survey…")
        self.save_button = button("Save", primary=True)
        self.save_button.setToolTip("Save (Ctrl+S)")
        close = button("Close")
        top = QHBoxLayout()
        texts = QVBoxLayout()
        heading = QHBoxLayout()
        heading.addWidget(self.title)
        heading.addLayout(self.chip_holder)
        heading.addStretch(1)
        texts.addLayout(heading)
        texts.addWidget(self.subtitle)
        top.addLayout(texts, 1)
        for widget in (self.survey_button, self.pdf_button, close, self.save_button):
            top.addWidget(widget)
        self.banner = Banner()

        self.header = QuoteHeaderForm()
        left = QScrollArea()
        left.setWidgetResizable(True)
        left.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        left.setWidget(self.header)
        left.setFixedWidth(360)

        self.model = LineTableModel([], "CAD", self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(34)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col, width in ((1, 70), (2, 70), (3, 110), (4, 80), (5, 120)):
            head.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
            self.table.setColumnWidth(col, width)
        self.add_button = button("+ Add line")
        self.remove_button = button("Remove line", flat=True)
        self.form = LineForm()
        lines = Card("Line items")
        tools = QHBoxLayout()
        tools.addWidget(self.add_button)
        tools.addWidget(self.remove_button)
        tools.addStretch(1)
        lines.body.addLayout(tools)
        lines.body.addWidget(self.table, 1)
        lines.body.addWidget(self.form)

        self.totals = TotalsCard()
        self.workflow = WorkflowCard()
        right = QVBoxLayout()
        right.setSpacing(12)
        right.addWidget(self.totals)
        right.addWidget(self.workflow)
        right.addStretch(1)
        right_holder = QWidget()
        right_holder.setLayout(right)
        right_holder.setFixedWidth(300)

        body = QHBoxLayout()
        body.setSpacing(14)
        body.addWidget(left)
        body.addWidget(lines, 1)
        body.addWidget(right_holder)
        root = QVBoxLayout(self)
        root.setContentsMargins(24, 18, 24, 18)
        root.setSpacing(12)
        root.addLayout(top)
        root.addWidget(self.banner)
        root.addLayout(body, 1)

        self.header.changed.connect(self._header_changed)
        self.form.changed.connect(self._line_changed)
        self.form.regrouped.connect(self._regroup)
        self.add_button.clicked.connect(self.add_line)
        self.remove_button.clicked.connect(self.remove_line)
        self.save_button.clicked.connect(self.save)
        self.pdf_button.clicked.connect(self.export_pdf)
        self.survey_button.clicked.connect(self.open_survey)
        close.clicked.connect(self.close)
        self.workflow.chosen.connect(lambda name: run_offer(self, name))
        self.table.selectionModel().selectionChanged.connect(self._selected)
        QShortcut(QKeySequence.StandardKey.Save, self).activated.connect(self.save)

    # -- loading -------------------------------------------------------------------------

    def open_quote(self, quote_id: uuid.UUID) -> None:
        Op(parent=self, op=lambda: load_quote(self.store, quote_id)).success(
            self.show_draft
        ).run_in_background()

    def show_draft(self, draft: QuoteDraft) -> None:
        self.draft = draft
        self.dirty = draft.id is None
        head = draft.header
        status = str(head.get("status") or "DRAFT")
        number = head.get("number") or head.get("provisional_number")
        self.title.setText(f"Quote {number}" if number else "New quote")
        self.setWindowTitle(f"{self.title.text()} — C&C CRM")
        while self.chip_holder.count():
            old = self.chip_holder.takeAt(0).widget()
            if old is not None:
                old.deleteLater()
        self.chip_holder.addWidget(ChipLabel(status, fmt.humanize(status)))
        customer = draft.customer
        name = " ".join(str(customer.get(k) or "") for k in ("first_name", "last_name")).strip()
        contact = " · ".join(str(v) for v in (customer.get("phone"), customer.get("email")) if v)
        self.subtitle.setText(
            " · ".join(p for p in (customer.get("company_name") or name, contact) if p)
        )
        self.header.load(
            head,
            currency_locked=bool(draft.lines) and draft.id is not None,
            today=draft.context.today(),
        )
        self.model.reset(draft.lines, str(head["currency"]))
        self.form.show_line(None)
        locked = draft.locked
        self.header.set_read_only(locked)
        self.form.set_read_only(locked)
        for widget in (self.add_button, self.remove_button, self.save_button):
            widget.setVisible(not locked)
        if locked:
            self.banner.show_message(LOCKED_TEXT.format(status=status.lower()), kind="info")
        else:
            self.banner.hide()
        self._recalc()
        self._refresh_save()
        self.refresh_offers()
        self.loaded.emit()

    def refresh_offers(self) -> None:
        draft = self.draft
        if draft is None or draft.id is None:
            self.workflow.show_offers((), unsaved=True, note="Save the quote to send it.")
            return
        quote_id = draft.id
        Op(parent=self, op=lambda: self.actions.available(quote_id)).success(
            self._show_offers
        ).run_in_background()

    def _show_offers(self, offers: tuple[Offer, ...]) -> None:
        self.offers = offers
        self.workflow.show_offers(offers, unsaved=self.dirty)

    # -- editing -------------------------------------------------------------------------

    def add_line(self) -> None:
        if self.draft is None:
            return
        current = self.form.line
        line = LineDraft(category=current.category if current else "MOVING_SERVICES")
        self.draft.lines.append(line)
        self.model.reset()
        self._select(len(self.draft.lines) - 1)
        self.form.focus()
        self._changed()

    def remove_line(self) -> None:
        if self.draft is None or self.form.line is None:
            return
        self.draft.lines.remove(self.form.line)
        self.model.reset()
        self.form.show_line(None)
        self._changed()

    def _select(self, line: int) -> None:
        row = self.model.row_of(line)
        if row >= 0:
            self.table.selectionModel().select(
                self.model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            self.table.scrollTo(self.model.index(row, 0))

    def _selected(self, *_: object) -> None:
        rows = self.table.selectionModel().selectedRows()
        number = self.model.line_at(rows[0].row()) if rows else None
        self.form.show_line(
            None if number is None or self.draft is None else self.draft.lines[number]
        )

    def _regroup(self) -> None:
        line = self.form.line
        self.model.reset()
        if line is not None and self.draft is not None:
            self._select(self.draft.lines.index(line))
        self._changed()

    def _header_changed(self) -> None:
        if self.draft is not None and not self.header.errors():
            self.draft.header.update(self.header.values())
        self._changed()

    def _line_changed(self) -> None:
        self._changed()

    def _changed(self) -> None:
        if self.draft is None:
            return
        self.dirty = True
        self._recalc()
        self._refresh_save()
        self.workflow.show_offers(self.offers, unsaved=True)

    def _refresh_save(self) -> None:
        """Save waits for valid fields; its tooltip names the first thing to fix."""
        problems = self.problems()
        self.save_button.setEnabled(not problems)
        self.save_button.setToolTip(problems[0] if problems else "Save (Ctrl+S)")

    def problems(self) -> list[str]:
        """What stops a save: every message of the header and of each line."""
        if self.draft is None:
            return ["The quote is still loading."]
        out = list(self.header.errors())
        for line in self.draft.lines:
            out += line_errors(line).values()
        return out

    def _recalc(self) -> None:
        draft = self.draft
        if draft is None:
            return
        currency = str(draft.header["currency"])
        self.model.currency = currency
        if any(line_errors(line) for line in draft.lines) or self.header.errors():
            self.totals.show_totals(None, currency, "Fix the fields marked in red to see totals.")
            return
        try:
            totals = price(draft)
        except RuleViolation as exc:
            self.totals.show_totals(None, currency, str(exc))
            return
        self.model.set_amounts(list(totals.lines))
        self.totals.show_totals(totals, currency)

    # -- saving and documents ------------------------------------------------------------

    def save(self) -> bool:
        """Write the quote in the background; False (and messages shown) when it is invalid."""
        if self.draft is None or self.draft.locked:
            return False
        problems = self.problems()
        if problems:
            self.header.reveal_errors()
            self.form.reveal_errors()
            self.banner.show_message(
                f"Nothing was saved: {problems[0]}"
                + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""),
                kind="error",
            )
            return False
        draft = copy.deepcopy(self.draft)
        writes, actions = self.ctx.workspace.writes, self.actions
        user_id = writes.user_id

        def write() -> uuid.UUID:
            stored = load_quote(self.store, draft.id).header if draft.id else None
            wanted = str(draft.header["currency"])
            if stored is not None and str(stored["currency"]) != wanted:
                actions.set_currency(draft.id, wanted)  # type: ignore[arg-type]
            quote_id = save_quote(writes, draft, user_id=user_id)
            if stored is None and wanted != "CAD":
                actions.set_currency(quote_id, wanted)  # stores the exchange rate
            return quote_id

        self.save_button.setEnabled(False)
        Op(parent=self, op=write).success(self._saved).failure(self._failed).run_in_background()
        return True

    def _saved(self, quote_id: uuid.UUID) -> None:
        self.save_button.setEnabled(True)
        self.saved.emit(quote_id)
        self.open_quote(quote_id)

    def _failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.banner.show_message(f"Not saved: {exc}", kind="error")

    def open_survey(self) -> SurveyDialog | None:
        """The cube-sheet survey on the saved quote; the editor reloads once it is applied."""
        draft = self.draft
        if draft is None or draft.id is None or self.dirty:
            self.banner.show_message(
                "Save the quote before estimating it from a survey.", kind="warning"
            )
            return None
        dialog = open_survey_dialog(self.ctx, draft.id, self)
        dialog.applied.connect(lambda _: self.open_quote(draft.id))  # type: ignore[arg-type]
        self.survey = dialog
        return dialog

    def export_pdf(self) -> None:
        draft = self.draft
        if draft is None or draft.id is None:
            self.banner.show_message("Save the quote before exporting it.", kind="warning")
            return
        number = draft.header.get("number") or draft.header.get("provisional_number") or "quote"
        default = str(Path.home() / f"{number}.pdf")
        path, _ = QFileDialog.getSaveFileName(self, "Export quote as PDF", default, "PDF (*.pdf)")
        if not path:
            return
        quote_id = draft.id
        Op(parent=self, op=lambda: export_quote_pdf(self.store, quote_id, path)).success(
            self._exported
        ).failure(self._failed).run_in_background()

    def _exported(self, path: Path) -> None:
        self.banner.show_message(f"Saved the PDF to {path}", kind="info")
        self.exported.emit(path)


def open_quote_editor(
    ctx: AppContext, quote_id: uuid.UUID | None, parent: QWidget | None = None
) -> QuoteEditor:
    """A new editor window on ``quote_id`` (loaded in the background)."""
    editor = QuoteEditor(ctx, parent)
    if quote_id is not None:
        editor.open_quote(quote_id)
    editor.show()
    return editor
