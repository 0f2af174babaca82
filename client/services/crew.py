"""What a crew lead reads on the day, from the replica: their journeys, one journey, gear.

"My journeys" are those the user leads (``crew_lead_id``) or crews (a live
``journey_crew`` row), exactly the ``crew_jobs`` bucket the server fills.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, or_, select

from client.replica.store import LocalStore
from client.services.dispatch_facts import location_zone
from client.services.inventory import on_hand_in
from client.services.lists import customer_display_name
from client.sync.db import table_for
from shared_models.enums import CrewRole, JourneyEventType
from shared_models.rules.invoice_workflow import zone_date
from shared_models.rules.invoicing import TimelineEvent
from shared_models.types import utcnow

_ROLE_ORDER = {r: i for i, r in enumerate(CrewRole)}


@dataclass(frozen=True)
class CrewMember:
    user_id: uuid.UUID
    name: str
    role: str


@dataclass(frozen=True)
class Truck:
    id: uuid.UUID
    unit_number: str
    name: str
    type: str
    status: str


@dataclass(frozen=True)
class JourneyCard:
    """One row of Today, and the header of the Journey screen.

    ``zone`` is the IANA zone of the journey's branch: crew times are shown and
    typed on that clock, as the dispatch board shows them, whatever the laptop says.
    """

    id: uuid.UUID
    number: str | None
    status: str
    scheduled_date: dt.date
    start: dt.datetime | None
    end: dt.datetime | None
    customer_name: str
    customer_phone: str | None
    origin: str
    destination: str
    crew: list[CrewMember] = field(default_factory=list)
    truck: Truck | None = None
    instructions: str | None = None
    signer_name: str | None = None
    zone: str = "UTC"


@dataclass(frozen=True)
class EventRow:
    id: uuid.UUID
    event_type: JourneyEventType
    occurred_at: dt.datetime
    note: str | None
    payload: dict[str, Any]
    recorded_by: str

    def timeline(self) -> TimelineEvent:
        return TimelineEvent(self.event_type, self.occurred_at)


@dataclass(frozen=True)
class JourneyDetail:
    card: JourneyCard
    events: list[EventRow]

    @property
    def timeline(self) -> list[TimelineEvent]:
        return [e.timeline() for e in self.events]

    @property
    def signed(self) -> bool:
        return any(e.event_type is JourneyEventType.SIGNATURE for e in self.events)


@dataclass(frozen=True)
class StockLine:
    id: uuid.UUID
    sku: str
    name: str
    unit: str
    on_hand: Decimal


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """Replica datetimes are UTC; SQLite may hand them back naive."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


def tidy(value: Decimal) -> Decimal:
    """``100.000`` -> ``100``: counts of gear read as people say them."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def address(row: dict[str, Any], prefix: str) -> str:
    """``2 Elm St, Toronto, ON M5V 1A1`` from the ``origin_``/``destination_`` columns."""
    city = " ".join(
        str(row[f"{prefix}_{k}"]) for k in ("province", "postal_code") if row.get(f"{prefix}_{k}")
    )
    parts = [row.get(f"{prefix}_line1"), row.get(f"{prefix}_line2"), row.get(f"{prefix}_city")]
    text = ", ".join(str(p) for p in parts if p)
    return f"{text} {city}".strip() if text else city


def user_zone(conn: Connection, user_id: uuid.UUID) -> str:
    """The IANA zone of the user's branch (user row -> location); UTC when unknown here."""
    u = table_for("user")
    location = conn.execute(select(u.c.location_id).where(u.c.id == user_id)).scalar()
    return location_zone(conn, location)[1] if location is not None else "UTC"


def crew_today(store: LocalStore, user_id: uuid.UUID, now: dt.datetime | None = None) -> dt.date:
    """Today's date for a crew member at their branch, not on the laptop's clock."""
    with store.engine.connect() as conn:
        tz = user_zone(conn, user_id)
    return zone_date(tz, now or utcnow())


@dataclass(frozen=True)
class DayJourneys:
    """One day of a crew member's journeys, with "today" at their branch and its zone."""

    day: dt.date
    today: dt.date
    zone: str
    cards: list[JourneyCard]


def day_journeys(store: LocalStore, user_id: uuid.UUID, day: dt.date) -> DayJourneys:
    """``day``'s journeys of the user, with their branch's today and zone for the header."""
    with store.engine.connect() as conn:
        tz = user_zone(conn, user_id)
    return DayJourneys(day, zone_date(tz, utcnow()), tz, my_journeys(store, user_id, day))


def my_journeys(store: LocalStore, user_id: uuid.UUID, day: dt.date) -> list[JourneyCard]:
    """The user's live journeys of ``day``, in start order (unscheduled ones last)."""
    j, c = table_for("journey"), table_for("journey_crew")
    crews = select(c.c.journey_id).where(c.c.user_id == user_id, c.c.deleted_at.is_(None))
    stmt = select(j).where(
        j.c.deleted_at.is_(None),
        j.c.scheduled_date == day,
        or_(j.c.crew_lead_id == user_id, j.c.id.in_(crews)),
    )
    with store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(stmt).mappings()]
        cards = [_card(conn, row) for row in rows]
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(cards, key=lambda k: (k.start or far, k.number or "", str(k.id)))


