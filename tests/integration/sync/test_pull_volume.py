"""A 100k-row location (DESIGN 9): set-based rebuild and a paged HTTP bootstrap, each row once.

Figures are printed (``-s``), not asserted: performance is a benchmark, not a test.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import insert

from shared_models.enums import UserRole
from shared_models.ids import uuid7
from shared_models.sync.codec import synced_table
from sync_server.core.db import create_db_engine, session_scope
from sync_server.db.versioning import next_versions
from sync_server.sync.membership import rebuild_memberships
from tests.integration.sync.scope_world import make_tenant
from tests.utils.auth import bearer, login_ok
from tests.utils.server import live_server

CUSTOMERS = int(os.environ.get("CNC_VOLUME_CUSTOMERS", "20000"))
CHUNK = 5000


def _bulk(session, tenant_id, table_name: str, rows: list[dict]) -> None:
    table = synced_table(table_name)
    now = dt.datetime.now(dt.UTC)
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        for row, version in zip(chunk, next_versions(session, len(chunk)), strict=True):
            row.update(tenant_id=tenant_id, version=version, created_at=now, updated_at=now)
        session.execute(insert(table), chunk)


@pytest.mark.slow
def test_bootstrap_of_a_100k_row_location(migrated_db_url: str) -> None:
    engine = create_db_engine(migrated_db_url)
    world = make_tenant(
        engine,
        "bulk",
        {"disp": (UserRole.DISPATCHER, 0), "sales": (UserRole.SALES, 1)},
        n_locations=2,
    )
    loc = world.locations[0]
    with session_scope(engine) as session:
        customers = [
            {
                "id": uuid7(),
                "location_id": loc,
                "last_name": f"Name {i}",
                "first_name": "Pat",
                "email": f"c{i}@mail.example",
                "phone": "416-555-0100",
                "address_line1": f"{i} King St W",
                "city": "Toronto",
                "province": "ON",
                "postal_code": "M5H 1A1",
                "notes": "Prefers mornings; two flights.",
            }
            for i in range(CUSTOMERS)
        ]
        _bulk(session, world.id, "customer", customers)
        quotes = [
            {
                "id": uuid7(),
                "location_id": loc,
                "customer_id": c["id"],
                "created_by": world.user("sales"),
                "subtotal": Decimal("897.00"),
                "total": Decimal("1013.61"),
                "tax_amount": Decimal("116.61"),
            }
            for c in customers
        ]
        _bulk(session, world.id, "quote", quotes)
        items = [
            {
                "id": uuid7(),
                "quote_id": q["id"],
                "category": "MOVING_SERVICES",
                "description": f"3 movers, 4 h, line {k}",
                "quantity": Decimal(4),
                "unit_price": Decimal("149.50"),
                "line_total": Decimal("598.00"),
                "sort_order": k,
            }
            for q in quotes
            for k in range(3)
        ]
        _bulk(session, world.id, "quote_item", items)
        del customers, quotes, items
    with session_scope(engine) as session:
        started = time.perf_counter()
        entries = rebuild_memberships(session, world.id)
        rebuild_s = time.perf_counter() - started
    total = CUSTOMERS * 5
    assert entries >= 2 * total  # location_sales plus the sales rep's own bucket

    with live_server(migrated_db_url) as base:
        body = login_ok(base, world.accounts["disp"])
        headers = bearer(body["access_token"])
        for encoding in ("identity", "gzip"):
            cursors = dict.fromkeys(body["buckets"], 0)
            seen: set[tuple[str, str]] = set()
            changes = pages = 0
            started = time.perf_counter()
            with httpx.Client(headers={**headers, "Accept-Encoding": encoding}) as client:
                while True:
                    page = client.post(
                        f"{base}/v1/sync/pull", timeout=60, json={"buckets": cursors, "limit": 5000}
                    ).json()
                    pages += 1
                    for change in page["changes"]:
                        seen.add((change["bucket"], change["id"]))
                    changes += len(page["changes"])
                    cursors.update(page["cursors"])
                    if not page["has_more"]:
                        break
            elapsed = time.perf_counter() - started
            sales = {i for b, i in seen if b == f"location_sales:{loc}"}
            assert len(sales) == total and changes == len(seen)
            print(
                f"\nrebuild {entries} entries {rebuild_s:.2f}s; bootstrap ({encoding}) "
                f"{changes} changes in {pages} pages {elapsed:.2f}s = {changes / elapsed:,.0f}/s"
            )
    engine.dispose()
