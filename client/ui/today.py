"""Today: the crew lead's journeys of the day in order, and the Journey screen one tap away."""

from __future__ import annotations

import datetime as dt
import uuid

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from client.services.crew import DayJourneys, JourneyCard, crew_today, day_journeys
from client.ui import format as fmt
from client.ui.context import AppContext
from client.ui.field_widgets import (
    FIELD_QSS,
    PhoneButton,
    big_button,
    crew_text,
    route_text,
    status_chip,
    time_window,
    truck_text,
)
from client.ui.journey import JourneyView
from client.ui.tasks import Op
from client.ui.widgets import PageHeader, label, page_layout

WATCHED = {"journey", "journey_crew", "journey_event", "customer", "equipment", "user"}


class JourneyCardWidget(QFrame):
    """One journey of the day; a tap anywhere (or the button) opens it."""

    opened = Signal(object)  # journey id

    def __init__(self, card: JourneyCard, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.card = card
        self.setObjectName("JourneyCard")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        grid = QGridLayout(self)
        grid.setContentsMargins(20, 16, 20, 16)
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(6)

        when = QVBoxLayout()
        when.setSpacing(6)
        when.addWidget(label(time_window(card.start, card.end, card.zone), "TimeWindow"))
        when.addWidget(status_chip(card.status), 0, Qt.AlignmentFlag.AlignLeft)
        when.addWidget(label(card.number or "Number on sync", "Muted"))
        when.addStretch(1)
        grid.addLayout(when, 0, 0, 4, 1)

        grid.addWidget(label(card.customer_name, "DetailTitle"), 0, 1)
        grid.addWidget(label(route_text(card), "Route", wrap=True), 1, 1)
        grid.addWidget(label(f"Crew: {crew_text(card)}", "Big", wrap=True), 2, 1)
        grid.addWidget(label(f"Truck: {truck_text(card)}", "Big"), 3, 1)

        self.phone = PhoneButton(card.customer_phone)
        self.open_button = big_button("Open journey  ›", primary=True)
        self.open_button.clicked.connect(lambda: self.opened.emit(card.id))
        grid.addWidget(self.phone, 0, 2, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.open_button, 2, 2, 2, 1, Qt.AlignmentFlag.AlignRight)
        grid.setColumnStretch(1, 1)
        grid.setColumnMinimumWidth(0, 150)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.opened.emit(self.card.id)


class DayList(QWidget):
    """The day's cards under a header with day navigation."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.header = PageHeader("Today", "")
        self.prev_button = big_button("‹  Previous day")
        self.today_button = big_button("Today")
        self.next_button = big_button("Next day  ›")
        for widget in (self.prev_button, self.today_button, self.next_button):
            self.header.actions.addWidget(widget)
        self.area = QScrollArea()
        self.area.setWidgetResizable(True)
        self.area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        page_layout(self, self.header, body=self.area)
        self.cards: list[JourneyCardWidget] = []

    def show_cards(self, cards: list[JourneyCard], empty: str) -> list[JourneyCardWidget]:
        holder = QWidget()
        box = QVBoxLayout(holder)
        box.setContentsMargins(0, 0, 8, 0)
        box.setSpacing(12)
        self.cards = [JourneyCardWidget(card) for card in cards]
        for widget in self.cards:
            box.addWidget(widget)
        if not cards:
            box.addStretch(1)
            hint = label(empty, "EmptyState", wrap=True)
            hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
            box.addWidget(hint)
            box.addStretch(2)
        else:
            box.addStretch(1)
        self.area.setWidget(holder)
        return self.cards


class TodayView(QWidget):
    """``loaded`` fires when a day's journeys are on screen (tests, screenshots).

    "Today" is the date at the crew's branch (its time zone), as on the dispatch board.
    """

    loaded = Signal(object)  # the day

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.store = ctx.workspace.store
        self.user_id = uuid.UUID(str(ctx.workspace.user["id"]))
        self.day = crew_today(self.store, self.user_id)
        self.setStyleSheet(FIELD_QSS)
        self.list = DayList()
        self.journey: JourneyView | None = None
        self.stack = QStackedWidget()
        self.stack.addWidget(self.list)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.list.prev_button.clicked.connect(lambda: self.go_to(self.day - dt.timedelta(days=1)))
        self.list.next_button.clicked.connect(lambda: self.go_to(self.day + dt.timedelta(days=1)))
        self.list.today_button.clicked.connect(
            lambda: self.go_to(crew_today(self.store, self.user_id))
        )
        ctx.hub.changed.connect(self.on_tables_changed)
        self.reload()

    def go_to(self, day: dt.date) -> None:
        self.day = day
        self.reload()

    def on_tables_changed(self, tables: set[str]) -> None:
        if tables & WATCHED:
            self.reload()

    def reload(self) -> None:
        day = self.day
        Op(parent=self, op=lambda: day_journeys(self.store, self.user_id, day)).success(
            self._show
        ).run_in_background()

    def _show(self, found: DayJourneys) -> None:
        if found.day != self.day:  # the user moved on while this day was read
            return
        day, today, cards = found.day, found.today, found.cards
        title = "Today" if day == today else fmt.date(day)
        self.list.header.title.setText(title)
        count = f"{len(cards)} journey{'s' if len(cards) != 1 else ''}"
        self.list.header.subtitle.setText(
            f"{day:%A} {fmt.date(day)}  ·  {count}  ·  {fmt.zone_caption(found.zone)}"
        )
        self.list.today_button.setEnabled(day != today)
        empty = (
            "No journeys for you today. Enjoy the quiet — dispatch will assign you."
            if day == today
            else f"No journeys for you on {fmt.date(day)}."
        )
        for widget in self.list.show_cards(cards, empty):
            widget.opened.connect(self.open_journey)
            widget.phone.copied.connect(self._copied)
        self.loaded.emit(day)

    def open_journey(self, journey_id: uuid.UUID) -> JourneyView:
        self.close_journey()
        self.journey = JourneyView(self.ctx, journey_id)
        self.journey.back_requested.connect(self.close_journey)
        self.stack.addWidget(self.journey)
        self.stack.setCurrentWidget(self.journey)
        return self.journey

    def close_journey(self) -> None:
        if self.journey is not None:
            self.stack.removeWidget(self.journey)
            self.journey.deleteLater()
            self.journey = None
        self.stack.setCurrentWidget(self.list)

    def _copied(self, phone: str) -> None:
        bar = getattr(self.window(), "statusBar", None)
        if callable(bar):
            bar().showMessage(f"Copied {phone} to the clipboard", 4_000)
