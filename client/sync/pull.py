"""Download phase: pull pages until ``has_more`` is false, each page applied atomically.

One page = its rows, memberships, removals, bucket set and cursors in ONE
replica transaction: a crash mid-page leaves the previous consistent state
and the same page is simply pulled again. A bulk load (a fresh replica)
puts several whole pages in one transaction (``BULK_TX_CHANGES``): still
never part of a page, and fewer commits.
"""

from __future__ import annotations

import gc
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from client.replica.schema import bucket_state, row_bucket
from client.replica.store import LocalStore
from client.sync import bulk, reshape
from client.sync.apply import insert_memberships, upsert_rows_fast
from client.sync.db import replica_tx, table_for
from client.sync.errors import PermissionDeniedError
from client.sync.rebase import rebase_rows
from client.sync.scope import drop_bucket_membership, release_rows
from shared_models.sync import wire
from shared_models.sync.wire import DEFAULT_PULL_LIMIT, PullRequest, PullResponse

log = logging.getLogger(__name__)
#: A safety net against a server that never says has_more=false.
MAX_PAGES = 1_000_000
#: A bulk load commits once this many changes are applied (whole pages, so a
#: transaction holds up to this plus one page). Each commit writes out every
#: page it dirtied, and every pulled page dirties the same row_bucket and
#: primary-key B-tree pages again. Measured on a 230k-row bootstrap: 47 commits
#: took ~2.8 s, 10 took ~1.5 s. A failure loses at most the open transaction.
BULK_TX_CHANGES = 25_000
#: New containers between two young-generation collections during a pull (see
#: ``_collector_relaxed``); CPython's default is 700.
BULK_GC_THRESHOLD = 50_000


@dataclass
class PullSummary:
    pages: int = 0
    changes: int = 0
    tables: set[str] = field(default_factory=set)
    added_buckets: set[str] = field(default_factory=set)
    dropped_buckets: set[str] = field(default_factory=set)
    parked: int = 0


def cursors(conn: Connection) -> dict[str, int]:
    return {b: c for b, c in conn.execute(select(bucket_state.c.bucket, bucket_state.c.cursor))}


def set_buckets(conn: Connection, names: list[str]) -> None:
    """Subscribe to ``names`` at cursor 0 (those already known keep their cursor)."""
    for name in names:
        conn.execute(
            sqlite_insert(bucket_state).values(bucket=name, cursor=0).on_conflict_do_nothing()
        )


def reset_bucket(conn: Connection, bucket: str) -> None:
    """Start a bucket again from 0 and release its rows (integrity re-sync)."""
    release_rows(conn, drop_bucket_membership(conn, bucket))
    conn.execute(bucket_state.update().where(bucket_state.c.bucket == bucket).values(cursor=0))


