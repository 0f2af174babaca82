"""``POST /v1/auth/login`` over real HTTP: tokens, device, profile, buckets, lease, refusals."""

from __future__ import annotations

import base64
import datetime as dt
import uuid

import httpx
from sqlalchemy import select, update

from shared_models.enums import UserStatus
from shared_models.models import Device, User
from sync_server.auth.tokens import decode_access_token
from sync_server.core.db import create_db_engine, session_scope
from tests.integration.auth.conftest import LiveServer
from tests.utils.auth import CLIENT_HEADERS, World, bearer, login, login_ok


def _device(url: str, device_id: str) -> Device:
    engine = create_db_engine(url)
    try:
        with session_scope(engine) as session:
            device = session.get_one(Device, uuid.UUID(device_id))
            _ = device.lease_key_sealed  # load the deferred column before the session closes
            return device
    finally:
        engine.dispose()


def test_login_returns_tokens_device_profile_buckets_and_lease(
    server: LiveServer, world: World
) -> None:
    body = login_ok(server.base, world.dispatcher_a)
    claims = decode_access_token(body["access_token"], secret=server.secret_key)
    assert claims.user_id == world.dispatcher_a.id
    assert claims.tenant_id == world.tenant_a
    assert str(claims.device_id) == body["device_id"]
    assert body["token_type"] == "bearer" and body["expires_in"] == 900
    assert len(body["refresh_token"]) >= 40
    assert body["user"] == {
        "id": str(world.dispatcher_a.id),
        "tenant_id": str(world.tenant_a),
        "email": "dan@maple.example",
        "full_name": "Dan",
        "role": "DISPATCHER",
        "scope": body["user"]["scope"],
        "location_id": body["user"]["location_id"],
    }
    assert isinstance(body["buckets"], list) and body["buckets"]
    assert all(isinstance(b, str) and ":" in b for b in body["buckets"])
    assert len(base64.b64decode(body["lease_key"])) == 32
    expires = dt.datetime.fromisoformat(body["lease_expires_at"])
    assert abs(expires - (dt.datetime.now(dt.UTC) + dt.timedelta(days=14))) < dt.timedelta(
        minutes=1
    )

    device = _device(server.database_url, body["device_id"])
    assert device.user_id == world.dispatcher_a.id and device.name == "Field laptop 7"
    assert device.platform == "linux" and device.app_version == "1.0.0"
    assert device.schema_version == int(CLIENT_HEADERS["X-CNC-Schema"])
    assert device.last_seen_at is not None
    # Stored sealed, never in the clear.
    assert device.lease_key_sealed and base64.b64decode(body["lease_key"]) not in (
        device.lease_key_sealed
    )


def test_email_is_case_insensitive_and_the_access_token_works(
    server: LiveServer, world: World
) -> None:
    body = login_ok(server.base, world.admin_a, email="  ADA@Maple.Example ")
    devices = httpx.get(f"{server.base}/v1/admin/devices", headers=bearer(body["access_token"]))
    assert devices.status_code == 200, devices.text
    assert [d["id"] for d in devices.json()["data"]] == [body["device_id"]]


def test_signing_in_again_with_its_device_id_keeps_the_device(
    server: LiveServer, world: World
) -> None:
    first = login_ok(server.base, world.dispatcher_a)
    again = login_ok(server.base, world.dispatcher_a, device_id=first["device_id"])
    assert again["device_id"] == first["device_id"]
    assert again["lease_key"] == first["lease_key"]  # the wrapped replica key stays valid
    # The earlier sign-in on that device is retired.
    old = httpx.post(
        f"{server.base}/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert old.status_code == 401 and old.json()["error"] == "token_invalid"
    # Another user's device id does not hand that device over.
    other = login_ok(server.base, world.admin_a, device_id=first["device_id"])
    assert other["device_id"] != first["device_id"]


def test_wrong_password_and_unknown_email_are_the_same_401(
    server: LiveServer, world: World
) -> None:
    wrong = login(server.base, world.dispatcher_a, password="not-the-password")
    unknown = httpx.post(
        f"{server.base}/v1/auth/login",
        json={"email": "nobody@maple.example", "password": "x", "device_name": "pc"},
    )
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert response.json()["error"] == "invalid_credentials"
        assert response.json()["message"] == "wrong email or password"


def test_a_disabled_account_cannot_sign_in(server: LiveServer, world: World) -> None:
    engine = create_db_engine(server.database_url)
    try:
        with session_scope(engine) as session:
            session.execute(
                update(User)
                .where(User.id == world.dispatcher_a.id)
                .values(status=UserStatus.SUSPENDED)
            )
    finally:
        engine.dispose()
    refused = login(server.base, world.dispatcher_a)
    assert refused.status_code == 403 and refused.json()["error"] == "permission_denied"
    assert "disabled" in refused.json()["message"]
    # The wrong password stays a plain 401: it does not reveal the account's state.
    assert login(server.base, world.dispatcher_a, password="nope").status_code == 401


def test_malformed_login_bodies_are_422_with_the_field_path(server: LiveServer) -> None:
    cases = {
        "body.email": {"password": "x", "device_name": "pc"},
        "body.device_name": {"email": "a@b.example", "password": "x", "device_name": ""},
        "body.password": {"email": "a@b.example", "password": "p" * 2000, "device_name": "pc"},
        "body.device_id": {
            "email": "a@b.example",
            "password": "x",
            "device_name": "pc",
            "device_id": "not-a-uuid",
        },
        "body.role": {"email": "a@b.example", "password": "x", "device_name": "pc", "role": 1},
    }
    for path, payload in cases.items():
        response = httpx.post(f"{server.base}/v1/auth/login", json=payload)
        assert response.status_code == 422, (path, response.text)
        body = response.json()
        assert body["error"] == "validation_failed"
        assert path in [f["path"] for f in body["details"]["fields"]], (path, body)
    not_json = httpx.post(
        f"{server.base}/v1/auth/login",
        content=b"{nope",
        headers={"Content-Type": "application/json"},
    )
    assert not_json.status_code == 422 and not_json.json()["error"] == "validation_failed"


def test_a_weaker_password_hash_is_upgraded_on_sign_in(
    production_password_hasher: None, server: LiveServer, world: World
) -> None:
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(world.admin_a.password)
    engine = create_db_engine(server.database_url)
    try:
        with session_scope(engine) as session:
            session.execute(
                update(User).where(User.id == world.admin_a.id).values(password_hash=weak)
            )
        login_ok(server.base, world.admin_a)
        with session_scope(engine) as session:
            stored = session.scalar(select(User.password_hash).where(User.id == world.admin_a.id))
    finally:
        engine.dispose()
    assert stored != weak and stored is not None and stored.startswith("$argon2id$")
    assert not PasswordHasher().check_needs_rehash(stored)  # now at the production parameters
