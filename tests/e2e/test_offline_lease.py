"""The offline lease end to end (DESIGN 7): real server, real PostgreSQL, real SQLCipher replica.

Time travel is a clock handed to the unlock path; nothing sleeps.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from pathlib import Path

import pytest

from client.replica import LeaseExpired, open_user_replica
from client.replica.unlock import LEASE_FILENAME, LEASE_KEY_FILENAME, LeasedKeyStore
from client.services import LocalWriteService, get_row
from client.session import resume, sign_in
from client.sync.clock import DeviceClock
from client.sync.errors import DeviceRevoked
from sync_server.admin.devices import revoke_device
from sync_server.core.db import create_db_engine, session_scope
from tests.e2e.conftest import PASSPHRASE


def _passphrase(_: object) -> str:
    return PASSPHRASE


def _later(days: float) -> dt.datetime:
    return dt.datetime.now(dt.UTC) + dt.timedelta(days=days)


def _clock(days: float):  # type: ignore[no-untyped-def]
    moment = _later(days)
    return lambda: moment


def _fingerprint(directory: Path) -> dict[str, str]:
    """sha256 of every file of the replica directory (database, WAL, lease, lease key)."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.iterdir())
        if p.is_file()
    }


def _new_customer(store, session, last_name: str) -> uuid.UUID:  # type: ignore[no-untyped-def]
    user = session.user
    service = LocalWriteService(
        store,
        user_id=user["id"],
        tenant_id=user["tenant_id"],
        device_id=session.device_id,
        hlc=DeviceClock.for_store(store),
    )
    return service.insert(
        "customer",
        {
            "location_id": user["location_id"],
            "last_name": last_name,
            "first_name": "Aurèle",
        },
    )


def _pending(store) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from client.replica.schema import outbox

    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(outbox)).scalar_one())


def _revoke(db_url: str, device_id: str) -> None:
    engine = create_db_engine(db_url)
    try:
        with session_scope(engine) as session:
            revoke_device(session, uuid.UUID(device_id), by=None, reason="stolen laptop")
    finally:
        engine.dispose()


def test_lease_lets_a_week_offline_pass_and_stops_at_fifteen_days_until_sign_in(
    world_db,
    make_client,  # type: ignore[no-untyped-def]
) -> None:
    _, world = world_db
    laptop = make_client(world.dispatcher_a, "laptop")
    laptop.engine.sync_once()
    directory = laptop.store.path.parent
    assert {LEASE_FILENAME, LEASE_KEY_FILENAME} <= {p.name for p in directory.iterdir()}
    assert not (directory / "replica-key.json").exists()  # the replica key only in the lease
    device_id = laptop.session.device_id
    first_lease = LeasedKeyStore(directory.name).read_lease()
    assert first_lease is not None and first_lease.device_key_id == device_id
    assert _later(13) < first_lease.expires_at < _later(15)  # the tenant default, 14 days
    assert "lease_key" not in laptop.session.vault.load()  # not kept beside the tokens

    # Offline: the crew lead works a week without the server.
    cid = _new_customer(laptop.store, laptop.session, "Hors-Ligne")
    laptop.store.close()
    store, session = resume(laptop.profile, laptop.protocol, _passphrase, clock=_clock(7))
    try:
        assert get_row(store, "customer", cid) is not None and _pending(store) == 1
    finally:
        store.close()

    # Fifteen days without the server: the replica no longer opens, and nothing changed.
    before = _fingerprint(directory)
    with pytest.raises(LeaseExpired, match="sign in"):
        resume(laptop.profile, laptop.protocol, _passphrase, clock=_clock(15))
    with pytest.raises(LeaseExpired):
        open_user_replica(
            laptop.profile.server_url,
            laptop.profile.email,
            passphrase_provider=_passphrase,
            clock=_clock(15),
        )
    assert _fingerprint(directory) == before

    # Signing in online re-issues the lease and unlocks the same replica, outbox and all.
    store, session, _ = sign_in(
        laptop.profile.server_url,
        world.dispatcher_a.email,
        world.dispatcher_a.password,
        protocol=laptop.protocol,
        passphrase_provider=_passphrase,
        device_name="laptop",
        clock=_clock(15),
    )
    try:
        assert store.path == laptop.store.path
        assert session.device_id == device_id  # the same device came back
        assert _pending(store) == 1 and get_row(store, "customer", cid) is not None
        renewed = LeasedKeyStore(directory.name).read_lease()
        assert renewed is not None and renewed.expires_at >= first_lease.expires_at
        assert not (directory / "replica-key.json").exists()
    finally:
        store.close()
    store, session = resume(laptop.profile, laptop.protocol, _passphrase, clock=_clock(13))
    try:
        from client.sync.engine import SyncEngine

        SyncEngine(store, laptop.protocol, session, device_id=device_id).sync_once()
        assert _pending(store) == 0
        row = get_row(store, "customer", cid)
        assert row is not None and row["version"] > 0
    finally:
        store.close()


