"""Access-token encoding and every way a token can be refused."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid

import jwt
import pytest

from sync_server.auth.tokens import (
    ACCESS_TOKEN_TTL,
    create_access_token,
    decode_access_token,
    hash_refresh_token,
)
from sync_server.core.errors import ApiError, ErrorCode

SECRET = "unit-test-secret-" + "k" * 60
IDS = {"user_id": uuid.uuid4(), "tenant_id": uuid.uuid4(), "device_id": uuid.uuid4()}


def _token(**overrides: object) -> str:
    return create_access_token(secret=SECRET, **{**IDS, **overrides})  # type: ignore[arg-type]


def _code(token: str, secret: str = SECRET) -> ErrorCode:
    with pytest.raises(ApiError) as info:
        decode_access_token(token, secret=secret)
    assert info.value.status_code == 401
    return info.value.code


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_round_trip_carries_user_tenant_device_and_a_15_minute_expiry() -> None:
    claims = decode_access_token(_token(), secret=SECRET)
    assert (claims.user_id, claims.tenant_id, claims.device_id) == tuple(IDS.values())
    assert claims.expires_at - claims.issued_at == ACCESS_TOKEN_TTL
    raw = jwt.decode(_token(), SECRET, algorithms=["HS256"])
    assert raw["typ"] == "access" and set(raw) == {"sub", "tid", "did", "iat", "exp", "jti", "typ"}
    assert _token() != _token()  # unique jti


def test_expired_is_token_expired_within_leeway_still_valid() -> None:
    past = dt.datetime.now(dt.UTC) - ACCESS_TOKEN_TTL - dt.timedelta(minutes=1)
    assert _code(_token(now=past)) == ErrorCode.TOKEN_EXPIRED
    nearly = dt.datetime.now(dt.UTC) - ACCESS_TOKEN_TTL - dt.timedelta(seconds=3)
    decode_access_token(_token(now=nearly), secret=SECRET)


def test_forgeries_are_token_invalid() -> None:
    genuine = _token()
    header, payload, signature = genuine.split(".")
    claims = jwt.decode(genuine, SECRET, algorithms=["HS256"])
    forgeries = [
        jwt.encode(claims, "another-key-" + "x" * 48, algorithm="HS256"),
        f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{payload}.",
        f"{header}.{_b64({**claims, 'sub': str(uuid.uuid4())})}.{signature}",
        jwt.encode({**claims, "typ": "refresh"}, SECRET, algorithm="HS256"),
        jwt.encode({**claims, "sub": "not-a-uuid"}, SECRET, algorithm="HS256"),
        jwt.encode({k: v for k, v in claims.items() if k != "did"}, SECRET, algorithm="HS256"),
        jwt.encode(claims, SECRET, algorithm="HS512"),
        "not.a.jwt",
        "",
    ]
    for token in forgeries:
        assert _code(token) == ErrorCode.TOKEN_INVALID, token


def test_refresh_tokens_are_stored_as_sha256() -> None:
    digest = hash_refresh_token("abc")
    assert digest == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
