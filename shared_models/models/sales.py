"""Customers, the sales pipeline and quotes: the ``location_sales`` bucket (DESIGN 4).

FKs between synced rows are RESTRICT: synced rows are tombstoned, never
hard-deleted, and a database-side SET NULL would change a row without a new
version. Line items CASCADE with their document, which only a purge removes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared_models.base import Base, LocationScopedMixin, SyncedMixin, checked_enum
from shared_models.enums import (
    Currency,
    CustomerType,
    EstimateType,
    LeadPriority,
    LeadSource,
    LeadStatus,
    Province,
    QuoteStatus,
    SalesActivityType,
    ValuationOption,
)
from shared_models.models.lines import PricedLineMixin, priced_line_checks
from shared_models.types import Quantity, Rate

__all__ = ["Customer", "Lead", "Quote", "QuoteItem", "SalesActivity"]


class Customer(SyncedMixin, LocationScopedMixin, Base):
    """A household or business we move; owned by the branch that serves it."""

    __tablename__ = "customer"

    customer_type: Mapped[CustomerType] = mapped_column(default=CustomerType.RESIDENTIAL)
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    company_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    alt_phone: Mapped[str | None] = mapped_column(String(32))
    address_line1: Mapped[str | None] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    province: Mapped[Province | None]
    postal_code: Mapped[str | None] = mapped_column(String(10))
    country: Mapped[str] = mapped_column(String(2), default="CA")
    #: BCP 47 tag for quotes, invoices and messages ("en", "fr"): Quebec law requires French.
    preferred_language: Mapped[str] = mapped_column(String(8), default="en")
    #: Exempt customers (e.g. status-card holders, diplomats) must show their number.
    tax_exempt: Mapped[bool] = mapped_column(default=False)
    tax_exemption_number: Mapped[str | None] = mapped_column(String(64))
    notes: Mapped[str | None] = mapped_column(Text)
    sales_rep_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="RESTRICT")
    )
    source: Mapped[LeadSource | None]
    is_active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (
        CheckConstraint("last_name IS NOT NULL OR company_name IS NOT NULL", name="has_name"),
        CheckConstraint(
            "NOT tax_exempt OR tax_exemption_number IS NOT NULL", name="exemption_has_number"
        ),
        Index("ix_customer_tenant_location_last_name", "tenant_id", "location_id", "last_name"),
        Index("ix_customer_tenant_company", "tenant_id", "company_name"),
        Index("ix_customer_tenant_email", "tenant_id", "email"),
        Index("ix_customer_tenant_phone", "tenant_id", "phone"),
        Index("ix_customer_tenant_sales_rep", "tenant_id", "sales_rep_id"),
    )


class Lead(SyncedMixin, LocationScopedMixin, Base):
    """An enquiry in the pipeline; contact fields stand in until it becomes a customer."""

    __tablename__ = "lead"

    customer_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("customer.id", ondelete="RESTRICT")
    )
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[LeadStatus] = mapped_column(default=LeadStatus.NEW)
    priority: Mapped[LeadPriority] = mapped_column(default=LeadPriority.MEDIUM)
    source: Mapped[LeadSource] = mapped_column(default=LeadSource.OTHER)
    #: Free-text detail of the source (referrer's name, campaign code).
    source_detail: Mapped[str | None] = mapped_column(String(200))
    assigned_to: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="RESTRICT")
    )
    move_date: Mapped[dt.date | None]
    #: "2-bedroom apartment", "office, 40 workstations": sizes the first estimate.
    move_size: Mapped[str | None] = mapped_column(String(64))
    origin_summary: Mapped[str | None] = mapped_column(String(200))
    destination_summary: Mapped[str | None] = mapped_column(String(200))
    estimated_value: Mapped[Decimal | None]
    currency: Mapped[Currency] = mapped_column(default=Currency.CAD)
    expected_close_date: Mapped[dt.date | None]
    next_follow_up_at: Mapped[dt.datetime | None]
    lost_reason: Mapped[str | None] = mapped_column(String(500))
    #: Quote -> lead and lead -> quote form a cycle, so this FK is added after both tables.
    converted_quote_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("quote.id", ondelete="RESTRICT", use_alter=True)
    )
    notes: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("customer_id IS NOT NULL OR contact_name IS NOT NULL", name="has_contact"),
        CheckConstraint(
            "estimated_value IS NULL OR estimated_value >= 0", name="estimated_value_nonneg"
        ),
        Index("ix_lead_tenant_location_status", "tenant_id", "location_id", "status"),
        Index("ix_lead_tenant_assigned_status", "tenant_id", "assigned_to", "status"),
        Index("ix_lead_tenant_customer", "tenant_id", "customer_id"),
    )


class SalesActivity(SyncedMixin, LocationScopedMixin, Base):
    """A call, email or visit: append-only, so two reps logging offline never conflict."""

    __tablename__ = "sales_activity"
    __append_only__ = True

    type: Mapped[SalesActivityType]
    lead_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("lead.id", ondelete="RESTRICT"))
    customer_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("customer.id", ondelete="RESTRICT")
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    occurred_at: Mapped[dt.datetime]
    duration_minutes: Mapped[int | None]
    subject: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    #: When to get back to them; a done follow-up is a new activity, not an edit.
    follow_up_at: Mapped[dt.datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        CheckConstraint("lead_id IS NOT NULL OR customer_id IS NOT NULL", name="has_subject"),
        CheckConstraint(
            "duration_minutes IS NULL OR duration_minutes >= 0", name="duration_nonneg"
        ),
        Index("ix_sales_activity_tenant_lead", "tenant_id", "lead_id", "occurred_at"),
        Index("ix_sales_activity_tenant_customer", "tenant_id", "customer_id", "occurred_at"),
        Index("ix_sales_activity_tenant_user_follow_up", "tenant_id", "user_id", "follow_up_at"),
    )


class Quote(SyncedMixin, LocationScopedMixin, Base):
    """An estimate the customer can accept; amounts are stored as computed and signed.

    ``origin_site``/``destination_site`` hold access details per stop:
    ``{dwelling, floor, stairs_flights, elevator, elevator_booking, long_carry_ft,
    parking_distance_ft, parking_permit}``; ``extra_stops`` is a list of
    ``{line1, city, province, postal_code, site}``. ``tax_breakdown`` is the
    list of tax lines ``{kind, label, rate, base, amount}`` as strings.
    """

    __tablename__ = "quote"

    #: Assigned by the server on first sync; offline quotes show ``provisional_number``.
    number: Mapped[str | None] = mapped_column(String(32))
    provisional_number: Mapped[str | None] = mapped_column(String(40))
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customer.id", ondelete="RESTRICT"))
    lead_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("lead.id", ondelete="RESTRICT"))
    status: Mapped[QuoteStatus] = mapped_column(default=QuoteStatus.DRAFT)
    estimate_type: Mapped[EstimateType] = mapped_column(default=EstimateType.HOURLY)
    currency: Mapped[Currency] = mapped_column(default=Currency.CAD)
    #: Rate to the tenant's currency used for this quote, frozen when it is sent.
    exchange_rate: Mapped[Decimal | None] = mapped_column(Rate)
    price_list_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("price_list.id", ondelete="RESTRICT")
    )
    move_date: Mapped[dt.date | None]
    #: Crew arrival window promised to the customer ("8:00-9:00").
    arrival_window: Mapped[str | None] = mapped_column(String(32))

    origin_line1: Mapped[str | None] = mapped_column(String(200))
    origin_line2: Mapped[str | None] = mapped_column(String(200))
    origin_city: Mapped[str | None] = mapped_column(String(100))
    origin_province: Mapped[Province | None] = mapped_column(
        checked_enum(Province, "origin_province")
    )
    origin_postal_code: Mapped[str | None] = mapped_column(String(10))
    origin_site: Mapped[dict[str, Any]] = mapped_column(default=dict)
    destination_line1: Mapped[str | None] = mapped_column(String(200))
    destination_line2: Mapped[str | None] = mapped_column(String(200))
    destination_city: Mapped[str | None] = mapped_column(String(100))
    destination_province: Mapped[Province | None] = mapped_column(
        checked_enum(Province, "destination_province")
    )
    destination_postal_code: Mapped[str | None] = mapped_column(String(10))
    destination_site: Mapped[dict[str, Any]] = mapped_column(default=dict)
    extra_stops: Mapped[list[Any]] = mapped_column(default=list)
    distance_km: Mapped[Decimal | None] = mapped_column(Quantity)

    crew_size: Mapped[int | None]
    estimated_hours: Mapped[Decimal | None] = mapped_column(Quantity)
    truck_count: Mapped[int | None]
    volume_cuft: Mapped[Decimal | None] = mapped_column(Quantity)
    weight_lb: Mapped[Decimal | None] = mapped_column(Quantity)

    subtotal: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    discount_amount: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    discount_pct: Mapped[Decimal] = mapped_column(Rate, default=Decimal("0"))
    tax_amount: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    total: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    deposit_amount: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    tax_breakdown: Mapped[list[Any]] = mapped_column(default=list)

    valuation_option: Mapped[ValuationOption] = mapped_column(
        default=ValuationOption.RELEASED_VALUE
    )
    declared_value: Mapped[Decimal | None]
    valuation_deductible: Mapped[Decimal | None]
    valuation_charge: Mapped[Decimal] = mapped_column(default=Decimal("0"))

    valid_until: Mapped[dt.date | None]
    sent_at: Mapped[dt.datetime | None]
    viewed_at: Mapped[dt.datetime | None]
    accepted_at: Mapped[dt.datetime | None]
    rejected_at: Mapped[dt.datetime | None]
    rejection_reason: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    #: Manager sign-off for a discount above the tenant's threshold.
    approved_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="RESTRICT")
    )
    approved_at: Mapped[dt.datetime | None]
    #: Who accepted and when; ``signature`` holds ``{png_base64, method, ip, device_id}``.
    signer_name: Mapped[str | None] = mapped_column(String(200))
    signed_at: Mapped[dt.datetime | None]
    signature: Mapped[dict[str, Any] | None]
    #: Set on conversion; journey also points back here, hence ``use_alter``.
    journey_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("journey.id", ondelete="RESTRICT", use_alter=True)
    )
    #: Printed on the quote; ``internal_notes`` never leaves the company.
    notes: Mapped[str | None] = mapped_column(Text)
    internal_notes: Mapped[str | None] = mapped_column(Text)

    #: Live items in print order (tombstoned ones stay in the table for sync).
    items: Mapped[list[QuoteItem]] = relationship(
        primaryjoin="and_(Quote.id == QuoteItem.quote_id, QuoteItem.deleted_at.is_(None))",
        order_by="QuoteItem.sort_order",
        viewonly=True,
        lazy="selectin",
    )

    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        CheckConstraint("subtotal >= 0", name="subtotal_nonneg"),
        CheckConstraint("discount_amount >= 0", name="discount_nonneg"),
        CheckConstraint("discount_amount <= subtotal", name="discount_le_subtotal"),
        CheckConstraint("discount_pct BETWEEN 0 AND 100", name="discount_pct_range"),
        CheckConstraint("tax_amount >= 0", name="tax_nonneg"),
        CheckConstraint("total >= 0", name="total_nonneg"),
        CheckConstraint("deposit_amount >= 0", name="deposit_nonneg"),
        CheckConstraint("deposit_amount <= total", name="deposit_le_total"),
        CheckConstraint("exchange_rate IS NULL OR exchange_rate > 0", name="fx_positive"),
        CheckConstraint("crew_size IS NULL OR crew_size > 0", name="crew_size_positive"),
        CheckConstraint("truck_count IS NULL OR truck_count >= 0", name="truck_count_nonneg"),
        CheckConstraint(
            "estimated_hours IS NULL OR estimated_hours >= 0", name="estimated_hours_nonneg"
        ),
        CheckConstraint("volume_cuft IS NULL OR volume_cuft >= 0", name="volume_nonneg"),
        CheckConstraint("weight_lb IS NULL OR weight_lb >= 0", name="weight_nonneg"),
        CheckConstraint("distance_km IS NULL OR distance_km >= 0", name="distance_nonneg"),
        CheckConstraint(
            "declared_value IS NULL OR declared_value >= 0", name="declared_value_nonneg"
        ),
        CheckConstraint(
            "valuation_deductible IS NULL OR valuation_deductible >= 0", name="deductible_nonneg"
        ),
        CheckConstraint("valuation_charge >= 0", name="valuation_charge_nonneg"),
        Index("ix_quote_tenant_location_status", "tenant_id", "location_id", "status"),
        Index("ix_quote_tenant_location_move_date", "tenant_id", "location_id", "move_date"),
        Index("ix_quote_tenant_customer", "tenant_id", "customer_id"),
        Index("ix_quote_tenant_created_by", "tenant_id", "created_by", "status"),
    )


class QuoteItem(SyncedMixin, PricedLineMixin, Base):
    """One priced line; follows its quote into buckets, so it carries no location."""

    __tablename__ = "quote_item"

    quote_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("quote.id", ondelete="CASCADE"))

    __table_args__ = (
        *priced_line_checks(),
        Index("ix_quote_item_tenant_quote", "tenant_id", "quote_id", "sort_order"),
    )