def test_refresh_renews_the_lease(world_db, make_client) -> None:  # type: ignore[no-untyped-def]
    _, world = world_db
    laptop = make_client(world.dispatcher_a, "laptop")
    directory = laptop.store.path.parent
    before = LeasedKeyStore(directory.name).read_lease()
    laptop.session.refresh()
    after = LeasedKeyStore(directory.name).read_lease()
    assert before is not None and after is not None
    assert after.expires_at >= before.expires_at and after.nonce != before.nonce


def test_revoked_device_wipes_replica_and_lease_on_next_contact(
    world_db,
    make_client,  # type: ignore[no-untyped-def]
) -> None:
    db_url, world = world_db
    laptop = make_client(world.dispatcher_a, "laptop")
    laptop.engine.sync_once()
    _new_customer(laptop.store, laptop.session, "Jamais-Envoyé")
    directory = laptop.store.path.parent
    _revoke(db_url, laptop.session.device_id)
    laptop.session.vault.save({**laptop.session.vault.load(), "access_expires_at": 0})
    with pytest.raises(DeviceRevoked):  # the refresh is answered with device_revoked
        laptop.engine.sync_once()
    assert laptop.engine.status().wiped
    assert [p.name for p in directory.iterdir()] == []  # replica, lease file and lease key


def test_revoked_device_back_after_its_lease_ran_out_is_wiped_at_sign_in(
    world_db,
    make_client,  # type: ignore[no-untyped-def]
) -> None:
    db_url, world = world_db
    laptop = make_client(world.dispatcher_a, "laptop")
    directory = laptop.store.path.parent
    device_id = laptop.session.device_id
    laptop.store.close()
    _revoke(db_url, device_id)
    with pytest.raises(LeaseExpired):
        resume(laptop.profile, laptop.protocol, _passphrase, clock=_clock(20))
    with pytest.raises(DeviceRevoked):
        sign_in(
            laptop.profile.server_url,
            world.dispatcher_a.email,
            world.dispatcher_a.password,
            protocol=laptop.protocol,
            passphrase_provider=_passphrase,
            clock=_clock(20),
        )
    assert [p.name for p in directory.iterdir()] == []


def test_pre_lease_replica_converts_at_sign_in(
    world_db,
    base_url,
    tmp_path,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    from client.replica.paths import DATA_DIR_ENV
    from client.sync.protocol import HttpSyncProtocol

    _, world = world_db
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "old-laptop"))
    account = world.dispatcher_a
    # A replica from before leases: its key straight in the (passphrase) key store.
    with open_user_replica(base_url, account.email, passphrase_provider=_passphrase) as old:
        old.set_meta("note", "from an older client")
        directory = old.path.parent
    assert (directory / "replica-key.json").exists()
    assert not (directory / LEASE_FILENAME).exists()
    asked: list[str] = []

    def provider(prompt: str) -> str:
        asked.append(prompt)
        return PASSPHRASE

    with HttpSyncProtocol(base_url) as protocol:
        store, _, _ = sign_in(
            base_url,
            account.email,
            account.password,
            protocol=protocol,
            passphrase_provider=provider,
        )  # type: ignore[arg-type]
        try:
            assert store.get_meta("note") == "from an older client"
        finally:
            store.close()
    assert asked == ["unlock"]  # the same passphrase; no new one asked for
    assert not (directory / "replica-key.json").exists()
    assert (directory / LEASE_FILENAME).exists() and (directory / LEASE_KEY_FILENAME).exists()
    with pytest.raises(LeaseExpired):
        open_user_replica(
            base_url, account.email, passphrase_provider=_passphrase, clock=_clock(15)
        )
