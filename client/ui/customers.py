"""Customers & Leads: customer list with instant full-text search and detail; lead pipeline."""

from __future__ import annotations

import uuid

from PySide6.QtCore import QItemSelection, Signal
from PySide6.QtWidgets import QTabWidget, QWidget

from client.services.details import CustomerDetail, customer_detail
from client.services.lists import CustomerRow, search_customers
from client.ui import format as fmt
from client.ui.context import AppContext
from client.ui.customer_detail import show_customer
from client.ui.customer_form import CustomerForm
from client.ui.detail_pane import DetailPane
from client.ui.fields import FormDialog
from client.ui.lead_form import LeadForm
from client.ui.leads import LeadPipeline
from client.ui.paged_model import Column, ListSource, PagedTableModel
from client.ui.sources import CustomerSource
from client.ui.tables import make_table, size_columns
from client.ui.tasks import Op
from client.ui.widgets import PageHeader, SearchBox, button, list_and_pane, page_layout

COLUMNS: list[Column[CustomerRow]] = [
    Column("Name", lambda c: c.name, width=200),
    Column("Phone", lambda c: c.phone or "", width=140),
    Column("Email", lambda c: c.email or "", width=220),
    Column("City", lambda c: ", ".join(p for p in (c.city, c.province) if p), width=150),
    Column("Type", lambda c: fmt.humanize(c.customer_type), width=110),
]
WATCHED = {"customer", "lead", "sales_activity", "quote"}


class CustomersView(QWidget):
    """``search_done`` fires when a search's rows are in the model (tests, benchmark)."""

    search_done = Signal(str, int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.store = ctx.workspace.store
        self._query = ""
        self._shown: uuid.UUID | None = None

        self.header = PageHeader("Customers & Leads", "")
        self.search = SearchBox("Search customers by name, company, email, phone or city")
        self.search.setMinimumWidth(380)
        self.header.actions.addWidget(self.search)
        self.new_lead_button = button("New lead")
        self.new_customer_button = button("New customer", primary=True)
        self.header.actions.addWidget(self.new_lead_button)
        self.header.actions.addWidget(self.new_customer_button)
        self.form: FormDialog | None = None

        self.model: PagedTableModel[CustomerRow] = PagedTableModel(COLUMNS, parent=self)
        self.table = make_table(COLUMNS, self)  # type: ignore[arg-type]
        self.table.setModel(self.model)
        size_columns(self.table, COLUMNS, stretch=2)  # type: ignore[arg-type]
        self.pane = DetailPane("Select a customer to see their details, activity and quotes.")
        self.splitter = list_and_pane(self.table, self.pane, (820, 380), pane_parts=1)

        self.pipeline = LeadPipeline(ctx)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.splitter, "Customers")
        self.tabs.addTab(self.pipeline, "Lead pipeline")

        page_layout(self, self.header, body=self.tabs, spacing=10)

        self.search.search.connect(self.run_search)
        self.new_customer_button.clicked.connect(lambda: self.open_customer_form(None))
        self.new_lead_button.clicked.connect(lambda: self.open_lead_form(None))
        self.pipeline.lead_opened.connect(self.open_lead_form)
        self.model.reloaded.connect(self._count_changed)
        self.table.selectionModel().selectionChanged.connect(self._selected)
        ctx.hub.changed.connect(self.on_tables_changed)
        self.model.set_source(CustomerSource(self.store))

    def focus_search(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.search.setFocus()
        self.search.selectAll()

    def open_customer_form(self, customer_id: uuid.UUID | None) -> CustomerForm:
        """New customer (None) or edit one; once saved, the pane shows it."""
        form = CustomerForm(self.ctx, customer_id, parent=self)
        form.saved.connect(self.show_customer_id)
        self.form = form
        form.open()
        return form

    def open_lead_form(self, lead_id: uuid.UUID | None) -> LeadForm:
        form = LeadForm(self.ctx, lead_id, parent=self)
        self.form = form
        form.open()
        return form

    def show_customer_id(self, customer_id: object) -> None:
        if not isinstance(customer_id, uuid.UUID):
            return
        self.tabs.setCurrentIndex(0)
        self._load_detail(customer_id)

    def _load_detail(self, customer_id: uuid.UUID) -> None:
        self._shown = customer_id
        Op(parent=self, op=lambda: customer_detail(self.store, customer_id)).success(
            lambda detail: self._show(customer_id, detail)
        ).run_in_background()

    def on_tables_changed(self, tables: set[str]) -> None:
        if not tables & WATCHED:
            return
        self.run_search(self._query)
        self.pipeline.reload()
        if self._shown is not None and "customer" in tables:
            self._load_detail(self._shown)  # an edit (here or synced) shows at once

    def run_search(self, text: str) -> None:
        """Empty text lists everyone A→Z; otherwise FTS5 matches, best first."""
        self._query = text
        if not text:
            self.model.set_source(CustomerSource(self.store))
            self.search_done.emit(text, self.model.total)
            return
        Op(parent=self, op=lambda: search_customers(self.store, text)).success(
            lambda rows: self._show_results(text, rows)
        ).run_in_background()

    def _show_results(self, text: str, rows: list[CustomerRow]) -> None:
        if text != self._query:
            return  # the user typed on; a newer search is on its way
        self.model.set_source(ListSource(rows))
        self.search_done.emit(text, len(rows))

    def _count_changed(self, total: int) -> None:
        if self._query:
            more = "+" if total >= 200 else ""
            self.header.subtitle.setText(f"{total:,}{more} matching “{self._query}”")
        else:
            self.header.subtitle.setText(f"{total:,} customers on this device")

    def _selected(self, selected: QItemSelection, _: QItemSelection) -> None:
        rows = selected.indexes()
        customer = self.model.row(rows[0]) if rows else None
        if customer is not None:
            self._load_detail(customer.id)

    def _show(self, customer_id: uuid.UUID, detail: CustomerDetail | None) -> None:
        if customer_id == self._shown:
            show_customer(self.pane, detail, on_edit=lambda: self.open_customer_form(customer_id))
