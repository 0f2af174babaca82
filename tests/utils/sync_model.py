"""Helpers of the model-based sync test (``tests/e2e/test_sync_model.py``).

A fresh tenant per example on one shared server and database (cheap: a few
inserts, no CREATE DATABASE, no server restart), a fault-injecting httpx
transport, laptops with real SQLCipher replicas behind a passphrase, and the
server's own view of a user's scope to compare replicas with.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from client.replica import LocalStore
from client.replica.paths import DATA_DIR_ENV
from client.replica.schema import bucket_state, row_bucket
from client.services import LocalWriteService
from client.session import ClientSession, sign_in
from client.sync import outbox, rejections
from client.sync.clock import DeviceClock
from client.sync.db import META_NEXT_MUTATION_ID, get_meta, table_for
from client.sync.engine import SyncEngine
from client.sync.protocol import HttpSyncProtocol
from shared_models.enums import Province, UserRole
from shared_models.models import Location, User
from shared_models.permissions import default_home_scope
from shared_models.rules import CANADIAN_TAX_RATES_2026
from shared_models.sync.buckets import bucketed_tables
from shared_models.sync.codec import encode_row, synced_table
from sync_server.admin.accounts import create_tenant
from sync_server.core.db import session_scope
from sync_server.sync.membership import rebuild_memberships
from sync_server.sync.membership_rules import evaluate
from sync_server.sync.scope import user_buckets
from sync_server.sync.writer import Actor, SyncWriter
from tests.utils.auth import PASSWORD, _password_hash

PASSPHRASE = "model based sync passphrase"
UTC = dt.UTC


# -- network faults ------------------------------------------------------------------------


@dataclass
class Fault:
    """Fail the next ``remaining`` requests whose path starts with ``path``.

    ``drop``: the request never leaves the laptop (connection refused).
    ``lose``: the server receives and processes it, the answer never arrives.
    """

    mode: str  # "drop" | "lose"
    path: str = "/v1/sync/"
    remaining: int = 1


class FaultyTransport(httpx.BaseTransport):
    """The real transport, with faults the state machine switches on and off.

    Only ``/v1/sync/*`` is ever faulted by the model: a lost *refresh* answer
    would strand the rotated token and end the session by design (reuse of a
    spent refresh token revokes the family), which is not what this test is about.
    """

    def __init__(self) -> None:
        self.real = httpx.HTTPTransport()
        self.fault: Fault | None = None
        self.injected: list[tuple[str, str]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        fault = self.fault
        if fault is not None and fault.remaining > 0 and request.url.path.startswith(fault.path):
            fault.remaining -= 1
            if fault.remaining <= 0:
                self.fault = None
            self.injected.append((fault.mode, request.url.path))
            if fault.mode == "drop":
                raise httpx.ConnectError("injected: connection refused", request=request)
            response = self.real.handle_request(request)
            response.read()  # the server has done its work ...
            response.close()
            raise httpx.ReadError("injected: connection reset before the answer", request=request)
        return self.real.handle_request(request)

    def close(self) -> None:
        self.real.close()


# -- the world of one example ------------------------------------------------------------------


@dataclass
class ModelWorld:
    """One tenant: two branches, four people, a few jobs (ids by name)."""

    tenant_id: uuid.UUID
    locations: list[uuid.UUID]
    users: dict[str, uuid.UUID] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)
    rows: dict[str, uuid.UUID] = field(default_factory=dict)


def _user(
    session: Session, tenant_id: uuid.UUID, location_id: uuid.UUID, email: str, role: UserRole
) -> uuid.UUID:
    # One cached argon2 hash: hashing per example would cost more than the example.
    user = User(
        tenant_id=tenant_id,
        location_id=location_id,
        email=email,
        full_name=email.split("@")[0].title(),
        role=role,
        scope=default_home_scope(role),
        password_hash=_password_hash(),
    )
    session.add(user)
    session.flush()
    return user.id


def seed_world(engine: Engine, slug: str) -> ModelWorld:
    """A fresh tenant written through the server's own ``SyncWriter`` (versions, audit, buckets).

    Branch 0: dispatcher, admin, two crew leads; customers c0..c2, quotes q0 (c0) and q1 (c1)
    with an item each, journeys j0 (lead1, c0/q0) and j1 (lead2, c1/q1), stock item inv0.
    Branch 1: customer c3 with quote q3, journey j3 led by lead1 (the lead's scope
    crosses branches, the branch-0 dispatcher's does not), stock item inv1.
    """
    with session_scope(engine) as session:
        tenant = create_tenant(session, name=f"Model {slug}", slug=slug)
        locations = []
        for code in ("L0", "L1"):
            loc = Location(
                tenant_id=tenant.id,
                name=f"Branch {code}",
                code=code,
                address_line1="1 Main St",
                city="Toronto",
                province=Province.ON,
                postal_code="M5J 2X5",
                timezone="America/Toronto",
            )
            session.add(loc)
            session.flush()
            locations.append(loc.id)
        world = ModelWorld(tenant.id, locations)
        people = {
            "disp": (UserRole.DISPATCHER, 0),
            "admin": (UserRole.ADMIN, 0),
            "lead1": (UserRole.CREW_LEAD, 0),
            "lead2": (UserRole.CREW_LEAD, 0),
        }
        for name, (role, where) in people.items():
            email = f"{name}@{slug}.example"
            world.emails[name] = email
            world.users[name] = _user(session, tenant.id, locations[where], email, role)
        # The ORM rows above (tenant, branches, people, grants) enter their buckets here,
        # as ``cnc-server`` seeding does; everything after goes through the writer.
        rebuild_memberships(session, tenant.id)
        writer = SyncWriter(session, Actor(tenant.id, world.users["admin"], None, "ADMIN"))
        rows = world.rows

        def add(key: str, table: str, **values: Any) -> None:
            rows[key] = writer.insert(table, values)["id"]

        for rate in CANADIAN_TAX_RATES_2026:  # quote totals need the tax table
            writer.insert(
                "tax_rate",
                {
                    "province": rate.province,
                    "kind": rate.kind,
                    "rate": rate.rate,
                    "label": rate.label,
                    "effective_from": rate.effective_from,
                    "effective_to": rate.effective_to,
                },
            )
        for name, loc in (("c0", 0), ("c1", 0), ("c2", 0), ("c3", 1)):
            add(
                name,
                "customer",
                location_id=locations[loc],
                last_name=name.upper(),
                first_name="Model",
                email=f"{name}@mail.example",
                city="Toronto",
            )
        for q, c, loc, by in (
            ("q0", "c0", 0, "disp"),
            ("q1", "c1", 0, "disp"),
            ("q3", "c3", 1, "admin"),
        ):
            add(
                q,
                "quote",
                location_id=locations[loc],
                customer_id=rows[c],
                created_by=world.users[by],
                move_date=dt.date(2026, 6, 1),
                notes="initial",
            )
            add(
                f"{q}.item",
                "quote_item",
                quote_id=rows[q],
                category="MOVING_SERVICES",
                description="Three movers",
                quantity=Decimal(3),
                unit_price=Decimal("120.00"),
                line_total=Decimal("360.00"),
            )
        for j, c, q, loc, lead in (
            ("j0", "c0", "q0", 0, "lead1"),
            ("j1", "c1", "q1", 0, "lead2"),
            ("j3", "c3", "q3", 1, "lead1"),
        ):
            add(
                j,
                "journey",
                location_id=locations[loc],
                customer_id=rows[c],
                quote_id=rows[q],
                scheduled_date=dt.date(2026, 6, 1),
                origin_line1="2 Elm St",
                origin_city="Toronto",
                crew_lead_id=world.users[lead],
            )
        for inv, loc in (("inv0", 0), ("inv1", 1)):
            add(inv, "inventory", location_id=locations[loc], sku=f"BOX-{inv}", name="Box")
        writer.finish()
    return world


# -- laptops ----------------------------------------------------------------------------------


@dataclass
class Laptop:
    """One signed-in client: replica, session, engine, write service, fault switch."""

    name: str
    user_id: uuid.UUID
    location_id: uuid.UUID
    store: LocalStore
    session: ClientSession
    engine: SyncEngine
    writes: LocalWriteService
    protocol: HttpSyncProtocol
    transport: FaultyTransport
    generated: list[int] = field(default_factory=list)

    @property
    def device_id(self) -> uuid.UUID:
        return uuid.UUID(str(self.session.device_id))

    def last_mutation_id(self) -> int:
        with self.store.engine.connect() as conn:
            return int(get_meta(conn, META_NEXT_MUTATION_ID) or 1) - 1

    def live_ids(self, table: str) -> list[uuid.UUID]:
        """Ids of the live rows of ``table`` this laptop shows (server state + its edits).

        In creation order, so that a replayed example picks the same rows (ids are random).
        """
        t = table_for(table)
        with self.store.engine.connect() as conn:
            found = conn.execute(
                select(t.c.id).where(t.c.deleted_at.is_(None)).order_by(t.c.created_at, t.c.id)
            )
            return [r[0] for r in found]

    def close(self) -> None:
        if not self.store.closed:
            self.store.close()
        self.protocol.close()


@contextmanager
def _data_dir(path: Path) -> Iterator[None]:
    previous = os.environ.get(DATA_DIR_ENV)
    os.environ[DATA_DIR_ENV] = str(path)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(DATA_DIR_ENV, None)
        else:
            os.environ[DATA_DIR_ENV] = previous


def open_laptop(base_url: str, world: ModelWorld, name: str, data_dir: Path) -> Laptop:
    """Sign in over real HTTP; the replica is SQLCipher with a passphrase-wrapped random key."""
    transport = FaultyTransport()
    protocol = HttpSyncProtocol(base_url, transport, timeout=30.0)
    with _data_dir(data_dir):
        store, session, _ = sign_in(
            base_url,
            world.emails[name],
            PASSWORD,
            protocol=protocol,
            passphrase_provider=lambda _: PASSPHRASE,
            device_name=name,
        )
    user = session.user
    engine = SyncEngine(store, protocol, session, device_id=str(session.device_id))
    writes = LocalWriteService(
        store,
        user_id=user["id"],
        tenant_id=user["tenant_id"],
        device_id=session.device_id,
        hlc=DeviceClock.for_store(store),
    )
    return Laptop(
        name,
        uuid.UUID(user["id"]),
        uuid.UUID(user["location_id"]),
        store,
        session,
        engine,
        writes,
        protocol,
        transport,
    )


# -- what the replica holds, and what the server says it should hold --------------------------


def _wire(table: str, row: dict[str, Any]) -> dict[str, Any]:
    return encode_row(synced_table(table), row)


def replica_view(laptop: Laptop) -> dict[tuple[str, str], dict[str, Any]]:
    """Every synced row of the replica, wire-encoded, by ``(table, id)``."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    with laptop.store.engine.connect() as conn:
        for table in sorted(bucketed_tables()):
            t = table_for(table)
            for row in conn.execute(select(t)).mappings():
                out[(table, str(row["id"]))] = _wire(table, dict(row))
    return out


def replica_buckets(laptop: Laptop) -> tuple[set[str], set[tuple[str, str, str]]]:
    """The subscribed bucket names and the stored memberships ``(bucket, table, id)``."""
    with laptop.store.engine.connect() as conn:
        names = {r[0] for r in conn.execute(select(bucket_state.c.bucket))}
        members = {
            (b, t, str(uuid.UUID(str(r))))
            for b, t, r in conn.execute(
                select(row_bucket.c.bucket, row_bucket.c.table_name, row_bucket.c.row_id)
            )
        }
    return names, members


def replica_queues(laptop: Laptop) -> tuple[list[int], list[rejections.Rejection]]:
    with laptop.store.engine.connect() as conn:
        return ([m.mutation_id for m in outbox.pending(conn)], rejections.unresolved(conn))


@dataclass
class ServerView:
    buckets: set[str]
    members: set[tuple[str, str, str]]
    rows: dict[tuple[str, str], dict[str, Any]]


def server_view(session: Session, user_id: uuid.UUID) -> ServerView:
    """The user's scope by the server's own rules: their buckets, live entries, current rows."""
    user = session.get(User, user_id)
    assert user is not None
    names = set(user_buckets(session, user))
    entries = session.execute(
        text(
            "SELECT bucket, table_name, row_id FROM bucket_membership"
            " WHERE tenant_id = :t AND NOT removed AND bucket = ANY(:b)"
        ),
        {"t": user.tenant_id, "b": sorted(names)},
    ).all()
    members = {(b, t, str(r)) for b, t, r in entries}
    by_table: dict[str, set[uuid.UUID]] = {}
    for _, table, row_id in entries:
        by_table.setdefault(table, set()).add(row_id)
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for table, ids in by_table.items():
        t = synced_table(table)
        for row in session.execute(select(t).where(t.c.id.in_(ids))).mappings():
            rows[(table, str(row["id"]))] = _wire(table, dict(row))
    return ServerView(names, members, rows)


def membership_drift(session: Session, tenant_id: uuid.UUID) -> tuple[set[Any], set[Any]]:
    """``(missing, extra)``: live log entries vs the rules evaluated from scratch."""
    truth = {(b, t, str(r)) for b, t, r in evaluate(session, tenant_id)}
    log = {
        (b, t, str(r))
        for b, t, r in session.execute(
            text(
                "SELECT bucket, table_name, row_id FROM bucket_membership"
                " WHERE tenant_id = :t AND NOT removed"
            ),
            {"t": tenant_id},
        )
    }
    return truth - log, log - truth


def receipts(session: Session, device_id: uuid.UUID) -> dict[int, tuple[str, str | None]]:
    """``{mutation_id: (status, reason)}`` the server recorded for a device."""
    found = session.execute(
        text("SELECT mutation_id, status, reason FROM mutation_receipt WHERE device_id = :d"),
        {"d": device_id},
    )
    return {int(m): (s, r) for m, s, r in found}


def audit_counts(session: Session, device_id: uuid.UUID) -> dict[int | None, int]:
    """``{mutation_id: number of audit rows}`` written for a device."""
    found = session.execute(
        text(
            "SELECT mutation_id, count(*) FROM audit_log WHERE device_id = :d GROUP BY mutation_id"
        ),
        {"d": device_id},
    )
    return {(None if m is None else int(m)): int(n) for m, n in found}
