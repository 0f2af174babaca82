"""Inventory: the crew takes blankets, dollies and straps out for a journey and brings them back.

On hand is the replica's sum of movements; taking more is refused as you
type with the shared rule's own message (``stock.check_withdrawal``), and
``InventoryService`` re-checks it inside the write.
"""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from client.services.crew import (
    JourneyCard,
    StockLine,
    crew_today,
    my_journeys,
    stock_lines,
    taken_for,
)
from client.services.inventory import InventoryService
from client.ui.context import AppContext
from client.ui.field_widgets import FIELD_QSS, big_button, clear_layout
from client.ui.journey_panels import show_error
from client.ui.tasks import Op
from client.ui.widgets import Card, PageHeader, label, page_layout
from shared_models.rules.errors import RuleViolation
from shared_models.rules.stock import check_withdrawal

WATCHED = {"inventory", "inventory_transaction", "journey"}


def quantity_of(text: str) -> tuple[Decimal | None, str | None]:
    """The typed quantity, or why it is not one."""
    text = text.strip()
    if not text:
        return None, None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None, "Type a number, e.g. 10."
    if not value.is_finite() or value <= 0 or value != value.to_integral_value():
        return None, "A whole number above zero."
    return value, None


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _count(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}"


class StockRow(QWidget):
    """One item: on hand, out with the journey, a quantity and Take / Return."""

    take_requested = Signal(object, object)  # item id, quantity
    return_requested = Signal(object, object)

    def __init__(self, line: StockLine, out: Decimal, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.line = line
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 8, 0, 8)
        grid.setHorizontalSpacing(14)
        names = QVBoxLayout()
        names.setSpacing(2)
        names.addWidget(label(line.name, "EventTitle"))
        names.addWidget(label(line.sku, "Muted"))
        grid.addLayout(names, 0, 0)
        self.on_hand = label(f"{_count(line.on_hand)} {line.unit}", "TimeWindow")
        hand = QVBoxLayout()
        hand.setSpacing(0)
        hand.addWidget(label("On hand", "Muted"))
        hand.addWidget(self.on_hand)
        grid.addLayout(hand, 0, 1)
        out_box = QVBoxLayout()
        out_box.setSpacing(0)
        out_box.addWidget(label("With this journey", "Muted"))
        out_box.addWidget(label(_count(out), "TimeWindow"))
        grid.addLayout(out_box, 0, 2)
        self.quantity = QLineEdit()
        self.quantity.setPlaceholderText("Qty")
        self.quantity.setFixedWidth(90)
        self.quantity.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.take = big_button("Take", primary=True)
        self.give_back = big_button("Return")
        actions = QHBoxLayout()
        actions.setSpacing(8)
        for widget in (self.quantity, self.take, self.give_back):
            actions.addWidget(widget)
        grid.addLayout(actions, 0, 3)
        self.message = label("", "FieldError")
        self.message.hide()
        grid.addWidget(self.message, 1, 1, 1, 3, Qt.AlignmentFlag.AlignRight)
        grid.setColumnStretch(0, 1)
        grid.setColumnMinimumWidth(1, 110)
        grid.setColumnMinimumWidth(2, 130)
        self.quantity.textChanged.connect(lambda _: self.validate())
        self.take.clicked.connect(lambda: self._emit(self.take_requested, taking=True))
        self.give_back.clicked.connect(lambda: self._emit(self.return_requested, taking=False))
        self.validate()

    def errors(self) -> tuple[str | None, str | None]:
        """(why Take is refused, why Return is refused); None where allowed."""
        value, bad = quantity_of(self.quantity.text())
        if bad or value is None:
            return bad or "", bad or ""
        try:
            check_withdrawal(self.line.on_hand, value, item=self.line.name)
        except RuleViolation as exc:
            return sentence(exc.message), None
        return None, None

    def validate(self) -> None:
        take, back = self.errors()
        self.take.setEnabled(take is None)
        self.give_back.setEnabled(back is None)
        show_error(self.message, take or back)
        self.quantity.setProperty("invalid", bool(take or back))
        self.quantity.style().unpolish(self.quantity)
        self.quantity.style().polish(self.quantity)

    def show_refusal(self, text: str) -> None:
        show_error(self.message, text)

    def _emit(self, signal: Any, *, taking: bool) -> None:
        value, _ = quantity_of(self.quantity.text())
        if value is not None and self.errors()[0 if taking else 1] is None:
            signal.emit(self.line.id, value)


