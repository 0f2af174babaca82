"""Beside the board: journeys still to assign (drag them onto a row), and flagged conflicts."""

from __future__ import annotations

import html
import uuid
from collections.abc import Sequence

from PySide6.QtCore import QMimeData, QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from client.services.conflicts import OpenConflict, flag_lines
from client.services.dispatch import Board, JourneyCard
from client.ui.dispatch.mime import DraggedJourney, journey_mime
from client.ui.style import DANGER, INK, LINE, MUTED, PRIMARY
from client.ui.widgets import button, label

ID_ROLE = Qt.ItemDataRole.UserRole


class _CardDelegate(QStyledItemDelegate):
    """A journey as a small card: time and number, customer, what it still needs."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        card: JourneyCard = index.data(Qt.ItemDataRole.UserRole + 1)
        tz: str = index.data(Qt.ItemDataRole.UserRole + 2)
        rect = QRectF(option.rect).adjusted(2, 3, -4, -3)  # type: ignore[attr-defined]
        selected = bool(option.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        bad = bool(card.alerts)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QColor(PRIMARY if selected else DANGER if bad else LINE))
        painter.setBrush(QColor("#f5f9ff" if selected else "#ffffff"))
        painter.drawRoundedRect(rect, 8, 8)
        painter.fillRect(
            QRectF(rect.left() + 1, rect.top() + 6, 3.5, rect.height() - 12),
            QColor(DANGER if bad else "#f0a202"),
        )
        font = QFont(option.font)  # type: ignore[attr-defined]
        bold, small = QFont(font), QFont(font)
        bold.setBold(True)
        small.setPointSizeF(max(7.5, font.pointSizeF() - 1.5))
        inner = rect.adjusted(12, 6, -8, -6)
        line = inner.height() / 3
        painter.setFont(bold)
        painter.setPen(QColor(INK))
        when = f"{card.row.day:%a %b} {card.row.day.day}, {card.time_label(tz)}"
        painter.drawText(
            QRectF(inner.left(), inner.top(), inner.width(), line),
            Qt.AlignmentFlag.AlignVCenter,
            f"{card.row.label}  ·  {when}",
        )
        painter.setFont(font)
        metrics = painter.fontMetrics()
        customer = metrics.elidedText(
            card.row.customer, Qt.TextElideMode.ElideRight, int(inner.width())
        )
        painter.drawText(
            QRectF(inner.left(), inner.top() + line, inner.width(), line),
            Qt.AlignmentFlag.AlignVCenter,
            customer,
        )
        painter.setFont(small)
        painter.setPen(QColor(DANGER if bad else MUTED))
        needs = f"⚠ {card.alerts[0]}" if bad else f"Needs {card.needs}"
        painter.drawText(
            QRectF(inner.left(), inner.top() + 2 * line, inner.width(), line),
            Qt.AlignmentFlag.AlignVCenter,
            painter.fontMetrics().elidedText(
                needs, Qt.TextElideMode.ElideRight, int(inner.width())
            ),
        )
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        return QSize(240, 84)


class UnassignedList(QListWidget):
    """Drag source of journeys still missing people, a lead or a truck."""

    open_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("UnassignedList")
        self.setItemDelegate(_CardDelegate(self))
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.itemDoubleClicked.connect(lambda item: self.open_requested.emit(item.data(ID_ROLE)))

    def show_cards(self, cards: Sequence[JourneyCard], tz: str) -> None:
        current = self.current_id()
        self.clear()
        for card in cards:
            item = QListWidgetItem()
            item.setData(ID_ROLE, card.id)
            item.setData(Qt.ItemDataRole.UserRole + 1, card)
            item.setData(Qt.ItemDataRole.UserRole + 2, tz)
            tips = [f"{card.row.label} — {card.row.customer}", f"Needs {card.needs}"]
            tips += [f"⚠ {p}" for p in card.problems]
            item.setToolTip("\n".join(tips + ["Drag onto a person or truck, or double-click"]))
            self.addItem(item)
            if card.id == current:
                self.setCurrentItem(item)

    def current_id(self) -> uuid.UUID | None:
        item = self.currentItem()
        return item.data(ID_ROLE) if item is not None else None

    def ids(self) -> list[uuid.UUID]:
        return [self.item(i).data(ID_ROLE) for i in range(self.count())]

    def mimeData(self, items: Sequence[QListWidgetItem]) -> QMimeData:  # type: ignore[override]
        return journey_mime(DraggedJourney(items[0].data(ID_ROLE)))


class ConflictRow(QFrame):
    """One flagged conflict with its note and a Resolve button."""

    resolve_requested = Signal(object)

    def __init__(self, conflict: OpenConflict, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.conflict = conflict
        self.setObjectName("ConflictRow")
        self.setStyleSheet(
            "#ConflictRow { background: #fff5f5; border: 1px solid #f5c2c0; border-radius: 8px; }"
        )
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 8, 8, 8)
        self.words = label(text, wrap=True)
        self.words.setStyleSheet(f"color: {INK}; font-size: 12px;")
        self.resolve_button = button("Resolve")
        self.resolve_button.clicked.connect(lambda: self.resolve_requested.emit(conflict))
        row.addWidget(self.words, 1)
        row.addWidget(self.resolve_button, 0, Qt.AlignmentFlag.AlignTop)


class ConflictList(QWidget):
    resolve_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(6)
        self.box.addStretch(1)  # cards keep their height, at the top of the scroll area
        self.rows: list[ConflictRow] = []

    def show_conflicts(self, board: Board) -> None:
        for row in self.rows:
            row.deleteLater()
        self.rows = []
        for conflict in board.recorded:
            label_ = (
                board.journeys[conflict.journey_id].row.label
                if conflict.journey_id in board.journeys
                else ""
            )
            kind = conflict.kind.replace("_", " ").capitalize()
            # The other job by its number, then the note; any id left is swapped for a name.
            lines = [html.escape(board.readable(line)) for line in flag_lines(conflict)]
            text = "<br>".join([f"<b>{kind}</b> {html.escape(label_)}", *lines])
            row = ConflictRow(conflict, text)
            row.resolve_requested.connect(self.resolve_requested)
            self.box.insertWidget(self.box.count() - 1, row)
            self.rows.append(row)
