"""The lead pipeline: one lane per ``LeadStatus`` with its count and lazily paged cards.

A card opens the lead form on double-click or Enter.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QListView,
    QScrollArea,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from client.services.pipeline import PIPELINE, LeadCard, lead_counts
from client.ui import format as fmt
from client.ui.context import AppContext
from client.ui.paged_model import ROW_ROLE, Column, PagedTableModel
from client.ui.sources import LeadSource
from client.ui.style import CHIP_COLOURS, LINE, MUTED
from client.ui.tasks import Op
from client.ui.widgets import label

CARD_HEIGHT = 76
LANE_WIDTH = 236
LEAD_COLUMNS: list[Column[LeadCard]] = [Column("Lead", lambda lead: lead.name)]


class LeadCardDelegate(QStyledItemDelegate):
    """A white card: name, move date and size, estimated value, priority stripe."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        lead: LeadCard | None = index.data(ROW_ROLE)
        if lead is None:
            return
        rect = QRectF(option.rect).adjusted(2, 3, -2, -3)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(LINE)))
        painter.setBrush(QColor("#ffffff"))
        painter.drawRoundedRect(rect, 8, 8)
        stripe = CHIP_COLOURS.get(lead.status, ("#e6e9ee", "#3e4c59"))[1]
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(stripe))
        painter.drawRoundedRect(
            QRectF(rect.left(), rect.top() + 8, 3, rect.height() - 16), 1.5, 1.5
        )
        text = rect.adjusted(12, 8, -10, -8)
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(QColor("#1f2933"))
        painter.drawText(text, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, lead.name)
        painter.setFont(option.font)
        painter.setPen(QColor(MUTED))
        detail = " · ".join(p for p in (fmt.date(lead.move_date), lead.move_size or "") if p)
        detail = painter.fontMetrics().elidedText(
            detail, Qt.TextElideMode.ElideRight, int(text.width())
        )
        painter.drawText(
            text.adjusted(0, 20, 0, 0),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
            detail,
        )
        value = fmt.money(lead.estimated_value, lead.currency) if lead.estimated_value else ""
        painter.drawText(
            text,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom,
            fmt.humanize(lead.source),
        )
        painter.setPen(QColor("#1f2933"))
        painter.drawText(text, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom, value)
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        return QSize(LANE_WIDTH - 40, CARD_HEIGHT)


class Lane(QFrame):
    def __init__(self, status: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status = status
        self.setObjectName("Card")
        self.setFixedWidth(LANE_WIDTH)
        box = QVBoxLayout(self)
        box.setContentsMargins(10, 10, 10, 6)
        head = QHBoxLayout()
        head.addWidget(label(fmt.humanize(status), "LaneHeader"), 1)
        self.badge = label("0", "CountBadge")
        head.addWidget(self.badge)
        box.addLayout(head)
        self.model: PagedTableModel[LeadCard] = PagedTableModel(
            LEAD_COLUMNS, page_size=50, parent=self
        )
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.setItemDelegate(LeadCardDelegate(self.view))
        self.view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.view.setUniformItemSizes(True)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        box.addWidget(self.view, 1)

    def show_count(self, source: LeadSource) -> None:
        self.badge.setText(f"{source.total:,}")
        self.model.set_source(source)


class LeadPipeline(QWidget):
    """``lead_opened`` carries the id of a card double-clicked (or Enter) to edit it."""

    lead_opened = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = ctx.workspace.store
        self.lanes = {status.value: Lane(status.value) for status in PIPELINE}
        for lane in self.lanes.values():
            lane.view.activated.connect(lambda index, lane=lane: self._open(lane, index))
        strip = QWidget()
        row = QHBoxLayout(strip)
        row.setContentsMargins(0, 4, 0, 4)
        row.setSpacing(12)
        for lane in self.lanes.values():
            row.addWidget(lane)
        row.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(strip)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(scroll)
        self.counts: dict[str, int] = {}
        self.reload()

    def _open(self, lane: Lane, index: QModelIndex) -> None:
        lead = lane.model.row(index.row())
        if lead is not None:
            self.lead_opened.emit(lead.id)

    def reload(self) -> None:
        Op(parent=self, op=lambda: lead_counts(self.store)).success(self._show).run_in_background()

    def _show(self, counts: dict[str, int]) -> None:
        self.counts = counts
        for status, lane in self.lanes.items():
            lane.show_count(LeadSource(self.store, status, counts.get(status, 0)))
