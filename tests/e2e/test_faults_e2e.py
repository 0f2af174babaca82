"""Faults end to end: killed clients, cut connections, ended sessions, outdated clients.

Whatever happens, the outbox survives until the server has acknowledged it,
the replica stays consistent, and every change is applied exactly once.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from client.replica.paths import DATA_DIR_ENV
from client.services import get_row
from client.session import Profile, resume, sign_in
from client.sync.engine import SyncEngine
from client.sync.errors import SchemaOutdated, ServerUnavailable, SessionExpired
from client.sync.pull import cursors
from client.sync.verify import verify
from shared_models.sync.wire import SCHEMA_VERSION
from sync_server.auth.tokens import create_access_token
from sync_server.core import compat
from tests.e2e.conftest import PASSPHRASE
from tests.utils.server import live_server

REPO = Path(__file__).resolve().parents[2]


def _crash(client, *argv: str) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    """Run tests/e2e/crash_client.py on this laptop's data dir in a separate process."""
    client.store.close()
    env = {
        **os.environ,
        DATA_DIR_ENV: str(client.data_dir),
        "CNC_REPLICA_PASSPHRASE": PASSPHRASE,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "PYTHONPATH": str(REPO),
    }
    return subprocess.run(
        [sys.executable, "-m", "tests.e2e.crash_client", *argv],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _reopen(client):  # type: ignore[no-untyped-def]
    """The next start of the app on that laptop: the same replica, a fresh engine."""
    os.environ[DATA_DIR_ENV] = str(client.data_dir)
    store, session = resume(Profile.load(), client.protocol, lambda _: PASSPHRASE)
    client.store, client.session = store, session
    client.engine = SyncEngine(store, client.protocol, session, device_id=session.device_id)
    return client


def test_client_killed_between_a_local_write_and_sync_keeps_the_outbox(
    world_db,
    make_client,
    server_db,  # type: ignore[no-untyped-def]
) -> None:
    _, world = world_db
    laptop = make_client(world.dispatcher_a, "laptop")
    laptop.sync()
    done = _crash(laptop, "write", "Survivor-Kowalczyk")
    assert done.returncode == 9, done.stderr
    row_id = uuid.UUID(done.stdout.split()[0])
    _reopen(laptop)
    assert get_row(laptop.store, "customer", row_id)["last_name"] == "Survivor-Kowalczyk"
    assert laptop.engine.status().pending == 1
    laptop.sync()
    assert laptop.engine.status().pending == 0
    assert server_db.row("customer", row_id)["last_name"] == "Survivor-Kowalczyk"


def test_client_killed_while_applying_a_pull_page_stays_consistent_and_resumes(
    scene,
    make_client,
    server_db,  # type: ignore[no-untyped-def]
) -> None:
    for i in range(30):  # thirty office writes: thirty versions, several pages
        with server_db.writer(scene.tenant_id, scene.user("disp"), "DISPATCHER") as w:
            w.insert("customer", {"location_id": scene.locations[0], "last_name": f"Walk-in {i}"})
    laptop = make_client(scene.accounts["disp"], "laptop")  # signed in, nothing pulled yet
    # A first download commits every 20 changes here (whole pages): page 3 dies in an
    # open transaction, after at least page 1 was committed.
    done = _crash(laptop, "pull", "20", "3", "20")
    assert done.returncode == 9 and "killed in page 3" in done.stdout, done.stdout + done.stderr
    _reopen(laptop)
    with laptop.store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        progress = cursors(conn)
        # Committed pages are in, the open transaction left no trace: every membership
        # has its row.
        members = conn.execute(text("SELECT table_name, row_id FROM row_bucket")).all()
    assert members and any(progress.values())
    for table, row_id in members:
        assert get_row(laptop.store, table, row_id, include_deleted=True) is not None
    laptop.sync()  # the next start picks up at the committed cursors and completes
    checks = verify(laptop.engine, repair=False)
    assert checks and all(c.local_count == c.server_count for c in checks), checks
    assert get_row(laptop.store, "customer", scene.rows["c1"]) is not None
    assert get_row(laptop.store, "journey", scene.rows["j2"]) is not None
    assert laptop.engine.status().pending == 0


class CutAfterCommit(httpx.BaseTransport):
    """Forwards a push to the server, lets it commit, then loses the answer."""

    def __init__(self) -> None:
        self.real = httpx.HTTPTransport()
        self.cuts = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.real.handle_request(request)
        if request.url.path == "/v1/sync/push" and self.cuts:
            self.cuts -= 1
            response.read()
            response.close()
            raise httpx.ReadError("connection reset by peer", request=request)
        return response


def test_connection_cut_after_the_server_committed_a_push_applies_once(
    world_db,
    make_client,
    server_db,  # type: ignore[no-untyped-def]
) -> None:
    _, world = world_db
    transport = CutAfterCommit()
    laptop = make_client(world.dispatcher_a, "laptop", transport)
    cid = laptop.writes.insert(
        "customer", {"location_id": laptop.session.user["location_id"], "last_name": "Once"}
    )
    laptop.sync()
    laptop.writes.update("customer", cid, {"notes": "only once please"})
    transport.cuts = 1
    with pytest.raises(ServerUnavailable):
        laptop.sync()
    assert server_db.row("customer", cid)["notes"] == "only once please"  # it did commit
    assert laptop.engine.status().pending == 1  # but the laptop could not know
    laptop.sync()  # the retry: answered from the receipt, not applied again
    assert laptop.engine.status().pending == 0
    updates = [a for a in server_db.audit("customer", cid) if a["action"] == "update"]
    assert len(updates) == 1 and str(updates[0]["device_id"]) == laptop.session.device_id
    assert get_row(laptop.store, "customer", cid)["notes"] == "only once please"


def _expire_access_token(client, secret: str) -> str:  # type: ignore[no-untyped-def]
    """Put an access token that expired an hour ago where the client believes it valid."""
    user = client.session.user
    stale = create_access_token(
        secret=secret,
        user_id=uuid.UUID(user["id"]),
        tenant_id=uuid.UUID(user["tenant_id"]),
        device_id=uuid.UUID(client.session.device_id),
        now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1),
    )
    secrets = client.session.vault.load()
    client.session.vault.save(
        {**secrets, "access_token": stale, "access_expires_at": time.time() + 3600}
    )
    return stale


