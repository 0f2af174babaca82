"""One signed-in user's open replica and everything a client needs around it.

The desktop app holds one ``Workspace`` per signed-in window: the store,
the session (tokens), the protocol, the write service whose changes it
fans out to listeners, and the sync engine factory. Headless, so the CLI
and tests can open exactly what the app opens.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from client.replica.passphrase import PassphraseProvider
from client.replica.store import LocalStore
from client.services import accounts
from client.services.lists import ensure_list_indexes
from client.services.search import ensure_search_index
from client.services.sync_progress import PageListener, ProgressProtocol
from client.services.writes import LocalWriteService
from client.session import ClientSession, Profile, resume, sign_in
from client.sync.bulk import restore_if_pending
from client.sync.clock import DeviceClock
from client.sync.engine import SyncEngine
from client.sync.protocol import HttpSyncProtocol
from client.sync.status import SyncStatus
from shared_models.enums import UserRole

log = logging.getLogger(__name__)

WriteListener = Callable[[str, uuid.UUID], None]


@dataclass
class Workspace:
    """An open replica of one user, with its session and write path."""

    store: LocalStore
    session: ClientSession
    profile: Profile
    protocol: HttpSyncProtocol
    _listeners: list[WriteListener] = field(default_factory=list)
    _writes: LocalWriteService | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def user(self) -> dict[str, Any]:
        return self.session.user

    @property
    def role(self) -> UserRole | None:
        try:
            return UserRole(self.user.get("role", ""))
        except ValueError:
            return None

    @property
    def display_name(self) -> str:
        return str(self.user.get("full_name") or self.profile.email)

    @property
    def writes(self) -> LocalWriteService:
        """The only local write path; every write is announced to ``on_write`` listeners."""
        with self._lock:
            if self._writes is None:
                user = self.user
                self._writes = LocalWriteService(
                    self.store,
                    user_id=user["id"],
                    tenant_id=user["tenant_id"],
                    device_id=self.session.device_id,
                    hlc=DeviceClock.for_store(self.store),
                    on_change=self._announce,
                )
            return self._writes

    def on_write(self, listener: WriteListener) -> None:
        self._listeners.append(listener)

    def _announce(self, table: str, row_id: uuid.UUID) -> None:
        for listener in list(self._listeners):
            try:
                listener(table, row_id)
            except Exception:  # one broken listener must not undo a committed write
                log.exception("write listener failed")

    def prepare(self) -> None:
        """Indexes the screens need: list sort orders and full-text search (idempotent)."""
        restore_if_pending(self.store)  # a bootstrap cut short by a crash deferred some
        ensure_list_indexes(self.store)
        ensure_search_index(self.store)

    def engine(
        self,
        *,
        on_status: Callable[[SyncStatus], None] | None = None,
        on_change: Callable[[set[str]], None] | None = None,
        on_page: PageListener | None = None,
    ) -> SyncEngine:
        """A sync engine over this replica; ``on_page`` hears every pulled page."""
        device_id = self.session.device_id
        if not device_id:
            raise RuntimeError("this replica was never signed in")
        protocol: Any = self.protocol
        if on_page is not None:
            protocol = ProgressProtocol(self.protocol, on_page)
        return SyncEngine(
            self.store,
            protocol,
            self.session,
            device_id=device_id,
            on_status=on_status,
            on_change=on_change,
        )

    def close(self) -> None:
        if not self.store.closed:
            self.store.close()
        self.protocol.close()


def open_workspace(profile: Profile, passphrase_provider: PassphraseProvider) -> Workspace:
    """Unlock an earlier sign-in offline (``LeaseExpired``: sign in online instead)."""
    protocol = HttpSyncProtocol(profile.server_url)
    try:
        store, session = resume(profile, protocol, passphrase_provider)
    except BaseException:
        protocol.close()
        raise
    accounts.remember(profile)
    return Workspace(store, session, profile, protocol)


def sign_in_workspace(
    server_url: str,
    email: str,
    password: str,
    passphrase_provider: PassphraseProvider,
    *,
    device_name: str | None = None,
) -> Workspace:
    """Sign in online (first run, expired lease or session) and open the replica."""
    protocol = HttpSyncProtocol(server_url)
    try:
        store, session, profile = sign_in(
            server_url,
            email,
            password,
            protocol=protocol,
            passphrase_provider=passphrase_provider,
            device_name=device_name,
        )
    except BaseException:
        protocol.close()
        raise
    accounts.remember(profile)
    return Workspace(store, session, profile, protocol)