def apply_page(conn: Connection, page: PullResponse, summary: PullSummary) -> None:
    """Apply one page inside the caller's transaction."""
    known = cursors(conn)
    upserts: dict[str, list[dict[str, Any]]] = defaultdict(list)
    members: list[tuple[str, str, str]] = []
    removed: list[tuple[str, str, str]] = []
    for change in page.changes:
        key = (change["table"], change["id"])
        if change.get("removed"):
            removed.append((change["bucket"], *key))
            continue
        data = change.get("data")
        if data is not None:
            # The row's own version wins: change["version"] is the bucket cursor, which a
            # batch write or a membership repair shares across many rows. The server sends
            # both with every row, so the usual row is used as parsed, without a copy.
            if "version" not in data or data.get("id") != key[1]:
                data = {"version": change["version"], **data, "id": key[1]}
            upserts[key[0]].append(data)
        members.append((change["bucket"], *key))
    touched: set[tuple[str, str]] = set()
    for table, rows in upserts.items():
        try:
            upsert_rows_fast(conn, table_for(table), rows)
        except KeyError:
            log.warning("pull: unknown table %r skipped (server newer than client?)", table)
            continue
        summary.tables.add(table)
        touched.update((table, str(r["id"])) for r in rows)
    if members:
        insert_memberships(conn, members)
    orphans: list[tuple[str, str]] = []
    for bucket, table, row_id in removed:
        conn.execute(
            delete(row_bucket).where(
                row_bucket.c.bucket == bucket,
                row_bucket.c.table_name == table,
                row_bucket.c.row_id == row_id,
            )
        )
        orphans.append((table, row_id))
        summary.tables.add(table)
    current = set(page.buckets)
    for bucket in set(known) - current:
        orphans.extend(drop_bucket_membership(conn, bucket))
        conn.execute(delete(bucket_state).where(bucket_state.c.bucket == bucket))
        summary.dropped_buckets.add(bucket)
    _, parked = release_rows(conn, orphans)
    summary.parked += parked
    for bucket, cursor in page.cursors.items():
        if bucket in current:
            stmt = sqlite_insert(bucket_state).values(bucket=bucket, cursor=cursor)
            conn.execute(
                stmt.on_conflict_do_update(index_elements=["bucket"], set_={"cursor": cursor})
            )
    new = current - set(known) - set(page.cursors)
    set_buckets(conn, sorted(new))
    summary.added_buckets |= new
    rebase_rows(conn, touched)
    summary.changes += len(page.changes)


def next_cursors(known: dict[str, int], page: PullResponse) -> dict[str, int]:
    """The cursors ``apply_page`` leaves behind: the next request, known before applying."""
    return wire.next_cursors(known, page.cursors, page.buckets)


def pull_all(
    store: LocalStore,
    fetch: Callable[[PullRequest], PullResponse],
    *,
    limit: int = DEFAULT_PULL_LIMIT,
) -> PullSummary:
    """Pull and apply pages until the server has nothing more for any of our buckets.

    While a page is applied the next one is already being fetched (one page
    ahead, so at most two pages are held): the server renders page N+1 while
    the replica writes page N. The prefetched request carries exactly the
    cursors the applied page leaves (``next_cursors``); if the replica ends up
    elsewhere (the apply failed, or a bucket appeared), the prefetched page is
    dropped and asked again.

    A replica that starts from nothing is filled as a bulk load (``client.sync.bulk``):
    its secondary indexes and search triggers are built once, after the rows. One
    filled by an older app first rewinds the buckets it holds incompletely
    (``client.sync.reshape``).
    """
    bulk.restore_if_pending(store)
    reshape.pull_again_after_upgrade(store)
    with store.engine.connect() as conn:
        fresh = bulk.is_fresh(conn, cursors(conn))
    deferred = False
    if fresh:
        with replica_tx(store) as conn:
            deferred = bool(bulk.defer_for_bootstrap(conn))
    try:
        with _collector_relaxed():
            return _pull_pages(store, fetch, limit, bulk_load=deferred)
    finally:
        if deferred:
            with replica_tx(store) as conn:
                bulk.widen_cache(conn)  # the index builds sort through it too
                bulk.restore_deferred(conn)
            # The pooled connections hold the load's page cache; fresh ones start small.
            store.engine.dispose()


@contextmanager
def _collector_relaxed() -> Iterator[None]:
    """Python's cycle collector runs rarely while pages are parsed and applied.

    A 5,000-change page parses into ~15,000 dicts and lists, and two pages are
    alive at a time: at CPython's default threshold (700 new containers) the
    collector ran dozens of times per page, promoted them, and its full passes
    walked every one of them again, though none form cycles (~0.8 s of the
    100k-row bootstrap). Turning it off instead kept what does form cycles,
    each HTTP response with its ~5 MB body, until the download ended (+80 MB
    peak). At ``BULK_GC_THRESHOLD`` it still frees them every few pages. The
    previous thresholds come back however the download ends.
    """
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], BULK_GC_THRESHOLD), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


