"""A migrated database with two tenants, and the real app serving it on 127.0.0.1."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI

from sync_server.app import create_app
from sync_server.core.config import Settings
from tests.utils.auth import World, make_world
from tests.utils.seeded import SeededClones
from tests.utils.server import make_test_settings, serve_app


@dataclass(frozen=True)
class LiveServer:
    base: str
    app: FastAPI
    settings: Settings
    database_url: str

    @property
    def secret_key(self) -> str:
        return self.settings.secret_key.get_secret_value()  # type: ignore[union-attr]


@pytest.fixture
def auth_db_url(request: pytest.FixtureRequest, seeded_db: SeededClones) -> str:
    """The migrated schema, with the two-tenant world (cloned) when the test uses ``world``."""
    return seeded_db.clone(make_world if "world" in request.fixturenames else None)


@pytest.fixture
def world(auth_db_url: str, seeded_db: SeededClones) -> World:
    return seeded_db.seed(auth_db_url)


@pytest.fixture
def secrets_env() -> dict[str, str]:
    """One pair of server secrets, so several processes can share them."""
    return {
        "secret_key": secrets.token_urlsafe(48),
        "encryption_key": base64.b64encode(secrets.token_bytes(32)).decode("ascii"),
    }


@pytest.fixture
def server(auth_db_url: str, world: World, secrets_env: dict[str, str]) -> Iterator[LiveServer]:
    settings = make_test_settings(database_url=auth_db_url, **secrets_env)
    app = create_app(settings)
    with serve_app(app) as base:
        yield LiveServer(base=base, app=app, settings=settings, database_url=auth_db_url)
