"""Access tokens, refresh rotation, reuse detection and logout, over real HTTP."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import jwt
import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from shared_models.enums import UserStatus
from shared_models.models import Device, User
from sync_server.auth.tokens import create_access_token
from sync_server.core.db import create_db_engine, session_scope
from tests.integration.auth.conftest import LiveServer
from tests.utils.auth import World, bearer, login_ok


def _devices(server: LiveServer, token: str) -> httpx.Response:
    return httpx.get(f"{server.base}/v1/admin/devices", headers=bearer(token))


def _refresh(server: LiveServer, token: str) -> httpx.Response:
    return httpx.post(f"{server.base}/v1/auth/refresh", json={"refresh_token": token})


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_no_token_is_401_not_authenticated(server: LiveServer) -> None:
    for headers in ({}, {"Authorization": "Basic YTpi"}, {"Authorization": "Bearer"}):
        response = httpx.get(f"{server.base}/v1/admin/devices", headers=headers)
        assert response.status_code == 401, headers
        assert response.json()["error"] == "not_authenticated"


def test_an_expired_access_token_is_401_token_expired(server: LiveServer, world: World) -> None:
    body = login_ok(server.base, world.admin_a)
    expired = create_access_token(
        secret=server.secret_key,
        user_id=world.admin_a.id,
        tenant_id=world.tenant_a,
        device_id=uuid.UUID(body["device_id"]),
        now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1),
    )
    response = _devices(server, expired)
    assert response.status_code == 401
    assert response.json()["error"] == "token_expired"


@pytest.mark.parametrize("forgery", ["other_key", "alg_none", "tampered", "refresh_typ", "junk"])
def test_forged_access_tokens_are_401_token_invalid(
    server: LiveServer, world: World, forgery: str
) -> None:
    body = login_ok(server.base, world.dispatcher_a)
    genuine = body["access_token"]
    header, payload, signature = genuine.split(".")
    claims = jwt.decode(genuine, options={"verify_signature": False})
    if forgery == "other_key":
        token = jwt.encode(claims, "another-server-key-" + "x" * 40, algorithm="HS256")
    elif forgery == "alg_none":
        token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{payload}."
    elif forgery == "tampered":
        # Dispatcher claims to be the admin, keeping the genuine signature.
        token = f"{header}.{_b64({**claims, 'sub': str(world.admin_a.id)})}.{signature}"
    elif forgery == "refresh_typ":
        token = jwt.encode({**claims, "typ": "refresh"}, server.secret_key, algorithm="HS256")
    else:
        token = "not.a.jwt"
    response = _devices(server, token)
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "token_invalid"


def test_refresh_rotates_and_reuse_revokes_the_whole_family(
    server: LiveServer, world: World
) -> None:
    first = login_ok(server.base, world.admin_a)
    second = _refresh(server, first["refresh_token"])
    assert second.status_code == 200, second.text
    second_body = second.json()
    assert second_body["refresh_token"] != first["refresh_token"]
    assert second_body["device_id"] == first["device_id"]
    assert second_body["lease_key"] == first["lease_key"]
    assert second_body["lease_expires_at"] >= first["lease_expires_at"]
    assert _devices(server, second_body["access_token"]).status_code == 200
    third = _refresh(server, second_body["refresh_token"]).json()

    # The spent first token comes back: stolen. Refused, and the family dies.
    replay = _refresh(server, first["refresh_token"])
    assert replay.status_code == 401 and replay.json()["error"] == "token_invalid"
    newest = _refresh(server, third["refresh_token"])
    assert newest.status_code == 401 and newest.json()["error"] == "token_invalid"
    # Another sign-in (another family) is untouched.
    other = login_ok(server.base, world.admin_a, device_name="Office PC")
    assert _refresh(server, other["refresh_token"]).status_code == 200


def test_unknown_or_malformed_refresh_tokens(server: LiveServer) -> None:
    unknown = _refresh(server, "x" * 43)
    assert unknown.status_code == 401 and unknown.json()["error"] == "token_invalid"
    short = _refresh(server, "short")
    assert short.status_code == 422
    assert short.json()["details"]["fields"][0]["path"] == "body.refresh_token"


def test_logout_ends_the_session(server: LiveServer, world: World) -> None:
    body = login_ok(server.base, world.admin_a)
    rotated = _refresh(server, body["refresh_token"]).json()
    out = httpx.post(
        f"{server.base}/v1/auth/logout", json={"refresh_token": rotated["refresh_token"]}
    )
    assert out.status_code == 204 and out.content == b""
    after = _refresh(server, rotated["refresh_token"])
    assert after.status_code == 401 and after.json()["error"] == "token_invalid"
    # Logging out twice, or with an unknown token, is harmless.
    again = httpx.post(f"{server.base}/v1/auth/logout", json={"refresh_token": "y" * 43})
    assert again.status_code == 204


@contextmanager
def _db(server: LiveServer) -> Iterator[Session]:
    engine = create_db_engine(server.database_url)
    try:
        with session_scope(engine) as session:
            yield session
    finally:
        engine.dispose()


def test_a_disabled_account_loses_its_live_sessions(server: LiveServer, world: World) -> None:
    body = login_ok(server.base, world.admin_a)
    with _db(server) as session:
        session.execute(
            update(User).where(User.id == world.admin_a.id).values(status=UserStatus.INACTIVE)
        )
    denied = _devices(server, body["access_token"])
    assert denied.status_code == 401 and denied.json()["error"] == "token_invalid"
    refused = _refresh(server, body["refresh_token"])
    assert refused.status_code == 401 and refused.json()["error"] == "token_invalid"


def test_last_seen_is_written_at_most_once_a_minute(server: LiveServer, world: World) -> None:
    body = login_ok(server.base, world.admin_a)
    device_id = uuid.UUID(body["device_id"])
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    with _db(server) as session:
        session.execute(update(Device).where(Device.id == device_id).values(last_seen_at=long_ago))
    seen = []
    for _ in range(2):
        assert _devices(server, body["access_token"]).status_code == 200
        with _db(server) as session:
            seen.append(session.get_one(Device, device_id).last_seen_at)
    assert seen[0] > long_ago + dt.timedelta(minutes=4)
    assert seen[1] == seen[0]


def test_openapi_documents_the_auth_and_admin_routes(server: LiveServer) -> None:
    spec = httpx.get(f"{server.base}/openapi.json").json()
    assert {"/v1/auth/login", "/v1/auth/refresh", "/v1/auth/logout"} <= set(spec["paths"])
    admin = spec["paths"]["/v1/admin/devices"]["get"]
    assert admin["security"] == [{"HTTPBearer": []}]
    assert "security" not in spec["paths"]["/v1/auth/login"]["post"]
