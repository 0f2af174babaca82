"""A first download is a bulk load: indexes and search are built after the rows, and come back."""

from __future__ import annotations

from sqlalchemy import text

from client.services.lists import ensure_list_indexes
from client.services.search import ensure_search_index, search
from client.sync import bulk
from client.sync.db import read_meta, replica_tx
from client.sync.errors import ServerUnavailable


def _schema(client) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with client.store.engine.connect() as conn:
        return {
            (kind, name)
            for kind, name in conn.execute(
                text("SELECT type, name FROM sqlite_master WHERE type IN ('index', 'trigger')")
            )
        }


def _prepare(client) -> None:  # type: ignore[no-untyped-def]
    """What the desktop app does before its first sync: list indexes and search triggers."""
    ensure_list_indexes(client.store)
    ensure_search_index(client.store)


def test_bootstrap_rebuilds_every_index_trigger_and_the_search(scene, make_client) -> None:  # type: ignore[no-untyped-def]
    laptop = make_client(scene.accounts["disp"], "laptop")
    _prepare(laptop)
    before = _schema(laptop)
    assert any(kind == "trigger" for kind, _ in before)
    report = laptop.sync()
    assert report.pull.changes > 0
    assert _schema(laptop) == before
    assert read_meta(laptop.store, bulk.META_DEFERRED) is None
    with laptop.store.engine.connect() as conn:
        name = conn.execute(text("SELECT last_name FROM customer LIMIT 1")).scalar_one()
    assert search(laptop.store, "customer", name)  # rows written without triggers are found
    # Later writes are indexed by the restored triggers again.
    row_id = laptop.writes.insert(
        "customer", {"location_id": scene.locations[0], "last_name": "Zyxwvut"}
    )
    assert search(laptop.store, "customer", "Zyxwvut") == [row_id]


def test_a_download_cut_short_still_leaves_the_indexes(scene, make_client) -> None:  # type: ignore[no-untyped-def]
    laptop = make_client(scene.accounts["disp"], "laptop")
    _prepare(laptop)
    before = _schema(laptop)
    fetch = laptop.engine.protocol.pull
    calls = {"n": 0}

    def flaky(request, *, token):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] > 1:
            raise ServerUnavailable("connection reset mid-bootstrap")
        return fetch(request, token=token)

    laptop.engine.protocol.pull = flaky  # type: ignore[method-assign]
    laptop.engine.pull_limit = 5
    try:
        laptop.sync()
    except ServerUnavailable:
        pass
    assert _schema(laptop) == before
    laptop.engine.protocol.pull = fetch  # type: ignore[method-assign]
    laptop.sync()
    assert _schema(laptop) == before


def test_a_crash_mid_bootstrap_is_repaired_on_the_next_start(scene, make_client) -> None:  # type: ignore[no-untyped-def]
    laptop = make_client(scene.accounts["disp"], "laptop")
    _prepare(laptop)
    before = _schema(laptop)
    with replica_tx(laptop.store) as conn:  # the process died right after this
        assert bulk.defer_for_bootstrap(conn) > 0
    assert _schema(laptop) < before
    bulk.restore_if_pending(laptop.store)
    assert _schema(laptop) == before
    assert read_meta(laptop.store, bulk.META_DEFERRED) is None
