"""``pull_all`` lets Python's cycle collector run rarely while pages are parsed and applied."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from client.replica.store import LocalStore
from client.sync.db import ensure_sync_schema
from client.sync.errors import ServerUnavailable
from client.sync.pull import BULK_GC_THRESHOLD, pull_all
from shared_models.sync.wire import PullRequest, PullResponse

APP_THRESHOLD = (700, 10, 10)


@pytest.fixture
def app_threshold() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(*APP_THRESHOLD)
    yield
    gc.set_threshold(*before)


def _empty(_: PullRequest) -> PullResponse:
    return PullResponse(changes=[], cursors={}, has_more=False, buckets=[])


def test_the_collector_runs_rarely_while_pages_come_and_as_before_after(
    store: LocalStore, app_threshold: None
) -> None:
    ensure_sync_schema(store)
    seen: list[tuple[int, int, int]] = []

    def fetch(request: PullRequest) -> PullResponse:
        seen.append(gc.get_threshold())
        return _empty(request)

    pull_all(store, fetch)
    assert seen == [(BULK_GC_THRESHOLD, 10, 10)]
    assert gc.get_threshold() == APP_THRESHOLD and gc.isenabled()


def test_a_failed_download_puts_the_collector_back_as_it_was(
    store: LocalStore, app_threshold: None
) -> None:
    ensure_sync_schema(store)

    def fetch(request: PullRequest) -> PullResponse:
        raise ServerUnavailable("cable unplugged")

    with pytest.raises(ServerUnavailable):
        pull_all(store, fetch)
    assert gc.get_threshold() == APP_THRESHOLD


def test_an_app_that_collects_even_more_rarely_keeps_its_threshold(
    store: LocalStore, app_threshold: None
) -> None:
    ensure_sync_schema(store)
    gc.set_threshold(10 * BULK_GC_THRESHOLD, 10, 10)
    seen: list[tuple[int, int, int]] = []
    pull_all(store, lambda r: seen.append(gc.get_threshold()) or _empty(r))  # type: ignore[func-returns-value]
    assert seen == [(10 * BULK_GC_THRESHOLD, 10, 10)]
