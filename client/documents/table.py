"""The items table (grouped by category, zebra rows, header repeated on every page)
and the totals box, shared by quotes and invoices.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from fpdf.enums import XPos, YPos

from client.documents.layout import (
    ACCENT,
    ACCENT_TINT,
    INK,
    LINE,
    MUTED,
    RULE,
    WHITE,
    ZEBRA,
    Colour,
    DocumentPDF,
)
from client.documents.model import DocumentLine, DocumentTotals
from client.documents.text import CATEGORY_TITLES, money, number, percent
from shared_models.enums import Currency, QuoteItemCategory

_PAD = 1.2  # vertical padding of a body row
_HEAD_H = 7.0


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    width: float  # 0 = whatever is left
    align: str


ITEM_COLUMNS = (
    Column("Description", 0, "L"),
    Column("Qty", 15, "R"),
    Column("Unit", 16, "C"),
    Column("Unit price", 25, "R"),
    Column("Disc.", 15, "R"),
    Column("Amount", 28, "R"),
)
PAYMENT_COLUMNS = (
    Column("Date", 32, "L"),
    Column("Method", 40, "L"),
    Column("Reference", 0, "L"),
    Column("Amount", 32, "R"),
)


def _widths(pdf: DocumentPDF, columns: Sequence[Column]) -> list[float]:
    fixed = sum(c.width for c in columns)
    return [c.width or pdf.content_width - fixed for c in columns]


def _header_row(pdf: DocumentPDF, columns: Sequence[Column], widths: list[float]) -> None:
    y = pdf.get_y()
    pdf.fill(ACCENT)
    pdf.rect(pdf.l_margin, y, pdf.content_width, _HEAD_H, style="F")
    pdf.style(8, bold=True, colour=WHITE)
    pdf.set_x(pdf.l_margin)
    for column, width in zip(columns, widths, strict=True):
        pdf.cell(width, _HEAD_H, column.title, align=column.align)
    pdf.set_xy(pdf.l_margin, y + _HEAD_H)


def _body_row(
    pdf: DocumentPDF,
    columns: Sequence[Column],
    widths: list[float],
    cells: Sequence[str],
    *,
    fill: Colour | None,
    bold: bool = False,
    colour: Colour | None = None,
) -> None:
    """One row whose height follows its longest wrapped cell; the caller made room."""
    pdf.style(8.5, bold=bold, colour=colour or INK)
    rows = max(len(pdf.lines_of(w, text)) for w, text in zip(widths, cells, strict=True))
    height = rows * LINE + 2 * _PAD
    y = pdf.get_y()
    if fill is not None:
        pdf.fill(fill)
        pdf.rect(pdf.l_margin, y, pdf.content_width, height, style="F")
    x = pdf.l_margin
    for column, width, text in zip(columns, widths, cells, strict=True):
        pdf.set_xy(x, y + _PAD)
        pdf.multi_cell(width, LINE, text, align=column.align)
        x += width
    pdf.set_xy(pdf.l_margin, y + height)


def _row_height(pdf: DocumentPDF, widths: list[float], cells: Sequence[str]) -> float:
    pdf.style(8.5)
    lines = max(len(pdf.lines_of(w, text)) for w, text in zip(widths, cells, strict=True))
    return lines * LINE + 2 * _PAD


def _groups(
    lines: Sequence[DocumentLine],
) -> list[tuple[QuoteItemCategory, list[DocumentLine]]]:
    """Lines grouped by category, groups in order of first appearance, lines in print order."""
    groups: dict[QuoteItemCategory, list[DocumentLine]] = {}
    for line in lines:
        groups.setdefault(line.category, []).append(line)
    return list(groups.items())


def items_table(pdf: DocumentPDF, lines: Sequence[DocumentLine], currency: Currency) -> None:
    """Every line under its category heading; a page break repeats the column header."""
    widths = _widths(pdf, ITEM_COLUMNS)
    _header_row(pdf, ITEM_COLUMNS, widths)
    for category, members in _groups(lines):
        title = CATEGORY_TITLES[category]
        subtotal = sum((m.amount for m in members), Decimal(0))
        # A one-line group's subtotal would only repeat that line's amount.
        shown = money(subtotal, currency) if len(members) > 1 else ""
        group_cells = [title, "", "", "", "", shown]
        first = _cells(members[0], currency)
        # Keep a heading with its first line: never strand it at a page bottom.
        needed = _row_height(pdf, widths, group_cells) + _row_height(pdf, widths, first)
        if pdf.ensure_space(needed):
            _header_row(pdf, ITEM_COLUMNS, widths)
        _body_row(
            pdf, ITEM_COLUMNS, widths, group_cells, fill=ACCENT_TINT, bold=True, colour=ACCENT
        )
        for index, line in enumerate(members):
            cells = _cells(line, currency)
            if pdf.ensure_space(_row_height(pdf, widths, cells)):
                _header_row(pdf, ITEM_COLUMNS, widths)
                cont = [f"{title} (continued)", "", "", "", "", ""]
                _body_row(
                    pdf, ITEM_COLUMNS, widths, cont, fill=ACCENT_TINT, bold=True, colour=ACCENT
                )
            _body_row(pdf, ITEM_COLUMNS, widths, cells, fill=ZEBRA if index % 2 else None)
    pdf.rule(pdf.get_y(), colour=ACCENT, width=0.35)
    pdf.set_y(pdf.get_y() + 4)


def _cells(line: DocumentLine, currency: Currency) -> list[str]:
    description = line.description if line.taxable else f"{line.description} (not taxable)"
    return [
        description,
        number(line.quantity),
        line.unit,
        money(line.unit_price, currency),
        percent(line.discount_pct) if line.discount_pct else "",
        money(line.amount, currency),
    ]


def simple_table(
    pdf: DocumentPDF, columns: Sequence[Column], rows: Sequence[Sequence[str]]
) -> None:
    """A plain zebra table (payments received), header repeated on a page break."""
    widths = _widths(pdf, columns)
    pdf.ensure_space(_HEAD_H + _row_height(pdf, widths, rows[0]) if rows else _HEAD_H)
    _header_row(pdf, columns, widths)
    for index, cells in enumerate(rows):
        if pdf.ensure_space(_row_height(pdf, widths, cells)):
            _header_row(pdf, columns, widths)
        _body_row(pdf, columns, widths, cells, fill=ZEBRA if index % 2 else None)
    pdf.rule(pdf.get_y())
    pdf.set_y(pdf.get_y() + 4)


@dataclass(frozen=True, slots=True)
class BoxRow:
    """A line of the totals box; ``strong`` rows get a tinted band."""

    label: str
    value: str
    strong: bool = False


#: A titled block of paragraphs printed beside the totals box (notes, terms).
Beside = tuple[str, Sequence[str]]


def totals_box(
    pdf: DocumentPDF,
    totals: DocumentTotals,
    after: Sequence[BoxRow] = (),
    beside: Sequence[Beside] = (),
) -> None:
    """Subtotal, discount, one row per tax, the total with its currency code, then ``after``.

    ``beside`` fills the otherwise empty left half, so short documents stay on one page.
    """
    ccy = totals.currency
    rows = [BoxRow("Subtotal", money(totals.subtotal, ccy))]
    if totals.discount:
        rows.append(BoxRow("Discount", money(-totals.discount, ccy)))
    rows += [BoxRow(tax.label, money(tax.amount, ccy)) for tax in totals.taxes]
    if not totals.taxes:
        rows.append(BoxRow("Tax", money(Decimal(0), ccy)))
    row_h, total_h = 6.0, 9.0
    width = 84.0
    x = pdf.w - pdf.r_margin - width
    pdf.ensure_space(row_h * (len(rows) + len(after)) + total_h + 4)
    top_page, top_y = pdf.page, pdf.get_y()
    for row in rows:
        _box_line(pdf, x, width, row_h, row)
    y = pdf.get_y() + 1
    pdf.fill(ACCENT)
    pdf.rect(x, y, width, total_h, style="F")
    pdf.set_xy(x, y)
    pdf.style(10.5, bold=True, colour=WHITE)
    pdf.cell(width * 0.4, total_h, "Total")
    pdf.cell(width * 0.6, total_h, money(totals.total, ccy, code=True), align="R")
    pdf.set_xy(x, y + total_h + 1)
    for row in after:
        _box_line(pdf, x, width, row_h, row)
    bottom = pdf.get_y()
    if beside:
        pdf.set_xy(pdf.l_margin, top_y)
        side_w = x - pdf.l_margin - 8
        for title, paragraphs in beside:
            pdf.section_title(title, width=side_w)
            for text in paragraphs:
                pdf.paragraph(text, size=8, width=side_w)
            pdf.ln(2.5)
        # Long notes may run onto the next page; the box then lies above them.
        bottom = max(bottom, pdf.get_y()) if pdf.page == top_page else pdf.get_y()
    pdf.set_xy(pdf.l_margin, bottom + 5)


def _box_line(pdf: DocumentPDF, x: float, width: float, height: float, row: BoxRow) -> None:
    y = pdf.get_y()
    if row.strong:
        pdf.fill(ACCENT_TINT)
        pdf.rect(x, y, width, height, style="F")
    pdf.set_x(x)
    pdf.style(9, bold=row.strong, colour=ACCENT if row.strong else MUTED)
    pdf.cell(width * 0.55, height, row.label)
    pdf.style(9, bold=row.strong)
    pdf.cell(width * 0.45, height, row.value, align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.2)
    pdf.line(x, y + height, x + width, y + height)
    pdf.set_xy(x, y + height)
