"""Read-only journey pane: customer and date, route, crew and truck, field timeline, documents."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QWidget

from client.services.journeys import JourneyDetail
from client.ui import format as fmt
from client.ui.detail_pane import DetailPane, fields_card, line
from client.ui.photos import StoredPhoto
from client.ui.timeline import Timeline
from client.ui.widgets import Card, ChipLabel, label


def _address(row: dict[str, Any], prefix: str) -> str:
    place = " ".join(
        str(row[f"{prefix}_{k}"])
        for k in ("city", "province", "postal_code")
        if row.get(f"{prefix}_{k}")
    )
    parts = [row.get(f"{prefix}_line1"), row.get(f"{prefix}_line2"), place]
    return "\n".join(str(p) for p in parts if p)


def _header(detail: JourneyDetail) -> Card:
    row = detail.row
    card = Card()
    top = QHBoxLayout()
    top.addWidget(label(str(row.get("number") or "Journey (not numbered yet)"), "DetailTitle"), 1)
    status = str(row["status"])
    top.addWidget(ChipLabel(status, fmt.humanize(status)))
    card.body.addLayout(top)
    card.body.addWidget(label(detail.customer_name))
    customer = detail.customer or {}
    contact = " · ".join(str(v) for v in (customer.get("phone"), customer.get("email")) if v)
    if contact:
        card.body.addWidget(label(contact, "Muted"))
    when = fmt.date(row.get("scheduled_date"))
    if row.get("scheduled_start"):
        when = fmt.datetime_local(row["scheduled_start"], detail.zone)
    card.body.addWidget(line(label("Moving day", "Muted"), label(when)))
    return card


def _crew_card(detail: JourneyDetail) -> Card:
    row, truck = detail.row, detail.truck
    truck_text = f"{truck['unit_number']} · {truck['name']}" if truck else "Not assigned"
    pairs = [
        ("Crew lead", detail.crew_lead or "Not assigned"),
        ("Truck", truck_text),
        ("Crew size", f"{row.get('crew_size_required') or 0} needed"),
    ]
    pairs += [(fmt.humanize(m.role), m.name) for m in detail.crew]
    return fields_card("Crew & truck", pairs)


def _timeline_card(detail: JourneyDetail, photos: Mapping[str, StoredPhoto]) -> Card:
    timeline = Timeline(empty_text="Nothing recorded by the crew yet.")
    timeline.set_events(detail.events, dict(photos), detail.zone)
    return timeline


def _documents_card(detail: JourneyDetail) -> Card:
    card = Card("Quote & invoices")
    quote = detail.quote
    if quote is None:
        card.body.addWidget(label("No quote: booked directly.", "Muted"))
    else:
        card.body.addWidget(
            line(
                f"Quote {quote.number} · {fmt.humanize(quote.status)}",
                fmt.money(quote.total, quote.currency),
            )
        )
    if not detail.invoices:
        card.body.addWidget(label("Not invoiced yet.", "Muted"))
    for invoice in detail.invoices:
        due = ""
        if invoice.balance_due:
            due = f" · {fmt.money(invoice.balance_due, invoice.currency)} due"
        card.body.addWidget(
            line(
                f"Invoice {invoice.number} · {fmt.humanize(invoice.status)}{due}",
                fmt.money(invoice.total, invoice.currency),
            )
        )
    return card


def show_journey(
    pane: DetailPane, detail: JourneyDetail | None, photos: Mapping[str, StoredPhoto] | None = None
) -> None:
    """``photos``: the timeline's thumbnails, decoded off the UI thread (``photos.thumbnails``)."""
    if detail is None:
        pane.clear("This journey is no longer on this device.")
        return
    row = detail.row
    route = fields_card(
        "Route", [("From", _address(row, "origin")), ("To", _address(row, "destination"))]
    )
    widgets: list[QWidget] = [
        _header(detail),
        route,
        _crew_card(detail),
        _timeline_card(detail, photos or {}),
        _documents_card(detail),
    ]
    notes = [str(row[k]) for k in ("crew_instructions", "notes") if row.get(k)]
    if notes:
        card = Card("Notes")
        for text in notes:
            card.body.addWidget(label(text, wrap=True))
        widgets.append(card)
    pane.show_widgets(widgets)
