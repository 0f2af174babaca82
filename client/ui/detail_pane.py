"""The right-hand read-only pane of list screens: a scrollable column of cards."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from client.ui.widgets import Card, label


class DetailPane(QScrollArea):
    """Shows an empty-state hint until ``show_widgets`` fills it."""

    def __init__(self, empty_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(340)
        self.empty_text = empty_text
        self.clear()

    def clear(self, text: str | None = None) -> None:
        holder = QWidget()
        box = QVBoxLayout(holder)
        hint = label(text or self.empty_text, "Muted", wrap=True)
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box.addStretch(1)
        box.addWidget(hint)
        box.addStretch(2)
        self.setWidget(holder)

    def show_widgets(self, widgets: Iterable[QWidget]) -> None:
        holder = QWidget()
        box = QVBoxLayout(holder)
        box.setContentsMargins(4, 0, 8, 8)
        box.setSpacing(12)
        for widget in widgets:
            box.addWidget(widget)
        box.addStretch(1)
        self.setWidget(holder)


def fields_card(title: str, pairs: Sequence[tuple[str, str]]) -> Card:
    """A card of label/value rows; empty values are left out."""
    card = Card(title)
    grid = QGridLayout()
    grid.setHorizontalSpacing(14)
    grid.setVerticalSpacing(6)
    row = 0
    for name, value in pairs:
        if not value:
            continue
        key = label(name, "Muted")
        key.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        grid.addWidget(key, row, 0)
        grid.addWidget(label(value, wrap=True), row, 1)
        row += 1
    if row == 0:
        grid.addWidget(label("Nothing recorded yet.", "Muted"), 0, 0)
    grid.setColumnStretch(1, 1)
    card.body.addLayout(grid)
    return card


def line(left: QWidget | str, right: QWidget | str = "", *, bold: bool = False) -> QWidget:
    """One row with a stretching left side and a right-aligned right side."""
    holder = QWidget()
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    widgets = []
    for part in (left, right):
        widget = part if isinstance(part, QWidget) else label(part, wrap=part is left)
        if bold and isinstance(widget, QLabel):
            widget.setStyleSheet("font-weight: 700;")
        widgets.append(widget)
    row.addWidget(widgets[0], 1)
    widgets[1].setSizePolicy(widgets[1].sizePolicy())
    row.addWidget(widgets[1], 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
    return holder
