"""The sync engine against the real server over HTTP: pages, rebase, scope exits, failures.

Every test signs a real client in on the real app (127.0.0.1, real PostgreSQL,
SQLCipher replica behind a passphrase). Faults are real too: a request dropped
or an answer lost on the wire (``FaultyTransport``), a reverse proxy that refuses
large bodies, a pool node whose database is down (it answers 503) or that was
deployed with another signing key (it refuses every token, even a fresh one).
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from client.replica.schema import bucket_state, row_bucket
from client.services import get_row, list_rows
from client.sync import outbox, rejections
from client.sync.backoff import Backoff
from client.sync.errors import ServerUnavailable, SessionExpired, ValidationFailed
from client.sync.loop import SyncLoop
from client.sync.protocol import HttpSyncProtocol
from client.sync.scope import is_parked
from tests.utils.e2e import CUSTOMERS
from tests.utils.server import live_server
from tests.utils.sync_model import Fault, FaultyTransport

#: DESIGN: an online client pulls "within a second"; CI machines get some slack.
LIVE_BUDGET_S = 3.0


def _pending(client) -> list[outbox.PendingMutation]:  # type: ignore[no-untyped-def]
    with client.store.engine.connect() as conn:
        return outbox.pending(conn)


def _issues(client) -> list[rejections.Rejection]:  # type: ignore[no-untyped-def]
    with client.store.engine.connect() as conn:
        return rejections.unresolved(conn)


def _home(client) -> uuid.UUID:  # type: ignore[no-untyped-def]
    return uuid.UUID(client.session.user["location_id"])


def _wait_for(predicate, timeout: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout}s")
        time.sleep(0.02)


class BodyLimitProxy(httpx.BaseTransport):
    """The reverse proxy in front of the pool (nginx ``client_max_body_size``): 413 above it."""

    def __init__(self, limit: int) -> None:
        self.real = httpx.HTTPTransport()
        self.limit = limit

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if len(request.read()) > self.limit:
            html = "<html><body><h1>413 Request Entity Too Large</h1></body></html>"
            return httpx.Response(413, headers={"content-type": "text/html"}, text=html)
        return self.real.handle_request(request)


class SplitPool(httpx.BaseTransport):
    """A load balancer that sends sign-in and refresh to one node and sync to another."""

    def __init__(self, sync_url: str) -> None:
        self.real = httpx.HTTPTransport()
        self.sync = httpx.URL(sync_url)
        self.paths: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        if request.url.path.startswith("/v1/sync/"):
            request.url = request.url.copy_with(host=self.sync.host, port=self.sync.port)
        return self.real.handle_request(request)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _node_without_database(db_url: str, secrets: dict[str, str]) -> Iterator[str]:
    """A node of the same pool whose PostgreSQL is unreachable: it answers 503."""
    down = make_url(db_url).set(host="127.0.0.1", port=_closed_port())
    with live_server(down.render_as_string(hide_password=False), **secrets) as url:
        yield url


def test_bootstrap_in_pages_and_offline_insert_pushed(
    world_db,
    make_client,
    server_db,  # type: ignore[no-untyped-def]
) -> None:
    _, world = world_db
    laptop = make_client(world.dispatcher_a, "laptop")  # signed in, nothing pulled yet
    with server_db.writer(world.tenant_a, world.admin_a.id, "ADMIN") as w:
        for i in range(25):
            w.insert("customer", {"location_id": _home(laptop), "last_name": f"Paged-{i:02d}"})
    laptop.engine.pull_limit = 10
    report = laptop.sync()
    assert report.pull.pages >= 3 and report.pull.changes >= 25
    assert len(list_rows(laptop.store, "customer", limit=100)) == 25
    new = laptop.writes.insert("customer", {"location_id": _home(laptop), "last_name": "Offline"})
    laptop.sync()
    assert _pending(laptop) == [] and server_db.row("customer", new)["last_name"] == "Offline"
    assert get_row(laptop.store, "customer", new)["version"] > 0
    assert laptop.engine.status().pending == 0 and laptop.engine.status().last_synced_at


def test_rebase_keeps_unsynced_edits_over_pulled_rows(
    world_db,
    make_client,
    server_db,  # type: ignore[no-untyped-def]
) -> None:
    _, world = world_db
    transport = FaultyTransport()
    laptop = make_client(world.dispatcher_a, "laptop", transport)
    admin = (world.tenant_a, world.admin_a.id, "ADMIN")
    with server_db.writer(*admin) as w:
        cid = w.insert(
            "customer", {"location_id": _home(laptop), "last_name": "Roy", "email": "old@x.ca"}
        )["id"]
    laptop.sync()
    transport.fault = Fault("drop", "/v1/sync/push", 1)  # our push fails; the pull below works
    laptop.writes.update("customer", cid, {"email": "mine@x.ca"})
    with pytest.raises(ServerUnavailable):
        laptop.sync()
    with server_db.writer(*admin) as w:
        w.update("customer", cid, {"city": "Laval"})
    laptop.engine.pull()
    row = get_row(laptop.store, "customer", cid)
    assert (row["city"], row["email"]) == ("Laval", "mine@x.ca")  # server state + my edit
    laptop.sync()
    server = server_db.row("customer", cid)
    assert (server["city"], server["email"]) == ("Laval", "mine@x.ca") and not _pending(laptop)


def test_dropped_bucket_is_purged_but_shared_rows_stay(
    scene,
    make_client,
    server_db,  # type: ignore[no-untyped-def]
) -> None:
    """The dispatcher moves to branch 1: branch 0's buckets go, rows they also own stay."""
    old, new = (str(loc) for loc in scene.locations)
    with server_db.writer(scene.tenant_id, scene.user("admin"), "ADMIN") as w:
        only = w.insert("customer", {"location_id": scene.locations[0], "last_name": "Only"})["id"]
    disp = make_client(scene.accounts["disp"], "disp")
    disp.sync()
    shared = scene.rows["c1"]  # branch 0's, and in own:disp through the quote disp wrote
    with disp.store.engine.connect() as conn:
        assert f"location_sales:{old}" in set(conn.execute(select(bucket_state.c.bucket)).scalars())
    assert get_row(disp.store, "customer", only) is not None
    with server_db.writer(scene.tenant_id, scene.user("admin"), "ADMIN") as w:
        w.update("user", scene.user("disp"), {"location_id": scene.locations[1]})
    report = disp.sync()
    assert f"location_sales:{old}" in report.pull.dropped_buckets
    assert get_row(disp.store, "customer", only, include_deleted=True) is None
    assert get_row(disp.store, "customer", shared)["last_name"] == CUSTOMERS["c1"][0]
    assert get_row(disp.store, "customer", scene.rows["c4"]) is not None  # branch 1's now
    with disp.store.engine.connect() as conn:
        subscribed = set(conn.execute(select(bucket_state.c.bucket)).scalars())
        held = set(conn.execute(select(row_bucket.c.bucket)).scalars())
        holders = set(
            conn.execute(
                select(row_bucket.c.bucket).where(row_bucket.c.row_id == str(shared))
            ).scalars()
        )
    assert f"location_sales:{new}" in subscribed
    assert not [b for b in subscribed | held if b.endswith(old)]
    assert holders == {f"own:{scene.user('disp')}"}


