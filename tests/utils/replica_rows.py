"""Bulk rows for a local replica (UI tests and the UI benchmark): customers, quotes, leads.

Written straight through the replica's table metadata in one transaction,
as a bootstrap would leave them (versioned, server-numbered): this is test
and benchmark *setup*; the code under test only ever reads them.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from client.replica.store import LocalStore
from client.sync.db import replica_tx, table_for
from shared_models.enums import LeadSource, LeadStatus, QuoteStatus
from shared_models.ids import uuid7

FIRST = [
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Charlotte",
    "William",
    "Amelia",
    "Benjamin",
    "Sophia",
    "Lucas",
    "Chloé",
    "Gabriel",
    "Léa",
    "Thomas",
    "Maya",
    "Ethan",
    "Zoé",
    "Samuel",
    "Aisha",
    "Mohammed",
    "Priya",
    "Arjun",
    "Mei",
    "Wei",
    "Sofia",
    "Mateo",
    "Isabelle",
    "Félix",
    "Hannah",
    "Jacob",
    "Nora",
    "Owen",
    "Ava",
    "Logan",
    "Grace",
    "Nathan",
    "Émilie",
    "Raphaël",
]
LAST = [
    "Tremblay",
    "Gagnon",
    "Roy",
    "Côté",
    "Bouchard",
    "Gauthier",
    "Morin",
    "Lavoie",
    "Fortin",
    "Gagné",
    "Smith",
    "Brown",
    "Wilson",
    "MacDonald",
    "Taylor",
    "Campbell",
    "Anderson",
    "Leblanc",
    "Martin",
    "Thompson",
    "Singh",
    "Patel",
    "Nguyen",
    "Chen",
    "Wong",
    "Li",
    "Kim",
    "Rossi",
    "Silva",
    "Kowalski",
    "Novak",
    "Schmidt",
    "O'Brien",
    "Murphy",
    "Sullivan",
    "Fraser",
    "Stewart",
    "Robertson",
    "Ahmed",
    "Khan",
    "Haddad",
    "Dubois",
    "Girard",
    "Pelletier",
]
COMPANIES = (
    "Maple Dental Group",
    "Northwind Logistics",
    "Boreal Software",
    "Lakeshore Law LLP",
    "Prairie Foods",
    "Harbourfront Clinic",
    "Summit Architects",
    "Red River Pharmacy",
)
CITIES = (
    ("Toronto", "ON"),
    ("Ottawa", "ON"),
    ("Mississauga", "ON"),
    ("Hamilton", "ON"),
    ("Montréal", "QC"),
    ("Québec", "QC"),
    ("Vancouver", "BC"),
    ("Victoria", "BC"),
    ("Calgary", "AB"),
    ("Edmonton", "AB"),
    ("Winnipeg", "MB"),
    ("Halifax", "NS"),
)
SIZES = ("Studio", "1-bedroom apartment", "2-bedroom apartment", "3-bedroom house", "Office")


@dataclass
class Filled:
    tenant_id: uuid.UUID
    location_id: uuid.UUID
    user_id: uuid.UUID
    customers: list[uuid.UUID] = field(default_factory=list)
    quotes: list[uuid.UUID] = field(default_factory=list)


def _customer(rng: random.Random, f: Filled, n: int, now: dt.datetime) -> dict[str, Any]:
    city, province = rng.choice(CITIES)
    first, last = rng.choice(FIRST), rng.choice(LAST)
    business = n % 11 == 0
    return {
        "id": uuid7(),
        "tenant_id": f.tenant_id,
        "location_id": f.location_id,
        "version": n + 1,
        "customer_type": "COMMERCIAL" if business else "RESIDENTIAL",
        "first_name": first,
        "last_name": last,
        "company_name": rng.choice(COMPANIES) if business else None,
        "email": f"{first}.{last}{n}@example.ca".lower().replace("'", ""),
        "phone": f"+1 416 555 {n % 10000:04d}",
        "address_line1": f"{rng.randint(1, 999)} {rng.choice(LAST)} St",
        "city": city,
        "province": province,
        "postal_code": "M5V 2T6",
        "created_at": now - dt.timedelta(minutes=n),
        "updated_at": now,
    }


def _quote(
    rng: random.Random, f: Filled, n: int, customer: uuid.UUID, now: dt.datetime
) -> dict[str, Any]:
    (o_city, o_prov), (d_city, d_prov) = rng.choice(CITIES), rng.choice(CITIES)
    subtotal = Decimal(rng.randint(300, 9000))
    tax = (subtotal * Decimal("0.13")).quantize(Decimal("0.01"))
    return {
        "id": uuid7(),
        "tenant_id": f.tenant_id,
        "location_id": f.location_id,
        "version": 1_000_000 + n,
        "number": f"Q-{2026}-{n + 1:06d}",
        "customer_id": customer,
        "created_by": f.user_id,
        "status": rng.choice(list(QuoteStatus)).value,
        "move_date": (now + dt.timedelta(days=rng.randint(-120, 180))).date(),
        "origin_line1": f"{rng.randint(1, 999)} King St",
        "origin_city": o_city,
        "origin_province": o_prov,
        "destination_line1": f"{rng.randint(1, 999)} Queen St",
        "destination_city": d_city,
        "destination_province": d_prov,
        "crew_size": rng.choice((2, 3, 4)),
        "estimated_hours": Decimal(rng.choice((4, 5, 6, 8))),
        "truck_count": 1,
        "subtotal": subtotal,
        "tax_amount": tax,
        "total": subtotal + tax,
        "tax_breakdown": [
            {
                "kind": "HST",
                "label": "HST 13%",
                "rate": "0.13",
                "base": str(subtotal),
                "amount": str(tax),
            }
        ],
        "created_at": now - dt.timedelta(seconds=n * 30),
        "updated_at": now,
    }


def _lead(rng: random.Random, f: Filled, n: int, now: dt.datetime) -> dict[str, Any]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    return {
        "id": uuid7(),
        "tenant_id": f.tenant_id,
        "location_id": f.location_id,
        "version": 2_000_000 + n,
        "contact_name": f"{first} {last}",
        "contact_email": f"{first}.{last}@mail.example".lower().replace("'", ""),
        "status": rng.choice(list(LeadStatus)).value,
        "source": rng.choice(list(LeadSource)).value,
        "move_date": (now + dt.timedelta(days=rng.randint(5, 120))).date(),
        "move_size": rng.choice(SIZES),
        "estimated_value": Decimal(rng.randint(8, 90) * 100),
        "created_at": now - dt.timedelta(hours=n),
        "updated_at": now,
    }


def fill_replica(
    store: LocalStore,
    *,
    customers: int,
    quotes: int = 0,
    leads: int = 0,
    tenant_id: uuid.UUID | None = None,
    seed: int = 6,
) -> Filled:
    """``customers`` customers (quotes spread over them) and ``leads`` leads, one transaction."""
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    f = Filled(tenant_id or uuid7(), uuid7(), uuid7())
    rows = [_customer(rng, f, n, now) for n in range(customers)]
    f.customers = [r["id"] for r in rows]
    with replica_tx(store) as conn:
        if rows:
            conn.execute(table_for("customer").insert(), rows)
        quote_rows = [
            _quote(rng, f, n, f.customers[n % len(f.customers)], now) for n in range(quotes)
        ]
        if quote_rows:
            conn.execute(table_for("quote").insert(), quote_rows)
        f.quotes = [r["id"] for r in quote_rows]
        lead_rows = [_lead(rng, f, n, now) for n in range(leads)]
        if lead_rows:
            conn.execute(table_for("lead").insert(), lead_rows)
    return f


def offline_workspace(
    server_url: str, email: str, passphrase: str, *, customers: int, quotes: int, leads: int = 0
) -> Any:
    """A real encrypted replica of a dispatcher, filled locally and opened like the app does.

    For screens that only read the replica: no server is involved, the
    session is the real one of an account that never synced.
    """
    import json

    from client.replica.unlock import open_user_replica
    from client.services.workspace import open_workspace
    from client.session import META_USER, Profile
    from client.sync.db import META_DEVICE_ID, ensure_sync_schema, set_meta

    user_id = uuid.uuid4()
    store = open_user_replica(
        server_url, email, passphrase_provider=lambda _: passphrase, user_id=str(user_id)
    )
    try:
        ensure_sync_schema(store)
        filled = fill_replica(store, customers=customers, quotes=quotes, leads=leads)
        user = {
            "id": str(user_id),
            "tenant_id": str(filled.tenant_id),
            "email": email,
            "full_name": "Dana Dispatcher",
            "role": "DISPATCHER",
            "scope": "LOCATION",
            "location_id": str(filled.location_id),
        }
        with replica_tx(store) as conn:
            set_meta(conn, META_USER, json.dumps(user))
            set_meta(conn, META_DEVICE_ID, str(uuid.uuid4()))
    finally:
        store.close()
    workspace = open_workspace(Profile(server_url, email, str(user_id)), lambda _: passphrase)
    workspace.prepare()
    return workspace
