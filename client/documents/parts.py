"""Replica rows (plain dicts) to the printed parts of a document; no database here.

The service reads the rows; these functions decide what of them is printed.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from client.documents.model import (
    Acceptance,
    Letterhead,
    MoveDetails,
    Party,
    Registration,
    Valuation,
)
from shared_models.enums import EstimateType, Province, ValuationOption

Row = Mapping[str, Any]

#: Manitoba calls its provincial sales tax RST; the number is labelled to match.
_PST_LABEL = {Province.MB: "RST No."}


def _text(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def address_lines(
    line1: object, line2: object, city: object, province: object, postal_code: object
) -> tuple[str, ...]:
    """Street lines, then "City, PR  A1B 2C3" (two spaces before the postal code, Canada Post)."""
    place = ", ".join(x for x in (_text(city), _text(province)) if x)
    last = "  ".join(x for x in (place, _text(postal_code)) if x)
    return tuple(x for x in (_text(line1), _text(line2), last or None) if x)


def one_line(row: Row, prefix: str) -> str | None:
    """An origin or destination on one line: "88 Elm St, Ottawa, ON  K1A 0B1"."""
    parts = address_lines(*(row.get(f"{prefix}_{k}") for k in _ADDRESS_KEYS))
    return ", ".join(parts) or None


_ADDRESS_KEYS = ("line1", "line2", "city", "province", "postal_code")


def letterhead(tenant: Row, location: Row) -> Letterhead:
    """The tenant's name and numbers over the issuing branch's address and contacts."""
    province = Province(location["province"])
    numbers = (
        ("GST/HST No.", tenant.get("gst_hst_number")),
        ("QST No.", tenant.get("qst_number")),
        (_PST_LABEL.get(province, "PST No."), tenant.get("pst_number")),
    )
    lines = address_lines(
        location["address_line1"],
        location.get("address_line2"),
        location["city"],
        location["province"],
        location["postal_code"],
    )
    if location.get("country") and location["country"] != "CA":
        lines = (*lines, location["country"])
    return Letterhead(
        name=tenant["name"],
        legal_name=_text(tenant.get("legal_name")),
        address_lines=lines,
        phone=_text(location.get("phone")) or _text(tenant.get("phone")),
        email=_text(location.get("email")) or _text(tenant.get("email")),
        website=_text(tenant.get("website")),
        registrations=tuple(
            Registration(label, number)
            for label, value in numbers
            if (number := _text(value)) is not None
        ),
    )


def customer_name(customer: Row) -> str:
    person = " ".join(
        x for x in (_text(customer.get("first_name")), _text(customer.get("last_name"))) if x
    )
    company = _text(customer.get("company_name"))
    if company and person:
        return f"{company} (attn. {person})"
    return company or person or "Customer"


def party(customer: Row, *, snapshot: Mapping[str, Any] | None = None) -> Party:
    """Bill-to from the invoice's snapshot when it has one, else from the customer row."""
    exemption = _text(customer.get("tax_exemption_number")) if customer.get("tax_exempt") else None
    if snapshot and _text(snapshot.get("name")):
        return Party(
            name=str(snapshot["name"]),
            address_lines=address_lines(*(snapshot.get(k) for k in _ADDRESS_KEYS)),
            email=_text(snapshot.get("email")),
            phone=_text(snapshot.get("phone")) or _text(customer.get("phone")),
            tax_exemption_number=exemption,
        )
    return Party(
        name=customer_name(customer),
        address_lines=address_lines(
            customer.get("address_line1"),
            customer.get("address_line2"),
            customer.get("city"),
            customer.get("province"),
            customer.get("postal_code"),
        ),
        email=_text(customer.get("email")),
        phone=_text(customer.get("phone")),
        tax_exemption_number=exemption,
    )


def move_details(
    row: Row,
    *,
    hours: Decimal | None,
    crew: int | None,
    hours_label: str = "Estimated hours",
    move_date: Any = None,
    reference: str | None = None,
) -> MoveDetails:
    """Origin, destination and size of a quote's or journey's move (same column names)."""
    estimate = row.get("estimate_type")
    return MoveDetails(
        origin=one_line(row, "origin"),
        destination=one_line(row, "destination"),
        move_date=move_date or row.get("move_date"),
        arrival_window=_text(row.get("arrival_window")),
        crew_size=crew,
        hours=hours,
        hours_label=hours_label,
        truck_count=row.get("truck_count"),
        volume_cuft=row.get("volume_cuft"),
        weight_lb=row.get("weight_lb"),
        estimate_type=EstimateType(estimate) if estimate else None,
        reference=reference,
    )


def valuation(quote: Row, price_list: Row | None) -> Valuation:
    return Valuation(
        option=ValuationOption(quote["valuation_option"]),
        charge=quote.get("valuation_charge") or Decimal(0),
        declared_value=quote.get("declared_value"),
        deductible=quote.get("valuation_deductible"),
        released_rate_per_lb=price_list.get("released_value_rate_per_lb") if price_list else None,
    )


def acceptance(quote: Row) -> Acceptance | None:
    """The signer, when the quote was signed; the PNG only if it decodes."""
    signer = _text(quote.get("signer_name"))
    if signer is None:
        return None
    png: bytes | None = None
    encoded = (quote.get("signature") or {}).get("png_base64")
    if encoded:
        try:
            png = base64.b64decode(str(encoded).split(",")[-1], validate=True)
        except (binascii.Error, ValueError):
            png = None
    return Acceptance(signer_name=signer, signed_at=quote.get("signed_at"), signature_png=png)


def heading_status(status: object) -> str:
    """``PARTIAL_PAID`` -> "Partially paid"; other statuses read as words."""
    code = str(status)
    return "Partially paid" if code == "PARTIAL_PAID" else code.replace("_", " ").capitalize()
