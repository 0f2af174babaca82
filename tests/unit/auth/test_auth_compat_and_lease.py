"""Client-version parsing, the lease key seal, and rate-limit window arithmetic."""

from __future__ import annotations

import base64
import datetime as dt
import uuid

import pytest

from shared_models.models import Device, Tenant
from sync_server.auth.lease import open_lease_key, renew_lease, seal_lease_key
from sync_server.core import compat
from sync_server.core.errors import ApiError, ErrorCode
from sync_server.core.ratelimit import Hit, Limit, _window_start

SERVER_KEY = bytes(range(32))


def test_missing_headers_are_version_one() -> None:
    assert compat.parse_client_version(None, "  ") == compat.ClientVersion(1, 1)
    assert compat.parse_client_version("2", "3") == compat.ClientVersion(2, 3)


@pytest.mark.parametrize("value", ["v1", "-1", "1.5", "9" * 20])
def test_garbage_headers_are_validation_failed(value: str) -> None:
    with pytest.raises(ApiError) as info:
        compat.parse_client_version(value, None)
    assert info.value.code == ErrorCode.VALIDATION_FAILED
    assert info.value.details["fields"][0]["path"] == "header.X-CNC-Protocol"


def test_older_than_the_minimum_is_426(monkeypatch: pytest.MonkeyPatch) -> None:
    compat.require_supported(compat.ClientVersion(1, 1))
    compat.require_supported(compat.ClientVersion(5, 5))  # newer clients negotiate down
    monkeypatch.setattr(compat, "MIN_SCHEMA_VERSION", 2)
    with pytest.raises(ApiError) as info:
        compat.require_supported(compat.ClientVersion(1, 1))
    assert info.value.status_code == 426 and info.value.code == ErrorCode.SCHEMA_OUTDATED
    assert info.value.details["minimum_schema"] == 2


def _device() -> Device:
    return Device(id=uuid.uuid4(), tenant_id=uuid.uuid4(), user_id=uuid.uuid4(), name="pc")


def test_lease_key_is_sealed_and_bound_to_its_device() -> None:
    device, other = _device(), _device()
    sealed = seal_lease_key(b"k" * 32, server_key=SERVER_KEY, device=device)
    assert b"k" * 32 not in sealed
    assert open_lease_key(sealed, server_key=SERVER_KEY, device=device) == b"k" * 32
    assert open_lease_key(sealed, server_key=SERVER_KEY, device=other) is None
    assert open_lease_key(sealed, server_key=bytes(32), device=device) is None
    assert open_lease_key(b"short", server_key=SERVER_KEY, device=device) is None


def test_renewal_keeps_the_key_and_moves_the_expiry() -> None:
    device, tenant = _device(), Tenant(name="T", slug="t", offline_lease_days=3)
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    first = renew_lease(device, tenant, server_key=SERVER_KEY, now=start)
    later = renew_lease(device, tenant, server_key=SERVER_KEY, now=start + dt.timedelta(days=2))
    assert first.key_b64 == later.key_b64 and len(base64.b64decode(first.key_b64)) == 32
    assert later.expires_at == start + dt.timedelta(days=5) == device.lease_expires_at
    # A server key that changed cannot open the old seal: a new key is issued.
    rekeyed = renew_lease(device, tenant, server_key=bytes(32), now=start)
    assert rekeyed.key_b64 != first.key_b64


def test_fixed_windows_and_retry_after() -> None:
    limit = Limit("x", 5, 900)
    now = dt.datetime(2025, 1, 1, 10, 7, 30, tzinfo=dt.UTC)
    start = _window_start(limit, now)
    assert start == dt.datetime(2025, 1, 1, 10, 0, tzinfo=dt.UTC)
    hit = Hit(limit, "x:k", start, 6)
    assert hit.exceeded and hit.retry_after_s(now) == 450
    assert Hit(limit, "x:k", start, 5).exceeded is False
    assert hit.retry_after_s(start + dt.timedelta(seconds=900)) == 1
