"""The replica key and where it is kept (DESIGN 7).

A replica is encrypted with 32 random bytes, never derived from a password,
so unlocking costs no KDF time and changing a passphrase never re-encrypts
the database. The key lives in the OS keyring when there is a real one, else
wrapped under the user's passphrase (``passphrase.PassphraseKeyStore``).
"""

from __future__ import annotations

import base64
import binascii
import secrets
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import keyring
import keyring.errors

from client.replica.errors import KeyNotFound, KeyringUnavailable
from client.replica.passphrase import PassphraseKeyStore, PassphraseProvider
from client.replica.paths import replica_dir_for_id, wrapped_key_path

KEY_BYTES = 32
KEYRING_SERVICE = "cnc-crm"
#: Backends that "work" but keep secrets in clear text next to the replica:
#: storing the key there would make the encryption pointless.
_PLAINTEXT_BACKENDS = frozenset({"keyrings.alt.file.PlaintextKeyring"})
_NULL_BACKENDS = frozenset({"keyring.backends.fail.Keyring", "keyring.backends.null.Keyring"})


def new_replica_key() -> bytes:
    """A fresh 256-bit replica key from the OS CSPRNG."""
    return secrets.token_bytes(KEY_BYTES)


def check_key(key: bytes) -> bytes:
    """Refuse anything but 32 raw bytes: a short key would silently weaken SQLCipher."""
    if not isinstance(key, bytes) or len(key) != KEY_BYTES:
        raise ValueError(f"a replica key is {KEY_BYTES} raw bytes")
    return key


@runtime_checkable
class KeyStore(Protocol):
    """Where one replica's key is kept."""

    def load(self) -> bytes: ...

    def save(self, key: bytes) -> None: ...

    def delete(self) -> None: ...

    def exists(self) -> bool: ...


def _qualname(backend: Any) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def keyring_usable(backend: Any = None, *, allow_plaintext: bool = False) -> bool:
    """Whether ``backend`` (default: the active one) can really hold a secret."""
    backend = keyring.get_keyring() if backend is None else backend
    name = _qualname(backend)
    if name in _NULL_BACKENDS:
        return False
    if name == "keyring.backends.chainer.ChainerBackend":
        # The chainer writes to the first backend that accepts: judge that one.
        chained = list(getattr(backend, "backends", []))
        return bool(chained) and keyring_usable(chained[0], allow_plaintext=allow_plaintext)
    if name in _PLAINTEXT_BACKENDS and not allow_plaintext:
        return False
    try:
        return float(backend.priority) > 0
    except Exception:  # a backend whose priority check fails is not viable
        return False


class KeyringKeyStore:
    """The key in the OS keyring, base64 text under (service, replica id)."""

    def __init__(
        self, account: str, *, service: str = KEYRING_SERVICE, allow_plaintext: bool = False
    ) -> None:
        self.service = service
        self.account = account
        self.allow_plaintext = allow_plaintext

    def _backend(self) -> Any:
        backend = keyring.get_keyring()
        if not keyring_usable(backend, allow_plaintext=self.allow_plaintext):
            raise KeyringUnavailable(f"no usable OS keyring (active backend: {_qualname(backend)})")
        return backend

    def load(self) -> bytes:
        try:
            secret = self._backend().get_password(self.service, self.account)
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailable(f"the OS keyring refused to read the key: {exc}") from exc
        if secret is None:
            raise KeyNotFound(f"no replica key in the keyring for {self.account}")
        try:
            return check_key(base64.b64decode(secret, validate=True))
        except (binascii.Error, ValueError) as exc:
            raise KeyNotFound(f"the keyring entry for {self.account} is not a replica key") from exc

    def save(self, key: bytes) -> None:
        encoded = base64.b64encode(check_key(key)).decode("ascii")
        try:
            self._backend().set_password(self.service, self.account, encoded)
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailable(f"the OS keyring refused to store the key: {exc}") from exc

    def delete(self) -> None:
        """Remove the entry; deleting an absent entry is not an error (wipe is idempotent)."""
        backend = self._backend()
        try:
            backend.delete_password(self.service, self.account)
        except keyring.errors.KeyringError as exc:
            # PasswordDeleteError for an absent entry is fine; anything else is not.
            if backend.get_password(self.service, self.account) is not None:
                message = f"the OS keyring refused to delete the key: {exc}"
                raise KeyringUnavailable(message) from exc

    def exists(self) -> bool:
        try:
            return self._backend().get_password(self.service, self.account) is not None
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailable(f"the OS keyring refused to read the key: {exc}") from exc


def choose_key_store(
    replica_id: str,
    *,
    passphrase_provider: PassphraseProvider,
    key_file: Path | None = None,
    allow_plaintext_keyring: bool = False,
) -> KeyStore:
    """The store that holds (or should hold) this replica's key.

    A key already wrapped under a passphrase stays there even if a keyring
    appears later; otherwise a usable keyring wins and the passphrase store is
    the headless fallback.
    """
    key_file = key_file or wrapped_key_path(replica_dir_for_id(replica_id))
    passphrase_store = PassphraseKeyStore(
        key_file, passphrase_provider, context=replica_id.encode()
    )
    if passphrase_store.exists():
        return passphrase_store
    if keyring_usable(allow_plaintext=allow_plaintext_keyring):
        return KeyringKeyStore(replica_id, allow_plaintext=allow_plaintext_keyring)
    return passphrase_store
