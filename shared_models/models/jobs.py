"""Journeys (moving jobs), their crews and their field timeline: ``location_ops``.

Ownership (DESIGN 6.8): dispatch owns the assignment columns (date, crew,
truck); the crew owns the actuals (times, events, signatures).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared_models.base import Base, LocationScopedMixin, SyncedMixin, checked_enum, live_unique
from shared_models.enums import CrewRole, JourneyEventType, JourneyStatus, Province
from shared_models.types import Quantity

__all__ = ["Journey", "JourneyCrew", "JourneyEvent"]

#: Six decimals of a degree is about 11 cm: plenty for "the truck was here".
Coordinate = Numeric(9, 6, asdecimal=True)


class Journey(SyncedMixin, LocationScopedMixin, Base):
    """One move on one day for one customer, usually converted from an accepted quote.

    ``origin_site``/``destination_site``/``extra_stops`` use the quote's shapes.
    The signature image lives in the SIGNATURE event's payload; the journey keeps
    who signed and when, for lists and invoices.
    """

    __tablename__ = "journey"

    #: Assigned by the server on first sync, like quote and invoice numbers.
    number: Mapped[str | None] = mapped_column(String(32))
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customer.id", ondelete="RESTRICT"))
    quote_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("quote.id", ondelete="RESTRICT"))
    status: Mapped[JourneyStatus] = mapped_column(default=JourneyStatus.PLANNED)
    scheduled_date: Mapped[dt.date]
    scheduled_start: Mapped[dt.datetime | None]
    estimated_hours: Mapped[Decimal | None] = mapped_column(Quantity)
    crew_size_required: Mapped[int] = mapped_column(default=2)
    #: The main truck; extra units are EquipmentAssignment rows.
    truck_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("equipment.id", ondelete="RESTRICT")
    )
    truck_count: Mapped[int] = mapped_column(default=1)

    origin_line1: Mapped[str] = mapped_column(String(200))
    origin_line2: Mapped[str | None] = mapped_column(String(200))
    origin_city: Mapped[str] = mapped_column(String(100))
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
    volume_cuft: Mapped[Decimal | None] = mapped_column(Quantity)
    weight_lb: Mapped[Decimal | None] = mapped_column(Quantity)

    #: Office notes; ``crew_instructions`` is what the crew sees on the day.
    notes: Mapped[str | None] = mapped_column(Text)
    crew_instructions: Mapped[str | None] = mapped_column(Text)
    dispatcher_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="RESTRICT")
    )
    crew_lead_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="RESTRICT")
    )

    actual_start: Mapped[dt.datetime | None]
    actual_end: Mapped[dt.datetime | None]
    #: Hours billed after breaks, derived from the events; feeds the invoice.
    billable_hours: Mapped[Decimal | None] = mapped_column(Quantity)
    completed_at: Mapped[dt.datetime | None]
    cancelled_at: Mapped[dt.datetime | None]
    cancellation_reason: Mapped[str | None] = mapped_column(String(500))
    signer_name: Mapped[str | None] = mapped_column(String(200))
    signed_at: Mapped[dt.datetime | None]

    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        CheckConstraint("crew_size_required > 0", name="crew_size_positive"),
        CheckConstraint("truck_count >= 0", name="truck_count_nonneg"),
        CheckConstraint(
            "estimated_hours IS NULL OR estimated_hours >= 0", name="estimated_hours_nonneg"
        ),
        CheckConstraint("billable_hours IS NULL OR billable_hours >= 0", name="billable_nonneg"),
        CheckConstraint("volume_cuft IS NULL OR volume_cuft >= 0", name="volume_nonneg"),
        CheckConstraint("weight_lb IS NULL OR weight_lb >= 0", name="weight_nonneg"),
        CheckConstraint(
            "actual_end IS NULL OR actual_start IS NULL OR actual_end >= actual_start",
            name="end_after_start",
        ),
        Index("ix_journey_tenant_location_date", "tenant_id", "location_id", "scheduled_date"),
        Index("ix_journey_tenant_status_date", "tenant_id", "status", "scheduled_date"),
        Index("ix_journey_tenant_customer", "tenant_id", "customer_id"),
        Index("ix_journey_tenant_quote", "tenant_id", "quote_id"),
        Index("ix_journey_tenant_truck_date", "tenant_id", "truck_id", "scheduled_date"),
        Index("ix_journey_tenant_crew_lead_date", "tenant_id", "crew_lead_id", "scheduled_date"),
    )


class JourneyCrew(SyncedMixin, Base):
    """A person on a journey's crew; owned by dispatch, and the key of ``crew_jobs:<user>``."""

    __tablename__ = "journey_crew"

    journey_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("journey.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    crew_role: Mapped[CrewRole] = mapped_column(default=CrewRole.MOVER)

    __table_args__ = (
        # Among live rows: a member removed (tombstoned) and added back is a new row.
        live_unique("uq_journey_crew_live", "journey_id", "user_id"),
        Index("ix_journey_crew_tenant_user", "tenant_id", "user_id"),
        Index("ix_journey_crew_tenant_journey", "tenant_id", "journey_id"),
    )


class JourneyEvent(SyncedMixin, Base):
    """One step of the field timeline, recorded on the crew's laptop: append-only.

    ``payload`` by type: SIGNATURE ``{png_base64, signer_name}``; DAMAGE
    ``{item, description, photo_ids, customer_acknowledged}``; PHOTO
    ``{photo_id, caption}``.
    """

    __tablename__ = "journey_event"
    __append_only__ = True

    journey_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("journey.id", ondelete="RESTRICT"))
    event_type: Mapped[JourneyEventType]
    occurred_at: Mapped[dt.datetime]
    recorded_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    #: The laptop it was recorded on; no FK because devices are server-only rows.
    device_id: Mapped[uuid.UUID | None]
    note: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    latitude: Mapped[Decimal | None] = mapped_column(Coordinate)
    longitude: Mapped[Decimal | None] = mapped_column(Coordinate)

    __table_args__ = (
        CheckConstraint("latitude IS NULL OR latitude BETWEEN -90 AND 90", name="latitude_range"),
        CheckConstraint(
            "longitude IS NULL OR longitude BETWEEN -180 AND 180", name="longitude_range"
        ),
        CheckConstraint("(latitude IS NULL) = (longitude IS NULL)", name="lat_lng_together"),
        Index("ix_journey_event_tenant_journey", "tenant_id", "journey_id", "occurred_at"),
    )
