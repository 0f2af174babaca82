"""Atomic pull pages, backoff schedule, integrity check, local full-text search, live wake-up."""

from __future__ import annotations

import random
import threading
import time

import pytest

from client.replica import LocalStore
from client.services import LocalWriteService, get_row, list_rows
from client.services.search import ensure_search_index, search
from client.sync import pull as pull_module
from client.sync.backoff import Backoff, call_with_retries
from client.sync.engine import SyncEngine
from client.sync.errors import RateLimited, ServerUnavailable
from client.sync.loop import SyncLoop
from client.sync.pull import cursors
from client.sync.verify import verify
from tests.unit.client_sync.conftest import new_id
from tests.unit.client_sync.fake_server import BUCKET, LOCATION, FakeServer, customer_data


def test_crash_mid_page_leaves_replica_consistent(
    store: LocalStore, server: FakeServer, engine: SyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [new_id() for _ in range(10)]
    for i, cid in enumerate(ids):
        server.put("customer", customer_data(cid, f"P{i}"))
    real = pull_module.release_rows

    def crash(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("power cut mid-page")  # after the rows were written, before cursors

    monkeypatch.setattr(pull_module, "release_rows", crash)
    with pytest.raises(OSError):
        engine.pull()
    assert list_rows(store, "customer") == []
    with store.engine.connect() as conn:
        assert cursors(conn) == {BUCKET: 0}
    monkeypatch.setattr(pull_module, "release_rows", real)
    engine.pull()
    assert len(list_rows(store, "customer")) == 10


def test_full_jitter_schedule_is_capped_and_spread() -> None:
    backoff = Backoff(base=1.0, cap=60.0, rng=random.Random(7))
    assert [backoff.ceiling(n) for n in range(8)] == [1, 2, 4, 8, 16, 32, 60, 60]
    delays = [backoff.delay(10) for _ in range(500)]
    assert all(0 <= d <= 60 for d in delays) and max(delays) > 45 and min(delays) < 15
    assert backoff.ceiling(10_000) == 60  # days offline never overflow
    assert backoff.delay(0, RateLimited("slow down", retry_after=5)) >= 5


def test_call_with_retries_waits_then_succeeds() -> None:
    waits: list[float] = []
    outcomes = iter([ServerUnavailable("a"), ServerUnavailable("b"), "ok"])

    def call() -> str:
        value = next(outcomes)
        if isinstance(value, Exception):
            raise value
        return value

    assert (
        call_with_retries(
            call, backoff=Backoff(rng=random.Random(1)), attempts=5, sleep=waits.append
        )
        == "ok"
    )
    assert len(waits) == 2 and waits[0] <= 1 and waits[1] <= 2


def test_verify_detects_drift_and_resyncs(
    store: LocalStore, server: FakeServer, engine: SyncEngine
) -> None:
    a, b = new_id(), new_id()
    server.put("customer", customer_data(a, "A"))
    server.put("customer", customer_data(b, "B"))
    engine.sync_once()
    assert all(c.ok for c in verify(engine))
    with store.engine.begin() as conn:  # silent drift: a row lost locally
        conn.exec_driver_sql("DELETE FROM customer WHERE last_name = 'B'")
    [check] = verify(engine)
    assert not check.ok and (check.local_count, check.server_count) == (1, 2)
    assert get_row(store, "customer", b)["last_name"] == "B"
    assert all(c.ok for c in verify(engine))


def test_search_ranks_and_follows_writes(
    store: LocalStore, server: FakeServer, engine: SyncEngine, service: LocalWriteService
) -> None:
    ensure_search_index(store)
    server.put(
        "customer",
        customer_data(
            new_id(), "Tremblay", first_name="Élodie", city="Montréal", phone="514-555-0101"
        ),
    )
    engine.sync_once()
    mine = service.insert(
        "customer",
        {
            "location_id": str(LOCATION),
            "last_name": "Tremblant",
            "company_name": "Déménagement Tremblant",
        },
    )
    assert len(search(store, "customer", "trem")) == 2
    assert search(store, "customer", "elodie montreal") != []
    assert search(store, "customer", "555") != []
    quote = service.insert(
        "quote",
        {
            "location_id": str(LOCATION),
            "customer_id": str(mine),
            "created_by": "0190a000-0000-7000-8000-000000000003",
            "provisional_number": "OFF-0001",
        },
    )
    assert search(store, "quote", "OFF-0001") == [quote]
    assert search(store, "quote", "tremblant") == [quote]  # by customer name
    service.delete("customer", mine)
    assert len(search(store, "customer", "trem")) == 1


def test_search_20k_customers_fast(store: LocalStore) -> None:
    from client.sync.db import replica_tx, table_for
    from client.sync.rows import upsert_wire_rows

    ensure_search_index(store)
    names = ["Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie"]
    rows = [
        customer_data(new_id(), f"{names[i % 8]}{i}", city="Québec", email=f"c{i}@x.ca")
        for i in range(20_000)
    ]
    with replica_tx(store) as conn:
        upsert_wire_rows(conn, table_for("customer"), rows)
    search(store, "customer", "warm up")
    started = time.perf_counter()
    found = search(store, "customer", "c1234")
    elapsed = time.perf_counter() - started
    assert found and elapsed < 0.5  # the 50 ms target is measured by benchmarks, not here


def test_loop_retries_on_its_own_and_wakes_on_live_event(
    store: LocalStore,
    server: FakeServer,
    engine: SyncEngine,
    service: LocalWriteService,
) -> None:
    service.insert("customer", {"location_id": str(LOCATION), "last_name": "Loop"})
    server.failures += [ServerUnavailable("down"), ServerUnavailable("down")]
    fired = threading.Event()

    def events(token: str):  # type: ignore[no-untyped-def]
        fired.wait(5)
        yield {"event": "changed", "data": f'{{"buckets": ["{BUCKET}"]}}'}
        time.sleep(5)

    loop = SyncLoop(engine, interval=30, backoff=Backoff(base=0.05, cap=0.1), events=events)
    loop.start()
    try:
        deadline = time.monotonic() + 5
        while engine.status().pending and time.monotonic() < deadline:
            time.sleep(0.02)
        assert engine.status().pending == 0  # retried without a new local write
        server.put("customer", customer_data(new_id(), "Live"))
        fired.set()
        deadline = time.monotonic() + 1.0
        while len(list_rows(store, "customer")) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(list_rows(store, "customer")) == 2  # pulled within a second
    finally:
        loop.stop()
