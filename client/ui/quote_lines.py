"""The quote editor's line items: a table grouped by category, and checks for typed amounts.

``LineTableModel`` adapts the draft's ``LineDraft`` list: one heading row per
category that has lines (with its subtotal), then the lines of that category.
A line whose typed values do not pass (``LineDraft`` keeps the raw text of
a field that failed in ``raw``) is drawn in red; nothing is saved meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from client.services.quote_editing import LineDraft
from client.ui import format as fmt
from client.ui.style import DANGER, MUTED
from shared_models.enums import QuoteItemCategory
from shared_models.rules.totals import LineTotal

Index = QModelIndex | QPersistentModelIndex
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
CATEGORIES = [c.value for c in QuoteItemCategory]
UNITS = ("ea", "hour", "box", "cuft", "lb", "km", "month")
HEADERS = ("Description", "Qty", "Unit", "Unit price", "Disc. %", "Amount")


# -- checks: each returns the message to show, or None --------------------------------


def parse_amount(text: str) -> Decimal | None:
    """``1,234.50`` or ``$1234.5`` as a Decimal; None when it is not a number."""
    cleaned = text.strip().replace(",", "").replace("$", "").replace(" ", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def amount_check(what: str, *, maximum: Decimal | None = None, required: bool = True) -> Any:
    def check(text: str) -> str | None:
        if not text.strip():
            return f"Enter the {what}." if required else None
        value = parse_amount(text)
        if value is None:
            return "Use a number, e.g. 149.50"
        if value < 0:
            return f"The {what} cannot be negative."
        if maximum is not None and value > maximum:
            return f"The {what} is at most {maximum}."
        if value.as_tuple().exponent < -4:  # type: ignore[operator]
            return "Use at most 4 decimals."
        return None

    return check


def description_check(text: str) -> str | None:
    if not text.strip():
        return "Describe the line, e.g. “Three movers and a 26 ft truck”."
    return "Keep it under 500 characters." if len(text) > 500 else None


def unit_check(text: str) -> str | None:
    if not text.strip():
        return "Enter a unit, e.g. hour or ea."
    return "Use at most 16 characters." if len(text.strip()) > 16 else None


CHECKS = {
    "description": description_check,
    "quantity": amount_check("quantity"),
    "unit": unit_check,
    "unit_price": amount_check("unit price"),
    "discount_pct": amount_check("discount", maximum=Decimal(100)),
}


def line_errors(line: LineDraft) -> dict[str, str]:
    """Messages for every field of ``line`` that does not pass (raw text first)."""
    out: dict[str, str] = {}
    for name, check in CHECKS.items():
        value = line.raw.get(name)
        if value is None:
            current = getattr(line, name)
            value = current if isinstance(current, str) else f"{current}"
        message = check(value)
        if message:
            out[name] = message
    return out


# -- the table -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    category: str
    line: int | None = None  # index into the draft's lines; None: the category heading


class LineTableModel(QAbstractTableModel):
    """Category headings and lines; ``amounts`` are the last ``price`` result per line."""

    def __init__(self, lines: list[LineDraft], currency: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.lines = lines
        self.currency = currency
        self.amounts: list[LineTotal] = []
        self._rows: list[_Row] = []
        self._layout()

    def reset(self, lines: list[LineDraft] | None = None, currency: str | None = None) -> None:
        self.beginResetModel()
        if lines is not None:
            self.lines = lines
        if currency is not None:
            self.currency = currency
        self._layout()
        self.endResetModel()

    def set_amounts(self, amounts: list[LineTotal]) -> None:
        self.amounts = amounts
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 5))

    def _layout(self) -> None:
        rows: list[_Row] = []
        for category in CATEGORIES:
            members = [i for i, line in enumerate(self.lines) if line.category == category]
            if members:
                rows.append(_Row(category))
                rows += [_Row(category, i) for i in members]
        self._rows = rows

    def line_at(self, row: int) -> int | None:
        return self._rows[row].line if 0 <= row < len(self._rows) else None

    def row_of(self, line: int) -> int:
        return next((n for n, r in enumerate(self._rows) if r.line == line), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole and section in (1, 3, 4, 5):
            return RIGHT
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self._rows[index.row()].line is None:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, col = self._rows[index.row()], index.column()
        if row.line is None:
            return self._heading(row.category, col, role)
        line = self.lines[row.line]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row.line, line, col)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (1, 3, 4, 5):
            return RIGHT
        if role == Qt.ItemDataRole.ForegroundRole and line_errors(line):
            return QColor(DANGER)
        if role == Qt.ItemDataRole.ToolTipRole:
            errors = line_errors(line)
            return "\n".join(errors.values()) if errors else None
        return None

    def _text(self, number: int, line: LineDraft, col: int) -> str:
        if col == 0:
            text = line.raw.get("description", line.description)
            return text or "(no description yet)"
        if col == 1:
            return line.raw.get("quantity") or f"{line.quantity.normalize():f}"
        if col == 2:
            return line.raw.get("unit", line.unit)
        if col == 3:
            return line.raw.get("unit_price") or fmt.money(line.unit_price, self.currency)
        if col == 4:
            pct = line.raw.get("discount_pct") or f"{line.discount_pct.normalize():f}"
            return "" if pct == "0" else f"{pct} %"
        if number < len(self.amounts):
            return fmt.money(self.amounts[number].amount, self.currency)
        return ""

    def _heading(self, category: str, col: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return fmt.humanize(category).upper()
            if col == 5:
                total = sum(
                    (
                        self.amounts[i].amount
                        for i, line in enumerate(self.lines)
                        if line.category == category and i < len(self.amounts)
                    ),
                    Decimal(0),
                )
                return fmt.money(total, self.currency)
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            font.setPointSizeF(font.pointSizeF() - 1)
            return font
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor(MUTED)
        if role == Qt.ItemDataRole.BackgroundRole:
            return QColor("#f3f5f8")
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 5:
            return RIGHT
        return None
