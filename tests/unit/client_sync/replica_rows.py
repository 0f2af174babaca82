"""Server rows placed in a test replica as a pull would deliver them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from client.replica import LocalStore
from client.sync.db import replica_tx, table_for
from client.sync.rows import upsert_wire_rows
from shared_models.sync.codec import encode_row
from tests.unit.client_sync.fake_server import TENANT

NOW = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)


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
