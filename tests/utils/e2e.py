"""End-to-end helpers: a small moving company built through the server's real write path.

``build_scene`` makes one tenant with two branches, the people of DESIGN 4
(admin, dispatchers, crew leads) and a few jobs, written with the
``SyncWriter`` so that every row has a version, an audit entry and its bucket
memberships exactly as if a client had pushed it. ``ServerDb`` reads the
server's truth back (rows, audit log) and writes as an office user would.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
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

from shared_models.enums import Province, UserRole
from shared_models.ids import uuid7
from shared_models.models import Location, TaxRate, User
from shared_models.permissions import default_home_scope
from shared_models.rules import CANADIAN_TAX_RATES_2026
from shared_models.sync.codec import synced_table
from sync_server.admin.accounts import create_tenant
from sync_server.core.db import create_db_engine, session_scope
from sync_server.sync.membership import rebuild_memberships
from sync_server.sync.writer import Actor, SyncWriter
from tests.utils.auth import Account, _password_hash

UTC = dt.UTC
REPO = Path(__file__).resolve().parents[2]

#: name -> (role, branch index). Crew leads work at branch 0, like the dispatcher ``disp``.
PEOPLE: dict[str, tuple[UserRole, int]] = {
    "admin": (UserRole.ADMIN, 0),
    "disp": (UserRole.DISPATCHER, 0),
    "disp1": (UserRole.DISPATCHER, 1),
    "lead1": (UserRole.CREW_LEAD, 0),
    "lead2": (UserRole.CREW_LEAD, 0),
}

#: Customer surnames distinctive enough to grep a raw file for.
CUSTOMERS: dict[str, tuple[str, int]] = {
    "c1": ("Abernathy-Quillfeather", 0),
    "c2": ("Bellweather-Oakhurst", 0),
    "c3": ("Crowfoot-Lindqvist", 0),
    "c4": ("Eastbrook-Marchetti", 1),
}


@dataclass
class Scene:
    """Ids of everything built, by short name (``rows['j1']``), and the accounts."""

    db_url: str
    tenant_id: uuid.UUID
    locations: list[uuid.UUID]
    accounts: dict[str, Account] = field(default_factory=dict)
    rows: dict[str, uuid.UUID] = field(default_factory=dict)

    def user(self, name: str) -> uuid.UUID:
        return self.accounts[name].id

    def ids(self, *names: str) -> set[str]:
        return {str(self.rows[n]) for n in names}


class ServerDb:
    """The server's database as the tests see it: read rows and audit, write as a user."""

    def __init__(self, db_url: str) -> None:
        self.engine: Engine = create_db_engine(db_url)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def writer(
        self, tenant_id: uuid.UUID, user_id: uuid.UUID | None = None, role: str | None = None
    ) -> Iterator[SyncWriter]:
        """One committed transaction through the server's single write path."""
        with session_scope(self.engine) as session:
            w = SyncWriter(session, Actor(tenant_id, user_id, None, role))
            yield w
            w.finish()

    def row(self, table: str, row_id: uuid.UUID | str) -> dict[str, Any] | None:
        t = synced_table(table)
        with Session(self.engine) as s:
            found = s.execute(select(t).where(t.c.id == uuid.UUID(str(row_id)))).mappings().first()
        return None if found is None else dict(found)

    def audit(self, table: str, row_id: uuid.UUID | str) -> list[dict[str, Any]]:
        with Session(self.engine) as s:
            rows = (
                s.execute(
                    text(
                        "SELECT action, mutation_id, device_id, user_id, version, before, after"
                        " FROM audit_log WHERE table_name = :t AND row_id = :r ORDER BY version"
                    ),
                    {"t": table, "r": uuid.UUID(str(row_id))},
                )
                .mappings()
                .all()
            )
        return [dict(r) for r in rows]

    def scalar(self, sql: str, **params: Any) -> Any:
        with Session(self.engine) as s:
            return s.execute(text(sql), params).scalar()


