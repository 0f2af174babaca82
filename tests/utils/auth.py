"""Accounts and sign-ins for auth tests: two tenants, an admin and a dispatcher each."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from functools import cache
from typing import Any

import httpx

from shared_models.enums import Province, UserRole
from shared_models.models import Location, Tenant, User
from shared_models.permissions import default_home_scope
from shared_models.sync.wire import PROTOCOL_HEADER, PROTOCOL_VERSION, SCHEMA_HEADER, SCHEMA_VERSION
from sync_server.admin.accounts import create_tenant
from sync_server.auth.passwords import HASHER_ENV, hash_password
from sync_server.core.db import create_db_engine, session_scope

PASSWORD = "Blue-Heron-Maple-42"
CLIENT_HEADERS = {PROTOCOL_HEADER: str(PROTOCOL_VERSION), SCHEMA_HEADER: str(SCHEMA_VERSION)}


@dataclass(frozen=True)
class Account:
    id: uuid.UUID
    tenant_id: uuid.UUID
    email: str
    password: str = PASSWORD


@dataclass(frozen=True)
class World:
    tenant_a: uuid.UUID
    tenant_b: uuid.UUID
    admin_a: Account
    dispatcher_a: Account
    admin_b: Account


def _tenant(session: Any, name: str, slug: str) -> tuple[Tenant, Location]:
    tenant = create_tenant(session, name=name, slug=slug)
    location = Location(
        tenant_id=tenant.id,
        name=f"{name} HQ",
        code="HQ",
        address_line1="1 Front St W",
        city="Toronto",
        province=Province.ON,
        postal_code="M5J 2X5",
        timezone="America/Toronto",
    )
    session.add(location)
    session.flush()
    return tenant, location


def _password_hash() -> str:
    """The hash of ``PASSWORD`` under the hasher in force, so sign-ins never rehash it."""
    return _hash_with(os.environ.get(HASHER_ENV, ""))


@cache
def _hash_with(hasher_name: str) -> str:
    # One argon2 hash per hasher for every test account: production hashing costs ~0.1 s.
    return hash_password(PASSWORD)


def _account(
    session: Any, tenant: Tenant, location: Location, email: str, role: UserRole
) -> Account:
    user = User(
        tenant_id=tenant.id,
        location_id=location.id,
        email=email,
        full_name=email.split("@")[0].title(),
        role=role,
        scope=default_home_scope(role),
        password_hash=_password_hash(),
    )
    session.add(user)
    session.flush()
    return Account(id=user.id, tenant_id=tenant.id, email=user.email)


def make_world(database_url: str) -> World:
    """Tenant A (admin + dispatcher) and tenant B (admin), committed."""
    engine = create_db_engine(database_url)
    try:
        with session_scope(engine) as session:
            a, loc_a = _tenant(session, "Maple Movers", "maple")
            b, loc_b = _tenant(session, "Birch Haulage", "birch")
            return World(
                tenant_a=a.id,
                tenant_b=b.id,
                admin_a=_account(session, a, loc_a, "ada@maple.example", UserRole.ADMIN),
                dispatcher_a=_account(session, a, loc_a, "dan@maple.example", UserRole.DISPATCHER),
                admin_b=_account(session, b, loc_b, "bea@birch.example", UserRole.ADMIN),
            )
    finally:
        engine.dispose()


def login(
    base: str, account: Account, *, password: str | None = None, **fields: Any
) -> httpx.Response:
    body = {
        "email": account.email,
        "password": password or account.password,
        "device_name": fields.pop("device_name", "Field laptop 7"),
        "platform": "linux",
        "app_version": "1.0.0",
        **fields,
    }
    return httpx.post(f"{base}/v1/auth/login", json=body, headers=CLIENT_HEADERS)


def login_ok(base: str, account: Account, **fields: Any) -> dict[str, Any]:
    response = login(base, account, **fields)
    assert response.status_code == 200, response.text
    return response.json()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **CLIENT_HEADERS}