def test_scope_exit_pushes_edit_first_then_drops_row(
    scene,
    make_client,
    server_db,  # type: ignore[no-untyped-def]
) -> None:
    j1 = scene.rows["j1"]
    transport = FaultyTransport()
    lead = make_client(scene.accounts["lead1"], "lead1", transport)
    office = make_client(scene.accounts["disp"], "office")
    lead.sync()
    office.sync()
    transport.fault = Fault("drop", "/v1/sync/push", 1)  # offline all day
    lead.writes.update("journey", j1, {"notes": "arrived 8:05"})
    with pytest.raises(ServerUnavailable):
        lead.engine.push()
    office.writes.update("journey", j1, {"crew_lead_id": scene.user("lead2")})  # reassigned
    office.sync()
    lead.engine.pull()
    with lead.store.engine.connect() as conn:
        assert is_parked(conn, "journey", str(j1))  # out of every bucket, edit still queued
    assert get_row(lead.store, "journey", j1) is not None  # not evicted silently
    lead.sync()
    [issue] = _issues(lead)
    assert issue.message.startswith(rejections.SCOPE_EXIT_MESSAGE)
    assert issue.changes == {"notes": "arrived 8:05"}
    assert get_row(lead.store, "journey", j1, include_deleted=True) is None
    assert server_db.row("journey", j1)["notes"] == "orig" and not _pending(lead)


def test_stuck_head_is_isolated_and_surfaced(
    world_db,
    make_client,
    server_db,  # type: ignore[no-untyped-def]
) -> None:
    """A change too big for the proxy is refused every time: it must not block the queue."""
    _, world = world_db
    laptop = make_client(world.dispatcher_a, "laptop", BodyLimitProxy(64 * 1024))
    laptop.sync()
    essay = "Inventory dictated on site. " * 4000  # ~110 KB: over the proxy's limit
    bad = laptop.writes.insert(
        "customer", {"location_id": _home(laptop), "last_name": "Bad", "notes": essay}
    )
    good = laptop.writes.insert("customer", {"location_id": _home(laptop), "last_name": "Good"})
    laptop.engine.stuck_after = 3
    with pytest.raises(ValidationFailed):
        laptop.engine.push()  # the batch fails, then the head alone: counted twice, still queued
    assert [m.attempts for m in _pending(laptop)] == [2, 0]
    laptop.sync()
    [issue] = _issues(laptop)
    assert issue.changes["last_name"] == "Bad" and issue.message.startswith("stuck")
    assert issue.changes["notes"] == essay  # nothing the user typed is lost
    assert not _pending(laptop) and server_db.row("customer", good) is not None
    assert server_db.row("customer", bad) is None


