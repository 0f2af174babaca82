"""Invoices: billing all day, offline. A lazily paged list, a detail pane, payments and refunds.

Writes are ``client.services.billing`` calls, reads ``invoice_list`` and
``invoice_detail`` calls, all on the database worker. The list's status is the
displayed one (OVERDUE by the branch's calendar), so its filter, counts and
chips agree. A payment recorded offline shows at once
(balance, PARTIAL_PAID) and the server confirms it on sync.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QPushButton,
    QWidget,
)

from client.services.billing import BillingService
from client.services.documents import export_invoice_pdf
from client.services.invoice_detail import InvoiceDetail, invoice_detail
from client.services.invoice_list import InvoiceQuery, invoice_status_counts
from client.ui import format as fmt
from client.ui import validators
from client.ui.context import AppContext
from client.ui.detail_pane import DetailPane
from client.ui.fields import ReasonDialog
from client.ui.invoice_detail import InvoiceHandlers, show_invoice
from client.ui.invoice_model import (
    COLUMNS,
    CUSTOMER_COLUMN,
    NUMBER_COLUMN,
    STATUS_COLUMN,
    InvoiceSource,
    InvoiceTableModel,
    NumberDelegate,
)
from client.ui.invoice_new import NewInvoiceDialog
from client.ui.invoice_payment import PaymentDialog, RefundDialog, explain
from client.ui.tables import make_table, size_columns
from client.ui.tasks import Op
from client.ui.widgets import (
    Banner,
    ChipDelegate,
    PageHeader,
    SearchBox,
    StatusFilter,
    button,
    list_and_pane,
    page_layout,
)
from shared_models.enums import InvoiceStatus

WATCHED = {"invoice", "invoice_item", "payment", "financial_transaction", "customer"}
DONE = {
    "SENT": "Sent to the customer.",
    "VIEWED": "Marked as viewed by the customer.",
    "CANCELLED": "The invoice is cancelled.",
}


class InvoicesView(QWidget):
    """Ctrl+F searches by number or customer; Ctrl+N bills a completed journey."""

    #: Emitted once a background action finished (tests and the status line wait on it).
    acted = Signal(str)
    exported = Signal(str)
    detail_shown = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.store = ctx.workspace.store
        self.billing = BillingService(ctx.workspace.writes)
        self.source = InvoiceSource(self.store, InvoiceQuery())
        self.detail: InvoiceDetail | None = None
        self.cancel_dialog: ReasonDialog | None = None
        self.actions: dict[str, QPushButton] = {}
        self.can_bill = False
        self._shown: uuid.UUID | None = None

        self.header = PageHeader("Invoices", "")
        self.search = SearchBox("Search number or customer…")
        self.search.setMinimumWidth(240)
        self.status_filter = StatusFilter(InvoiceStatus, width=190)
        self.from_quote = button("From quote…")
        self.from_quote.setToolTip("Bill an accepted flat-rate or binding quote")
        self.from_journey = button("New invoice from journey", primary=True)
        self.from_journey.setToolTip("Bill a completed job from its timeline (Ctrl+N)")
        for widget in (self.search, self.status_filter, self.from_quote, self.from_journey):
            self.header.actions.addWidget(widget)
        self.from_quote.hide()
        self.from_journey.hide()
        self.banner = Banner()

        self.model = InvoiceTableModel(parent=self)
        self.table = make_table(COLUMNS, self)  # type: ignore[arg-type]
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(STATUS_COLUMN, ChipDelegate(self.table))
        self.table.setItemDelegateForColumn(NUMBER_COLUMN, NumberDelegate(self.table))
        size_columns(self.table, COLUMNS, stretch=CUSTOMER_COLUMN)  # type: ignore[arg-type]
        self.pane = DetailPane("Select an invoice to see its lines, taxes and payments.")
        self.pane.setMinimumWidth(350)
        self.splitter = list_and_pane(self.table, self.pane, (830, 350))
        page_layout(self, self.header, self.banner, body=self.splitter)

        self.model.reloaded.connect(self._count_changed)
        self.search.search.connect(self._filter)
        self.status_filter.currentIndexChanged.connect(self._filter)
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.from_journey.clicked.connect(lambda: self.new_invoice("journey"))
        self.from_quote.clicked.connect(lambda: self.new_invoice("quote"))
        new = QShortcut(QKeySequence.StandardKey.New, self)
        new.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        new.activated.connect(lambda: self.new_invoice("journey"))
        ctx.hub.changed.connect(self.on_tables_changed)
        self.model.set_source(self.source)
        self._load_counts()
        Op(parent=self, op=self.billing.may_bill).success(self._permissions).run_in_background()

    # -- list ----------------------------------------------------------------------------

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _permissions(self, may: bool) -> None:
        """Office managers and accountants bill; a dispatcher reads (the server's matrix)."""
        self.can_bill = may
        self.from_journey.setVisible(may)
        self.from_quote.setVisible(may)
        if self.detail is not None:
            self._render(self.detail)

    def on_tables_changed(self, tables: set[str]) -> None:
        if tables & WATCHED:
            self.model.reload()
            self._load_counts()
            self._reselect()
            if self._shown is not None:
                self._load_detail(self._shown)

    def _filter(self) -> None:
        self.source = self.source.with_(
            status=self.status_filter.currentData(), text=self.search.text().strip()
        )
        self.model.set_source(self.source)
        self._reselect()

    def _count_changed(self, total: int) -> None:
        query = self.source.query
        what = "invoice" if total == 1 else "invoices"
        scope = f" {fmt.humanize(query.status).lower()}" if query.status else ""
        found = f" matching “{query.text}”" if query.text else ""
        self.header.subtitle.setText(f"{total:,}{scope} {what}{found} on this computer")
        if total == 0 and self._shown is None:
            self.pane.clear(self._empty_text())

    def _empty_text(self) -> str:
        query = self.source.query
        if query.status or query.text:
            return "No invoice matches: change the search or the status filter."
        if self.can_bill:
            return "No invoices yet. Bill a completed job with “New invoice from journey”."
        return "No invoices of your branch on this computer yet; they arrive with the next sync."

    def _load_counts(self) -> None:
        store = self.store
        Op(parent=self, op=lambda: invoice_status_counts(store)).success(
            self.status_filter.show_counts
        ).run_in_background()

    def _reselect(self) -> None:
        """Keep the shown invoice selected across reloads (when it is still listed)."""
        if self._shown is None:
            return
        number = self.model.index_of(self._shown)
        if number is not None:
            flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | (
                QItemSelectionModel.SelectionFlag.Rows
            )
            self.table.selectionModel().blockSignals(True)
            self.table.selectionModel().select(self.model.index(number, 0), flags)
            self.table.selectionModel().blockSignals(False)

    # -- detail --------------------------------------------------------------------------

    def select_invoice(self, invoice_id: uuid.UUID) -> None:
        """Show ``invoice_id`` in the pane (and select its row when it is loaded)."""
        self._shown = invoice_id
        self._reselect()
        self._load_detail(invoice_id)

    def _selected(self, selected: QItemSelection, _: QItemSelection) -> None:
        rows = selected.indexes()
        invoice = self.model.row(rows[0]) if rows else None
        if invoice is not None:
            self.select_invoice(invoice.id)

    def _load_detail(self, invoice_id: uuid.UUID) -> None:
        store = self.store
        Op(parent=self, op=lambda: invoice_detail(store, invoice_id)).success(
            lambda detail: self._show(invoice_id, detail)
        ).run_in_background()

    def _show(self, invoice_id: uuid.UUID, detail: InvoiceDetail | None) -> None:
        if invoice_id != self._shown:  # a later click wins over a slower earlier load
            return
        self.detail = detail
        self._render(detail)
        self.detail_shown.emit(detail)

    def _render(self, detail: InvoiceDetail | None) -> None:
        handlers = InvoiceHandlers(pdf=self.export_pdf)
        if self.can_bill:
            handlers.pay, handlers.refund, handlers.step = (
                self.record_payment,
                self.refund,
                self.step,
            )
        self.actions = show_invoice(self.pane, detail, handlers)

    # -- actions -------------------------------------------------------------------------

    def new_invoice(self, kind: str) -> NewInvoiceDialog | None:
        if not self.can_bill:
            return None
        dialog = NewInvoiceDialog(self.billing, kind, self)
        dialog.created.connect(self._created)
        dialog.open()
        return dialog

    def _created(self, invoice_id: uuid.UUID) -> None:
        self.banner.show_message(
            "Invoice created with a provisional number: the server assigns the legal one on sync.",
            kind="info",
        )
        self.select_invoice(invoice_id)
        self.acted.emit("created")

    def record_payment(self) -> PaymentDialog | None:
        if self.detail is None:
            return None
        dialog = PaymentDialog(self.billing, self.detail, self)
        dialog.done.connect(lambda _: self._after("paid", "Payment recorded."))
        dialog.open()
        return dialog

    def refund(self) -> RefundDialog | None:
        if self.detail is None:
            return None
        dialog = RefundDialog(self.billing, self.detail, self)
        dialog.done.connect(lambda _: self._after("refunded", "Refund recorded."))
        dialog.open()
        return dialog

    def step(self, target: str) -> None:
        """A manual step of the state machine; cancelling asks why first."""
        if self.detail is None:
            return
        invoice_id, billing = self.detail.row["id"], self.billing
        if target == "CANCELLED":
            self.ask_cancellation()
            return
        call = billing.send_invoice if target == "SENT" else billing.mark_viewed
        self._run(target, lambda: call(invoice_id))

    def ask_cancellation(self) -> ReasonDialog | None:
        """Ask why (required, kept for the accountant), then cancel; Save waits for a reason.

        ``open()``, not ``exec()``: a sync may rebuild the pane while the dialog is up.
        """
        if self.detail is None:
            return None
        invoice_id, billing = self.detail.row["id"], self.billing
        dialog = ReasonDialog(
            "Cancel invoice",
            f"Invoice {self.detail.number} is voided for good; the reason is kept for the "
            "accountant.",
            caption="Why is it cancelled?",
            check=validators.required_text("Say why the invoice is cancelled.", 500),
            write=lambda reason: billing.cancel_invoice(invoice_id, reason=reason),
            name="cancellation_reason",
            placeholder="e.g. Billed twice by mistake",
            save_text="Cancel invoice",
            cancel_text="Keep it",
            parent=self,
        )
        dialog.saved.connect(lambda _: self._after("CANCELLED", DONE["CANCELLED"]))
        dialog.finished.connect(dialog.deleteLater)
        self.cancel_dialog = dialog
        dialog.open()
        return dialog

    def _run(self, target: str, write: object) -> None:
        Op(parent=self, op=write).success(  # type: ignore[arg-type]
            lambda _: self._after(target, DONE.get(target, "Done."))
        ).failure(self._failed).run_in_background()

    def _after(self, what: str, text: str) -> None:
        self.banner.show_message(text, kind="info")
        self.acted.emit(what)

    def _failed(self, exc: BaseException) -> None:
        self.banner.show_message(f"Not done: {explain(exc)}", kind="error")

    def export_pdf(self) -> None:
        """Ask where, then render and write the PDF on the database worker."""
        if self.detail is None:
            return
        number = self.detail.number.replace("/", "-")
        default = str(Path.home() / f"Invoice {number}.pdf")
        path, _ = QFileDialog.getSaveFileName(self, "Export invoice as PDF", default, "PDF (*.pdf)")
        if not path:
            return
        store, invoice_id = self.store, self.detail.row["id"]
        Op(parent=self, op=lambda: export_invoice_pdf(store, invoice_id, path)).success(
            lambda written: self._exported(str(written))
        ).failure(self._failed).run_in_background()

    def _exported(self, path: str) -> None:
        self.banner.show_message(f"Saved the PDF to {path}", kind="info")
        self.exported.emit(path)