def test_expired_access_token_is_refreshed_transparently(
    world_db,
    make_client,
    server_secrets,
    server_db,  # type: ignore[no-untyped-def]
) -> None:
    _, world = world_db
    laptop = make_client(world.dispatcher_a, "laptop")
    laptop.sync()
    before = laptop.session.vault.load()["refresh_token"]
    stale = _expire_access_token(laptop, server_secrets["secret_key"])
    cid = laptop.writes.insert(
        "customer", {"location_id": laptop.session.user["location_id"], "last_name": "Refreshed"}
    )
    laptop.sync()  # token_expired -> refresh -> retried, invisible to the user
    assert server_db.row("customer", cid) is not None
    after = laptop.session.vault.load()
    assert after["access_token"] != stale and after["refresh_token"] != before
    status = laptop.engine.status()
    assert (status.pending, status.needs_sign_in, status.last_error) == (0, False, None)


def test_revoked_refresh_token_stops_sync_with_sign_in_again_and_keeps_the_outbox(
    world_db,
    make_client,
    server_secrets,
    server_db,
    run_cli,
    base_url,  # type: ignore[no-untyped-def]
) -> None:
    _, world = world_db
    laptop = make_client(world.dispatcher_a, "laptop")
    laptop.sync()
    # Signed out from elsewhere (another window of the app, or support ending the session).
    refresh_token = laptop.session.vault.load()["refresh_token"]
    httpx.post(
        f"{base_url}/v1/auth/logout",
        json={"refresh_token": refresh_token},
        headers={"X-CNC-Protocol": "1", "X-CNC-Schema": str(SCHEMA_VERSION)},
    )
    _expire_access_token(laptop, server_secrets["secret_key"])
    cid = laptop.writes.insert(
        "customer",
        {"location_id": laptop.session.user["location_id"], "last_name": "Patiently-Waiting"},
    )
    with pytest.raises(SessionExpired):
        laptop.sync()
    status = laptop.engine.status()
    assert status.needs_sign_in and status.pending == 1
    assert "sign in again" in status.summary and "sign in again" in status.last_error
    assert server_db.row("customer", cid) is None
    laptop.store.close()
    synced = run_cli(laptop, "sync", "--retries", "0")
    assert synced.code == 4 and "cnc-client login" in synced.err
    shown = run_cli(laptop, "status")
    assert "sign in again" in shown.out and "pending:       1 mutation(s)" in shown.out
    # Signing in again on the same laptop picks the kept outbox up.
    os.environ[DATA_DIR_ENV] = str(laptop.data_dir)
    store, session, _ = sign_in(
        base_url,
        world.dispatcher_a.email,
        world.dispatcher_a.password,
        protocol=laptop.protocol,
        passphrase_provider=lambda _: PASSPHRASE,
    )
    laptop.store, laptop.session = store, session
    laptop.engine = SyncEngine(store, laptop.protocol, session, device_id=session.device_id)
    laptop.sync()
    assert laptop.engine.status().pending == 0
    assert server_db.row("customer", cid)["last_name"] == "Patiently-Waiting"


def test_raised_minimum_schema_gives_schema_outdated_and_the_client_keeps_working_offline(
    world_db,
    make_client,
    server_db,
    server_secrets,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    db_url, world = world_db
    laptop = make_client(world.dispatcher_a, "laptop")
    laptop.sync()
    original = laptop.protocol._client.base_url
    first = laptop.writes.insert(
        "customer",
        {"location_id": laptop.session.user["location_id"], "last_name": "Before-Upgrade"},
    )
    # The server is upgraded and restarted: it now needs a newer client than this one.
    with monkeypatch.context() as patch:
        patch.setattr(compat, "MIN_SCHEMA_VERSION", SCHEMA_VERSION + 1)
        with live_server(db_url, **server_secrets) as upgraded:
            laptop.protocol._client.base_url = upgraded
            with pytest.raises(SchemaOutdated):
                laptop.sync()
            status = laptop.engine.status()
            assert status.update_required and status.online and status.pending == 1
            assert "update required" in status.summary
            # Working offline goes on: new edits queue behind the kept ones.
            laptop.writes.update("customer", first, {"notes": "edited while outdated"})
            assert laptop.engine.status().pending == 2
            assert server_db.row("customer", first) is None
    # The laptop is updated (here: the server accepts it again): everything goes up.
    laptop.protocol._client.base_url = original
    laptop.sync()
    assert laptop.engine.status().pending == 0 and not laptop.engine.status().update_required
    assert server_db.row("customer", first)["notes"] == "edited while outdated"
