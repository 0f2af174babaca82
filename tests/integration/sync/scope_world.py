"""A small two-tenant world for scope tests, and writes done the way the SyncWriter does them.

Writes: one transaction that takes the tenant lock, draws a version, writes the
rows with Core and calls ``update_memberships`` (DESIGN 3/4).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, insert, text, update
from sqlalchemy.orm import Session

from shared_models.enums import Province, UserRole
from shared_models.ids import uuid7
from shared_models.models import Location
from shared_models.sync.codec import synced_table
from sync_server.admin.accounts import create_tenant, create_user
from sync_server.core.db import session_scope
from sync_server.db.versioning import next_versions
from sync_server.sync.live import notify_buckets
from sync_server.sync.locks import lock_tenant_for_write
from sync_server.sync.membership import rebuild_memberships, update_memberships
from tests.utils.auth import PASSWORD, Account

Change = tuple[str, str, dict[str, Any]]  # (op, table, values incl. id)
UTC = dt.UTC


def write(
    session: Session, tenant_id: uuid.UUID, changes: Iterable[Change], *, lock: bool = True
) -> int:
    """Apply ``changes`` in the caller's transaction as the writer would; returns the version."""
    if lock:
        lock_tenant_for_write(session, tenant_id)
    (version,) = next_versions(session, 1)
    _apply(session, tenant_id, changes, version)
    return version


def _apply(session: Session, tenant_id: uuid.UUID, changes: Iterable[Change], version: int) -> None:
    changed: dict[str, set[uuid.UUID]] = {}
    now = dt.datetime.now(UTC)
    for op, table_name, values in changes:
        table = synced_table(table_name)
        row = {**values, "version": version, "updated_at": now}
        if op == "insert":
            session.execute(insert(table).values(tenant_id=tenant_id, **row))
        else:
            if op == "delete":
                row["deleted_at"] = now
            row_id = row.pop("id")
            session.execute(update(table).where(table.c.id == row_id).values(**row))
            row["id"] = row_id
        changed.setdefault(table_name, set()).add(row["id"])
    notify_buckets(session, tenant_id, update_memberships(session, tenant_id, changed, version))


def commit(engine: Engine, tenant_id: uuid.UUID, *changes: Change) -> int:
    with session_scope(engine) as session:
        return write(session, tenant_id, changes)


@dataclass
class TenantWorld:
    id: uuid.UUID
    locations: list[uuid.UUID]
    accounts: dict[str, Account] = field(default_factory=dict)
    rows: dict[str, uuid.UUID] = field(default_factory=dict)

    def user(self, name: str) -> uuid.UUID:
        return self.accounts[name].id


def _location(session: Session, tenant_id: uuid.UUID, code: str) -> Location:
    location = Location(
        tenant_id=tenant_id,
        name=f"Branch {code}",
        code=code,
        address_line1="1 Main St",
        city="Toronto",
        province=Province.ON,
        postal_code="M5J 2X5",
        timezone="America/Toronto",
    )
    session.add(location)
    session.flush()
    return location


def make_tenant(
    engine: Engine, slug: str, users: dict[str, tuple[UserRole, int]], n_locations: int = 2
) -> TenantWorld:
    """A tenant with ``n_locations`` branches and users ``name -> (role, location index)``."""
    with session_scope(engine) as session:
        tenant = create_tenant(session, name=slug.title(), slug=slug)
        locations = [_location(session, tenant.id, f"L{i}") for i in range(n_locations)]
        world = TenantWorld(tenant.id, [loc.id for loc in locations])
        for name, (role, where) in users.items():
            user = create_user(
                session,
                tenant=tenant,
                location=locations[where],
                email=f"{name}@{slug}.example",
                full_name=f"{name.title()} Person",
                role=role,
                password=PASSWORD,
            )
            world.accounts[name] = Account(id=user.id, tenant_id=tenant.id, email=user.email)
        session.flush()
        rebuild_memberships(session, tenant.id)
    return world


def customer(tenant: TenantWorld, loc: int, name: str) -> Change:
    row_id = tenant.rows[name] = uuid7()
    return (
        "insert",
        "customer",
        {
            "id": row_id,
            "location_id": tenant.locations[loc],
            "last_name": name.title(),
            "email": f"{name}@mail.example",
        },
    )


def quote(tenant: TenantWorld, loc: int, name: str, customer_name: str, by: str) -> list[Change]:
    row_id = tenant.rows[name] = uuid7()
    out: list[Change] = [
        (
            "insert",
            "quote",
            {
                "id": row_id,
                "location_id": tenant.locations[loc],
                "customer_id": tenant.rows[customer_name],
                "created_by": tenant.user(by),
            },
        )
    ]
    for i in range(2):
        item = tenant.rows[f"{name}.item{i}"] = uuid7()
        out.append(
            (
                "insert",
                "quote_item",
                {
                    "id": item,
                    "quote_id": row_id,
                    "category": "MOVING_SERVICES",
                    "description": f"Line {i}",
                    "unit_price": Decimal("149.50"),
                    "line_total": Decimal("299.00"),
                    "sort_order": i,
                },
            )
        )
    return out