class _PageWriter:
    """Replica write transactions for pulled pages: one per page, or in a bulk load
    one per ``BULK_TX_CHANGES`` changes. Knows the cursors the open transaction
    has written, which a second connection would not see yet."""

    def __init__(self, store: LocalStore, *, bulk_load: bool) -> None:
        self._store = store
        self._bulk = bulk_load
        self._tx: ExitStack | None = None
        self._conn: Connection | None = None
        self._changes = 0
        self._cursors: dict[str, int] = {}

    def cursors(self) -> dict[str, int]:
        """The cursors as the next request must carry them (an open transaction's own)."""
        if self._conn is None:
            with self._store.engine.connect() as conn:
                self._cursors = cursors(conn)
        return self._cursors

    @contextmanager
    def page(self, changes: int) -> Iterator[Connection]:
        if self._conn is None:
            self._tx = ExitStack()
            self._conn = self._tx.enter_context(replica_tx(self._store))
            if self._bulk:
                bulk.widen_cache(self._conn)
        try:
            yield self._conn
            self._cursors = cursors(self._conn)
        except BaseException as exc:
            self._end(exc)  # rolls back every page of this transaction
            raise
        self._changes += changes
        if not self._bulk or self._changes >= BULK_TX_CHANGES:
            self.commit()

    def commit(self) -> None:
        self._end(None)

    def _end(self, exc: BaseException | None) -> None:
        tx, self._tx, self._conn, self._changes = self._tx, None, None, 0
        if tx is not None:
            if exc is None:
                tx.close()
            else:
                tx.__exit__(type(exc), exc, exc.__traceback__)


def _pull_pages(
    store: LocalStore,
    fetch: Callable[[PullRequest], PullResponse],
    limit: int,
    *,
    bulk_load: bool = False,
) -> PullSummary:
    summary = PullSummary()
    rediscovered = False
    ahead: Future[PullResponse] | None = None
    ahead_request: PullRequest | None = None
    writer = _PageWriter(store, bulk_load=bulk_load)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cnc-pull") as pool:
        try:
            for _ in range(MAX_PAGES):
                request = PullRequest(buckets=writer.cursors(), limit=limit)
                try:
                    if ahead is not None and ahead_request == request:
                        page = ahead.result()
                    else:
                        if ahead is not None:
                            _discard(ahead)
                        page = fetch(request)
                    ahead = ahead_request = None
                except PermissionDeniedError:
                    ahead = ahead_request = None
                    if rediscovered:
                        raise
                    # A bucket we may no longer have (role narrowed, moved location):
                    # an empty pull names the current set, and apply_page purges the rest.
                    rediscovered = True
                    page = fetch(PullRequest(buckets={}, limit=1))
                    page = page.model_copy(update={"changes": [], "cursors": {}, "has_more": True})
                if page.has_more and page.changes:
                    ahead_request = PullRequest(
                        buckets=next_cursors(request.buckets, page), limit=limit
                    )
                    ahead = pool.submit(fetch, ahead_request)
                if _unchanged(request, page):
                    # The usual answer of a sync with nothing new: no write transaction.
                    summary.pages += 1
                    return summary
                before = set(request.buckets)
                with writer.page(len(page.changes)) as conn:
                    apply_page(conn, page, summary)
                summary.pages += 1
                if not page.has_more and not set(writer.cursors()) - before:
                    return summary
            raise RuntimeError("pull: the server kept saying has_more")
        finally:
            if ahead is not None:
                _discard(ahead)
            writer.commit()  # whole pages only: also when a later fetch failed


def _unchanged(request: PullRequest, page: PullResponse) -> bool:
    """Nothing to apply: no changes, no more pages, same buckets, every cursor where it was."""
    return (
        not page.changes
        and not page.has_more
        and set(page.buckets) == set(request.buckets)
        and all(request.buckets.get(b) == c for b, c in page.cursors.items())
    )


def _discard(future: Future[PullResponse]) -> None:
    """Wait for an unused prefetch and forget its outcome (errors included)."""
    try:
        future.result()
    except Exception as exc:  # noqa: BLE001 - the page is asked again, or sync already failed
        log.debug("pull: prefetched page dropped (%s)", exc)
