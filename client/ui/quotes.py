"""Quotes: the whole replica's quotes in a lazily paged table, with a read-only side pane.

Sorting and the status filter are service queries (``client.services.lists``),
so tens of thousands of rows never come into memory at once.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

from client.services.details import QuoteDetail, quote_detail
from client.services.lists import QuoteQuery, QuoteRow, status_counts
from client.ui import format as fmt
from client.ui.context import AppContext
from client.ui.detail_pane import DetailPane
from client.ui.paged_model import RIGHT, Column, PagedTableModel
from client.ui.quote_detail import show_quote
from client.ui.sources import QuoteSource
from client.ui.tables import make_table, size_columns
from client.ui.tasks import Op
from client.ui.widgets import (
    ChipDelegate,
    PageHeader,
    StatusFilter,
    button,
    list_and_pane,
    page_layout,
)
from shared_models.enums import QuoteStatus

if TYPE_CHECKING:
    from client.ui.quote_editor import QuoteEditor

COLUMNS: list[Column[QuoteRow]] = [
    Column("Number", lambda q: q.number, sort="number", width=140),
    Column("Customer", lambda q: q.customer_name, sort="customer", width=180),
    Column(
        "Status",
        lambda q: fmt.humanize(q.status),
        sort="status",
        tag=lambda q: q.status,
        width=120,
    ),
    Column("Move date", lambda q: fmt.date(q.move_date), sort="move_date", width=115),
    Column("Route", lambda q: q.route, sort="route", width=200),
    Column("Total", lambda q: fmt.money(q.total, q.currency), align=RIGHT, sort="total", width=110),
]
STATUS_COLUMN = 2
WATCHED = {"quote", "customer"}


class QuotesView(QWidget):
    """Ctrl+F has nothing to search here yet; the status filter takes the focus."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.store = ctx.workspace.store
        self.source = QuoteSource(self.store, QuoteQuery())
        self._shown: uuid.UUID | None = None

        self.header = PageHeader("Quotes", "")
        self.status_filter = StatusFilter(QuoteStatus, width=190)
        self.header.actions.addWidget(self.status_filter)
        self.new_button = button("New quote", primary=True)
        self.new_button.setToolTip("Create a quote for a customer (Ctrl+N)")
        self.header.actions.addWidget(self.new_button)

        self.model: PagedTableModel[QuoteRow] = PagedTableModel(COLUMNS, parent=self)
        self.table = make_table(COLUMNS, self)  # type: ignore[arg-type]
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(STATUS_COLUMN, ChipDelegate(self.table))
        size_columns(self.table, COLUMNS, stretch=4)  # type: ignore[arg-type]
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.DescendingOrder)
        self.table.horizontalHeader().setSortIndicatorShown(False)
        self.model.sort_key = ("created_at", True)
        self.table.setSortingEnabled(True)

        self.pane = DetailPane("Select a quote to see its details.")
        self.splitter = list_and_pane(self.table, self.pane, (820, 380), pane_parts=1)
        page_layout(self, self.header, body=self.splitter)

        self.model.sort_requested.connect(self._sort)
        self.model.reloaded.connect(self._count_changed)
        self.status_filter.currentIndexChanged.connect(self._filter)
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.table.activated.connect(lambda index: self.open_editor(self.model.row(index)))
        self.new_button.clicked.connect(self.new_quote)
        new = QShortcut(QKeySequence.StandardKey.New, self)
        new.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        new.activated.connect(self.new_quote)
        ctx.hub.changed.connect(self.on_tables_changed)
        self.model.set_source(self.source)
        self._load_counts()

    # -- actions -------------------------------------------------------------------------

    def focus_search(self) -> None:
        self.status_filter.setFocus()
        self.status_filter.showPopup()

    def on_tables_changed(self, tables: set[str]) -> None:
        if tables & WATCHED:
            self.model.reload()
            self._load_counts()

    def _sort(self, key: str, descending: bool) -> None:
        self.table.horizontalHeader().setSortIndicatorShown(True)
        self.source = self.source.with_(sort=key, descending=descending)
        self.model.set_source(self.source)

    def _filter(self) -> None:
        self.source = self.source.with_(status=self.status_filter.currentData())
        self.model.set_source(self.source)
        self.pane.clear()

    def _count_changed(self, total: int) -> None:
        what = "quote" if total == 1 else "quotes"
        status = self.status_filter.currentData()
        scope = f" {fmt.humanize(status).lower()}" if status else ""
        self.header.subtitle.setText(f"{total:,}{scope} {what} on this device")

    def _load_counts(self) -> None:
        Op(parent=self, op=lambda: status_counts(self.store, "quote")).success(
            self.status_filter.show_counts
        ).run_in_background()

    def _selected(self, selected: QItemSelection, _: QItemSelection) -> None:
        rows = selected.indexes()
        quote = self.model.row(rows[0]) if rows else None
        if quote is None:
            return
        self._shown = quote.id
        Op(parent=self, op=lambda: quote_detail(self.store, quote.id)).success(
            lambda detail: self._show(quote.id, detail)
        ).run_in_background()

    def _show(self, quote_id: uuid.UUID, detail: QuoteDetail | None) -> None:
        if quote_id == self._shown:  # a later click wins over a slower earlier load
            show_quote(self.pane, detail, on_open=lambda: self.open_editor(quote_id))

    # -- the editor (client.ui.quote_editor) -----------------------------------------------

    def open_editor(self, quote: QuoteRow | uuid.UUID | None) -> QuoteEditor | None:
        """Double-click, Enter or "Open": the quote in its editor window."""
        from client.ui.quote_editor import open_quote_editor

        quote_id = quote.id if isinstance(quote, QuoteRow) else quote
        return None if quote_id is None else open_quote_editor(self.ctx, quote_id, self)

    def new_quote(self) -> QuoteEditor | None:
        from client.services.quote_editing import new_quote
        from client.ui.customer_picker import CustomerPicker
        from client.ui.quote_editor import open_quote_editor

        picker = CustomerPicker(self.store, self)
        if picker.exec() != CustomerPicker.DialogCode.Accepted or picker.customer_id is None:
            return None
        customer_id, user = picker.customer_id, dict(self.ctx.workspace.user)
        editor = open_quote_editor(self.ctx, None, self)
        Op(parent=editor, op=lambda: new_quote(self.store, customer_id, user)).success(
            editor.show_draft
        ).run_in_background()
        return editor