def _location(session: Session, tenant_id: uuid.UUID, code: str) -> Location:
    loc = Location(
        tenant_id=tenant_id,
        name=f"Branch {code}",
        code=code,
        address_line1="1 Front St W",
        city="Toronto",
        province=Province.ON,
        postal_code="M5J 2X5",
        timezone="America/Toronto",
    )
    session.add(loc)
    session.flush()
    return loc


def build_scene(db_url: str, slug: str = "acme") -> Scene:
    """Tenant ``slug``: 2 branches, PEOPLE, customers c1-c4, quotes, trucks, jobs, stock.

    Jobs: j1 (c1, q1, truck t1) and j3 (c1, no quote) led by lead1; j2 (c2, q2,
    t2) led by lead2; j4 at branch 1. qa is c3's ACCEPTED quote, qs c2's SENT one.
    Stock: inventory ``blankets`` at branch 0 with +100 received.
    """
    engine = create_db_engine(db_url)
    try:
        with session_scope(engine) as session:
            tenant = create_tenant(session, name=slug.title(), slug=slug)
            locs = [_location(session, tenant.id, f"L{i}") for i in range(2)]
            scene = Scene(db_url, tenant.id, [loc.id for loc in locs])
            for name, (role, where) in PEOPLE.items():
                user = User(
                    tenant_id=tenant.id,
                    location_id=locs[where].id,
                    email=f"{name}@{slug}.example",
                    full_name=f"{name.title()} Person",
                    role=role,
                    scope=default_home_scope(role),
                    password_hash=_password_hash(),
                )
                session.add(user)
                session.flush()
                scene.accounts[name] = Account(id=user.id, tenant_id=tenant.id, email=user.email)
            for r in CANADIAN_TAX_RATES_2026:
                session.add(
                    TaxRate(
                        tenant_id=tenant.id,
                        province=r.province,
                        kind=r.kind,
                        rate=r.rate,
                        effective_from=r.effective_from,
                        effective_to=r.effective_to,
                        label=r.label,
                    )
                )
            session.flush()
            rebuild_memberships(session, tenant.id)
        server = ServerDb(db_url)
        try:
            with server.writer(tenant.id, scene.user("admin"), "ADMIN") as w:
                _populate(w, scene)
        finally:
            server.close()
        return scene
    finally:
        engine.dispose()


