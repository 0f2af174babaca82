"""The offline lease seam (DESIGN 7): the replica key wrapped by a server-issued device key.

The server re-issues the device key with an expiry on each contact. The
expiry is bound into the AES-GCM associated data, so it cannot be pushed back
by editing the stored lease; the clock check itself is policy, the real wall
is that a revoked or lapsed device is never sent a device key again.

``LeaseWrappedKey`` is the sealed replica key (kept in the replica directory);
``DeviceLease`` is what a sign-in or refresh hands out (the device key, its
expiry and the device id). How the two are stored and checked at start-up is
described in ``client.replica.unlock``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import os
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from client.replica.errors import KeyFileCorrupt, LeaseExpired, LeaseInvalid

DEVICE_KEY_BYTES = 32
_NONCE_BYTES = 12
#: Slack on the local clock check: a laptop clock a few minutes behind or ahead
#: of the server's must not lock a crew out at the very end of its lease.
LEASE_GRACE = dt.timedelta(minutes=30)


def _utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("lease expiry must be timezone-aware")
    return value.astimezone(dt.UTC)


@dataclass(frozen=True)
class LeaseWrappedKey:
    """A replica key sealed under a device key until ``expires_at``."""

    replica_id: str
    device_key_id: str
    expires_at: dt.datetime
    nonce: bytes
    ciphertext: bytes

    @classmethod
    def wrap(
        cls,
        replica_key: bytes,
        *,
        device_key: bytes,
        device_key_id: str,
        expires_at: dt.datetime,
        replica_id: str,
    ) -> LeaseWrappedKey:
        if len(device_key) != DEVICE_KEY_BYTES:
            raise ValueError(f"a device key is {DEVICE_KEY_BYTES} raw bytes")
        nonce = os.urandom(_NONCE_BYTES)
        expires_at = _utc(expires_at)
        aad = _aad(replica_id, device_key_id, expires_at)
        ciphertext = AESGCM(device_key).encrypt(nonce, replica_key, aad)
        return cls(replica_id, device_key_id, expires_at, nonce, ciphertext)

    def check_expiry(
        self, *, now: dt.datetime | None = None, grace: dt.timedelta = dt.timedelta(0)
    ) -> None:
        """Raise ``LeaseExpired`` once ``now`` reaches ``expires_at + grace``.

        Needs no key, so start-up can refuse an expired lease before asking
        for a passphrase.
        """
        now = _utc(now) if now is not None else dt.datetime.now(dt.UTC)
        if now >= self.expires_at + grace:
            raise LeaseExpired(
                f"the offline lease of this device ended at {self.expires_at.isoformat()}: "
                "connect to the server and sign in to unlock this replica again "
                "(the local data and unsent changes were kept)"
            )

    def unwrap(
        self,
        device_key: bytes,
        *,
        now: dt.datetime | None = None,
        grace: dt.timedelta = dt.timedelta(0),
    ) -> bytes:
        """The replica key, if the lease is still running and the device key is right."""
        self.check_expiry(now=now, grace=grace)
        return self.unwrap_renewed(device_key)

    def unwrap_renewed(self, device_key: bytes) -> bytes:
        """The replica key whatever the stored expiry says.

        Only for a lease the server has just re-issued (a successful sign-in or
        refresh): the new expiry supersedes the stored one. The stored expiry is
        still authenticated, so a tampered lease fails here too.
        """
        if len(device_key) != DEVICE_KEY_BYTES:
            raise LeaseInvalid(f"a device key is {DEVICE_KEY_BYTES} raw bytes")
        aad = _aad(self.replica_id, self.device_key_id, self.expires_at)
        try:
            return AESGCM(device_key).decrypt(self.nonce, self.ciphertext, aad)
        except InvalidTag:
            raise LeaseInvalid(
                "the device key does not open this lease (revoked, rotated or altered)"
            ) from None

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": 1,
                "replica_id": self.replica_id,
                "device_key_id": self.device_key_id,
                "expires_at": self.expires_at.isoformat(),
                "nonce": base64.b64encode(self.nonce).decode("ascii"),
                "ciphertext": base64.b64encode(self.ciphertext).decode("ascii"),
            }
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> LeaseWrappedKey:
        try:
            doc: dict[str, Any] = json.loads(text)
            if doc["version"] != 1:
                raise KeyFileCorrupt("unknown lease format version")
            nonce = base64.b64decode(doc["nonce"], validate=True)
            if len(nonce) != _NONCE_BYTES:
                raise KeyFileCorrupt(f"unreadable lease: nonce of {len(nonce)} bytes")
            return cls(
                replica_id=str(doc["replica_id"]),
                device_key_id=str(doc["device_key_id"]),
                expires_at=_utc(dt.datetime.fromisoformat(doc["expires_at"])),
                nonce=nonce,
                ciphertext=base64.b64decode(doc["ciphertext"], validate=True),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise KeyFileCorrupt(f"unreadable lease: {exc}") from exc


def _aad(replica_id: str, device_key_id: str, expires_at: dt.datetime) -> bytes:
    return json.dumps(
        [replica_id, device_key_id, expires_at.isoformat()], separators=(",", ":")
    ).encode("utf-8")


@dataclass(frozen=True)
class DeviceLease:
    """A lease as the server hands it out on sign-in or refresh."""

    key: bytes = field(repr=False)
    expires_at: dt.datetime
    device_id: str

    def __post_init__(self) -> None:
        if len(self.key) != DEVICE_KEY_BYTES:
            raise ValueError(f"a device key is {DEVICE_KEY_BYTES} raw bytes")
        object.__setattr__(self, "expires_at", _utc(self.expires_at))

    @classmethod
    def from_wire(
        cls, lease_key: str | None, lease_expires_at: str | None, device_id: object
    ) -> DeviceLease | None:
        """From ``LoginResponse.lease_key`` / ``lease_expires_at``; None when the server sent none."""
        if not lease_key or not lease_expires_at or not device_id:
            return None
        try:
            key = base64.b64decode(lease_key, validate=True)
            expires_at = dt.datetime.fromisoformat(lease_expires_at)
            return cls(key, expires_at, str(device_id))
        except (binascii.Error, ValueError) as exc:
            raise LeaseInvalid(f"the server sent an unreadable lease: {exc}") from exc
