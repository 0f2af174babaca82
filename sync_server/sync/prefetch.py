"""Pull pages rendered ahead: while a client applies page N, the server renders N+1.

A download is a chain: the client asks for page N+1 once page N has arrived,
so PostgreSQL and this process render it while the client, already done
parsing, waits. After answering a page that has more, the server renders the
page the client will ask for next (``wire.next_cursors``: the client asks
exactly that) on one background thread; when that request comes, over the same
keep-alive connection and so to the same process, it is answered from there.

A page is one REPEATABLE READ snapshot either way. Served a little later, it
is the page the client would have got had it asked at that moment, and the
cursors it returns lead to everything committed since (DESIGN 3: no skipped
versions). Nothing depends on it: a request that finds no page ready (another
worker, a restart, an expired or failed render) is rendered as it comes. The
request is authenticated and its buckets authorised as any other before a
page is looked up, and a page is only served to the same user, device,
cursors and limit it was rendered for. Bounded: one render at a time per
process, ``KEEP`` pages for ``TTL_S`` seconds.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor

from sqlalchemy.orm import Session

from sync_server.db.tenancy import bind_tenant
from sync_server.sync.pull import PullPage, pull_page

log = logging.getLogger(__name__)

__all__ = ["KEEP", "TTL_S", "PageKey", "PagePrefetcher", "page_key"]

#: Pages kept per process (each is one response, ~5 MB of JSON at most).
KEEP = 4
#: A page not asked for within this many seconds is dropped.
TTL_S = 30.0
#: How long a request waits for the render of its page already under way.
WAIT_S = 30.0

PageKey = tuple[uuid.UUID, uuid.UUID, uuid.UUID, tuple[tuple[str, int], ...], int, int]


def page_key(
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    device_id: uuid.UUID,
    cursors: Mapping[str, int],
    limit: int,
    schema: int,
) -> PageKey:
    """Who asks, and exactly what (in which wire schema): a page is only served for its key."""
    return (
        tenant_id,
        user_id,
        device_id,
        tuple(sorted((b, int(c)) for b, c in cursors.items())),
        limit,
        schema,
    )


class PagePrefetcher:
    """Next pages of downloads under way in this process, rendered on one thread."""

    def __init__(self, session_factory: Callable[[], Session]) -> None:
        self._session_factory = session_factory
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cnc-prefetch")
        self._lock = threading.Lock()
        self._pages: OrderedDict[PageKey, tuple[float, Future[PullPage]]] = OrderedDict()
        self._rendering = False
        self.served = 0

    def take(self, key: PageKey) -> PullPage | None:
        """The page rendered ahead for ``key`` (waiting for it if under way), or None."""
        with self._lock:
            entry = self._pages.pop(key, None)
        if entry is None:
            return None
        born, future = entry
        if time.monotonic() - born > TTL_S:
            future.cancel()
            return None
        try:
            page = future.result(timeout=WAIT_S)
        except Exception as exc:  # noqa: BLE001 - rendered on request instead
            log.info("pull prefetch not used: %s", exc or type(exc).__name__)
            return None
        with self._lock:
            self.served += 1
        return page

    def schedule(
        self,
        key: PageKey,
        tenant_id: uuid.UUID,
        cursors: Mapping[str, int],
        limit: int,
        schema: int,
    ) -> None:
        """Render the page for ``key`` unless this process is already rendering one."""
        with self._lock:
            if self._rendering or key in self._pages:
                return
            self._rendering = True
            try:
                future = self._pool.submit(self._render, tenant_id, dict(cursors), limit, schema)
            except RuntimeError:  # shut down
                self._rendering = False
                return
            self._pages[key] = (time.monotonic(), future)
            while len(self._pages) > KEEP:
                _, (_, oldest) = self._pages.popitem(last=False)
                oldest.cancel()

    def close(self) -> None:
        """Stop rendering; pages under way finish, none is served any more."""
        with self._lock:
            pages, self._pages = self._pages, OrderedDict()
        for _, future in pages.values():
            future.cancel()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _render(
        self, tenant_id: uuid.UUID, cursors: dict[str, int], limit: int, schema: int
    ) -> PullPage:
        try:
            with self._session_factory() as session:
                bind_tenant(session, tenant_id)
                page = pull_page(session, cursors, limit, schema=schema)
                session.rollback()
                return page
        finally:
            with self._lock:
                self._rendering = False
