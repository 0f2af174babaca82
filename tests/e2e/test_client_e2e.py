"""End to end: real server over HTTP, real PostgreSQL, real SQLCipher replicas."""

from __future__ import annotations

import random
import uuid

import httpx
import pytest

from client import cli
from client.replica.paths import DATA_DIR_ENV
from client.services import LocalWriteService, get_row
from client.sync.backoff import Backoff, call_with_retries
from client.sync.clock import DeviceClock
from client.sync.errors import DeviceRevoked, ServerUnavailable
from sync_server.admin.devices import revoke_device
from sync_server.core.db import create_db_engine, session_scope
from tests.e2e.conftest import PASSPHRASE


def _service(client) -> LocalWriteService:  # type: ignore[no-untyped-def]
    user = client.session.user
    return LocalWriteService(
        client.store,
        user_id=user["id"],
        tenant_id=user["tenant_id"],
        device_id=client.session.device_id,
        hlc=DeviceClock.for_store(client.store),
    )


def _new_customer(client, last_name: str) -> uuid.UUID:  # type: ignore[no-untyped-def]
    return _service(client).insert(
        "customer",
        {
            "location_id": client.session.user["location_id"],
            "last_name": last_name,
            "first_name": "Zéphirine",
            "email": "zephirine@example.ca",
        },
    )


def test_offline_edit_reaches_second_client_and_replica_is_encrypted(
    world_db,
    make_client,  # type: ignore[no-untyped-def]
) -> None:
    _, world = world_db
    laptop = make_client(world.dispatcher_a, "laptop")
    office = make_client(world.admin_a, "office")
    laptop.engine.sync_once()
    office.engine.sync_once()
    cid = _new_customer(laptop, "Quintessenceau")
    assert laptop.engine.status().pending == 1
    laptop.engine.sync_once()
    assert laptop.engine.status().pending == 0
    office.engine.sync_once()
    row = get_row(office.store, "customer", cid)
    assert row is not None and row["last_name"] == "Quintessenceau" and row["version"] > 0
    laptop.store.close()
    raw = laptop.store.path.read_bytes()
    assert b"Quintessenceau" not in raw and b"SQLite format 3" not in raw[:16]


def test_rejected_edit_kept_and_shown_by_status(
    world_db,
    make_client,
    monkeypatch,
    capsys,  # type: ignore[no-untyped-def]
) -> None:
    _, world = world_db
    laptop = make_client(world.dispatcher_a, "laptop")
    office = make_client(world.admin_a, "office")
    cid = _new_customer(office, "Deleted-Soon")
    office.engine.sync_once()
    laptop.engine.sync_once()
    _service(office).delete("customer", cid)
    office.engine.sync_once()
    _service(laptop).update("customer", cid, {"notes": "edited offline"})
    laptop.engine.sync_once()
    status = laptop.engine.status()
    assert status.rejections == 1 and status.pending == 0
    laptop.store.close()
    monkeypatch.setenv(DATA_DIR_ENV, str(laptop.data_dir))
    monkeypatch.setenv(cli.PASSPHRASE_ENV, PASSPHRASE)
    assert cli.main(["status"]) == 0
    out = capsys.readouterr().out
    assert "rejections:    1" in out and "edited offline" in out


def test_server_unreachable_retries_with_backoff_and_loses_nothing(
    world_db,
    make_client,  # type: ignore[no-untyped-def]
) -> None:
    _, world = world_db
    real = httpx.HTTPTransport()
    cuts = {"left": 2}

    class Flaky(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path == "/v1/sync/push" and cuts["left"]:
                cuts["left"] -= 1
                raise httpx.ConnectError("connection refused", request=request)
            return real.handle_request(request)

    laptop = make_client(world.dispatcher_a, "laptop", Flaky())
    cid = _new_customer(laptop, "Patient")
    waits: list[float] = []
    call_with_retries(
        laptop.engine.sync_once,
        backoff=Backoff(rng=random.Random(3)),
        attempts=5,
        sleep=waits.append,
    )
    assert len(waits) == 2 and laptop.engine.status().pending == 0
    assert get_row(laptop.store, "customer", cid)["version"] > 0


def test_unreachable_server_keeps_outbox(world_db, make_client) -> None:  # type: ignore[no-untyped-def]
    _, world = world_db
    laptop = make_client(world.dispatcher_a, "laptop")
    _new_customer(laptop, "Waiting")
    laptop.engine.protocol._client.base_url = "http://127.0.0.1:9"  # nothing listens there
    with pytest.raises(ServerUnavailable):
        laptop.engine.sync_once()
    assert laptop.engine.status().pending == 1 and not laptop.engine.status().online


def test_revoked_device_wipes_itself(world_db, make_client) -> None:  # type: ignore[no-untyped-def]
    db_url, world = world_db
    laptop = make_client(world.dispatcher_a, "laptop")
    laptop.engine.sync_once()
    engine = create_db_engine(db_url)
    try:
        with session_scope(engine) as session:
            revoke_device(session, uuid.UUID(laptop.session.device_id), by=None, reason="stolen")
    finally:
        engine.dispose()
    path = laptop.store.path
    with pytest.raises(DeviceRevoked):
        laptop.engine.sync_once()
    assert not path.exists() and laptop.engine.status().wiped
    assert not (path.parent / "replica-key.json").exists()


def test_an_online_call_whose_token_the_server_refuses_refreshes_once_and_succeeds(
    world_db,
    make_client,  # type: ignore[no-untyped-def]
) -> None:
    """A laptop that slept keeps a token it believes valid; the server says otherwise."""
    _, world = world_db
    laptop = make_client(world.dispatcher_a, "laptop")
    secrets = laptop.session.vault.load()
    laptop.session.vault.save({**secrets, "access_token": "stale." + secrets["access_token"]})
    tokens: list[str] = []

    def checksums(token: str) -> object:
        tokens.append(token)
        return laptop.protocol.request("GET", "/v1/sync/checksums", None, token=token)

    answer = laptop.session.call(checksums)
    assert isinstance(answer, dict) and answer.get("buckets") is not None
    assert (
        len(tokens) == 2 and tokens[0].startswith("stale.") and not tokens[1].startswith("stale.")
    )
    assert laptop.session.vault.load()["access_token"] == tokens[1]
