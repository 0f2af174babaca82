"""More requests at once than connections plus worker threads: served, none timed out."""

from __future__ import annotations

import asyncio
import time

import httpx

from sync_server.app import create_app
from tests.utils.auth import bearer, login_ok, make_world
from tests.utils.server import make_test_settings, serve_app

#: Past anyio's 40 worker threads plus the 2 connections below: enough for every thread
#: to wait for a connection while every connection waits for a thread.
REQUESTS = 60


async def _burst(base: str, headers: dict[str, str]) -> list[int]:
    async def one() -> int:
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as client:
            return (await client.get("/v1/calendar/feeds")).status_code

    return list(await asyncio.gather(*(one() for _ in range(REQUESTS))))


def test_a_burst_beyond_the_pool_and_the_threads_waits_its_turn_instead_of_timing_out(
    migrated_db_url: str,
) -> None:
    world = make_world(migrated_db_url)
    settings = make_test_settings(
        database_url=migrated_db_url, db_pool_size=2, db_max_overflow=0, log_level="WARNING"
    )
    app = create_app(settings)
    with serve_app(app) as base:
        token = login_ok(base, world.dispatcher_a)["access_token"]
        started = time.monotonic()
        statuses = asyncio.run(_burst(base, bearer(token)))
        took = time.monotonic() - started
    assert statuses == [200] * REQUESTS
    # Stuck, the pool gives up after its 30 s checkout timeout with 500s.
    assert took < 25, f"the burst took {took:.1f} s"