def truck(tenant: TenantWorld, loc: int, name: str, checked_by: str) -> list[Change]:
    row_id = tenant.rows[name] = uuid7()
    check = tenant.rows[f"{name}.check"] = uuid7()
    return [
        (
            "insert",
            "equipment",
            {
                "id": row_id,
                "location_id": tenant.locations[loc],
                "unit_number": name.upper(),
                "name": f"Truck {name}",
                "type": "TRUCK",
            },
        ),
        (
            "insert",
            "equipment_check",
            {
                "id": check,
                "equipment_id": row_id,
                "performed_by": tenant.user(checked_by),
                "performed_at": dt.datetime(2026, 5, 1, 7, tzinfo=UTC),
                "overall_result": "PASS",
            },
        ),
    ]


def journey(
    tenant: TenantWorld,
    loc: int,
    name: str,
    *,
    customer_name: str,
    quote_name: str,
    truck_name: str | None,
    crew: list[str],
) -> list[Change]:
    row_id = tenant.rows[name] = uuid7()
    out: list[Change] = [
        (
            "insert",
            "journey",
            {
                "id": row_id,
                "location_id": tenant.locations[loc],
                "customer_id": tenant.rows[customer_name],
                "quote_id": tenant.rows[quote_name],
                "truck_id": tenant.rows[truck_name] if truck_name else None,
                "scheduled_date": dt.date(2026, 5, 2),
                "origin_line1": "2 Elm St",
                "origin_city": "Toronto",
            },
        )
    ]
    for member in crew:
        crew_id = tenant.rows[f"{name}.crew.{member}"] = uuid7()
        out.append(
            (
                "insert",
                "journey_crew",
                {
                    "id": crew_id,
                    "journey_id": row_id,
                    "user_id": tenant.user(member),
                    "crew_role": "LEAD",
                },
            )
        )
    event = tenant.rows[f"{name}.event"] = uuid7()
    out.append(
        (
            "insert",
            "journey_event",
            {
                "id": event,
                "journey_id": row_id,
                "event_type": "ARRIVED_ORIGIN",
                "occurred_at": dt.datetime(2026, 5, 2, 8, tzinfo=UTC),
                "recorded_by": tenant.user(crew[0]),
            },
        )
    )
    return out


def server_view(session: Session, tenant_id: uuid.UUID, buckets: Iterable[str]) -> dict:
    """``{bucket: {(table, id): row version}}`` of live entries, straight from the server."""
    out: dict[str, dict[tuple[str, str], int]] = {b: {} for b in buckets}
    rows = session.execute(
        text(
            "SELECT bucket, table_name, row_id FROM bucket_membership"
            " WHERE tenant_id = :t AND NOT removed AND bucket = ANY(:b)"
        ),
        {"t": tenant_id, "b": list(out)},
    )
    for bucket, table, row_id in rows:
        version = session.execute(
            text(f'SELECT version FROM "{table}" WHERE id = :id'), {"id": row_id}
        ).scalar_one()
        out[bucket][(table, str(row_id))] = version
    return out


def populate(engine: Engine) -> tuple[TenantWorld, TenantWorld]:
    """Tenant acme (2 branches: admin, dispatchers, two crew leads, jobs) and tenant birch."""
    R = UserRole
    a = make_tenant(
        engine,
        "acme",
        {
            "admin": (R.ADMIN, 0),
            "disp": (R.DISPATCHER, 0),
            "lead1": (R.CREW_LEAD, 0),
            "lead2": (R.CREW_LEAD, 0),
            "disp2": (R.DISPATCHER, 1),
        },
    )
    b = make_tenant(engine, "birch", {"bossb": (R.ADMIN, 0)}, n_locations=1)
    commit(
        engine,
        a.id,
        customer(a, 0, "c1"),
        customer(a, 0, "c2"),
        customer(a, 0, "c3"),
        customer(a, 1, "c4"),
    )
    commit(
        engine,
        a.id,
        *quote(a, 0, "q1", "c1", "disp"),
        *quote(a, 0, "q1b", "c1", "disp"),
        *quote(a, 0, "q2", "c2", "disp"),
        *quote(a, 0, "q3", "c3", "disp"),
        *quote(a, 1, "q4", "c4", "disp2"),
    )
    commit(
        engine,
        a.id,
        *truck(a, 0, "t1", "lead1"),
        *truck(a, 0, "t2", "lead2"),
        *truck(a, 1, "t4", "lead2"),
    )
    commit(
        engine,
        a.id,
        *journey(a, 0, "j1", customer_name="c1", quote_name="q1", truck_name="t1", crew=["lead1"]),
    )
    commit(
        engine,
        a.id,
        *journey(a, 0, "j3", customer_name="c1", quote_name="q1b", truck_name=None, crew=["lead1"]),
    )
    commit(
        engine,
        a.id,
        *journey(a, 0, "j2", customer_name="c2", quote_name="q2", truck_name="t2", crew=["lead2"]),
    )
    commit(
        engine,
        a.id,
        *journey(a, 1, "j4", customer_name="c4", quote_name="q4", truck_name="t4", crew=["lead2"]),
    )
    commit(engine, b.id, customer(b, 0, "cb"), *quote(b, 0, "qb", "cb", "bossb"))
    return a, b
