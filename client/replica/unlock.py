"""Finding, unlocking or creating the replica of one (server, user): the start-up path.

Offline lease (DESIGN 7)
------------------------
The replica key ``R`` (32 random bytes, the SQLCipher key) is kept wrapped by
the server-issued device lease key ``L`` (``lease.LeaseWrappedKey``:
AES-256-GCM, the expiry and device id authenticated with it). The two halves
are stored apart, so neither alone opens the replica:

* ``replica-lease.json`` in the replica directory: ``R`` sealed under ``L``
  until the expiry the server set (default 14 days, per tenant);
* ``L`` in the key store where ``R`` itself used to live: the OS keyring
  (account ``<replica id>.lease``) or, headless, ``lease-key.json`` wrapped
  under the user's passphrase (the same passphrase as before; the app never
  asks for a new one because of the lease).

Start-up (offline) reads the lease file first and refuses an expired lease
(``LeaseExpired``: connect and sign in) before asking for any passphrase; it
then loads ``L`` and unwraps ``R``. The check runs on the local clock with
``lease.LEASE_GRACE`` of slack for clock skew.

Every successful sign-in or refresh returns the (same) ``L`` with a new
expiry; ``LeasedKeyStore.renew`` re-wraps ``R`` with it (``renew_lease``).
Signing in online also lifts an expired lease: ``open_user_replica(lease=...)``
unwraps the stored lease whatever its expiry (the server has just vouched for
the device) and unlocks the *existing* replica, so its outbox survives; a new
empty replica is never put over an existing one. The local key store is still
required on that path, so the passphrase keeps protecting the data at rest.

Revocation: the server destroys a revoked device's ``L`` and answers its next
contact with ``device_revoked``; ``LocalStore.wipe`` (the sync engine calls
it) deletes the lease file, ``L`` and any pre-lease key, then the database.

Limits, by design: the expiry is checked against the local clock, so a
person holding the laptop *and* the keyring or passphrase who sets the clock
back (or runs his own code) can still open a lapsed replica. What the lease
guarantees is that the app itself stops opening it, that the expiry cannot be
edited, and that a revoked or lapsed device is never given a lease again; the
real protection is that the server stops re-issuing.

Pre-lease replicas (``R`` itself in the key store, no lease file) keep
opening and are converted at the next successful sign-in.

Crash safety: a renewal writes the lease file (atomically) first, then saves
``L`` if it changed, then deletes a pre-lease key. A crash in between leaves
either the pre-lease key (still used) or a lease file the server's ``L``
opens at the next sign-in; never a replica whose key is lost. A new replica's
key material is saved before the database is created.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable

from client.replica._files import write_private_file
from client.replica.database import side_files
from client.replica.errors import (
    KeyFileCorrupt,
    KeyNotFound,
    KeyStoreError,
    LeaseExpired,
    LeaseInvalid,
    ReplicaError,
)
from client.replica.keys import (
    KeyringKeyStore,
    KeyStore,
    check_key,
    choose_key_store,
    keyring_usable,
    new_replica_key,
)
from client.replica.lease import LEASE_GRACE, DeviceLease, LeaseWrappedKey
from client.replica.passphrase import PassphraseKeyStore, PassphrasePrompt, PassphraseProvider
from client.replica.paths import replica_db_path, replica_dir_for_id, replica_id
from client.replica.store import LocalStore

log = logging.getLogger(__name__)

LEASE_FILENAME = "replica-lease.json"
LEASE_KEY_FILENAME = "lease-key.json"
LEASE_KEYRING_SUFFIX = ".lease"

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _no_passphrase(prompt: PassphrasePrompt) -> str:
    raise KeyStoreError("a passphrase is needed here but none can be asked for")


class _SamePassphrase:
    """Asks the user as usual, and answers a later "create" with the passphrase just given.

    Moving the key material to the lease scheme (or taking a rotated lease key)
    re-wraps it under the passphrase the user already has; it must not look
    like choosing a new one. Lives as long as the open replica, whose key is
    in memory anyway.
    """

    def __init__(self, provider: PassphraseProvider) -> None:
        self.provider = provider
        self._known: str | None = None

    def __call__(self, prompt: PassphrasePrompt) -> str:
        if prompt == "create" and self._known is not None:
            return self._known
        self._known = self.provider(prompt)
        return self._known

    def forget(self) -> None:
        self._known = None


class LeasedKeyStore:
    """The key material of one replica: lease file + lease key, or a pre-lease key.

    A ``KeyStore`` for the replica key: ``load`` unlocks it offline (checking
    the lease), ``delete`` destroys all of it (what a wipe needs), ``renew``
    re-wraps it under a lease the server has just issued.
    """

    def __init__(
        self,
        rid: str,
        *,
        passphrase_provider: PassphraseProvider = _no_passphrase,
        allow_plaintext_keyring: bool = False,
        clock: Clock | None = None,
        grace: dt.timedelta = LEASE_GRACE,
    ) -> None:
        self.replica_id = rid
        self.directory = replica_dir_for_id(rid)
        self.lease_path = self.directory / LEASE_FILENAME
        self.clock = clock or utc_now
        self.grace = grace
        self._passphrase = _SamePassphrase(passphrase_provider)
        self.allow_plaintext_keyring = allow_plaintext_keyring
        #: Where the replica key itself was kept before leases (and still is until converted).
        self.legacy: KeyStore = choose_key_store(
            rid,
            passphrase_provider=self._passphrase,
            allow_plaintext_keyring=allow_plaintext_keyring,
        )
        self.lease_key_store: KeyStore = self._choose_lease_key_store()
        self._replica_key: bytes | None = None
        self._lease_key: bytes | None = None

    def _choose_lease_key_store(self) -> KeyStore:
        """The same kind of store the replica key used (or would use)."""
        file_store = PassphraseKeyStore(
            self.directory / LEASE_KEY_FILENAME,
            self._passphrase,
            context=f"{self.replica_id}{LEASE_KEYRING_SUFFIX}".encode(),
        )
        if file_store.exists() or isinstance(self.legacy, PassphraseKeyStore):
            return file_store
        if keyring_usable(allow_plaintext=self.allow_plaintext_keyring):
            return KeyringKeyStore(
                f"{self.replica_id}{LEASE_KEYRING_SUFFIX}",
                allow_plaintext=self.allow_plaintext_keyring,
            )
        return file_store

    # -- the lease file -----------------------------------------------------------

    def read_lease(self) -> LeaseWrappedKey | None:
        """The stored lease, or None for a replica that has none yet."""
        try:
            text = self.lease_path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise KeyFileCorrupt(f"unreadable lease file {self.lease_path}: {exc}") from exc
        wrapped = LeaseWrappedKey.from_json(text)
        if wrapped.replica_id != self.replica_id:
            raise KeyFileCorrupt(f"{self.lease_path} belongs to another replica")
        return wrapped

    @property
    def has_lease(self) -> bool:
        return self.lease_path.is_file()

    # -- KeyStore ------------------------------------------------------------------

    def exists(self) -> bool:
        return self.has_lease or self.legacy.exists()

    def load(self) -> bytes:
        """The replica key, offline: ``LeaseExpired`` once the lease has run out."""
        wrapped = self.read_lease()
        if wrapped is None:  # a pre-lease replica: converted at the next sign-in
            return self._remember(self.legacy.load())
        now = self.clock()
        wrapped.check_expiry(now=now, grace=self.grace)  # before asking for a passphrase
        if self.lease_key_store.exists():
            lease_key = self.lease_key_store.load()
            try:
                key = wrapped.unwrap(lease_key, now=now, grace=self.grace)
            except LeaseInvalid:
                if not self.legacy.exists():
                    raise
            else:
                self._lease_key = lease_key
                return self._remember(key)
        elif not self.legacy.exists():
            raise KeyNotFound(
                f"the lease key of the replica in {self.directory} is not available here "
                "(keyring missing or locked); the replica was left untouched"
            )
        # A conversion interrupted before the pre-lease key was deleted.
        return self._remember(self.legacy.load())

    def save(self, key: bytes) -> None:
        """Keep a new replica key before any lease exists (converted at the next sign-in)."""
        if self.has_lease:
            raise KeyStoreError(f"{self.directory} already has a leased key; use renew()")
        self.legacy.save(check_key(key))
        self._remember(key)

    def delete(self) -> None:
        """Destroy every piece of key material; absent pieces are fine (wipe is idempotent).

        The lease file goes first: without it (and without a pre-lease key)
        the replica key no longer exists anywhere.
        """
        self._replica_key = self._lease_key = None
        self._passphrase.forget()
        errors: list[Exception] = []
        try:
            self.lease_path.unlink(missing_ok=True)
        except OSError as exc:
            errors.append(exc)
        for store in (self.legacy, self.lease_key_store):
            try:
                store.delete()
            except KeyStoreError as exc:
                errors.append(exc)
        if errors:
            raise errors[0]

    # -- the lease -------------------------------------------------------------------

    def renew(self, lease: DeviceLease) -> None:
        """Re-wrap the replica key under a lease the server has just issued.

        Converts a pre-lease replica, takes a new lease key if the server
        rotated it, and moves the expiry forward; the replica key never changes.
        """
        key = self._replica_key if self._replica_key is not None else self.unlock_renewed(lease)
        wrapped = LeaseWrappedKey.wrap(
            key,
            device_key=lease.key,
            device_key_id=lease.device_id,
            expires_at=lease.expires_at,
            replica_id=self.replica_id,
        )
        # _lease_key is what unlocking proved to be stored; unknown (pre-lease, half
        # converted, new) means save. Never loaded here: that could ask for a passphrase.
        save_key = self._lease_key != lease.key
        if save_key and not self.has_lease:  # first lease: the key before the file
            self.lease_key_store.save(lease.key)
            save_key = False
        write_private_file(self.lease_path, wrapped.to_json().encode("utf-8"))
        if save_key:  # rotated key: the file first (the server can re-send the new key)
            self.lease_key_store.save(lease.key)
        self._lease_key = lease.key
        if self.legacy.exists():
            self.legacy.delete()
            log.info("replica %s converted to the offline lease", self.replica_id)

    def unlock_renewed(self, lease: DeviceLease) -> bytes:
        """The replica key for a renewal: the stored expiry no longer counts."""
        wrapped = self.read_lease()
        if wrapped is not None and self.lease_key_store.exists():
            stored = self.lease_key_store.load()  # the local secret is still required
            self._lease_key = stored
            for candidate in (stored, lease.key):
                try:
                    return self._remember(wrapped.unwrap_renewed(candidate))
                except LeaseInvalid:
                    continue
        if self.legacy.exists():
            return self._remember(self.legacy.load())
        if wrapped is None:
            raise KeyNotFound(f"no replica key for {self.directory}")
        if not self.lease_key_store.exists():
            raise KeyNotFound(
                f"the lease key of the replica in {self.directory} is not available here "
                "(keyring missing or locked); the replica was left untouched"
            )
        raise LeaseInvalid(
            "neither the stored nor the server's device key opens this replica's lease "
            "(altered?); the replica was left untouched"
        )

    def _remember(self, key: bytes) -> bytes:
        self._replica_key = check_key(key)
        return key


def open_user_replica(
    server_url: str,
    user: str,
    *,
    passphrase_provider: PassphraseProvider,
    user_id: str | None = None,
    allow_plaintext_keyring: bool = False,
    lease: DeviceLease | None = None,
    clock: Clock | None = None,
) -> LocalStore:
    """Open this user's replica, creating it (and its key) on first use.

    ``user`` is what is known at sign-in (the email offline); ``user_id``, when
    known, is recorded and checked against the replica.

    Without ``lease`` (start-up, offline) the stored lease must still run at
    ``clock()``, else ``LeaseExpired``; nothing is changed on disk. With a
    ``lease`` just issued by the server (sign-in), an expired lease is lifted
    and the key re-wrapped under it; a new replica is born leased.
    """
    rid = replica_id(server_url, user)
    db_path = replica_db_path(replica_dir_for_id(rid))
    key_store = LeasedKeyStore(
        rid,
        passphrase_provider=passphrase_provider,
        allow_plaintext_keyring=allow_plaintext_keyring,
        clock=clock,
    )
    has_replica = db_path.is_file() and db_path.stat().st_size > 0
    key: bytes | None = None
    if key_store.exists():
        try:
            key = key_store.load() if lease is None else key_store.unlock_renewed(lease)
        except (KeyNotFound, KeyFileCorrupt, LeaseInvalid, LeaseExpired):
            if has_replica:
                raise
            # A key saved just before a crash is reused, but key material that no
            # longer works and has no database protects nothing: start afresh.
            key_store.delete()
            key_store = LeasedKeyStore(
                rid,
                passphrase_provider=passphrase_provider,
                allow_plaintext_keyring=allow_plaintext_keyring,
                clock=clock,
            )
    if key is None:
        if has_replica:
            raise KeyNotFound(
                f"the replica at {db_path} exists but its key is not available here "
                "(keyring missing or locked); the replica was left untouched"
            )
        key = key_store._remember(new_replica_key())
        if lease is None:
            key_store.save(key)
    if lease is not None and not has_replica:
        key_store.renew(lease)  # the key material is saved before the database exists
    store = LocalStore.open(
        db_path,
        key,
        create=not has_replica,
        key_store=key_store,
        server_url=server_url,
        user_id=user_id,
    )
    if lease is not None and has_replica:
        try:  # proven on the database first: a wrong key is never sealed over the good one
            key_store.renew(lease)
        except BaseException:
            store.close()
            raise
    return store


def renew_lease(store: LocalStore, lease: DeviceLease | None) -> bool:
    """After a sign-in or refresh: re-wrap the open replica's key under the new lease.

    False (and nothing written) when there is no lease or the store was not
    opened through ``open_user_replica``.
    """
    if lease is None or not isinstance(store.key_store, LeasedKeyStore):
        return False
    store.key_store.renew(lease)
    return True


def lease_device_id(server_url: str, user: str) -> str | None:
    """The device id the stored lease names (no key needed), for signing in again."""
    try:
        wrapped = LeasedKeyStore(replica_id(server_url, user)).read_lease()
    except ReplicaError:
        return None
    if wrapped is None:
        return None
    try:
        return str(uuid.UUID(wrapped.device_key_id))
    except ValueError:
        return None


def wipe_user_replica(server_url: str, user: str, *, allow_plaintext_keyring: bool = False) -> None:
    """Destroy a replica that cannot be opened (revoked while its lease had run out).

    Key material first (crypto-shredding), then the database and its side files.
    """
    key_store = LeasedKeyStore(
        replica_id(server_url, user), allow_plaintext_keyring=allow_plaintext_keyring
    )
    db_path = replica_db_path(key_store.directory)
    errors: list[Exception] = []
    try:
        key_store.delete()
    except (KeyStoreError, OSError) as exc:
        errors.append(exc)
    for file in side_files(db_path):
        try:
            file.unlink(missing_ok=True)
        except OSError as exc:
            errors.append(exc)
    if errors:
        raise errors[0]


__all__ = [
    "LEASE_FILENAME",
    "LEASE_KEY_FILENAME",
    "LeasedKeyStore",
    "lease_device_id",
    "open_user_replica",
    "renew_lease",
    "wipe_user_replica",
]
