"""A first download is a bulk load: indexes and search are built after the rows, and come back."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import event, text

from client.services.lists import ensure_list_indexes
from client.services.search import ensure_search_index, search
from client.sync import bulk
from client.sync import pull as pull_module
from client.sync.db import read_meta, replica_tx
from client.sync.errors import ServerUnavailable
from tests.utils.sync_model import replica_buckets, replica_view


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


def _snapshot(client):  # type: ignore[no-untyped-def]
    """Everything a download leaves: rows, bucket names and memberships."""
    return replica_view(client), replica_buckets(client)


def _assert_same_as_a_clean_download(scene, make_client, laptop) -> None:  # type: ignore[no-untyped-def]
    reference = make_client(scene.accounts["disp"], "reference")
    reference.sync()
    laptop.sync()  # the reference's sign-in changed the user's row
    assert _snapshot(laptop) == _snapshot(reference)


def _count_pages(
    monkeypatch: pytest.MonkeyPatch, fail: Callable[[list[int]], bool] | None = None
) -> list[int]:
    """Changes of each page applied so far; the next page raises once ``fail(sizes)``."""
    sizes: list[int] = []
    apply = pull_module.apply_page

    def counting(conn, page, summary):  # type: ignore[no-untyped-def]
        if fail is not None and fail(sizes):
            raise RuntimeError("disk full while writing a page")
        apply(conn, page, summary)
        sizes.append(len(page.changes))

    monkeypatch.setattr(pull_module, "apply_page", counting)
    return sizes


def test_a_bulk_load_commits_several_whole_pages_at_a_time(  # type: ignore[no-untyped-def]
    scene, make_client, monkeypatch
) -> None:
    monkeypatch.setattr(pull_module, "BULK_TX_CHANGES", 12)
    laptop = make_client(scene.accounts["disp"], "laptop")
    _prepare(laptop)
    laptop.engine.pull_limit = 5
    sizes = _count_pages(monkeypatch)
    committed_at: list[int] = []  # pages applied when each replica transaction committed
    event.listen(laptop.store.engine, "commit", lambda conn: committed_at.append(len(sizes)))
    report = laptop.sync()
    assert report.pull.pages >= len(sizes) > 6
    ends = sorted(set(committed_at) - {0})
    assert ends[-1] == len(sizes)
    for start, end in zip([0, *ends], ends, strict=False):
        # Every transaction but the last holds whole pages adding up to the threshold.
        group = sizes[start:end]
        assert end == len(sizes) or (sum(group) >= 12 and sum(group[:-1]) < 12), (start, end)
    assert len(ends) < len(sizes)

    _assert_same_as_a_clean_download(scene, make_client, laptop)


def test_a_bulk_load_cut_short_keeps_every_page_it_applied(  # type: ignore[no-untyped-def]
    scene, make_client, monkeypatch
) -> None:
    monkeypatch.setattr(pull_module, "BULK_TX_CHANGES", 10**6)  # one transaction throughout
    laptop = make_client(scene.accounts["disp"], "laptop")
    _prepare(laptop)
    laptop.engine.pull_limit = 5
    sizes = _count_pages(monkeypatch)
    fetch = laptop.engine.protocol.pull
    calls = {"n": 0}

    def flaky(request, *, token):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 4:
            raise ServerUnavailable("connection reset mid-bootstrap")
        return fetch(request, token=token)

    laptop.engine.protocol.pull = flaky  # type: ignore[method-assign]
    with pytest.raises(ServerUnavailable):
        laptop.sync()
    assert len(sizes) == 3  # pages 1-3 applied, page 4 never came
    _, members = replica_buckets(laptop)
    assert len(members) == sum(sizes)  # committed although the download failed

    laptop.engine.protocol.pull = fetch  # type: ignore[method-assign]
    _assert_same_as_a_clean_download(scene, make_client, laptop)


def test_a_page_that_fails_to_apply_takes_only_its_own_transaction_back(  # type: ignore[no-untyped-def]
    scene, make_client, monkeypatch
) -> None:
    monkeypatch.setattr(pull_module, "BULK_TX_CHANGES", 10)
    laptop = make_client(scene.accounts["disp"], "laptop")
    _prepare(laptop)
    before = _schema(laptop)
    laptop.engine.pull_limit = 5
    apply = pull_module.apply_page
    committed_at: list[int] = []  # changes applied when each replica transaction committed

    def open_pages_after_a_commit(sizes: list[int]) -> bool:
        return bool(committed_at) and 0 < committed_at[-1] < sum(sizes)

    sizes = _count_pages(monkeypatch, open_pages_after_a_commit)
    event.listen(laptop.store.engine, "commit", lambda conn: committed_at.append(sum(sizes)))
    with pytest.raises(RuntimeError, match="disk full"):
        laptop.sync()
    # The last commit of pages (the indexes were restored in one more transaction).
    last_commit = committed_at[-2]
    assert 0 < last_commit < sum(sizes)  # an earlier transaction committed, the open one not
    _, members = replica_buckets(laptop)
    assert len(members) == last_commit  # whole pages up to that commit; the rest rolled back
    assert _schema(laptop) == before  # indexes and search are back after the failure too

    monkeypatch.setattr(pull_module, "apply_page", apply)
    _assert_same_as_a_clean_download(scene, make_client, laptop)
