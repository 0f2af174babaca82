"""The invoices table: its columns, its page source, and the two looks a plain model lacks.

A number the server has not assigned yet reads in italics with "pending sync";
an OVERDUE invoice's status chip and balance are red.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from client.replica.store import LocalStore
from client.services.invoice_list import InvoiceQuery, InvoiceRow, count_invoices, invoice_page
from client.ui import format as fmt
from client.ui.paged_model import RIGHT, ROW_ROLE, Column, Index, PagedTableModel
from client.ui.style import CHIP_COLOURS, DANGER, MUTED

#: Invoice statuses next to the quote and journey ones.
INVOICE_CHIPS: dict[str, tuple[str, str]] = {
    "PARTIAL_PAID": ("#fef3c7", "#92400e"),
    "PAID": ("#dcfce7", "#166534"),
    "OVERDUE": ("#fee2e2", "#b91c1c"),
    "REFUNDED": ("#ede9fe", "#5b21b6"),
}
for _status, _colours in INVOICE_CHIPS.items():
    CHIP_COLOURS.setdefault(_status, _colours)

PENDING = "pending sync"


def number_text(row: InvoiceRow) -> str:
    return f"{row.number}  ·  {PENDING}" if row.provisional else row.number


def balance_text(row: InvoiceRow) -> str:
    if row.credit_amount:
        return f"{fmt.money(row.credit_amount, row.currency)} credit"
    return fmt.money(row.balance_due, row.currency)


def short_date(value: dt.date | None) -> str:
    """``Nov 30`` this year, ``Jan 3, 2027`` otherwise: the list has little room."""
    if value is None:
        return ""
    return f"{value:%b} {value.day}" if value.year == dt.date.today().year else fmt.date(value)


COLUMNS: list[Column[InvoiceRow]] = [
    Column("Number", number_text, width=128),
    Column("Customer", lambda r: r.customer_name, width=150),
    Column("Issued", lambda r: short_date(r.issue_date), width=102),
    Column("Due", lambda r: short_date(r.due_date), width=102),
    Column("Status", lambda r: fmt.humanize(r.status), tag=lambda r: r.status, width=104),
    Column("Total", lambda r: fmt.money(r.total, r.currency), align=RIGHT, width=96),
    Column("Balance", balance_text, align=RIGHT, width=100),
    Column("Cur.", lambda r: r.currency, width=46),
]
NUMBER_COLUMN, CUSTOMER_COLUMN, STATUS_COLUMN, BALANCE_COLUMN = 0, 1, 4, 6


class InvoiceSource:
    def __init__(self, store: LocalStore, query: InvoiceQuery) -> None:
        self.store, self.query = store, query

    def count(self) -> int:
        return count_invoices(self.store, self.query)

    def page(self, offset: int, limit: int) -> Sequence[InvoiceRow]:
        return invoice_page(self.store, self.query, offset=offset, limit=limit)

    def with_(self, **changes: Any) -> InvoiceSource:
        return InvoiceSource(self.store, replace(self.query, **changes))


class InvoiceTableModel(PagedTableModel[InvoiceRow]):
    """``PagedTableModel`` plus italics for provisional numbers and red for overdue money."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(COLUMNS, parent=parent)
        self._italic = QFont()
        self._italic.setItalic(True)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row(index) if index.isValid() else None
        if row is not None:
            column = index.column()
            if role == Qt.ItemDataRole.FontRole and column == NUMBER_COLUMN and row.provisional:
                return self._italic
            if role == Qt.ItemDataRole.ForegroundRole:
                if column == NUMBER_COLUMN and row.provisional:
                    return QColor(MUTED)
                if column == BALANCE_COLUMN and row.status == "OVERDUE":
                    return QColor(DANGER)
            if role == Qt.ItemDataRole.ToolTipRole and column == NUMBER_COLUMN and row.provisional:
                return "Provisional number from this computer: the server assigns the legal one on sync."
        return super().data(index, role)

    def index_of(self, invoice_id: object) -> int | None:
        """Row number of a loaded invoice (selection survives a reload)."""
        for number, row in enumerate(self.rows):
            if row.id == invoice_id:
                return number
        return None


class NumberDelegate(QStyledItemDelegate):
    """A provisional number in italics over a small "pending sync" line; others as usual."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        row = index.data(ROW_ROLE)
        if not isinstance(row, InvoiceRow) or not row.provisional:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        if widget is not None:
            widget.style().drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        box = opt.rect.adjusted(6, 3, -4, -3)
        top, bottom = QRect(box), QRect(box)
        top.setHeight(box.height() // 2 + 2)
        bottom.setTop(top.bottom())
        painter.save()
        number_font = QFont(opt.font)
        number_font.setItalic(True)
        painter.setFont(number_font)
        painter.setPen(QColor("#3e4c59"))
        flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom
        painter.drawText(top, int(flags), row.number)
        small = QFont(opt.font)
        small.setPointSizeF(max(7.0, opt.font.pointSizeF() - 2))
        painter.setFont(small)
        painter.setPen(QColor(MUTED))
        flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
        painter.drawText(bottom, int(flags), f"⟳ {PENDING}")
        painter.restore()
