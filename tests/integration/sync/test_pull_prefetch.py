"""Pull pages rendered ahead (``sync_server.sync.prefetch``), over real HTTP.

While a client applies page N the server renders the page it will ask for
next; these tests prove such pages are what the client would have got
(nothing skipped, nothing of someone else's), and that a request the server
has no page ready for is simply rendered as it comes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, text

from shared_models.enums import UserRole
from shared_models.ids import uuid7
from sync_server.app import create_app
from sync_server.core.db import create_db_engine, session_scope
from sync_server.sync.prefetch import PagePrefetcher
from tests.integration.sync.pull_client import Replica
from tests.integration.sync.scope_world import TenantWorld, make_tenant, server_view, write
from tests.utils.server import make_test_settings, serve_app

CUSTOMERS = 60
PAGE = 10


@dataclass
class Served:
    base: str
    app: FastAPI
    engine: Engine
    world: TenantWorld

    @property
    def sales(self) -> str:
        return f"location_sales:{self.world.locations[0]}"

    @property
    def prefetcher(self) -> PagePrefetcher:
        ahead = self.app.state.prefetcher
        assert isinstance(ahead, PagePrefetcher)
        return ahead

    def customers(self, n: int) -> list[uuid.UUID]:
        ids = [uuid7() for _ in range(n)]
        with session_scope(self.engine) as session:
            for row_id in ids:
                change = {"id": row_id, "location_id": self.world.locations[0], "last_name": "P"}
                write(session, self.world.id, [("insert", "customer", change)])
        return ids

    def matches(self, replica: Replica) -> bool:
        with session_scope(self.engine) as session:
            return replica.view() == server_view(session, self.world.id, replica.cursors)


def _served(migrated_db_url: str, **settings: object) -> Iterator[Served]:
    engine = create_db_engine(migrated_db_url)
    world = make_tenant(
        engine,
        "acme",
        {"disp": (UserRole.DISPATCHER, 0)},
        n_locations=1,
    )
    app = create_app(make_test_settings(database_url=migrated_db_url, **settings))
    with serve_app(app) as base:
        yield Served(base, app, engine, world)
    engine.dispose()


@pytest.fixture
def served(migrated_db_url: str) -> Iterator[Served]:
    yield from _served(migrated_db_url)


def test_a_download_gets_its_next_pages_rendered_ahead_and_ends_equal_to_the_server(
    served: Served,
) -> None:
    served.customers(CUSTOMERS)
    replica = Replica.login(served.base, served.world.accounts["disp"])
    replica.sync(limit=PAGE)
    assert replica.pages > CUSTOMERS // PAGE
    # Every page after the first was rendered while the one before was applied.
    assert served.prefetcher.served >= CUSTOMERS // PAGE - 1
    assert served.matches(replica)


def test_writes_between_pages_reach_the_replica_though_the_next_page_was_rendered_before(
    served: Served,
) -> None:
    first = served.customers(CUSTOMERS)
    replica = Replica.login(served.base, served.world.accounts["disp"])
    response = replica.pull_once(limit=PAGE)
    assert response.status_code == 200 and response.json()["has_more"]
    replica.apply(response.json())
    # The page after this one is being rendered from a snapshot without these writes.
    later = served.customers(3)
    with session_scope(served.engine) as session:
        write(session, served.world.id, [("update", "customer", {"id": first[0], "notes": "x"})])
        write(session, served.world.id, [("delete", "customer", {"id": first[-1]})])
    served_before = served.prefetcher.served
    replica.sync(limit=PAGE)
    assert served.prefetcher.served > served_before
    assert {str(i) for i in later} <= replica.ids("customer")
    assert str(first[-1]) not in replica.ids("customer")
    assert served.matches(replica)


def test_a_page_rendered_for_one_device_is_never_served_to_another(served: Served) -> None:
    served.customers(CUSTOMERS)
    mine = Replica.login(served.base, served.world.accounts["disp"])
    mine.apply(mine.pull_once(limit=PAGE).json())  # the server renders my page 2 ahead
    # The very same request from a second laptop (its own device) of the same dispatcher.
    other = Replica.login(served.base, served.world.accounts["disp"])
    other.cursors = dict(mine.cursors)
    before = served.prefetcher.served
    response = other.pull_once(limit=PAGE)
    assert response.status_code == 200
    assert served.prefetcher.served == before
    mine.sync(limit=PAGE)
    assert served.prefetcher.served > before


def test_a_page_rendered_for_one_wire_schema_is_never_served_to_an_app_of_another(
    served: Served,
) -> None:
    served.customers(CUSTOMERS)
    replica = Replica.login(served.base, served.world.accounts["disp"])
    replica.apply(replica.pull_once(limit=PAGE).json())  # page 2 rendered for this schema
    replica.schema = 1  # the same laptop, with yesterday's app build
    before = served.prefetcher.served
    assert replica.pull_once(limit=PAGE).status_code == 200
    assert served.prefetcher.served == before


def test_a_bucket_taken_away_after_its_page_was_rendered_is_refused(served: Served) -> None:
    served.customers(CUSTOMERS)
    replica = Replica.login(served.base, served.world.accounts["disp"])
    replica.apply(replica.pull_once(limit=PAGE).json())
    with served.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE role_permission SET deleted_at = now()"
                " WHERE tenant_id = :t AND role = 'DISPATCHER' AND resource = 'customer'"
            ),
            {"t": served.world.id},
        )
    before = served.prefetcher.served
    denied = replica.pull_once(limit=PAGE)
    assert denied.status_code == 403 and denied.json()["error"] == "permission_denied"
    assert served.prefetcher.served == before


def test_with_prefetch_off_every_page_is_rendered_on_request(migrated_db_url: str) -> None:
    for off in _served(migrated_db_url, pull_prefetch=False):
        off.customers(CUSTOMERS)
        replica = Replica.login(off.base, off.world.accounts["disp"])
        replica.sync(limit=PAGE)
        assert off.app.state.prefetcher is None
        assert off.matches(replica)
