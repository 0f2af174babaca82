"""Rate-card documents the pricing tests share, shaped like the stored PriceList rows.

Figures copied from the seed's default card (sync_server/seed/catalogue.py) so the
hand-checked totals do not move when someone re-prices the demo data.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def _m(label: str, price: str, unit: str) -> dict[str, str]:
    return {"label": label, "price": price, "unit": unit}


def cad_card(**changes: Any) -> dict[str, Any]:
    """Greater Toronto card: a TRIP_FEE card (flat $89 + $1.95/km past 40 km)."""
    card: dict[str, Any] = {
        "currency": "CAD",
        "hourly_rates": {"2": "159.00", "3": "209.00", "4": "259.00"},
        "additional_mover_rate": Decimal("50.00"),
        "minimum_hours": Decimal(3),
        "truck_fee": Decimal("79.00"),
        "travel_flat_fee": Decimal("89.00"),
        "travel_rate_per_km": Decimal("1.95"),
        "travel_free_km": Decimal(40),
        "fuel_surcharge_pct": Decimal(0),
        "packing_materials": {
            "BOX-M": _m("Medium box (3 cu ft)", "4.25", "box"),
            "TAPE": _m("Packing tape, 2 in x 110 yd", "4.50", "roll"),
        },
        "storage_rates": {"vault": "129.00", "half_vault": "79.00"},
        "specialty_services": {"PIANO-UP": _m("Piano move, upright", "275.00", "ea")},
        "equipment_rental": {"BLANKETS": _m("Moving blankets, extra", "1.50", "ea")},
        "long_distance_rates": [
            {"max_km": 1500, "rate_per_lb": "1.35"},
            {"max_km": 500, "rate_per_lb": "0.95"},
            {"max_km": 5000, "rate_per_lb": "1.85"},
        ],
        "released_value_rate_per_lb": Decimal("0.60"),
        "full_value_rate_per_lb_min": Decimal("6.00"),
        "full_value_min_amount": Decimal(6000),
        "full_value_rates": {"0": "12.00", "250": "9.50", "500": "7.50"},
        "density_lb_per_cuft": Decimal("7.0"),
    }
    card.update(changes)
    return card


def usd_card(**changes: Any) -> dict[str, Any]:
    """Windsor's cross-border card in US dollars ($69 + $1.45/km past 40 km)."""
    card = cad_card(
        currency="USD",
        hourly_rates={"2": "119.00", "3": "159.00", "4": "199.00"},
        additional_mover_rate=Decimal("38.00"),
        truck_fee=Decimal("59.00"),
        travel_flat_fee=Decimal("69.00"),
        travel_rate_per_km=Decimal("1.45"),
        full_value_min_amount=Decimal(4500),
    )
    card.update(changes)
    return card


def port_to_port_card(**changes: Any) -> dict[str, Any]:
    """No travel fee: the clock runs depot to depot."""
    return cad_card(travel_flat_fee=Decimal(0), travel_rate_per_km=Decimal(0), **changes)
