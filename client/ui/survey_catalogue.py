"""The survey's inventory: the tenant's catalogue grouped by room, a search box, and a
− count + stepper per article that says beside itself what is wrong with a count.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from client.services.quoting import CatalogueEntry
from client.ui.widgets import Card, SearchBox, label

MAX_COUNT = 999


class QuantityStepper(QWidget):
    """− count +, with its message to the right; ``changed`` on every edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        self.minus, self.plus = QToolButton(), QToolButton()
        self.minus.setText("−")
        self.plus.setText("+")
        self.edit = QLineEdit("0")
        self.edit.setFixedWidth(52)
        self.edit.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message = label("", "FieldError")
        self.message.hide()
        for widget in (self.minus, self.edit, self.plus, self.message):
            row.addWidget(widget)
        self.minus.clicked.connect(lambda: self.step(-1))
        self.plus.clicked.connect(lambda: self.step(1))
        self.edit.textChanged.connect(self._edited)

    def error(self) -> str | None:
        text = self.edit.text().strip()
        if not text:
            return None
        if text.lstrip("-").isdigit() and int(text) < 0:
            return "Cannot be negative."
        if not text.isdigit():
            return "Whole count."
        if int(text) > MAX_COUNT:
            return f"At most {MAX_COUNT}."
        return None

    def value(self) -> int:
        return int(self.edit.text()) if self.error() is None and self.edit.text().strip() else 0

    def step(self, delta: int) -> None:
        self.edit.setText(str(min(MAX_COUNT, max(0, self.value() + delta))))

    def _edited(self, _: str) -> None:
        text = self.error()
        self.message.setText(text or "")
        self.message.setVisible(bool(text))
        self.edit.setProperty("invalid", bool(text))
        self.edit.style().unpolish(self.edit)
        self.edit.style().polish(self.edit)
        self.minus.setEnabled(self.value() > 0)
        self.changed.emit()


class CatalogueList(Card):
    """The tenant's catalogue grouped by room, filtered by the search box."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Inventory", parent)
        self.search = SearchBox("Search items (sofa, box, fridge…)")
        self.count = label("", "Muted")
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(12)
        self.grid.setVerticalSpacing(4)
        holder = QWidget()
        box = QVBoxLayout(holder)
        box.setContentsMargins(0, 0, 8, 0)
        box.addLayout(self.grid)
        box.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.viewport().setAutoFillBackground(False)
        holder.setAutoFillBackground(False)
        holder.setStyleSheet("background: transparent;")
        scroll.setWidget(holder)
        self.body.addWidget(self.search)
        self.body.addWidget(scroll, 1)
        self.body.addWidget(self.count)
        self.steppers: dict[object, QuantityStepper] = {}
        self.rows: dict[object, list[QWidget]] = {}
        self.headings: dict[str, QWidget] = {}
        self.entries: tuple[CatalogueEntry, ...] = ()
        self.search.search.connect(self.filter)

    def set_entries(self, entries: tuple[CatalogueEntry, ...]) -> None:
        self.entries = entries
        row = 0
        for entry in entries:
            if entry.room not in self.headings:
                heading = label(entry.room.upper(), "SectionTitle")
                heading.setContentsMargins(0, 10 if row else 0, 0, 2)
                self.grid.addWidget(heading, row, 0, 1, 3)
                self.headings[entry.room] = heading
                row += 1
            stepper = QuantityStepper()
            stepper.changed.connect(self._changed)
            name = label(entry.name + ("  ★" if entry.is_specialty else ""))
            size = label(f"{fmt_qty(entry.cubic_feet)} cu ft", "Muted")
            self.grid.addWidget(name, row, 0)
            self.grid.addWidget(size, row, 1)
            self.grid.addWidget(stepper, row, 2)
            self.steppers[entry.id] = stepper
            self.rows[entry.id] = [name, size, stepper]
            row += 1
        self.grid.setColumnStretch(0, 1)
        if not entries:
            self.grid.addWidget(
                label(
                    "The catalogue is empty: sync once, or ask the office to add items.", "Muted"
                ),
                0,
                0,
            )
        self._changed()

    def filter(self, text: str) -> None:
        words = text.lower().split()
        shown_rooms: set[str] = set()
        for entry in self.entries:
            hay = f"{entry.name} {entry.room} {entry.category}".lower()
            visible = all(w in hay for w in words)
            for widget in self.rows[entry.id]:
                widget.setVisible(visible)
            if visible:
                shown_rooms.add(entry.room)
        for room, heading in self.headings.items():
            heading.setVisible(room in shown_rooms)

    def counts(self) -> dict[object, int]:
        return {i: s.value() for i, s in self.steppers.items() if s.value()}

    def errors(self) -> list[str]:
        names = {e.id: e.name for e in self.entries}
        return [f"{names[i]}: {s.error()}" for i, s in self.steppers.items() if s.error()]

    def set_read_only(self, locked: bool) -> None:
        for stepper in self.steppers.values():
            stepper.setEnabled(not locked)

    def _changed(self) -> None:
        items = sum(self.counts().values())
        self.count.setText(f"{items} item{'s' if items != 1 else ''} counted")
        self.changed.emit()


def fmt_qty(value: Decimal) -> str:
    return f"{value.normalize():,f}"
