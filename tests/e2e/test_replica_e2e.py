"""The encrypted replica on a real laptop's disk (DESIGN 7): no plaintext, wrong keys, keyring."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import keyring
import pytest
from keyrings.alt.file import PlaintextKeyring

from client.replica import WrongPassphrase
from client.replica.database import side_files
from client.replica.paths import DATA_DIR_ENV, WRAPPED_KEY_FILENAME, replica_id
from client.services import get_row
from client.session import Profile, resume
from client.sync.errors import DeviceRevoked
from client.sync.protocol import HttpSyncProtocol
from sync_server.admin.devices import revoke_device
from sync_server.core.db import session_scope
from tests.utils.e2e import CUSTOMERS


def _hashes(db: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in side_files(db) if p.exists()
    }


def test_raw_replica_and_wal_never_hold_a_customer_name_in_plaintext(
    scene,
    make_client,  # type: ignore[no-untyped-def]
) -> None:
    laptop = make_client(scene.accounts["disp"], "laptop")
    laptop.sync()
    laptop.writes.update("customer", scene.rows["c1"], {"notes": "Gate code 7731 Quillfeather"})
    name = CUSTOMERS["c1"][0]
    assert get_row(laptop.store, "customer", scene.rows["c1"])["last_name"] == name
    files = [p for p in side_files(laptop.store.path) if p.exists()]
    assert laptop.store.path.with_name("replica.db-wal") in files  # open: the WAL is live
    for path in files:  # while open (fresh pages in the WAL) ...
        raw = path.read_bytes()
        assert name.encode() not in raw and b"Quillfeather" not in raw, path.name
        assert b"Gate code" not in raw, path.name
    laptop.store.close()
    raw = laptop.store.path.read_bytes()  # ... and after the checkpoint into the file
    assert b"Quillfeather" not in raw and not raw.startswith(b"SQLite format 3")


def test_wrong_passphrase_is_a_clear_error_and_leaves_the_replica_untouched(
    world_db,
    make_client,
    run_cli,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    _, world = world_db
    laptop = make_client(world.dispatcher_a, "laptop")
    laptop.sync()
    laptop.store.close()
    before = _hashes(laptop.store.path)
    monkeypatch.setenv(DATA_DIR_ENV, str(laptop.data_dir))
    profile = Profile.load()
    assert profile is not None
    with HttpSyncProtocol(profile.server_url) as protocol, pytest.raises(WrongPassphrase) as err:
        resume(profile, protocol, lambda _: "not the passphrase")
    assert "passphrase" in str(err.value).lower()
    assert _hashes(laptop.store.path) == before
    # The support tool says the same, with an error code, and touches nothing either.
    monkeypatch.setenv("CNC_REPLICA_PASSPHRASE", "still wrong")
    from client import cli

    assert cli.main(["status"]) == 1
    assert _hashes(laptop.store.path) == before
    # The right passphrase still opens it, with everything in place.
    assert run_cli(laptop, "status").code == 0
    assert _hashes(laptop.store.path).keys() >= {"replica.db"}


class DesktopKeyring(PlaintextKeyring):
    """A real file-backed keyring (keyrings.alt) standing in for the desktop's Secret Service.

    The client refuses ``PlaintextKeyring`` itself on purpose (it would leave the key in
    clear text beside the replica); this subclass only lets the test take the keyring path.
    """

    priority = 1  # type: ignore[assignment]


@pytest.fixture
def desktop_keyring(tmp_path: Path) -> DesktopKeyring:
    backend = DesktopKeyring()
    backend.file_path = str(tmp_path / "keyring" / "keyring_pass.cfg")
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_keyring_path_keeps_key_and_session_in_the_keyring_and_revocation_wipes_both(
    scene,
    make_client,
    server_db,
    desktop_keyring,  # type: ignore[no-untyped-def]
) -> None:
    laptop = make_client(scene.accounts["disp"], "desktop")
    laptop.sync()
    directory = laptop.store.path.parent
    # No key wrapped under a passphrase on disk: the keyring holds the key and the session.
    assert not (directory / WRAPPED_KEY_FILENAME).exists()
    assert not (directory / "lease-key.json").exists()
    rid = replica_id(laptop.profile.server_url, laptop.profile.email)

    def in_keyring() -> tuple[bool, bool]:
        key = any(desktop_keyring.get_password("cnc-crm", a) for a in (rid, f"{rid}.lease"))
        return key, desktop_keyring.get_password("cnc-crm-session", rid) is not None

    assert in_keyring() == (True, True)
    cid = laptop.writes.insert(
        "customer", {"location_id": scene.locations[0], "last_name": "Keyringsson"}
    )
    laptop.store.close()
    # A restart unlocks from the keyring alone: the passphrase is never asked for.
    profile = Profile.load()

    def no_prompt(_: str) -> str:
        raise AssertionError("asked for a passphrase although the keyring holds the key")

    with HttpSyncProtocol(profile.server_url) as protocol:
        store, session = resume(profile, protocol, no_prompt)
        try:
            assert get_row(store, "customer", cid)["last_name"] == "Keyringsson"
            from client.sync.engine import SyncEngine

            engine = SyncEngine(store, protocol, session, device_id=session.device_id)
            engine.sync_once()
            assert server_db.row("customer", cid) is not None
            with session_scope(server_db.engine) as s:
                revoke_device(s, uuid.UUID(session.device_id), by=None, reason="lost laptop")
            with pytest.raises(DeviceRevoked):
                engine.sync_once()
        finally:
            store.close()
    assert not store.path.exists()
    assert in_keyring() == (False, False)
