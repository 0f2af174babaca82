"""Reference data for pricing: rate cards, taxes, exchange rates, the item catalogue.

All of it sits in the ``tenant_ref`` bucket, so a crew lead can price a move
on site with no connection. Prices in JSON documents are decimal strings.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shared_models.base import Base, SyncedMixin, checked_enum, live_unique
from shared_models.enums import Currency, Province, TaxKind
from shared_models.types import Quantity, Rate

__all__ = ["CatalogueItem", "ExchangeRate", "PriceList", "TaxRate"]


class PriceList(SyncedMixin, Base):
    """A rate card: what a branch (or, with no location, the whole tenant) charges.

    Documents keyed by code, values decimal strings:
    ``hourly_rates`` {"2": "149.00", "3": "199.00"} (crew size -> per hour);
    ``packing_materials``, ``specialty_services``, ``equipment_rental``
    {code: {"label", "price", "unit"}}; ``storage_rates`` {"vault": "95.00"}
    per month; ``long_distance_rates`` [{"max_km", "rate_per_lb"}];
    ``full_value_rates`` {"0": "12.00", "250": "9.50"} (deductible -> charge per
    $1,000 of declared value).
    """

    __tablename__ = "price_list"

    location_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("location.id", ondelete="RESTRICT")
    )
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)
    currency: Mapped[Currency] = mapped_column(default=Currency.CAD)
    effective_from: Mapped[dt.date]
    #: Inclusive; NULL while in force.
    effective_to: Mapped[dt.date | None]
    is_default: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)

    hourly_rates: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: Per hour for each mover beyond the largest crew in ``hourly_rates``.
    additional_mover_rate: Mapped[Decimal | None]
    minimum_hours: Mapped[Decimal] = mapped_column(Quantity, default=Decimal("3"))
    truck_fee: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    #: Travel: a flat fee, plus a per-km rate past the free radius from the depot.
    travel_flat_fee: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    travel_rate_per_km: Mapped[Decimal] = mapped_column(Rate, default=Decimal("0"))
    travel_free_km: Mapped[Decimal] = mapped_column(Quantity, default=Decimal("0"))
    fuel_surcharge_pct: Mapped[Decimal] = mapped_column(Rate, default=Decimal("0"))
    packing_materials: Mapped[dict[str, Any]] = mapped_column(default=dict)
    storage_rates: Mapped[dict[str, Any]] = mapped_column(default=dict)
    specialty_services: Mapped[dict[str, Any]] = mapped_column(default=dict)
    equipment_rental: Mapped[dict[str, Any]] = mapped_column(default=dict)
    long_distance_rates: Mapped[list[Any]] = mapped_column(default=list)

    #: Released value: the carrier's liability per lb per article, at no charge.
    released_value_rate_per_lb: Mapped[Decimal] = mapped_column(Rate, default=Decimal("0.60"))
    #: Full value: declared value at least this per lb of the shipment, and this floor.
    full_value_rate_per_lb_min: Mapped[Decimal] = mapped_column(Rate, default=Decimal("6.00"))
    full_value_min_amount: Mapped[Decimal] = mapped_column(default=Decimal("6000"))
    full_value_rates: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: Turns a cube-sheet volume into an estimated weight.
    density_lb_per_cuft: Mapped[Decimal] = mapped_column(Rate, default=Decimal("7.0"))

    __table_args__ = (
        CheckConstraint(
            "effective_to IS NULL OR effective_to >= effective_from", name="end_after_start"
        ),
        CheckConstraint(
            "additional_mover_rate IS NULL OR additional_mover_rate >= 0",
            name="additional_mover_nonneg",
        ),
        CheckConstraint("minimum_hours >= 0", name="minimum_hours_nonneg"),
        CheckConstraint("truck_fee >= 0", name="truck_fee_nonneg"),
        CheckConstraint("travel_flat_fee >= 0", name="travel_flat_nonneg"),
        CheckConstraint("travel_rate_per_km >= 0", name="travel_per_km_nonneg"),
        CheckConstraint("travel_free_km >= 0", name="travel_free_km_nonneg"),
        CheckConstraint("fuel_surcharge_pct BETWEEN 0 AND 100", name="fuel_surcharge_range"),
        CheckConstraint("released_value_rate_per_lb >= 0", name="released_rate_nonneg"),
        CheckConstraint("full_value_rate_per_lb_min >= 0", name="full_value_rate_nonneg"),
        CheckConstraint("full_value_min_amount >= 0", name="full_value_min_nonneg"),
        CheckConstraint("density_lb_per_cuft > 0", name="density_positive"),
        Index("ix_price_list_tenant_location_from", "tenant_id", "location_id", "effective_from"),
    )


class TaxRate(SyncedMixin, Base):
    """One tax in one province for a date range; seeded per tenant, never hard-coded.

    Mirrors ``rules.tax.TaxRateRow``: ``rate`` a fraction (0.130000 for 13 %),
    both dates inclusive, ``province`` NULL for a non-Canadian tax.
    """

    __tablename__ = "tax_rate"

    province: Mapped[Province | None]
    kind: Mapped[TaxKind]
    rate: Mapped[Decimal] = mapped_column(Rate)
    effective_from: Mapped[dt.date]
    effective_to: Mapped[dt.date | None]
    #: Printed on the tax line of documents ("HST 13%", "RST 7%").
    label: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        CheckConstraint("rate >= 0 AND rate < 1", name="rate_fraction"),
        CheckConstraint(
            "effective_to IS NULL OR effective_to >= effective_from", name="end_after_start"
        ),
        live_unique("uq_tax_rate_live", "tenant_id", "province", "kind", "effective_from"),
    )


class ExchangeRate(SyncedMixin, Base):
    """The price of one ``base_currency`` unit in ``quote_currency`` from a date on."""

    __tablename__ = "exchange_rate"

    base_currency: Mapped[Currency] = mapped_column(checked_enum(Currency, "base_currency"))
    quote_currency: Mapped[Currency] = mapped_column(checked_enum(Currency, "quote_currency"))
    rate: Mapped[Decimal] = mapped_column(Rate)
    effective_date: Mapped[dt.date]
    #: "Bank of Canada", "manual".
    source: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        CheckConstraint("rate > 0", name="rate_positive"),
        CheckConstraint("base_currency <> quote_currency", name="distinct_currencies"),
        live_unique(
            "uq_exchange_rate_live",
            "tenant_id",
            "base_currency",
            "quote_currency",
            "effective_date",
        ),
    )


class CatalogueItem(SyncedMixin, Base):
    """A household article for cube-sheet estimating (sofa, 3-seat: 50 cu ft); per tenant."""

    __tablename__ = "catalogue_item"

    name: Mapped[str] = mapped_column(String(120))
    #: Where it usually stands ("Living room", "Garage"): groups the cube sheet.
    room: Mapped[str | None] = mapped_column(String(64))
    #: "Furniture", "Appliance", "Box", "Specialty".
    category: Mapped[str | None] = mapped_column(String(64))
    cubic_feet: Mapped[Decimal] = mapped_column(Quantity)
    #: NULL: estimated from volume with the rate card's density.
    weight_lb: Mapped[Decimal | None] = mapped_column(Quantity)
    #: Extra labour to wrap, disassemble or carry it, beyond its volume.
    handling_minutes: Mapped[int] = mapped_column(default=0)
    #: Needs special handling or a specialty charge (piano, safe, hot tub).
    is_specialty: Mapped[bool] = mapped_column(default=False)
    sort_order: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (
        CheckConstraint("cubic_feet >= 0", name="cubic_feet_nonneg"),
        CheckConstraint("weight_lb IS NULL OR weight_lb >= 0", name="weight_nonneg"),
        CheckConstraint("handling_minutes >= 0", name="handling_nonneg"),
        Index("ix_catalogue_item_tenant_room_name", "tenant_id", "room", "name"),
    )
