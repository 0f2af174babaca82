"""Journeys: every journey on this device in a lazily paged table, filtered by date and status.

The filters are service queries (``client.services.journeys``); selecting a
row loads its detail (crew, truck, timeline, quote and invoices) off the UI
thread into the side pane.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import replace

from PySide6.QtCore import QDate, QItemSelection
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDateEdit, QWidget

from client.replica.store import LocalStore
from client.services.journeys import (
    JourneyDetail,
    JourneyQuery,
    JourneyRow,
    count_journeys,
    ensure_journey_indexes,
    journey_detail,
    journey_page,
)
from client.services.lists import status_counts
from client.ui import format as fmt
from client.ui.context import AppContext
from client.ui.detail_pane import DetailPane
from client.ui.journey_detail import show_journey
from client.ui.paged_model import Column, PagedTableModel
from client.ui.photos import StoredPhoto, thumbnails
from client.ui.tables import make_table, size_columns
from client.ui.tasks import Op
from client.ui.widgets import (
    ChipDelegate,
    PageHeader,
    StatusFilter,
    button,
    label,
    list_and_pane,
    page_layout,
)
from shared_models.enums import JourneyStatus

COLUMNS: list[Column[JourneyRow]] = [
    Column("Number", lambda j: j.number, width=92),
    Column("Date", lambda j: short_date(j.scheduled_date), width=96),
    Column("Customer", lambda j: j.customer_name, width=140),
    Column("Route", lambda j: j.route, width=180),
    Column("Crew lead", lambda j: j.crew_lead or "—", width=140),
    Column("Truck", lambda j: j.truck or "—", width=94),
    Column("Status", lambda j: fmt.humanize(j.status), tag=lambda j: j.status, width=104),
]
ROUTE_COLUMN, STATUS_COLUMN = 3, 6
WATCHED = {"journey", "journey_crew", "journey_event", "customer", "equipment", "invoice"}
#: The date edits' minimum stands for "no bound" and shows as ``ANY_DATE``.
NO_DATE = QDate(2000, 1, 1)
ANY_DATE = "Any date"


def short_date(value: dt.date) -> str:
    """``Nov 30`` this year, ``Jan 3, 2027`` otherwise: the list has little room."""
    if value.year == dt.date.today().year:
        return f"{value:%b} {value.day}"
    return fmt.date(value)


class JourneySource:
    def __init__(self, store: LocalStore, query: JourneyQuery) -> None:
        self.store, self.query = store, query

    def count(self) -> int:
        return count_journeys(self.store, self.query)

    def page(self, offset: int, limit: int) -> Sequence[JourneyRow]:
        return journey_page(self.store, self.query, offset=offset, limit=limit)


def _date_edit() -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("MMM d, yyyy")
    edit.setMinimumDate(NO_DATE)
    edit.setSpecialValueText(ANY_DATE)
    edit.setDate(NO_DATE)
    edit.setMinimumWidth(130)
    return edit


class JourneysView(QWidget):
    """Ctrl+F focuses the status filter."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.store = ctx.workspace.store
        ensure_journey_indexes(self.store)
        self.source = JourneySource(self.store, JourneyQuery())
        self._shown: uuid.UUID | None = None

        self.header = PageHeader("Journeys", "")
        self.date_from, self.date_to = _date_edit(), _date_edit()
        self.clear_dates = button("All dates", flat=True)
        self.status_filter = StatusFilter(JourneyStatus, width=170)
        for widget in (
            label("From", "Muted"),
            self.date_from,
            label("to", "Muted"),
            self.date_to,
            self.clear_dates,
            self.status_filter,
        ):
            self.header.actions.addWidget(widget)  # type: ignore[attr-defined]

        self.model: PagedTableModel[JourneyRow] = PagedTableModel(COLUMNS, parent=self)
        self.table = make_table(COLUMNS, self)  # type: ignore[arg-type]
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(STATUS_COLUMN, ChipDelegate(self.table))
        size_columns(self.table, COLUMNS, stretch=ROUTE_COLUMN)  # type: ignore[arg-type]

        self.pane = DetailPane("Select a journey to see its crew, timeline and documents.")
        self.splitter = list_and_pane(self.table, self.pane, (900, 340), pane_parts=1)
        page_layout(self, self.header, body=self.splitter)

        self.model.reloaded.connect(self._count_changed)
        self.status_filter.currentIndexChanged.connect(self._filter)
        self.date_from.dateChanged.connect(self._filter)
        self.date_to.dateChanged.connect(self._filter)
        self.clear_dates.clicked.connect(lambda: self.set_date_range(None, None))
        self.table.selectionModel().selectionChanged.connect(self._selected)
        ctx.hub.changed.connect(self.on_tables_changed)
        self.model.set_source(self.source)
        self._load_counts()

    # -- filters -------------------------------------------------------------------------

    def set_date_range(self, start: dt.date | None, end: dt.date | None) -> None:
        """Show journeys scheduled from ``start`` to ``end`` (inclusive; None: no bound)."""
        for edit, value in ((self.date_from, start), (self.date_to, end)):
            edit.blockSignals(True)
            edit.setDate(QDate(value.year, value.month, value.day) if value else NO_DATE)
            edit.blockSignals(False)
        self._filter()

    def _bound(self, edit: QDateEdit) -> dt.date | None:
        value = edit.date()
        return None if value == NO_DATE else dt.date(value.year(), value.month(), value.day())

    def _filter(self) -> None:
        query = replace(
            self.source.query,
            status=self.status_filter.currentData(),
            date_from=self._bound(self.date_from),
            date_to=self._bound(self.date_to),
        )
        self.source = JourneySource(self.store, query)
        self.model.set_source(self.source)
        self.pane.clear()
        self._shown = None

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.table.setFocus()  # not the first date edit, whose text would show selected

    def focus_search(self) -> None:
        self.status_filter.setFocus()
        self.status_filter.showPopup()

    def on_tables_changed(self, tables: set[str]) -> None:
        if tables & WATCHED:
            self.model.reload()
            self._load_counts()

    # -- header --------------------------------------------------------------------------

    def _count_changed(self, total: int) -> None:
        what = "journey" if total == 1 else "journeys"
        query = self.source.query
        parts = [f"{total:,}"]
        if query.status:
            parts.append(fmt.humanize(query.status).lower())
        parts.append(what)
        if query.date_from and query.date_to:
            parts.append(f"from {fmt.date(query.date_from)} to {fmt.date(query.date_to)}")
        elif query.date_from:
            parts.append(f"from {fmt.date(query.date_from)}")
        elif query.date_to:
            parts.append(f"until {fmt.date(query.date_to)}")
        self.header.subtitle.setText(" ".join(parts) + " on this device")

    def _load_counts(self) -> None:
        Op(parent=self, op=lambda: status_counts(self.store, "journey")).success(
            self.status_filter.show_counts
        ).run_in_background()

    # -- detail --------------------------------------------------------------------------

    def _selected(self, selected: QItemSelection, _: QItemSelection) -> None:
        rows = selected.indexes()
        journey = self.model.row(rows[0]) if rows else None
        if journey is None:
            return
        self._shown = journey.id
        Op(parent=self, op=lambda: _load(self.store, journey.id)).success(
            lambda loaded: self._show(journey.id, *loaded)
        ).run_in_background()

    def _show(
        self,
        journey_id: uuid.UUID,
        detail: JourneyDetail | None,
        photos: dict[str, StoredPhoto],
    ) -> None:
        if journey_id == self._shown:  # a later click wins over a slower earlier load
            show_journey(self.pane, detail, photos)


def _load(
    store: LocalStore, journey_id: uuid.UUID
) -> tuple[JourneyDetail | None, dict[str, StoredPhoto]]:
    """The journey and its photo thumbnails, both read and decoded off the UI thread."""
    detail = journey_detail(store, journey_id)
    return detail, thumbnails(detail.events) if detail is not None else {}
