"""The no-skip invariant (DESIGN 3): a puller's cursor never passes an uncommitted version.

Writers draw versions, sleep, then commit, while a client pulls over HTTP. With
the tenant lock taken before drawing (what the SyncWriter does) the replica
ends equal to the server; with a naive sequence-only version it loses a change.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine

from shared_models.enums import UserRole
from shared_models.ids import uuid7
from sync_server.core.db import create_db_engine, session_scope
from tests.integration.sync.pull_client import Replica
from tests.integration.sync.scope_world import TenantWorld, make_tenant, server_view, write
from tests.utils.server import live_server


@dataclass
class Setup:
    base: str
    engine: Engine
    world: TenantWorld

    @property
    def bucket(self) -> str:
        return f"location_sales:{self.world.locations[0]}"


@pytest.fixture
def setup(migrated_db_url: str) -> Iterator[Setup]:
    engine = create_db_engine(migrated_db_url, pool_size=10)
    world = make_tenant(engine, "acme", {"disp": (UserRole.DISPATCHER, 0)}, n_locations=1)
    with live_server(migrated_db_url) as base:
        yield Setup(base, engine, world)
    engine.dispose()


def _customer(s: Setup, row_id=None) -> tuple[str, str, dict]:
    if row_id is None:
        return (
            "insert",
            "customer",
            {"id": uuid7(), "location_id": s.world.locations[0], "last_name": "Writer"},
        )
    return ("update", "customer", {"id": row_id, "notes": f"edit {random.random()}"})


def _interleaved(s: Setup, *, lock: bool) -> tuple[Replica, str]:
    """T1 draws a version and waits while T2 commits a later one and the client pulls."""
    replica = Replica.login(s.base, s.world.accounts["disp"])
    replica.sync()
    drawn, t2_done, pulled = threading.Event(), threading.Event(), threading.Event()
    slow = _customer(s)

    def t1() -> None:
        with session_scope(s.engine) as session:
            write(session, s.world.id, [slow], lock=lock)  # version drawn, row written
            drawn.set()
            pulled.wait(timeout=2.0)  # commit only after the client has pulled (or timed out)

    def t2() -> None:
        drawn.wait(timeout=5)
        with session_scope(s.engine) as session:
            write(session, s.world.id, [_customer(s)], lock=lock)
        t2_done.set()

    threads = [threading.Thread(target=t1), threading.Thread(target=t2)]
    for thread in threads:
        thread.start()
    t2_done.wait(timeout=5.0)  # locked: T2 waits for T1's commit, so this times out first
    replica.sync()
    pulled.set()
    for thread in threads:
        thread.join(timeout=10)
    replica.sync()
    return replica, str(slow[2]["id"])


def test_interleaving_loses_a_change_without_the_lock(setup: Setup) -> None:
    replica, slow_id = _interleaved(setup, lock=False)
    assert slow_id not in replica.ids("customer"), "the naive version should have been skipped"
    with session_scope(setup.engine) as session:
        truth = server_view(session, setup.world.id, [setup.bucket])
    assert replica.view()[setup.bucket] != truth[setup.bucket]


def test_interleaving_loses_nothing_with_the_lock(setup: Setup) -> None:
    replica, slow_id = _interleaved(setup, lock=True)
    assert slow_id in replica.ids("customer")
    with session_scope(setup.engine) as session:
        truth = server_view(session, setup.world.id, [setup.bucket])
    assert replica.view()[setup.bucket] == truth[setup.bucket]


def _stress(s: Setup, *, lock: bool, writers: int = 4, writes: int = 25) -> tuple[dict, dict]:
    replica = Replica.login(s.base, s.world.accounts["disp"])
    done = threading.Event()
    ids: list = []
    ids_lock = threading.Lock()

    def writer(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(writes):
            with ids_lock:
                target = rng.choice(ids) if ids and rng.random() < 0.4 else None
            change = _customer(s, target)
            with session_scope(s.engine) as session:
                write(session, s.world.id, [change], lock=lock)
                threading.Event().wait(rng.uniform(0.0, 0.006))  # version drawn, not committed
            if target is None:
                with ids_lock:
                    ids.append(change[2]["id"])

    def puller() -> None:
        while not done.is_set():
            replica.sync(limit=5)

    pull_thread = threading.Thread(target=puller)
    pull_thread.start()
    threads = [threading.Thread(target=writer, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    done.set()
    pull_thread.join(timeout=30)
    replica.sync()
    with session_scope(s.engine) as session:
        truth = server_view(session, s.world.id, [s.bucket])
    return replica.view()[s.bucket], truth[s.bucket]


def test_concurrent_writers_and_puller_converge_with_the_lock(setup: Setup) -> None:
    seen, truth = _stress(setup, lock=True)
    assert len(truth) > 60
    assert seen == truth
