"""The customer pane: contact, address, sales activity and quotes, with an Edit action."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QWidget

from client.services.details import CustomerDetail
from client.services.lists import customer_display_name
from client.ui import format as fmt
from client.ui.detail_pane import DetailPane, fields_card, line
from client.ui.widgets import Card, ChipLabel, button, label


def _address(row: dict[str, Any]) -> str:
    city = " ".join(str(row[k]) for k in ("city", "province", "postal_code") if row.get(k))
    parts = [row.get("address_line1"), row.get("address_line2"), city]
    return "\n".join(str(p) for p in parts if p)


def _header(row: dict[str, Any], on_edit: Callable[[], object] | None) -> Card:
    card = Card()
    top = QHBoxLayout()
    top.addWidget(label(customer_display_name(row) or "(no name)", "DetailTitle"), 1)
    kind = str(row.get("customer_type") or "")
    top.addWidget(ChipLabel("DRAFT", fmt.humanize(kind)))
    if on_edit is not None:
        edit = button("Edit")
        edit.setObjectName("EditCustomer")
        edit.clicked.connect(lambda: on_edit())
        top.addWidget(edit)
    card.body.addLayout(top)
    if row.get("company_name") and (row.get("first_name") or row.get("last_name")):
        card.body.addWidget(label(str(row["company_name"]), "Muted"))
    since = row.get("created_at")
    if since is not None:
        card.body.addWidget(label(f"Customer since {fmt.date(since.date())}", "Muted"))
    return card


def _activities(detail: CustomerDetail) -> Card:
    card = Card("Sales activity")
    if not detail.activities:
        card.body.addWidget(label("No calls, emails or visits logged yet.", "Muted"))
    for act in detail.activities:
        text = f"{fmt.humanize(act.type)} · {act.subject}"
        if act.outcome:
            text += f"\n{act.outcome}"
        card.body.addWidget(line(text, label(fmt.ago(act.occurred_at), "Muted")))
    return card


def _quotes(detail: CustomerDetail) -> Card:
    card = Card("Quotes")
    if not detail.quotes:
        card.body.addWidget(label("No quotes yet.", "Muted"))
    for quote in detail.quotes:
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(label(f"{quote.number}\n{fmt.date(quote.move_date)}"), 1)
        row.addWidget(ChipLabel(quote.status, fmt.humanize(quote.status)))
        row.addWidget(label(fmt.money(quote.total, quote.currency)))
        card.body.addWidget(holder)
    return card


def show_customer(
    pane: DetailPane,
    detail: CustomerDetail | None,
    *,
    on_edit: Callable[[], object] | None = None,
) -> None:
    if detail is None:
        pane.clear("This customer is no longer on this device.")
        return
    row = detail.row
    contact = fields_card(
        "Contact",
        [
            ("Email", str(row.get("email") or "")),
            ("Phone", str(row.get("phone") or "")),
            ("Other phone", str(row.get("alt_phone") or "")),
            ("Language", "French" if row.get("preferred_language") == "fr" else ""),
            ("Source", fmt.humanize(str(row.get("source") or ""))),
        ],
    )
    address = fields_card("Address", [("Address", _address(row))])
    widgets: list[QWidget] = [
        _header(row, on_edit),
        contact,
        address,
        _activities(detail),
        _quotes(detail),
    ]
    if row.get("notes"):
        notes = Card("Notes")
        notes.body.addWidget(label(str(row["notes"]), wrap=True))
        widgets.append(notes)
    pane.show_widgets(widgets)
