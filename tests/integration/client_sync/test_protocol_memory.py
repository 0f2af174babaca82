"""The HTTP protocol frees a pulled page's body with the page, not at the next collection.

An httpx response is a reference cycle (its stream points back at it). A
body read into it stayed alive until Python's cycle collector ran, which a
bootstrap runs rarely on purpose; at ~5 MB a page that added ~90 MB to the
peak of a 100k-row download.
"""

from __future__ import annotations

import datetime as dt
import gc
import tracemalloc

from sqlalchemy import insert

from client.sync.protocol import HttpSyncProtocol
from shared_models.enums import UserRole
from shared_models.ids import uuid7
from shared_models.sync.codec import synced_table
from shared_models.sync.wire import MAX_PULL_LIMIT, PullRequest
from sync_server.core.db import create_db_engine, session_scope
from sync_server.db.versioning import next_versions
from sync_server.sync.membership import rebuild_memberships
from tests.integration.sync.scope_world import make_tenant
from tests.utils.auth import login_ok
from tests.utils.server import live_server

CUSTOMERS = 1500


def test_a_pulled_page_is_freed_as_soon_as_it_is_dropped(migrated_db_url: str) -> None:
    engine = create_db_engine(migrated_db_url)
    world = make_tenant(engine, "bulk", {"disp": (UserRole.DISPATCHER, 0)}, n_locations=1)
    now = dt.datetime.now(dt.UTC)
    with session_scope(engine) as session:
        versions = next_versions(session, CUSTOMERS)
        rows = [
            {
                "id": uuid7(),
                "tenant_id": world.id,
                "location_id": world.locations[0],
                "last_name": f"Name {i}",
                "notes": "Piano on the third floor, no elevator. " * 20,
                "version": version,
                "created_at": now,
                "updated_at": now,
            }
            for i, version in enumerate(versions)
        ]
        session.execute(insert(synced_table("customer")), rows)
    with session_scope(engine) as session:
        rebuild_memberships(session, world.id)
    engine.dispose()

    with live_server(migrated_db_url) as base, HttpSyncProtocol(base) as protocol:
        body = login_ok(base, world.accounts["disp"])
        request = PullRequest(buckets=dict.fromkeys(body["buckets"], 0), limit=MAX_PULL_LIMIT)
        protocol.pull(request, token=body["access_token"])  # warm: pools, caches, plans
        collecting = gc.isenabled()
        gc.disable()
        tracemalloc.start()
        try:
            before, _ = tracemalloc.get_traced_memory()
            page = protocol.pull(request, token=body["access_token"])
            assert not page.has_more and len(page.changes) >= CUSTOMERS
            size = sum(len(str(c.get("data"))) for c in page.changes)
            del page
            kept, _ = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
            if collecting:
                gc.enable()
    assert size > 1_000_000
    assert kept - before < size // 10