class InventoryView(QWidget):
    """``loaded`` when the stock lines are on screen; ``moved`` after a take or return."""

    loaded = Signal()
    moved = Signal(object)  # transaction id

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.store = ctx.workspace.store
        self.user_id = uuid.UUID(str(ctx.workspace.user["id"]))
        self.service = InventoryService(ctx.workspace.writes)
        self.rows: dict[uuid.UUID, StockRow] = {}
        self.setStyleSheet(FIELD_QSS)

        self.header = PageHeader("Inventory", "Blankets, dollies and straps out with the crew")
        self.journey = QComboBox()
        self.journey.setMinimumWidth(360)
        self.header.actions.addWidget(label("For", "EventTitle"))
        self.header.actions.addWidget(self.journey)
        self.done = label("", "OkBox", wrap=True)
        self.done.setContentsMargins(14, 10, 14, 10)
        self.done.hide()
        self.card = Card("Gear")
        self.items_box = QVBoxLayout()
        self.card.body.addLayout(self.items_box)
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 8, 8)
        column.addWidget(self.card)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        page_layout(self, self.header, self.done, body=scroll, spacing=12)
        self.journey.currentIndexChanged.connect(lambda _: self.reload_stock())
        ctx.hub.changed.connect(self.on_tables_changed)
        self.reload()

    def on_tables_changed(self, tables: set[str]) -> None:
        if tables & WATCHED:
            self.reload_stock()

    def reload(self) -> None:
        def read() -> list[JourneyCard]:
            today = crew_today(self.store, self.user_id)  # at the branch, not the laptop
            return my_journeys(self.store, self.user_id, today)

        Op(parent=self, op=read).success(self._journeys).run_in_background()

    def _journeys(self, cards: list[JourneyCard]) -> None:
        self.journey.blockSignals(True)
        self.journey.clear()
        for card in cards:
            self.journey.addItem(f"{card.number or 'Today'} · {card.customer_name}", card.id)
        self.journey.addItem("No journey (branch use)", None)
        self.journey.blockSignals(False)
        self.reload_stock()

    def journey_id(self) -> uuid.UUID | None:
        return self.journey.currentData()

    def reload_stock(self) -> None:
        journey = self.journey_id()

        def read() -> tuple[list[StockLine], dict[uuid.UUID, Decimal]]:
            return stock_lines(self.store), taken_for(self.store, journey) if journey else {}

        Op(parent=self, op=read).success(lambda out: self._stock(*out)).run_in_background()

    def _stock(self, lines: list[StockLine], out: dict[uuid.UUID, Decimal]) -> None:
        clear_layout(self.items_box)
        self.rows = {}
        if not lines:
            self.items_box.addWidget(
                label("No stock items on this device yet: sync once.", "Muted")
            )
        for line in lines:
            row = StockRow(line, out.get(line.id, Decimal(0)))
            row.take_requested.connect(self.take)
            row.return_requested.connect(self.give_back)
            self.rows[line.id] = row
            self.items_box.addWidget(row)
        self.loaded.emit()

    def take(self, item_id: uuid.UUID, quantity: Decimal) -> None:
        journey = self.journey_id()
        self._run(
            item_id,
            lambda: self.service.take(item_id, quantity, journey_id=journey),
            "Took",
            quantity,
        )

    def give_back(self, item_id: uuid.UUID, quantity: Decimal) -> None:
        journey = self.journey_id()
        self._run(
            item_id,
            lambda: self.service.give_back(item_id, quantity, journey_id=journey),
            "Returned",
            quantity,
        )

    def _run(self, item_id: uuid.UUID, op: Any, verb: str, quantity: Decimal) -> None:
        row = self.rows[item_id]
        name = row.line.name

        def done(transaction_id: uuid.UUID) -> None:
            self.done.setText(
                f"✓  {verb} {_count(quantity)} × {name}. Syncs with the office when online."
            )
            self.done.show()
            self.moved.emit(transaction_id)
            self.reload_stock()

        def refused(exc: BaseException) -> None:
            if item_id in self.rows:
                self.rows[item_id].show_refusal(
                    exc.message if isinstance(exc, RuleViolation) else str(exc)
                )

        Op(parent=self, op=op).success(done).failure(refused).run_in_background()
