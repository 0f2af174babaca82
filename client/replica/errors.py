"""Errors of the encrypted replica, each with a message a user can act on.

The UI shows these as they are (DESIGN 7: "a clear message, never a crash"),
so every message says what happened and what was left as it was.
"""

from __future__ import annotations


class ReplicaError(Exception):
    """Base of everything that can go wrong opening or owning the replica."""


class ReplicaMissing(ReplicaError, FileNotFoundError):
    """No replica file where one was expected and creating one was not asked for."""


class WrongReplicaKey(ReplicaError):
    """The key does not decrypt the replica (or the file is not a replica at all)."""


class NotAReplica(ReplicaError):
    """The file decrypts but was never initialised as a replica."""


class ReplicaTooNew(ReplicaError):
    """The replica was written by a newer client whose schema this code does not know."""


class ReplicaMismatch(ReplicaError):
    """The replica belongs to another server or user than the one asked for."""


class ReplicaClosed(ReplicaError):
    """The store was closed or wiped; open it again to use it."""


class KeyStoreError(ReplicaError):
    """Base of key storage failures."""


class KeyNotFound(KeyStoreError):
    """No key stored for this replica."""


class KeyringUnavailable(KeyStoreError):
    """No usable OS keyring (headless Linux, locked or refused keyring)."""


class WrongPassphrase(KeyStoreError):
    """The passphrase does not unwrap the stored replica key."""


class KeyFileCorrupt(KeyStoreError):
    """The wrapped-key file is unreadable or was tampered with."""


class LeaseExpired(KeyStoreError):
    """The offline lease ran out: the device must reach the server to unlock again."""


class LeaseInvalid(KeyStoreError):
    """The device key does not unwrap the lease (revoked, rotated or tampered with)."""
