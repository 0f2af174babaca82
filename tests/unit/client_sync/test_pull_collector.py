"""``pull_all`` pauses Python's cycle collector while pages are parsed and applied."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from client.replica.store import LocalStore
from client.sync.db import ensure_sync_schema
from client.sync.errors import ServerUnavailable
from client.sync.pull import pull_all
from shared_models.sync.wire import PullRequest, PullResponse


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_is_off_while_pages_are_fetched_and_back_on_after(
    store: LocalStore, collector_on: None
) -> None:
    ensure_sync_schema(store)
    seen: list[bool] = []

    def fetch(request: PullRequest) -> PullResponse:
        seen.append(gc.isenabled())
        return PullResponse(changes=[], cursors={}, has_more=False, buckets=[])

    pull_all(store, fetch)
    assert seen == [False]
    assert gc.isenabled()


def test_a_failed_download_turns_the_collector_back_on(
    store: LocalStore, collector_on: None
) -> None:
    ensure_sync_schema(store)

    def fetch(request: PullRequest) -> PullResponse:
        raise ServerUnavailable("cable unplugged")

    with pytest.raises(ServerUnavailable):
        pull_all(store, fetch)
    assert gc.isenabled()


def test_a_collector_the_app_turned_off_stays_off(store: LocalStore, collector_on: None) -> None:
    ensure_sync_schema(store)
    gc.disable()
    pull_all(store, lambda _: PullResponse(changes=[], cursors={}, has_more=False, buckets=[]))
    assert not gc.isenabled()
