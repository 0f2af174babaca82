"""Small shared widgets: cards, page headers, the banner, the debounced search box, chips."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from client.ui import format as fmt
from client.ui.style import CHIP_COLOURS

SEARCH_DEBOUNCE_MS = 150


def label(text: str = "", name: str | None = None, *, wrap: bool = False) -> QLabel:
    widget = QLabel(text)
    if name:
        widget.setObjectName(name)
    widget.setWordWrap(wrap)
    widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return widget


def button(text: str, *, primary: bool = False, flat: bool = False) -> QPushButton:
    widget = QPushButton(text)
    widget.setProperty("primary", primary)
    widget.setProperty("flat", flat)
    widget.setCursor(Qt.CursorShape.PointingHandCursor)
    return widget


def page_layout(page: QWidget, *top: QWidget, body: QWidget, spacing: int = 14) -> QVBoxLayout:
    """A section's frame: its margins, header and banners on top, ``body`` taking the rest.

    ``spacing`` is there for the denser pages (a tab bar, a status note, a field form);
    a page with a footer adds it to the returned layout, after the body.
    """
    layout = QVBoxLayout(page)
    layout.setContentsMargins(24, 20, 24, 12)
    layout.setSpacing(spacing)
    for widget in top:
        layout.addWidget(widget)
    layout.addWidget(body, 1)
    return layout


def list_and_pane(
    table: QWidget, pane: QWidget, sizes: tuple[int, int], *, pane_parts: int = 2
) -> QSplitter:
    """A list page's body: the list (3 parts) beside the selected row's pane (``pane_parts``).

    Wide lists (customers, quotes, journeys) give their pane 1 part so the list keeps the
    extra width when the window grows.
    """
    split = QSplitter(Qt.Orientation.Horizontal)
    split.addWidget(table)
    split.addWidget(pane)
    split.setStretchFactor(0, 3)
    split.setStretchFactor(1, pane_parts)
    split.setSizes(list(sizes))
    return split


class Card(QFrame):
    """A white rounded panel; ``body`` is its vertical layout."""

    def __init__(self, title: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(16, 14, 16, 14)
        self.body.setSpacing(8)
        if title:
            self.body.addWidget(label(title.upper(), "SectionTitle"))


class PageHeader(QWidget):
    """Title, a muted subtitle, and room on the right for filters and actions."""

    def __init__(self, title: str, subtitle: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        texts = QVBoxLayout()
        texts.setSpacing(2)
        self.title = label(title, "PageTitle")
        self.subtitle = label(subtitle, "PageSubtitle")
        texts.addWidget(self.title)
        texts.addWidget(self.subtitle)
        row.addLayout(texts, 1)
        self.actions = QHBoxLayout()
        self.actions.setSpacing(8)
        row.addLayout(self.actions)


class Banner(QFrame):
    """A non-blocking message across the top of a page, with an optional action."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Banner")
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 8, 8, 8)
        self.text = label("", wrap=True)
        self.action = button("", primary=True)
        self.close_button = button("Dismiss", flat=True)
        row.addWidget(self.text, 1)
        row.addWidget(self.action)
        row.addWidget(self.close_button)
        self.close_button.clicked.connect(self.hide)
        self._callback: Callable[[], None] | None = None
        self.action.clicked.connect(self._act)
        self.hide()

    def show_message(
        self,
        text: str,
        *,
        kind: str = "info",
        action: str | None = None,
        callback: Callable[[], None] | None = None,
    ) -> None:
        self.setProperty("kind", kind)
        self.style().unpolish(self)
        self.style().polish(self)
        self.text.setText(text)
        self.action.setVisible(bool(action))
        self.action.setText(action or "")
        self._callback = callback
        self.show()

    def _act(self) -> None:
        if self._callback is not None:
            self._callback()


class SearchBox(QLineEdit):
    """Emits ``search`` once typing pauses for ``SEARCH_DEBOUNCE_MS``; Enter searches at once."""

    search = Signal(str)

    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SearchBox")
        self.setPlaceholderText(placeholder)
        self.setClearButtonEnabled(True)
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DEBOUNCE_MS)
        self._timer.timeout.connect(self.fire)
        self.textChanged.connect(lambda _: self._timer.start())
        self.returnPressed.connect(self.fire)

    def fire(self) -> None:
        self._timer.stop()
        self.search.emit(self.text().strip())


def paint_chip(painter: QPainter, rect: QRectF, status: str, text: str, font: QFont) -> None:
    """A rounded status pill, left-aligned and vertically centred in ``rect``."""
    bg, fg = CHIP_COLOURS.get(status, ("#e6e9ee", "#3e4c59"))
    chip_font = QFont(font)
    chip_font.setPointSizeF(max(7.5, font.pointSizeF() - 1))
    chip_font.setBold(True)
    width = QFontMetrics(chip_font).horizontalAdvance(text) + 18
    height = min(rect.height() - 8, 22)
    chip = QRectF(rect.left() + 6, rect.center().y() - height / 2, width, height)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(bg))
    painter.drawRoundedRect(chip, height / 2, height / 2)
    painter.setPen(QColor(fg))
    painter.setFont(chip_font)
    painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, text)
    painter.restore()


class ChipDelegate(QStyledItemDelegate):
    """Draws the cell's ``Qt.UserRole`` status as a coloured pill with the cell's text."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        status = str(index.data(Qt.ItemDataRole.UserRole) or "")
        paint_chip(painter, QRectF(opt.rect), status, text, opt.font)

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width() + 24, max(size.height(), 30))


class ChipLabel(QLabel):
    """A status pill outside a table (detail panes)."""

    def __init__(self, status: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        bg, fg = CHIP_COLOURS.get(status, ("#e6e9ee", "#3e4c59"))
        self.setStyleSheet(
            f"background:{bg}; color:{fg}; border-radius:10px; padding:2px 10px;"
            "font-weight:700; font-size:11px;"
        )
        self.setSizePolicy(self.sizePolicy().horizontalPolicy(), self.sizePolicy().verticalPolicy())
        self.setMaximumHeight(22)


class StatusFilter(QComboBox):
    """ "All statuses" then one entry per status of ``statuses``; item data is the value."""

    def __init__(self, statuses: type[enum.Enum], *, width: int = 180) -> None:
        super().__init__()
        self.setMinimumWidth(width)
        self.addItem("All statuses", None)
        for status in statuses:
            self.addItem(fmt.humanize(status.value), status.value)

    def show_counts(self, counts: Mapping[str, int]) -> None:
        """Put each status's number of rows beside it (and the total beside "All")."""
        self.setItemText(0, f"All statuses ({sum(counts.values()):,})")
        for number in range(1, self.count()):
            status = self.itemData(number)
            self.setItemText(number, f"{fmt.humanize(status)} ({counts.get(status, 0):,})")
