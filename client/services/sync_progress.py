"""Bootstrap progress for the status bar: pulled pages counted against the server's totals.

``ProgressProtocol`` wraps the real protocol and reports every pulled page;
``bootstrap_total`` asks the server how many rows a fresh replica will
receive (the bucket checksums carry the counts), so the first sync can show
a real percentage. Both are thin: the sync library itself is unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

from client.replica.store import LocalStore
from client.sync.engine import TokenSource
from client.sync.errors import SyncError
from client.sync.protocol import SyncProtocol, Tokens
from client.sync.pull import cursors
from shared_models.sync.wire import (
    ChecksumsResponse,
    LoginRequest,
    LoginResponse,
    PullRequest,
    PullResponse,
    PushRequest,
    PushResponse,
)

log = logging.getLogger(__name__)

#: ``on_page(changes_in_page, has_more)``; called on the thread that fetched the page.
PageListener = Callable[[int, bool], None]


class ProgressProtocol:
    """A ``SyncProtocol`` that reports each pulled page, delegating everything to ``inner``."""

    def __init__(self, inner: SyncProtocol, on_page: PageListener) -> None:
        self.inner = inner
        self.on_page = on_page

    def login(self, request: LoginRequest) -> LoginResponse:
        return self.inner.login(request)

    def refresh(self, refresh_token: str) -> Tokens:
        return self.inner.refresh(refresh_token)

    def logout(self, refresh_token: str) -> None:
        self.inner.logout(refresh_token)

    def pull(self, request: PullRequest, *, token: str) -> PullResponse:
        page = self.inner.pull(request, token=token)
        try:
            self.on_page(len(page.changes), page.has_more)
        except Exception:  # progress display must never break a sync
            log.exception("pull progress listener failed")
        return page

    def push(self, request: PushRequest, *, token: str) -> PushResponse:
        return self.inner.push(request, token=token)

    def checksums(self, buckets: list[str], *, token: str) -> ChecksumsResponse:
        return self.inner.checksums(buckets, token=token)

    def events(self, *, token: str, **kwargs: Any) -> Iterator[dict[str, str]]:
        events = getattr(self.inner, "events", None)
        if events is None:
            return iter(())
        return events(token=token, **kwargs)  # type: ignore[no-any-return]


def is_fresh(store: LocalStore) -> bool:
    """True before the first page ever arrived: every bucket cursor is still 0."""
    with store.engine.connect() as conn:
        known = cursors(conn)
    return not known or not any(known.values())


def bootstrap_total(store: LocalStore, protocol: SyncProtocol, tokens: TokenSource) -> int | None:
    """Rows a fresh replica is about to receive, or None (not fresh, or unknown)."""
    if not is_fresh(store):
        return None
    with store.engine.connect() as conn:
        buckets = sorted(cursors(conn))
    if not buckets:
        return None
    try:
        answer = protocol.checksums(buckets, token=tokens.access_token())
    except SyncError as exc:  # the sync that follows reports the real problem
        log.info("bootstrap size unknown: %s", exc)
        return None
    return sum(b.count for b in answer.buckets.values()) or None