def _populate(w: SyncWriter, s: Scene) -> None:
    def put(key: str, table: str, **values: Any) -> uuid.UUID:
        row_id = s.rows[key] = uuid7()
        w.insert(table, {"id": row_id, **values})
        return row_id

    loc = s.locations
    for name, (last, where) in CUSTOMERS.items():
        put(
            name,
            "customer",
            location_id=loc[where],
            first_name="Zéphyrin",
            last_name=last,
            email=f"{name}@mail.example",
            notes="orig",
        )
    quotes = {
        "q1": ("c1", 0, "DRAFT"),
        "q2": ("c2", 0, "DRAFT"),
        "qs": ("c2", 0, "SENT"),
        "qa": ("c3", 0, "ACCEPTED"),
        "q4": ("c4", 1, "DRAFT"),
    }
    for name, (cust, where, status) in quotes.items():
        put(
            name,
            "quote",
            location_id=loc[where],
            customer_id=s.rows[cust],
            created_by=s.user("disp" if where == 0 else "disp1"),
            status=status,
            notes="orig",
            origin_city="Toronto",
            move_date=dt.date(2026, 6, 1),
        )
        put(
            f"{name}.item",
            "quote_item",
            quote_id=s.rows[name],
            category="MOVING_SERVICES",
            description="Two movers, one truck",
            quantity=Decimal(3),
            unit_price=Decimal("149.50"),
            sort_order=0,
        )
    for name, where in (("t1", 0), ("t2", 0), ("t4", 1)):
        put(
            name,
            "equipment",
            location_id=loc[where],
            unit_number=name.upper(),
            name=f"Truck {name}",
            type="TRUCK",
        )
    jobs = {
        "j1": ("c1", "q1", "t1", "lead1", 0),
        "j3": ("c1", None, None, "lead1", 0),
        "j2": ("c2", "q2", "t2", "lead2", 0),
        "j4": ("c4", "q4", "t4", None, 1),
    }
    for name, (cust, quote, truck, lead, where) in jobs.items():
        put(
            name,
            "journey",
            location_id=loc[where],
            customer_id=s.rows[cust],
            quote_id=s.rows.get(quote) if quote else None,
            truck_id=s.rows[truck] if truck else None,
            crew_lead_id=s.user(lead) if lead else None,
            scheduled_date=dt.date(2026, 6, 2),
            origin_line1="2 Elm St",
            origin_city="Toronto",
            notes="orig",
        )
        put(
            f"{name}.event",
            "journey_event",
            journey_id=s.rows[name],
            event_type="ARRIVED_ORIGIN",
            occurred_at=dt.datetime(2026, 6, 2, 8, tzinfo=UTC),
            recorded_by=s.user(lead or "disp1"),
        )
    put("blankets", "inventory", location_id=loc[0], sku="BLANKET", name="Moving blanket")
    put(
        "blankets.in",
        "inventory_transaction",
        inventory_id=s.rows["blankets"],
        type="PURCHASE",
        quantity=Decimal(100),
        occurred_at=dt.datetime(2026, 5, 1, tzinfo=UTC),
        performed_by=s.user("admin"),
    )


def add_person(w: SyncWriter, scene: Scene, key: str, role: str, **extra: Any) -> uuid.UUID:
    """A user of the scene's first branch, who signs in as ``scene.accounts[key]``."""
    user_id = uuid7()
    email = f"{key}@acme.example"
    w.insert(
        "user",
        {
            "id": user_id,
            "email": email,
            "full_name": f"{key.title()} Person",
            "role": role,
            "scope": "LOCATION" if role == "DISPATCHER" else "OWN",
            "location_id": scene.locations[0],
            "password_hash": _password_hash(),
            **extra,
        },
    )
    scene.accounts[key] = Account(user_id, scene.tenant_id, email)
    return user_id


def add_journey(
    w: SyncWriter, scene: Scene, day: dt.date, start: dt.datetime, **extra: Any
) -> uuid.UUID:
    """A four-hour move of the scene's first customer from its first branch."""
    journey_id = uuid7()
    w.insert(
        "journey",
        {
            "id": journey_id,
            "location_id": scene.locations[0],
            "customer_id": scene.rows["c1"],
            "scheduled_date": day,
            "scheduled_start": start,
            "estimated_hours": Decimal(4),
            "origin_line1": "2 Elm St",
            "origin_city": "Toronto",
            **extra,
        },
    )
    return journey_id


@contextmanager
def server_process(db_url: str, data_dir: Path, **secrets: str) -> Iterator[str]:
    """``cnc-server``'s own entry point in a separate OS process on 127.0.0.1; yields its URL.

    ``secrets`` (secret_key, encryption_key) must be those of the other processes of the
    pool: tokens issued by one are checked by another.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CNC_") and k != "DATABASE_URL"}
    env.update(
        CNC_DATABASE_URL=db_url,
        CNC_ENVIRONMENT="test",
        CNC_HOST="127.0.0.1",
        CNC_PORT=str(port),
        CNC_DATA_DIR=str(data_dir),
        PYTHONPATH=str(REPO),
        **{f"CNC_{k.upper()}": v for k, v in secrets.items()},
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", "from sync_server.core.server import run_server; run_server()"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server process exited: {proc.stderr.read()[-2000:]}")
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not become healthy")
            time.sleep(0.1)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
