"""Mixed versions (DESIGN 6): every /v1/sync route refuses clients older than the minimum."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import APIRouter

from sync_server.api import router as api_routes
from sync_server.api.auth_deps import ClientVersionDep, CurrentPrincipal, sync_guard
from sync_server.app import create_app
from sync_server.core import compat
from tests.integration.auth.conftest import LiveServer
from tests.utils.auth import CLIENT_HEADERS, World, bearer, login_ok
from tests.utils.server import make_test_settings, serve_app


@pytest.fixture
def probe_base(auth_db_url: str, world: World, secrets_env: dict[str, str]) -> Iterator[str]:
    """The real app plus a /v1/sync probe route mounted the way api_router mounts sync routes."""
    app = create_app(make_test_settings(database_url=auth_db_url, **secrets_env))
    probe = APIRouter(prefix="/sync")

    @probe.get("/_probe")
    def read_probe(principal: CurrentPrincipal, version: ClientVersionDep) -> dict[str, int]:
        return {"protocol": version.protocol, "schema": version.schema}

    v1 = APIRouter(prefix="/v1", dependencies=api_routes.api_router.dependencies)
    v1.include_router(probe)
    app.include_router(v1)
    with serve_app(app) as base:
        yield base


def test_the_v1_router_guards_every_sync_route() -> None:
    assert [d.dependency for d in api_routes.api_router.dependencies] == [sync_guard]


def _get(base: str, token: str, **headers: str) -> httpx.Response:
    return httpx.get(
        f"{base}/v1/sync/_probe", headers={"Authorization": f"Bearer {token}", **headers}
    )


def test_an_old_schema_gets_426_schema_outdated(probe_base: str, world: World) -> None:
    token = login_ok(probe_base, world.dispatcher_a)["access_token"]
    response = _get(probe_base, token, **{"X-CNC-Protocol": "1", "X-CNC-Schema": "0"})
    assert response.status_code == 426, response.text
    body = response.json()
    assert body["error"] == "schema_outdated"
    assert body["details"] == {
        "minimum_protocol": compat.MIN_PROTOCOL_VERSION,
        "minimum_schema": compat.MIN_SCHEMA_VERSION,
        "server_protocol": compat.PROTOCOL_VERSION,
        "server_schema": compat.SCHEMA_VERSION,
    }
    # The refusal comes before authentication: an old client learns it must upgrade.
    assert _get(probe_base, "junk", **{"X-CNC-Schema": "0"}).status_code == 426


def test_a_raised_minimum_refuses_yesterdays_client(
    probe_base: str, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = login_ok(probe_base, world.dispatcher_a)["access_token"]
    monkeypatch.setattr(compat, "MIN_PROTOCOL_VERSION", 2)
    old = _get(probe_base, token, **{"X-CNC-Protocol": "1", "X-CNC-Schema": "1"})
    assert old.status_code == 426
    assert old.json()["details"]["minimum_protocol"] == 2
    assert _get(probe_base, token, **{"X-CNC-Protocol": "2", "X-CNC-Schema": "1"}).json() == {
        "protocol": 2,
        "schema": 1,
    }


def test_missing_headers_mean_version_one_and_garbage_is_422(probe_base: str, world: World) -> None:
    token = login_ok(probe_base, world.dispatcher_a)["access_token"]
    assert _get(probe_base, token).json() == {"protocol": 1, "schema": 1}
    newer = _get(probe_base, token, **{"X-CNC-Protocol": "7", "X-CNC-Schema": "9"})
    assert newer.json() == {"protocol": 7, "schema": 9}
    bad = _get(probe_base, token, **{"X-CNC-Schema": "v2"})
    assert bad.status_code == 422 and bad.json()["error"] == "validation_failed"
    assert bad.json()["details"]["fields"][0]["path"] == "header.X-CNC-Schema"


def test_auth_routes_are_not_refused_for_an_old_schema(probe_base: str, world: World) -> None:
    # An outdated laptop may still sign in and renew its lease while it waits for the update.
    response = httpx.post(
        f"{probe_base}/v1/auth/login",
        json={
            "email": world.admin_a.email,
            "password": world.admin_a.password,
            "device_name": "pc",
        },
        headers={"X-CNC-Schema": "0"},
    )
    assert response.status_code == 200, response.text


def test_the_real_pull_route_is_guarded(server: LiveServer, world: World) -> None:
    body = login_ok(server.base, world.dispatcher_a)
    url = f"{server.base}/v1/sync/pull"
    request = {"buckets": {}, "limit": 10}
    old = httpx.post(
        url, json=request, headers={**bearer(body["access_token"]), "X-CNC-Schema": "0"}
    )
    assert old.status_code == 426 and old.json()["error"] == "schema_outdated"
    current = httpx.post(url, json=request, headers=bearer(body["access_token"]))
    assert current.status_code == 200, current.text
    anonymous = httpx.post(url, json=request, headers=CLIENT_HEADERS)
    assert anonymous.status_code == 401 and anonymous.json()["error"] == "not_authenticated"