def test_transient_failures_mark_queue_stalled_not_rejected(
    world_db,
    make_client,
    server_db,
    server_secrets,  # type: ignore[no-untyped-def]
) -> None:
    db_url, world = world_db
    laptop = make_client(world.dispatcher_a, "laptop")
    home = laptop.protocol._client.base_url
    cid = laptop.writes.insert("customer", {"location_id": _home(laptop), "last_name": "Wait"})
    with _node_without_database(db_url, server_secrets) as sick:
        laptop.protocol._client.base_url = sick  # the balancer sends us to the sick node
        for _ in range(6):
            with pytest.raises(ServerUnavailable) as failure:
                laptop.sync()
            assert failure.value.status == 503
    status = laptop.engine.status()
    assert status.stalled and status.pending == 1 and not status.online
    assert status.rejections == 0 and "server_unavailable" in status.last_error
    laptop.protocol._client.base_url = home
    laptop.sync()
    assert laptop.engine.status().pending == 0 and not laptop.engine.status().stalled
    assert server_db.row("customer", cid)["last_name"] == "Wait"


def test_auth_expired_twice_is_session_expired(
    world_db,
    make_client,
    server_secrets,  # type: ignore[no-untyped-def]
) -> None:
    """A sync node deployed with another signing key refuses even the freshly refreshed token."""
    db_url, world = world_db
    other_key = {**server_secrets, "secret_key": server_secrets["secret_key"][::-1]}
    with live_server(db_url, **other_key) as misconfigured:
        pool = SplitPool(misconfigured)
        laptop = make_client(world.dispatcher_a, "laptop", pool)
        del pool.paths[:]
        with pytest.raises(SessionExpired):
            laptop.sync()
    assert pool.paths == ["/v1/sync/pull", "/v1/auth/refresh", "/v1/sync/pull"]
    assert laptop.engine.status().needs_sign_in


def test_mutation_ids_keep_increasing(
    world_db,
    make_client,
    server_db,  # type: ignore[no-untyped-def]
) -> None:
    _, world = world_db
    laptop = make_client(world.dispatcher_a, "laptop")
    laptop.writes.insert("customer", {"location_id": _home(laptop), "last_name": "1"})
    laptop.sync()
    laptop.writes.insert("customer", {"location_id": _home(laptop), "last_name": "2"})
    assert _pending(laptop)[0].mutation_id == 2
    device = uuid.UUID(laptop.engine.device_id)
    assert server_db.scalar("SELECT last_mutation_id FROM device WHERE id = :d", d=device) == 1


def test_loop_retries_on_its_own_and_wakes_on_live_event(
    world_db,
    make_client,  # type: ignore[no-untyped-def]
) -> None:
    _, world = world_db
    transport = FaultyTransport()
    laptop = make_client(world.dispatcher_a, "laptop", transport)
    office = make_client(world.admin_a, "office")
    laptop.writes.insert("customer", {"location_id": _home(laptop), "last_name": "Loop"})
    transport.fault = Fault("drop", "/v1/sync/push", 2)
    ready = threading.Event()
    live = HttpSyncProtocol(laptop.protocol.base_url)  # the stream gets its own connection

    def events(token: str):  # type: ignore[no-untyped-def]
        for message in live.events(token=token):
            if message.get("event") == "ready":
                ready.set()
            yield message

    loop = SyncLoop(
        laptop.engine, interval=3600.0, backoff=Backoff(base=0.05, cap=0.1), events=events
    )
    loop.start()
    try:
        _wait_for(lambda: laptop.engine.status().pending == 0, 10)  # no new local write
        assert [mode for mode, _ in transport.injected] == ["drop", "drop"]
        assert ready.wait(10), "the live channel never became ready"
        time.sleep(0.3)  # let the sync the "ready" event triggered finish
        cid = office.writes.insert("customer", {"location_id": _home(office), "last_name": "Live"})
        office.sync()
        _wait_for(lambda: get_row(laptop.store, "customer", cid) is not None, LIVE_BUDGET_S)
        assert loop.running and loop.stopped_reason is None
    finally:
        loop.stop(timeout=1.0)
        live.close()  # ends the open stream, so its thread exits too
