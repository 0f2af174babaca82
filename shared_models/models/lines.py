"""The priced line both quotes and invoices are made of: one shape, one set of checks."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from shared_models.enums import QuoteItemCategory
from shared_models.types import Quantity, Rate

__all__: list[str] = []


class PricedLineMixin:
    """Category, quantity, unit price, line discount and total of one document line.

    A line follows its document into buckets, so it carries no location.
    ``line_total`` is recomputed by the server (shared_models.rules.totals).
    """

    category: Mapped[QuoteItemCategory]
    description: Mapped[str] = mapped_column(String(500))
    quantity: Mapped[Decimal] = mapped_column(Quantity, default=Decimal("1"))
    #: "hour", "ea", "box", "cuft", "lb", "km", "month".
    unit: Mapped[str] = mapped_column(String(16), default="ea")
    unit_price: Mapped[Decimal]
    discount_pct: Mapped[Decimal] = mapped_column(Rate, default=Decimal("0"))
    line_total: Mapped[Decimal]
    taxable: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)

    @declared_attr
    def catalogue_item_id(cls) -> Mapped[uuid.UUID | None]:
        return mapped_column(ForeignKey("catalogue_item.id", ondelete="RESTRICT"))


def priced_line_checks() -> tuple[CheckConstraint, ...]:
    """The CHECKs every priced line table carries (fresh objects per table)."""
    return (
        CheckConstraint("quantity >= 0", name="quantity_nonneg"),
        CheckConstraint("unit_price >= 0", name="unit_price_nonneg"),
        CheckConstraint("discount_pct BETWEEN 0 AND 100", name="discount_pct_range"),
        CheckConstraint("line_total >= 0", name="line_total_nonneg"),
    )
