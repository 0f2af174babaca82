"""The offline lease of DESIGN 7: a per-device key the server hands out with an expiry.

The client wraps its replica key with this device key as well, and the server
hands the key out again only while the device is in good standing: a revoked
device, or one that stayed away longer than its tenant's lease, can no longer
unlock its replica. The key is kept sealed with AES-256-GCM under the server's
encryption key, bound to its device id (a sealed key copied onto another
device row does not open).
"""

from __future__ import annotations

import base64
import datetime as dt
import os
from dataclasses import dataclass

from shared_models.models import Device, Tenant
from shared_models.types import utcnow
from sync_server.core.sealing import seal, unseal

LEASE_KEY_BYTES = 32


@dataclass(frozen=True)
class Lease:
    """What a sign-in or refresh returns: the device key (base64) and its expiry."""

    key_b64: str
    expires_at: dt.datetime

    @property
    def expires_at_iso(self) -> str:
        return self.expires_at.isoformat()


def seal_lease_key(key: bytes, *, server_key: bytes, device: Device) -> bytes:
    """``nonce || AES-256-GCM(key)`` with the device id as associated data."""
    return seal(key, key=server_key, aad=device.id.bytes)


def open_lease_key(sealed: bytes, *, server_key: bytes, device: Device) -> bytes | None:
    """The device key, or None when it cannot be opened (other server key, other device)."""
    return unseal(sealed, key=server_key, aad=device.id.bytes)


def renew_lease(
    device: Device, tenant: Tenant, *, server_key: bytes, now: dt.datetime | None = None
) -> Lease:
    """Extend the device's lease by the tenant's lease length, creating its key on first use.

    The key stays the same across renewals (the client's wrapped replica key
    stays valid); a key that no longer opens (server key replaced) is replaced.
    """
    now = now or utcnow()
    key = None
    if device.lease_key_sealed is not None:
        key = open_lease_key(device.lease_key_sealed, server_key=server_key, device=device)
    if key is None:
        key = os.urandom(LEASE_KEY_BYTES)
        device.lease_key_sealed = seal_lease_key(key, server_key=server_key, device=device)
    device.lease_expires_at = now + dt.timedelta(days=tenant.offline_lease_days)
    return Lease(base64.b64encode(key).decode("ascii"), device.lease_expires_at)
