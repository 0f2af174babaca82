"""Read-only quote pane: customer, move, route, priced lines, taxes and totals."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QWidget

from client.services.details import QuoteDetail
from client.services.lists import customer_display_name
from client.ui import format as fmt
from client.ui.detail_pane import DetailPane, fields_card, line
from client.ui.widgets import Card, ChipLabel, button, label


def _address(row: dict[str, Any], prefix: str) -> str:
    parts = [
        row.get(f"{prefix}_line1"),
        row.get(f"{prefix}_line2"),
        " ".join(
            str(p)
            for p in (
                row.get(f"{prefix}_city"),
                row.get(f"{prefix}_province"),
                row.get(f"{prefix}_postal_code"),
            )
            if p
        ),
    ]
    return "\n".join(str(p) for p in parts if p)


def _header(detail: QuoteDetail, on_open: Callable[[], None] | None = None) -> QWidget:
    row = detail.row
    card = Card()
    top = QHBoxLayout()
    number = row.get("number") or row.get("provisional_number") or "Draft quote"
    top.addWidget(label(str(number), "DetailTitle"), 1)
    status = str(row["status"])
    top.addWidget(ChipLabel(status, fmt.humanize(status)))
    card.body.addLayout(top)
    if on_open is not None:
        opener = button("Open quote", primary=True)
        opener.setToolTip("Edit the quote, change its status or export its PDF (Enter)")
        opener.clicked.connect(on_open)
        card.body.addWidget(opener)
    customer = detail.customer or {}
    card.body.addWidget(label(customer_display_name(customer) or "(unknown customer)"))
    contact = " · ".join(str(v) for v in (customer.get("email"), customer.get("phone")) if v)
    if contact:
        card.body.addWidget(label(contact, "Muted"))
    card.body.addWidget(
        line(
            label("Total", "Muted"), label(fmt.money(row["total"], str(row["currency"]))), bold=True
        )
    )
    return card


def _lines_card(detail: QuoteDetail) -> Card:
    row, currency = detail.row, str(detail.row["currency"])
    card = Card("Price")
    if not detail.lines:
        card.body.addWidget(label("No lines yet.", "Muted"))
    for item in detail.lines:
        qty = item.quantity.normalize() if isinstance(item.quantity, Decimal) else item.quantity
        text = f"{item.description}\n{qty} {item.unit} × {fmt.money(item.unit_price, currency)}"
        card.body.addWidget(line(text, fmt.money(item.line_total, currency)))
    card.body.addWidget(line(label("Subtotal", "Muted"), fmt.money(row["subtotal"], currency)))
    if row.get("discount_amount"):
        card.body.addWidget(
            line(label("Discount", "Muted"), fmt.money(-row["discount_amount"], currency))
        )
    for tax in row.get("tax_breakdown") or []:
        name = tax.get("label") or tax.get("kind") or "Tax"
        card.body.addWidget(
            line(label(str(name), "Muted"), fmt.money(Decimal(str(tax.get("amount", 0))), currency))
        )
    card.body.addWidget(line("Total", fmt.money(row["total"], currency), bold=True))
    if row.get("deposit_amount"):
        card.body.addWidget(
            line(label("Deposit due", "Muted"), fmt.money(row["deposit_amount"], currency))
        )
    return card


def show_quote(
    pane: DetailPane, detail: QuoteDetail | None, *, on_open: Callable[[], None] | None = None
) -> None:
    if detail is None:
        pane.clear("This quote is no longer on this device.")
        return
    row = detail.row
    crew = [
        f"{row['crew_size']} movers" if row.get("crew_size") else "",
        f"{Decimal(str(row['estimated_hours'])).normalize()} h"
        if row.get("estimated_hours")
        else "",
        f"{row['truck_count']} truck(s)" if row.get("truck_count") else "",
    ]
    move = fields_card(
        "Move",
        [
            ("Date", fmt.date(row.get("move_date"))),
            ("Arrival", str(row.get("arrival_window") or "")),
            ("Estimate", fmt.humanize(str(row.get("estimate_type") or ""))),
            ("Crew", " · ".join(c for c in crew if c)),
            ("Valid until", fmt.date(row.get("valid_until"))),
        ],
    )
    route = fields_card(
        "Route",
        [("From", _address(row, "origin")), ("To", _address(row, "destination"))],
    )
    widgets: list[QWidget] = [_header(detail, on_open), move, route, _lines_card(detail)]
    if row.get("notes"):
        notes = Card("Notes")
        notes.body.addWidget(label(str(row["notes"]), wrap=True))
        widgets.append(notes)
    pane.show_widgets(widgets)
