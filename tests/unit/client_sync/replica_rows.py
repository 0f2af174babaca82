"""Server rows placed in a test replica as a pull would deliver them, and the ids they use.

The service unit tests need rows "from the server" without one: tests of the
sync engine itself talk to the real server over HTTP (tests/e2e/test_engine_e2e.py).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from client.replica import LocalStore
from client.sync.db import replica_tx, table_for
from client.sync.rows import upsert_wire_rows
from shared_models.sync.codec import encode_row, synced_table

TENANT = uuid.UUID("0190a000-0000-7000-8000-000000000001")
LOCATION = uuid.UUID("0190a000-0000-7000-8000-000000000002")
USER = uuid.UUID("0190a000-0000-7000-8000-000000000003")
BUCKET = f"location_sales:{LOCATION}"
NOW = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)


def customer_data(row_id: uuid.UUID, last_name: str, **extra: Any) -> dict[str, Any]:
    """A wire-encoded customer of LOCATION, every column present, as a pull delivers it."""
    created = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    row = {
        "id": row_id,
        "tenant_id": TENANT,
        "location_id": LOCATION,
        "customer_type": "RESIDENTIAL",
        "last_name": last_name,
        "first_name": None,
        "company_name": None,
        "email": None,
        "phone": None,
        "city": None,
        "country": "CA",
        "preferred_language": "en",
        "tax_exempt": False,
        "is_active": True,
        "created_at": created,
        "updated_at": created,
        "deleted_at": None,
        "version": 0,
        **extra,
    }
    table = synced_table("customer")
    return encode_row(table, {c.name: row.get(c.name) for c in table.columns})


def put_rows(store: LocalStore, table: str, rows: list[dict[str, Any]]) -> None:
    """Every column, server-versioned, wire-encoded (defaults filled in)."""
    t = table_for(table)
    full = []
    for values in rows:
        row: dict[str, Any] = {c.name: None for c in t.columns}
        for column in t.columns:
            default = column.default
            if default is not None and getattr(default, "is_scalar", False):
                row[column.name] = default.arg  # type: ignore[attr-defined]
        row.update(tenant_id=TENANT, version=1, created_at=NOW, updated_at=NOW, **values)
        full.append(encode_row(t, row))
    with replica_tx(store) as conn:
        upsert_wire_rows(conn, t, full)


def branch(store: LocalStore, location_id: Any, code: str) -> None:
    put_rows(
        store,
        "location",
        [
            {
                "id": location_id,
                "name": code,
                "code": code,
                "address_line1": "1 Front St",
                "city": "Toronto",
                "province": "ON",
                "postal_code": "M5J 1A1",
                "timezone": "America/Toronto",
            }
        ],
    )


def person(store: LocalStore, user_id: Any, location_id: Any, role: str) -> None:
    put_rows(
        store,
        "user",
        [
            {
                "id": user_id,
                "email": f"{role.lower()}@maple.example",
                "full_name": role.title(),
                "role": role,
                "location_id": location_id,
            }
        ],
    )