def journey_events(conn: Connection, journey_id: uuid.UUID) -> list[EventRow]:
    """A journey's field events, oldest first, with who recorded each."""
    e, u = table_for("journey_event"), table_for("user")
    stmt = (
        select(e, u.c.full_name)
        .join(u, u.c.id == e.c.recorded_by, isouter=True)
        .where(e.c.journey_id == journey_id, e.c.deleted_at.is_(None))
        .order_by(e.c.occurred_at, e.c.id)
    )
    return [
        EventRow(
            r["id"],
            JourneyEventType(r["event_type"]),
            aware(r["occurred_at"]),  # type: ignore[arg-type]
            r["note"],
            dict(r["payload"] or {}),
            r["full_name"] or "",
        )
        for r in conn.execute(stmt).mappings()
    ]


def journey_detail(store: LocalStore, journey_id: uuid.UUID) -> JourneyDetail | None:
    """The journey's header and its timeline, oldest event first."""
    j = table_for("journey")
    with store.engine.connect() as conn:
        row = conn.execute(select(j).where(j.c.id == journey_id)).mappings().first()
        if row is None or row["deleted_at"] is not None:
            return None
        card = _card(conn, dict(row))
        events = journey_events(conn, journey_id)
    return JourneyDetail(card, events)


def fleet_units(store: LocalStore) -> list[Truck]:
    """The branch's live units a crew may inspect, trucks first."""
    q = table_for("equipment")
    stmt = select(q.c.id, q.c.unit_number, q.c.name, q.c.type, q.c.status).where(
        q.c.deleted_at.is_(None), q.c.status.notin_(("RETIRED", "SOLD"))
    )
    with store.engine.connect() as conn:
        units = [
            Truck(r.id, r.unit_number, r.name, str(r.type), str(r.status))
            for r in conn.execute(stmt)
        ]
    return sorted(units, key=lambda t: (t.type != "TRUCK", t.type, t.unit_number))


def stock_lines(store: LocalStore) -> list[StockLine]:
    """Every live stock item of the replica with what is on the shelf now."""
    i = table_for("inventory")
    stmt = select(i.c.id, i.c.sku, i.c.name, i.c.unit).where(i.c.deleted_at.is_(None))
    with store.engine.connect() as conn:
        return sorted(
            (
                StockLine(r.id, r.sku, r.name, r.unit, tidy(on_hand_in(conn, r.id)))
                for r in conn.execute(stmt)
            ),
            key=lambda s: s.name.lower(),
        )


def taken_for(store: LocalStore, journey_id: uuid.UUID) -> dict[uuid.UUID, Decimal]:
    """Gear out with a journey per item (taken minus returned), from its transactions."""
    t = table_for("inventory_transaction")
    stmt = select(t.c.inventory_id, t.c.quantity).where(
        t.c.journey_id == journey_id, t.c.deleted_at.is_(None)
    )
    out: dict[uuid.UUID, Decimal] = {}
    with store.engine.connect() as conn:
        for item, quantity in conn.execute(stmt):
            out[item] = tidy(out.get(item, Decimal(0)) - Decimal(quantity))
    return out


def _card(conn: Connection, row: dict[str, Any]) -> JourneyCard:
    customer = _one(conn, "customer", row["customer_id"]) or {}
    start = aware(row["scheduled_start"])
    hours = row["estimated_hours"]
    end = start + dt.timedelta(hours=float(hours)) if start and hours else None
    truck = _one(conn, "equipment", row["truck_id"]) if row["truck_id"] else None
    return JourneyCard(
        id=row["id"],
        number=row["number"],
        status=str(row["status"]),
        scheduled_date=row["scheduled_date"],
        start=start,
        end=end,
        customer_name=customer_display_name(customer) or "Customer not on this device",
        customer_phone=customer.get("phone"),
        origin=address(row, "origin"),
        destination=address(row, "destination"),
        crew=_crew(conn, row),
        truck=None
        if truck is None
        else Truck(
            truck["id"],
            truck["unit_number"],
            truck["name"],
            str(truck["type"]),
            str(truck["status"]),
        ),
        instructions=row["crew_instructions"],
        signer_name=row["signer_name"],
        zone=location_zone(conn, row["location_id"])[1],
    )


def _crew(conn: Connection, row: dict[str, Any]) -> list[CrewMember]:
    c, u = table_for("journey_crew"), table_for("user")
    stmt = (
        select(c.c.user_id, c.c.crew_role, u.c.full_name)
        .join(u, u.c.id == c.c.user_id, isouter=True)
        .where(c.c.journey_id == row["id"], c.c.deleted_at.is_(None))
    )
    members = {
        r.user_id: CrewMember(r.user_id, r.full_name or "Crew member", str(r.crew_role))
        for r in conn.execute(stmt)
    }
    lead = row["crew_lead_id"]
    if lead is not None and lead not in members:
        user = _one(conn, "user", lead) or {}
        members[lead] = CrewMember(
            lead, str(user.get("full_name") or "Crew lead"), CrewRole.LEAD.value
        )
    return sorted(members.values(), key=lambda m: (_ROLE_ORDER.get(CrewRole(m.role), 9), m.name))


def _one(conn: Connection, table_name: str, row_id: uuid.UUID | None) -> dict[str, Any] | None:
    if row_id is None:
        return None
    t = table_for(table_name)
    found = conn.execute(select(t).where(t.c.id == row_id)).mappings().first()
    return None if found is None else dict(found)
