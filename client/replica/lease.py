"""The offline lease seam (DESIGN 7): the replica key wrapped by a server-issued device key.

The server re-issues the device key with an expiry on each contact. The
expiry is bound into the AES-GCM associated data, so it cannot be pushed back
by editing the stored lease; the clock check itself is policy, the real wall
is that a revoked or lapsed device is never sent a device key again.
"""
from __future__ import annotations

import base64
import datetime as dt
import json
import os
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from client.replica.errors import KeyFileCorrupt, LeaseExpired, LeaseInvalid

DEVICE_KEY_BYTES = 32
_NONCE_BYTES = 12


def _utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("lease expiry must be timezone-aware")
    return value.astimezone(dt.timezone.utc)


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

    def unwrap(self, device_key: bytes, *, now: dt.datetime | None = None) -> bytes:
        """The replica key, if the lease is still running and the device key is right."""
        now = _utc(now) if now is not None else dt.datetime.now(dt.timezone.utc)
        if now >= self.expires_at:
            raise LeaseExpired(
                f"the offline lease ended at {self.expires_at.isoformat()}: "
                "connect to the server to unlock this replica again"
            )
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
        return json.dumps({
            "version": 1,
            "replica_id": self.replica_id,
            "device_key_id": self.device_key_id,
            "expires_at": self.expires_at.isoformat(),
            "nonce": base64.b64encode(self.nonce).decode("ascii"),
            "ciphertext": base64.b64encode(self.ciphertext).decode("ascii"),
        })

    @classmethod
    def from_json(cls, text: str | bytes) -> LeaseWrappedKey:
        try:
            doc: dict[str, Any] = json.loads(text)
            if doc["version"] != 1:
                raise KeyFileCorrupt("unknown lease format version")
            return cls(
                replica_id=str(doc["replica_id"]),
                device_key_id=str(doc["device_key_id"]),
                expires_at=_utc(dt.datetime.fromisoformat(doc["expires_at"])),
                nonce=base64.b64decode(doc["nonce"], validate=True),
                ciphertext=base64.b64decode(doc["ciphertext"], validate=True),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise KeyFileCorrupt(f"unreadable lease: {exc}") from exc


def _aad(replica_id: str, device_key_id: str, expires_at: dt.datetime) -> bytes:
    return json.dumps(
        [replica_id, device_key_id, expires_at.isoformat()], separators=(",", ":")
    ).encode("utf-8")
