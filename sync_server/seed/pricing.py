"""Quote lines priced from the rate card, and their totals from the shared rules.

Totals always come from ``shared_models.rules.compute_totals``, the function the
client and server use, so a seeded quote re-prices to the cent on any laptop.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from shared_models.enums import Currency, Province, QuoteItemCategory
from shared_models.rules import DocumentInput, LineInput, Totals, compute_totals
from shared_models.rules.tax import TaxRateRow
from sync_server.seed.catalogue import (
    EQUIPMENT_RENTAL,
    PACKING_MATERIALS,
    SPECIALTY_SERVICES,
    STORAGE_LABELS,
    STORAGE_RATES,
)

C = QuoteItemCategory
#: Categories after the labour line, rotated so every quote list shows all of them.
EXTRA_CATEGORIES = (
    C.PACKING_SERVICES,
    C.OTHER,
    C.SPECIALTY_SERVICES,
    C.STORAGE_SERVICES,
    C.EQUIPMENT_RENTAL,
    C.INSURANCE,
)
#: Catalogue entries that back a line (so the cube sheet and the quote agree).
LINE_CATALOGUE = {
    "BOX-S": "Box, small (1.5 cu ft)",
    "BOX-M": "Box, medium (3 cu ft)",
    "BOX-L": "Box, large (4.5 cu ft)",
    "BOX-W": "Wardrobe box",
    "DISH": "Dish pack",
    "PIANO-UP": "Piano, upright",
    "PIANO-GR": "Piano, baby grand",
    "SAFE": "Safe, gun or document (under 500 lb)",
    "HOT-TUB": "Hot tub",
    "POOL-TBL": "Pool table, slate",
}


@dataclass(frozen=True)
class MoveSize:
    label: str
    crew: int
    hours: float
    cuft: int


RESIDENTIAL_SIZES = (
    (MoveSize("Studio apartment", 2, 3.0, 250), 10),
    (MoveSize("1-bedroom apartment", 2, 4.0, 400), 24),
    (MoveSize("2-bedroom apartment", 3, 5.0, 650), 24),
    (MoveSize("2-bedroom house", 3, 6.0, 800), 14),
    (MoveSize("3-bedroom house", 4, 7.5, 1100), 19),
    (MoveSize("4-bedroom house", 4, 9.5, 1500), 9),
)
COMMERCIAL_SIZES = (
    (MoveSize("Small office, 10 workstations", 3, 6.0, 700), 6),
    (MoveSize("Office, 25 workstations", 4, 9.0, 1400), 3),
    (MoveSize("Retail store fixtures", 3, 7.0, 900), 2),
)


@dataclass
class Line:
    id: uuid.UUID
    category: QuoteItemCategory
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    taxable: bool
    sort_order: int
    catalogue_item_id: uuid.UUID | None = None
    code: str | None = None
    discount_pct: Decimal = Decimal(0)

    def to_input(self) -> LineInput:
        return LineInput(
            self.quantity, self.unit_price, self.discount_pct, self.taxable, self.category
        )


@dataclass
class Valuation:
    declared_value: Decimal
    deductible: Decimal


def pick_size(rng: random.Random, commercial: bool) -> MoveSize:
    table = COMMERCIAL_SIZES if commercial else RESIDENTIAL_SIZES
    return rng.choices([s for s, _ in table], weights=[w for _, w in table])[0]


def half_hours(value: float) -> Decimal:
    return (Decimal(str(value)) * 2).to_integral_value(rounding=ROUND_CEILING) / 2


def build_lines(
    rng: random.Random,
    new_id: Callable[[], uuid.UUID],
    *,
    card: dict[str, object],
    size: MoveSize,
    hours: Decimal,
    weight: Decimal,
    categories: list[QuoteItemCategory],
    catalogue_ids: dict[str, uuid.UUID],
) -> tuple[list[Line], Valuation | None]:
    """The labour line first, then one line per extra category."""
    rates: dict[str, str] = card["hourly_rates"]  # type: ignore[assignment]
    crew = min(size.crew, 4)
    lines = [
        Line(
            new_id(),
            C.MOVING_SERVICES,
            f"Local move: {crew} movers and truck",
            hours,
            "hour",
            Decimal(rates[str(crew)]),
            True,
            0,
        )
    ]
    valuation = None
    for order, category in enumerate(categories, start=1):
        line, val = _extra_line(rng, new_id(), category, card, size, weight, order)
        valuation = valuation or val
        if line.code in LINE_CATALOGUE:
            line.catalogue_item_id = catalogue_ids.get(LINE_CATALOGUE[line.code])
        lines.append(line)
    return lines, valuation


def _extra_line(
    rng: random.Random,
    line_id: uuid.UUID,
    category: QuoteItemCategory,
    card: dict[str, object],
    size: MoveSize,
    weight: Decimal,
    order: int,
) -> tuple[Line, Valuation | None]:
    def priced(table: dict[str, dict[str, str]], code: str, qty: int) -> Line:
        entry = table[code]
        return Line(
            line_id,
            category,
            entry["label"],
            Decimal(qty),
            entry["unit"],
            Decimal(entry["price"]),
            True,
            order,
            code=code,
        )

    if category == C.PACKING_SERVICES:
        code = rng.choice(
            (
                "BOX-M",
                "BOX-M",
                "BOX-L",
                "BOX-S",
                "BOX-W",
                "TAPE",
                "MB-Q",
                "DISH",
                "BUBBLE",
                "PAPER",
                "STRETCH",
            )
        )
        per_box = {"BOX-M": 25, "BOX-L": 40, "BOX-S": 50, "BOX-W": 150}.get(code)
        qty = max(2, size.cuft // per_box) if per_box else rng.randint(1, 6)
        return priced(PACKING_MATERIALS, code, qty), None
    if category == C.SPECIALTY_SERVICES:
        code = rng.choice(
            (
                "PIANO-UP",
                "PIANO-UP",
                "SAFE",
                "APPL-DISC",
                "HOT-TUB",
                "POOL-TBL",
                "PIANO-GR",
                "CRATE",
            )
        )
        return priced(SPECIALTY_SERVICES, code, 2 if code == "APPL-DISC" else 1), None
    if category == C.EQUIPMENT_RENTAL:
        code = rng.choice(tuple(EQUIPMENT_RENTAL))
        qty = {
            "BLANKETS": rng.choice((12, 24)),
            "BIN-RENT": rng.choice((20, 30, 40)),
            "WARDROBE-R": rng.randint(2, 5),
        }.get(code, 1)
        return priced(EQUIPMENT_RENTAL, code, qty), None
    if category == C.STORAGE_SERVICES:
        code = rng.choice(tuple(STORAGE_RATES))
        months = Decimal(rng.choice((1, 1, 2, 3)))
        return Line(
            line_id,
            category,
            f"{STORAGE_LABELS[code]}, per month",
            months,
            "month",
            Decimal(STORAGE_RATES[code]),
            True,
            order,
            code=code,
        ), None
    if category == C.INSURANCE:
        floor = Decimal(str(card["full_value_min_amount"]))
        per_lb = Decimal(str(card["full_value_rate_per_lb_min"]))
        declared = max(floor, (weight * per_lb / 1000).to_integral_value(ROUND_CEILING) * 1000)
        declared += Decimal(1000 * rng.choice((0, 0, 5, 10, 20)))
        deductible = rng.choice(("0", "250", "500"))
        rate = Decimal(card["full_value_rates"][deductible])  # type: ignore[index]
        # Valuation is not a taxable supply of the move itself; it is charged tax-free.
        line = Line(
            line_id,
            category,
            f"Full value protection, ${deductible} deductible",
            declared / 1000,
            "per $1,000",
            rate,
            False,
            order,
            code="FVP",
        )
        return line, Valuation(declared, Decimal(deductible))
    choice = rng.randrange(3)
    if choice == 0:
        return Line(
            line_id,
            C.OTHER,
            "Truck and fuel fee",
            Decimal(1),
            "ea",
            Decimal(str(card["truck_fee"])),
            True,
            order,
            code="TRUCK",
        ), None
    if choice == 1:
        return Line(
            line_id,
            C.OTHER,
            "Travel time, depot to origin and back",
            Decimal(1),
            "ea",
            Decimal(str(card["travel_flat_fee"])),
            True,
            order,
            code="TRAVEL",
        ), None
    return Line(
        line_id,
        C.OTHER,
        "Stairs and long-carry surcharge",
        Decimal(1),
        "ea",
        Decimal("75.00"),
        True,
        order,
        code="ACCESS",
    ), None


def price(
    lines: list[Line],
    *,
    currency: Currency,
    province: Province,
    tax_date: dt.date,
    tax_rows: tuple[TaxRateRow, ...],
    tax_exempt: bool,
    discount_pct: Decimal,
) -> Totals:
    """Totals for the lines, exactly as the client and server compute them."""
    return compute_totals(
        DocumentInput(
            currency=currency,
            lines=tuple(line.to_input() for line in lines),
            tax_date=tax_date,
            province=province,
            country="CA",
            tax_exempt=tax_exempt,
            tax_rows=tax_rows,
            document_discount_pct=discount_pct,
        )
    )


def tax_breakdown(totals: Totals) -> list[dict[str, str]]:
    return [
        {
            "kind": t.kind.value,
            "label": t.label,
            "rate": str(t.rate),
            "base": str(t.base),
            "amount": str(t.amount),
        }
        for t in totals.taxes
    ]
