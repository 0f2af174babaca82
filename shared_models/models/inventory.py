"""Branch stock (boxes, tape, mattress bags), its movements, and the suppliers.

Stock on hand is never stored: it is the sum of a stock item's transactions
(DESIGN 6.3), so two offline crews taking tape from the same shelf both count.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shared_models.base import Base, LocationScopedMixin, SyncedMixin, live_unique
from shared_models.enums import Currency, InventoryTransactionType, Province
from shared_models.types import Quantity, Rate

__all__ = ["Inventory", "InventoryTransaction", "Supplier"]


class Supplier(SyncedMixin, Base):
    """A vendor of stock or a repair shop; tenant-wide when ``location_id`` is NULL."""

    __tablename__ = "supplier"

    location_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("location.id", ondelete="RESTRICT"), sort_order=-80
    )
    name: Mapped[str] = mapped_column(String(200))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    website: Mapped[str | None] = mapped_column(String(200))
    address_line1: Mapped[str | None] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    province: Mapped[Province | None]
    postal_code: Mapped[str | None] = mapped_column(String(10))
    country: Mapped[str] = mapped_column(String(2), default="CA")
    #: The currency the supplier bills in.
    currency: Mapped[Currency] = mapped_column(default=Currency.CAD)
    lead_time_days: Mapped[int | None]
    #: As agreed, e.g. "Net 30", "COD", "2/10 Net 30".
    payment_terms: Mapped[str | None] = mapped_column(String(60))
    #: Share of orders delivered on time (0..1), maintained from receipts.
    on_time_rate: Mapped[Decimal | None] = mapped_column(Rate)
    is_active: Mapped[bool] = mapped_column(default=True)
    notes: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("lead_time_days IS NULL OR lead_time_days >= 0", name="lead_time_nonneg"),
        CheckConstraint(
            "on_time_rate IS NULL OR (on_time_rate >= 0 AND on_time_rate <= 1)",
            name="on_time_rate_range",
        ),
        Index("ix_supplier_tenant_location_name", "tenant_id", "location_id", "name"),
    )


class Inventory(SyncedMixin, LocationScopedMixin, Base):
    """A stock item kept at one branch, with its reorder rule.

    No quantity-on-hand column on purpose: on hand is ``SUM(quantity)`` of its
    transactions, computed where needed (a cached copy would conflict offline).
    """

    __tablename__ = "inventory"

    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(String(60))
    #: Counting unit: "each", "box", "roll", "pack of 25".
    unit: Mapped[str] = mapped_column(String(16), default="each")
    #: Last known purchase cost per unit (valuation uses the transactions' costs).
    unit_cost: Mapped[Decimal | None]
    #: Price per unit when sold to a customer (boxes, tape, mattress bags).
    unit_price: Mapped[Decimal | None]
    currency: Mapped[Currency] = mapped_column(default=Currency.CAD)
    reorder_point: Mapped[Decimal] = mapped_column(Quantity, default=Decimal("0"))
    reorder_quantity: Mapped[Decimal | None] = mapped_column(Quantity)
    supplier_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("supplier.id", ondelete="RESTRICT")
    )
    is_active: Mapped[bool] = mapped_column(default=True)
    notes: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        live_unique("uq_inventory_sku_live", "tenant_id", "location_id", "sku"),
        CheckConstraint("unit_cost IS NULL OR unit_cost >= 0", name="unit_cost_nonneg"),
        CheckConstraint("unit_price IS NULL OR unit_price >= 0", name="unit_price_nonneg"),
        CheckConstraint("reorder_point >= 0", name="reorder_point_nonneg"),
        CheckConstraint(
            "reorder_quantity IS NULL OR reorder_quantity > 0", name="reorder_qty_positive"
        ),
        Index(
            "ix_inventory_tenant_location_category",
            "tenant_id",
            "location_id",
            "category",
            "name",
        ),
    )


class InventoryTransaction(SyncedMixin, Base):
    """One stock movement, append-only; corrections are new ADJUSTMENT rows.

    ``quantity`` is signed, in the item's unit: negative removes stock (SALE,
    DAMAGE, EXPIRY, supplies a crew takes for a job, the sending leg of a
    TRANSFER), positive adds it (PURCHASE, the receiving leg, a positive SALE
    when a customer returns unused boxes); ADJUSTMENT goes either way. A TRANSFER
    is two rows, one on each branch's item, sharing ``transfer_group_id``.
    """

    __tablename__ = "inventory_transaction"
    __append_only__ = True

    inventory_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("inventory.id", ondelete="RESTRICT"))
    type: Mapped[InventoryTransactionType]
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    #: Cost per unit at the time (PURCHASE: what was paid), for stock valuation.
    unit_cost: Mapped[Decimal | None]
    currency: Mapped[Currency] = mapped_column(default=Currency.CAD)
    occurred_at: Mapped[dt.datetime]
    #: The job the stock went to (sold to its customer or used on it).
    journey_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("journey.id", ondelete="RESTRICT")
    )
    performed_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    transfer_group_id: Mapped[uuid.UUID | None]
    #: The other branch of a TRANSFER (where the stock came from or went to).
    counterpart_location_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("location.id", ondelete="RESTRICT")
    )
    #: Purchase order, supplier invoice or count-sheet number.
    reference: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    #: A PURCHASE's supplier, and the days it was ordered and promised for: the
    #: supplier's on-time rate is judged from these against the receipt day.
    supplier_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("supplier.id", ondelete="RESTRICT")
    )
    ordered_on: Mapped[dt.date | None]
    expected_on: Mapped[dt.date | None]

    __table_args__ = (
        CheckConstraint("quantity <> 0", name="quantity_nonzero"),
        # Receipts add stock and write-offs remove it; SALE is signed either way
        # (positive = buy-back of unused boxes); ADJUSTMENT and TRANSFER are free.
        CheckConstraint("type <> 'PURCHASE' OR quantity > 0", name="purchase_positive"),
        CheckConstraint(
            "type NOT IN ('DAMAGE', 'EXPIRY') OR quantity < 0", name="writeoff_negative"
        ),
        CheckConstraint("unit_cost IS NULL OR unit_cost >= 0", name="unit_cost_nonneg"),
        CheckConstraint(
            "(type = 'TRANSFER' AND transfer_group_id IS NOT NULL"
            " AND counterpart_location_id IS NOT NULL)"
            " OR (type <> 'TRANSFER' AND transfer_group_id IS NULL"
            " AND counterpart_location_id IS NULL)",
            name="transfer_fields",
        ),
        Index("ix_inventory_transaction_tenant_item", "tenant_id", "inventory_id", "occurred_at"),
        Index("ix_inventory_transaction_tenant_journey", "tenant_id", "journey_id"),
        Index("ix_inventory_transaction_tenant_transfer", "tenant_id", "transfer_group_id"),
        CheckConstraint(
            "type = 'PURCHASE' OR (supplier_id IS NULL AND ordered_on IS NULL"
            " AND expected_on IS NULL)",
            name="order_fields_on_purchase",
        ),
        CheckConstraint(
            "expected_on IS NULL OR ordered_on IS NULL OR expected_on >= ordered_on",
            name="expected_after_order",
        ),
        Index("ix_inventory_transaction_tenant_supplier", "tenant_id", "supplier_id"),
    )
