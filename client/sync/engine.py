"""``SyncEngine.sync_once``: push → pull → scope-exit push → evict → rebase, Anki style.

Each phase is one explicit function in its own module; the engine only
sequences them, keeps the session fresh and turns failures into status:
an expired session stops syncing but keeps the outbox, ``schema_outdated``
keeps the client working offline, a revoked device wipes its replica.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from client.replica.store import LocalStore
from client.sync import outbox, scope
from client.sync.db import (
    META_LAST_ERROR,
    META_LAST_SYNC_AT,
    META_NEEDS_SIGN_IN,
    replica_tx,
    set_meta,
    utcnow_iso,
)
from client.sync.errors import (
    AuthExpired,
    DeviceRevoked,
    SchemaOutdated,
    ServerUnavailable,
    SessionExpired,
    SyncError,
)
from client.sync.protocol import SyncProtocol
from client.sync.pull import PullSummary, pull_all
from client.sync.push import DEFAULT_BATCH, STUCK_AFTER, PushSummary, push_all
from client.sync.rebase import rebase_rows
from client.sync.status import META_UPDATE_REQUIRED, SyncStatus, read_status
from shared_models.sync.wire import DEFAULT_PULL_LIMIT

log = logging.getLogger(__name__)
T = TypeVar("T")


class TokenSource(Protocol):
    """The signed-in session as the engine needs it (``client.session.ClientSession``)."""

    def access_token(self) -> str: ...

    def refresh(self) -> str: ...

    def forget(self) -> None: ...


@dataclass
class SyncReport:
    push: PushSummary = field(default_factory=PushSummary)
    pull: PullSummary = field(default_factory=PullSummary)
    evicted: int = 0

    @property
    def tables(self) -> set[str]:
        return self.push.tables | self.pull.tables


class SyncEngine:
    """Runs sync cycles over one replica; thread-safe use is the caller's (one loop)."""

    def __init__(
        self,
        store: LocalStore,
        protocol: SyncProtocol,
        tokens: TokenSource,
        *,
        device_id: str,
        push_batch: int = DEFAULT_BATCH,
        pull_limit: int = DEFAULT_PULL_LIMIT,
        stuck_after: int = STUCK_AFTER,
        on_status: Callable[[SyncStatus], None] | None = None,
        on_change: Callable[[set[str]], None] | None = None,
    ) -> None:
        self.store = store
        self.protocol = protocol
        self.tokens = tokens
        self.device_id = device_id
        self.push_batch = push_batch
        self.pull_limit = pull_limit
        self.stuck_after = stuck_after
        self.on_status = on_status
        self.on_change = on_change
        self.online = False
        self.wiped = False
        self._uploading = self._downloading = False

    def status(self) -> SyncStatus:
        if self.wiped:
            return SyncStatus(False, False, False, 0, None, "device revoked", 0, wiped=True)
        with self.store.engine.connect() as conn:
            return read_status(
                conn, online=self.online, uploading=self._uploading, downloading=self._downloading
            )

    # -- phases ------------------------------------------------------------------

    def push(self) -> PushSummary:
        return push_all(
            self.store,
            lambda req: self._authed(lambda t: self.protocol.push(req, token=t)),
            device_id=self.device_id,
            batch_size=self.push_batch,
            stuck_after=self.stuck_after,
        )

    def pull(self) -> PullSummary:
        return pull_all(
            self.store,
            lambda req: self._authed(lambda t: self.protocol.pull(req, token=t)),
            limit=self.pull_limit,
        )

    def settle_scope_exits(self) -> int:
        """DESIGN 6.7: push edits of rows that left our scope, then drop those rows."""
        with self.store.engine.connect() as conn:
            if not scope.parked_count(conn):
                return 0
        self.push()
        with replica_tx(self.store) as conn:
            return scope.evict_ready(conn)

    def rebase(self) -> int:
        with self.store.engine.connect() as conn:
            if not outbox.pending(conn, limit=1):
                return 0  # nothing to re-apply: no write transaction
        with replica_tx(self.store) as conn:
            return rebase_rows(conn)

    def sync_once(self) -> SyncReport:
        """One full cycle; raises the ``SyncError`` that stopped it (status already updated)."""
        report = SyncReport()
        try:
            self._flags(uploading=True)
            report.push = self.push()
            self._flags(uploading=False, downloading=True)
            report.pull = self.pull()
            self._flags(downloading=False)
            report.evicted = self.settle_scope_exits()
            self.rebase()
        except DeviceRevoked:
            self._wipe()
            raise
        except SyncError as exc:
            self._failed(exc)
            raise
        finally:
            self._uploading = self._downloading = False
        self.online = True
        with replica_tx(self.store) as conn:
            set_meta(conn, META_LAST_SYNC_AT, utcnow_iso())
            for name in (META_LAST_ERROR, META_NEEDS_SIGN_IN, META_UPDATE_REQUIRED):
                set_meta(conn, name, None)
        self._emit()
        if report.tables and self.on_change is not None:
            self.on_change(report.tables)
        return report

    # -- plumbing ----------------------------------------------------------------

    def _authed(self, call: Callable[[str], T]) -> T:
        """Call with the access token; on ``token_expired`` refresh once and retry."""
        try:
            return call(self.tokens.access_token())
        except AuthExpired:
            token = self.tokens.refresh()
        try:
            return call(token)
        except AuthExpired as exc:
            raise SessionExpired(f"the server refused a fresh token: {exc}") from exc

    def _failed(self, exc: SyncError) -> None:
        self.online = not isinstance(exc, ServerUnavailable)
        message = f"{exc.code}: {exc}"
        if isinstance(exc, SessionExpired):
            message = f"sign in again ({exc})"
        elif isinstance(exc, SchemaOutdated):
            message = f"update required: {exc} (working offline; your changes are kept)"
        with replica_tx(self.store) as conn:
            set_meta(conn, META_LAST_ERROR, message)
            if isinstance(exc, SessionExpired):
                set_meta(conn, META_NEEDS_SIGN_IN, "1")
            if isinstance(exc, SchemaOutdated):
                set_meta(conn, META_UPDATE_REQUIRED, "1")
        self._emit()

    def _wipe(self) -> None:
        log.warning("device revoked by the server: wiping the replica and its key")
        self.online = False
        try:
            self.tokens.forget()
        finally:
            self.store.wipe()
            self.wiped = True
        self._emit()

    def _flags(self, *, uploading: bool = False, downloading: bool = False) -> None:
        self._uploading, self._downloading = uploading, downloading
        self._emit()

    def _emit(self) -> None:
        if self.on_status is not None:
            try:
                self.on_status(self.status())
            except Exception:  # a status listener must never break sync
                log.exception("sync status listener failed")
