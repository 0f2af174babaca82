"""Signing in and staying signed in: tokens, device id, and the profile of the last sign-in.

Online once (server URL, email, password), then offline for days. The
refresh token is a secret: it goes to the OS keyring when a real one exists,
otherwise into the encrypted replica itself (``sync_meta``), which is as well
protected as the data it unlocks. The access token is kept beside it so a
short CLI run does not rotate the refresh token each time.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import platform
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import keyring
import keyring.errors

from client.replica import schema
from client.replica._files import write_private_file
from client.replica.errors import KeyStoreError, LeaseExpired, LeaseInvalid, ReplicaMismatch
from client.replica.keys import keyring_usable
from client.replica.lease import DeviceLease
from client.replica.passphrase import PassphraseProvider
from client.replica.paths import (
    data_dir,
    normalise_server_url,
    replica_db_path,
    replica_dir_for_id,
    replica_id,
)
from client.replica.store import LocalStore
from client.replica.unlock import (
    Clock,
    lease_device_id,
    open_user_replica,
    renew_lease,
    wipe_user_replica,
)
from client.sync.db import (
    META_DEVICE_ID,
    META_NEEDS_SIGN_IN,
    ensure_sync_schema,
    read_meta,
    replica_tx,
    set_meta,
)
from client.sync.errors import (
    AuthExpired,
    DeviceRevoked,
    InvalidCredentials,
    PermissionDeniedError,
    SessionExpired,
    ValidationFailed,
)
from client.sync.protocol import SyncProtocol, Tokens
from client.sync.pull import set_buckets
from shared_models.sync.wire import LoginRequest, LoginResponse

T = TypeVar("T")

log = logging.getLogger(__name__)

KEYRING_SERVICE = "cnc-crm-session"
META_SESSION = "session"
META_USER = "user"
META_LEASE_EXPIRES_AT = "lease_expires_at"
PROFILE_FILE = "profile.json"
#: Refresh this long before the access token's expiry, for clock skew and slow links.
EXPIRY_MARGIN_S = 30


@dataclass(frozen=True)
class Profile:
    """Who signed in last on this machine (no secrets): what the CLI opens by default."""

    server_url: str
    email: str
    user_id: str

    @classmethod
    def load(cls) -> Profile | None:
        try:
            doc = json.loads((data_dir() / PROFILE_FILE).read_text("utf-8"))
            return cls(doc["server_url"], doc["email"], doc["user_id"])
        except (OSError, ValueError, KeyError):
            return None

    def save(self) -> None:
        body = json.dumps(self.__dict__, indent=2).encode("utf-8")
        write_private_file(data_dir() / PROFILE_FILE, body)


class TokenVault:
    """The session secrets: OS keyring when usable, else the encrypted replica."""

    def __init__(self, store: LocalStore, account: str) -> None:
        self.store = store
        self.account = account
        self.use_keyring = keyring_usable()

    def load(self) -> dict[str, Any]:
        text: str | None = None
        if self.use_keyring:
            try:
                text = keyring.get_password(KEYRING_SERVICE, self.account)
            except keyring.errors.KeyringError:
                text = None
        if text is None:
            text = read_meta(self.store, META_SESSION)
        try:
            return dict(json.loads(text)) if text else {}
        except ValueError:
            return {}

    def save(self, secrets: dict[str, Any]) -> None:
        text = json.dumps(secrets)
        if self.use_keyring:
            try:
                keyring.set_password(KEYRING_SERVICE, self.account, text)
                return
            except keyring.errors.KeyringError:
                pass  # fall back to the replica
        with replica_tx(self.store) as conn:
            set_meta(conn, META_SESSION, text)

    def clear(self) -> None:
        if self.use_keyring:
            try:
                keyring.delete_password(KEYRING_SERVICE, self.account)
            except keyring.errors.KeyringError:
                pass
        if not self.store.closed:
            with replica_tx(self.store) as conn:
                set_meta(conn, META_SESSION, None)


class ClientSession:
    """Hands out a valid access token, refreshing (and rotating) when needed."""

    def __init__(self, store: LocalStore, protocol: SyncProtocol, vault: TokenVault) -> None:
        self.store = store
        self.protocol = protocol
        self.vault = vault
        self._lock = threading.Lock()

    @property
    def device_id(self) -> str | None:
        return read_meta(self.store, META_DEVICE_ID)

    @property
    def user(self) -> dict[str, Any]:
        return json.loads(read_meta(self.store, META_USER) or "{}")

    def access_token(self) -> str:
        with self._lock:
            secrets = self.vault.load()
            if secrets.get("access_token") and secrets.get("access_expires_at", 0) > time.time():
                return str(secrets["access_token"])
        return self.refresh()

    def refresh(self) -> str:
        """Rotate the refresh token; ``SessionExpired`` when the server will not."""
        with self._lock:
            refresh_token = self.vault.load().get("refresh_token")
            if not refresh_token:
                raise SessionExpired("not signed in on this device")
            try:
                tokens = self.protocol.refresh(refresh_token)
            except (
                AuthExpired,
                InvalidCredentials,
                PermissionDeniedError,
                ValidationFailed,
            ) as exc:
                raise SessionExpired(f"the session ended: {exc}") from exc
            self._save(tokens)
            return tokens.access_token

    def call(self, request: Callable[[str], T]) -> T:
        """Run ``request`` with a valid access token; once more with a fresh one if it
        expired between the check and the call (clocks differ, a laptop slept)."""
        try:
            return request(self.access_token())
        except AuthExpired:
            return request(self.refresh())

    def forget(self) -> None:
        self.vault.clear()

    def logout(self) -> None:
        refresh_token = self.vault.load().get("refresh_token")
        try:
            if refresh_token:
                self.protocol.logout(refresh_token)
        finally:
            self.forget()

    def _save(self, tokens: Tokens | LoginResponse) -> None:
        self.vault.save(
            {
                "access_token": tokens.access_token,
                "access_expires_at": time.time() + max(0, tokens.expires_in - EXPIRY_MARGIN_S),
                "refresh_token": tokens.refresh_token,
            }
        )
        # The lease key is not kept with the tokens: the replica's key store holds it
        # (client.replica.unlock), and the replica key is re-wrapped with the new expiry.
        device_id = getattr(tokens, "device_id", None) or self.device_id
        try:
            lease = DeviceLease.from_wire(tokens.lease_key, tokens.lease_expires_at, device_id)
            renew_lease(self.store, lease)
        except KeyStoreError as exc:  # the previous lease stays; retried on the next contact
            log.warning("could not renew the offline lease: %s", exc)
        if tokens.lease_expires_at:
            with replica_tx(self.store) as conn:
                set_meta(conn, META_LEASE_EXPIRES_AT, tokens.lease_expires_at)


def default_device_name() -> str:
    return socket.gethostname()[:120] or "cnc-client"


def open_replica(
    profile: Profile, passphrase_provider: PassphraseProvider, *, clock: Clock | None = None
) -> LocalStore:
    """Unlock offline; ``LeaseExpired`` when the device must sign in online first."""
    store = open_user_replica(
        profile.server_url,
        profile.email,
        passphrase_provider=passphrase_provider,
        user_id=profile.user_id,
        clock=clock,
    )
    ensure_sync_schema(store)
    return store


def resume(
    profile: Profile,
    protocol: SyncProtocol,
    passphrase_provider: PassphraseProvider,
    *,
    clock: Clock | None = None,
) -> tuple[LocalStore, ClientSession]:
    """Open the replica and session of an earlier sign-in (works offline while the lease runs)."""
    store = open_replica(profile, passphrase_provider, clock=clock)
    account = replica_id(profile.server_url, profile.email)
    return store, ClientSession(store, protocol, TokenVault(store, account))


def sign_in(
    server_url: str,
    email: str,
    password: str,
    *,
    protocol: SyncProtocol,
    passphrase_provider: PassphraseProvider,
    device_name: str | None = None,
    clock: Clock | None = None,
) -> tuple[LocalStore, ClientSession, Profile]:
    """Sign in online, open (or create) the replica, record device, buckets and tokens.

    Also the way back from an expired offline lease: the server's new lease
    unlocks the existing replica (outbox included). A device the server calls
    revoked has its replica and key material wiped. ``clock`` is the unlock
    path's clock (tests travel in time with it).
    """
    server_url = normalise_server_url(server_url)
    email = email.strip().lower()
    rid = replica_id(server_url, email)
    existing = replica_db_path(replica_dir_for_id(rid)).is_file()
    store: LocalStore | None = None
    try:
        device_id = None
        if existing:  # a device signing in again keeps its id (and push watermark)
            try:
                store = open_user_replica(
                    server_url, email, passphrase_provider=passphrase_provider, clock=clock
                )
            except (LeaseExpired, LeaseInvalid):
                # Only the server can lift the lease: sign in as the device the lease names.
                device_id = lease_device_id(server_url, email)
            else:
                ensure_sync_schema(store)
                device_id = read_meta(store, META_DEVICE_ID)
        try:
            answer = protocol.login(
                LoginRequest(
                    email=email,
                    password=password,
                    device_name=device_name or default_device_name(),
                    platform=platform.system().lower()[:32] or None,
                    app_version="0.1.0",
                    device_id=device_id,  # type: ignore[arg-type]
                )
            )
        except DeviceRevoked:
            _wipe_revoked(store, server_url, email, rid)
            store = None
            raise
        lease = DeviceLease.from_wire(answer.lease_key, answer.lease_expires_at, answer.device_id)
        if store is None:  # created only once the server said yes: no junk replicas
            store = open_user_replica(
                server_url, email, passphrase_provider=passphrase_provider, lease=lease, clock=clock
            )
            ensure_sync_schema(store)
        user_id = str(answer.user.id)
        recorded = store.get_meta(schema.META_USER_ID)
        if recorded not in (None, user_id):
            raise ReplicaMismatch("this replica holds the data of another user")
        store.set_meta(schema.META_USER_ID, user_id)
        with replica_tx(store) as conn:
            set_meta(conn, META_DEVICE_ID, str(answer.device_id))
            set_meta(conn, META_USER, answer.user.model_dump_json())
            set_meta(conn, META_NEEDS_SIGN_IN, None)
            set_buckets(conn, answer.buckets)
        session = ClientSession(store, protocol, TokenVault(store, rid))
        session._save(answer)
        profile = Profile(server_url, email, user_id)
        profile.save()
        return store, session, profile
    except BaseException:
        if store is not None:
            store.close()
        raise


def _wipe_revoked(store: LocalStore | None, server_url: str, email: str, rid: str) -> None:
    """DESIGN 7: a revoked device erases its replica, key material and session secrets."""
    log.warning("device revoked by the server: wiping the replica and its key")
    if keyring_usable():
        try:
            keyring.delete_password(KEYRING_SERVICE, rid)
        except keyring.errors.KeyringError:
            pass
    if store is not None:
        store.wipe()
    else:
        wipe_user_replica(server_url, email)


def lease_expires_at(store: LocalStore) -> dt.datetime | None:
    text = read_meta(store, META_LEASE_EXPIRES_AT)
    return dt.datetime.fromisoformat(text) if text else None
