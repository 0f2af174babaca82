"""Device revocation: the admin endpoints, the CLI, and what a revoked laptop is told."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from shared_models.models import Device
from sync_server.cli import main
from sync_server.core.db import create_db_engine, session_scope
from sync_server.db.models import RefreshToken
from tests.integration.auth.conftest import LiveServer
from tests.utils.auth import World, bearer, login, login_ok


def _revoke(server: LiveServer, token: str, device_id: str, **body: str) -> httpx.Response:
    return httpx.post(
        f"{server.base}/v1/admin/devices/{device_id}/revoke",
        headers=bearer(token),
        json=body or None,
    )


def _assert_wipe(response: httpx.Response, device_id: str) -> None:
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["error"] == "device_revoked"
    assert body["details"] == {"wipe": True, "device_id": device_id}


def _assert_revoked_everywhere(server: LiveServer, world: World, laptop: dict) -> None:
    """Its next call, its refresh and a new sign-in naming it all say: wipe."""
    device_id = laptop["device_id"]
    pull = {"buckets": {}, "limit": 10}
    for response in (
        httpx.post(
            f"{server.base}/v1/sync/pull", json=pull, headers=bearer(laptop["access_token"])
        ),
        httpx.get(f"{server.base}/v1/admin/devices", headers=bearer(laptop["access_token"])),
    ):
        _assert_wipe(response, device_id)
    _assert_wipe(
        httpx.post(
            f"{server.base}/v1/auth/refresh", json={"refresh_token": laptop["refresh_token"]}
        ),
        device_id,
    )
    _assert_wipe(login(server.base, world.dispatcher_a, device_id=device_id), device_id)
    engine = create_db_engine(server.database_url)
    try:
        with session_scope(engine) as session:
            device = session.get_one(Device, uuid.UUID(device_id))
            assert device.revoked_at is not None and device.lease_key_sealed is None
            live = session.scalars(
                select(RefreshToken).where(
                    RefreshToken.device_id == device.id, RefreshToken.revoked_at.is_(None)
                )
            ).all()
            assert live == []
    finally:
        engine.dispose()


def test_admin_lists_and_revokes_a_device_which_is_then_told_to_wipe(
    server: LiveServer, world: World
) -> None:
    laptop = login_ok(server.base, world.dispatcher_a, device_name="Truck 12 laptop")
    admin = login_ok(server.base, world.admin_a, device_name="Office PC")
    listed = httpx.get(f"{server.base}/v1/admin/devices", headers=bearer(admin["access_token"]))
    assert listed.status_code == 200
    assert {d["name"] for d in listed.json()["data"]} == {"Truck 12 laptop", "Office PC"}
    assert listed.json()["count"] == 2

    revoked = _revoke(server, admin["access_token"], laptop["device_id"], reason="lost on job")
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked_at"] and revoked.json()["revoke_reason"] == "lost on job"
    assert revoked.json()["user_email"] == "dan@maple.example"
    _assert_revoked_everywhere(server, world, laptop)
    # Revoking again is harmless; the admin's own device is unaffected.
    assert _revoke(server, admin["access_token"], laptop["device_id"]).status_code == 200
    # The owner signs in again on a fresh device (a new, empty replica).
    fresh = login_ok(server.base, world.dispatcher_a)
    assert fresh["device_id"] != laptop["device_id"]


def test_only_admins_may_use_the_device_endpoints(server: LiveServer, world: World) -> None:
    dispatcher = login_ok(server.base, world.dispatcher_a)
    token = dispatcher["access_token"]
    listed = httpx.get(f"{server.base}/v1/admin/devices", headers=bearer(token))
    revoked = _revoke(server, token, dispatcher["device_id"])
    for response in (listed, revoked):
        assert response.status_code == 403 and response.json()["error"] == "permission_denied"


def test_admins_see_and_revoke_only_their_own_tenants_devices(
    server: LiveServer, world: World
) -> None:
    laptop_a = login_ok(server.base, world.dispatcher_a)
    admin_b = login_ok(server.base, world.admin_b)
    listed = httpx.get(f"{server.base}/v1/admin/devices", headers=bearer(admin_b["access_token"]))
    assert [d["id"] for d in listed.json()["data"]] == [admin_b["device_id"]]
    foreign = _revoke(server, admin_b["access_token"], laptop_a["device_id"])
    missing = _revoke(server, admin_b["access_token"], str(uuid.uuid4()))
    for response in (foreign, missing):
        assert response.status_code == 404 and response.json()["error"] == "not_found"
    # Tenant A's laptop still works.
    assert (
        httpx.post(
            f"{server.base}/v1/auth/refresh", json={"refresh_token": laptop_a["refresh_token"]}
        ).status_code
        == 200
    )
    bad_id = _revoke(server, admin_b["access_token"], "not-a-uuid")
    assert bad_id.status_code == 422 and bad_id.json()["error"] == "validation_failed"


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, auth_db_url: str) -> None:
    monkeypatch.setenv("CNC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DATABASE_URL", auth_db_url)


def test_cli_lists_and_revokes_devices(
    server: LiveServer, world: World, cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    laptop = login_ok(server.base, world.dispatcher_a, device_name="Truck 12 laptop")
    assert main(["list-devices", "--tenant", "maple"]) == 0
    out = capsys.readouterr().out
    assert laptop["device_id"] in out and "dan@maple.example" in out and "active" in out
    assert "1 device(s) in tenant maple" in out

    assert main(["revoke-device", laptop["device_id"], "--reason", "stolen"]) == 0
    assert "revoked" in capsys.readouterr().out
    _assert_revoked_everywhere(server, world, laptop)
    assert main(["list-devices", "--tenant", "maple", "--active"]) == 0
    assert "0 device(s)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["revoke-device", "not-a-uuid"], "is not a device id"),
        (["revoke-device", "00000000-0000-0000-0000-000000000000"], "no device"),
        (["list-devices", "--tenant", "nope"], "no tenant"),
    ],
)
def test_cli_refusals_are_one_line(
    cli_env: None, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(argv) == 1
    # (Other tests' live servers may have pointed library logs at stderr too.)
    err = [line for line in capsys.readouterr().err.splitlines() if "cnc-server" in line]
    assert len(err) == 1 and err[0].startswith("cnc-server: error: ") and message in err[0]
