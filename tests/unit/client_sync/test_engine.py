"""Push, pull, rebase, purge and DESIGN 6.7 scope exit against the in-process server."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from client.replica import LocalStore
from client.replica.schema import bucket_state, row_bucket
from client.services import LocalWriteService, get_row, list_rows
from client.sync import outbox, rejections
from client.sync.engine import SyncEngine
from client.sync.errors import (
    AuthExpired,
    DeviceRevoked,
    SchemaOutdated,
    ServerUnavailable,
    SessionExpired,
    ValidationFailed,
)
from tests.unit.client_sync.conftest import new_id
from tests.unit.client_sync.fake_server import BUCKET, LOCATION, FakeServer, customer_data

OTHER = "crew_jobs:0190a000-0000-7000-8000-0000000000aa"


def _pending(store: LocalStore) -> list[outbox.PendingMutation]:
    with store.engine.connect() as conn:
        return outbox.pending(conn)


def _rejections(store: LocalStore) -> list[rejections.Rejection]:
    with store.engine.connect() as conn:
        return rejections.unresolved(conn)


def test_bootstrap_in_pages_and_offline_insert_pushed(
    store: LocalStore, server: FakeServer, engine: SyncEngine, service: LocalWriteService
) -> None:
    for i in range(25):
        server.put("customer", customer_data(new_id(), f"C{i:02d}"))
    engine.pull_limit = 10
    report = engine.sync_once()
    assert report.pull.pages == 3 and len(list_rows(store, "customer", limit=100)) == 25
    new = service.insert("customer", {"location_id": str(LOCATION), "last_name": "Offline"})
    engine.sync_once()
    assert _pending(store) == [] and server.rows[("customer", str(new))]["last_name"] == "Offline"
    assert get_row(store, "customer", new)["version"] > 0
    assert engine.status().pending == 0 and engine.status().last_synced_at


def test_rebase_keeps_unsynced_edits_over_pulled_rows(
    store: LocalStore, server: FakeServer, engine: SyncEngine, service: LocalWriteService
) -> None:
    cid = new_id()
    server.put("customer", customer_data(cid, "Roy", email="old@x.ca"))
    engine.sync_once()
    server.failures.append(ServerUnavailable("down"))  # our push fails; the pull below works
    service.update("customer", cid, {"email": "mine@x.ca"})
    with pytest.raises(ServerUnavailable):
        engine.sync_once()
    server.put("customer", {**server.rows[("customer", str(cid))], "city": "Laval"})
    engine.pull()
    row = get_row(store, "customer", cid)
    assert (row["city"], row["email"]) == ("Laval", "mine@x.ca")  # server state + my edit
    engine.sync_once()
    assert server.rows[("customer", str(cid))]["email"] == "mine@x.ca" and not _pending(store)


def test_rejection_kept_with_attempted_change(
    store: LocalStore, server: FakeServer, engine: SyncEngine, service: LocalWriteService
) -> None:
    cid = new_id()
    server.put("customer", customer_data(cid, "Locked"))
    engine.sync_once()
    server.locked.add(("customer", str(cid)))
    service.update("customer", cid, {"last_name": "Changed"})
    engine.sync_once()
    [r] = _rejections(store)
    assert (r.reason, r.changes, r.op) == ("locked", {"last_name": "Changed"}, "update")
    assert get_row(store, "customer", cid)["last_name"] == "Locked"  # server's row shown
    assert engine.status().rejections == 1 and not _pending(store)


def test_dropped_bucket_is_purged_but_shared_rows_stay(
    store: LocalStore, server: FakeServer, engine: SyncEngine
) -> None:
    server.user_buckets = [BUCKET, OTHER]
    only, shared = new_id(), new_id()
    server.put("customer", customer_data(only, "Only"), BUCKET)
    server.put("customer", customer_data(shared, "Shared"), BUCKET)
    server.put("customer", server.rows[("customer", str(shared))], OTHER)
    engine.sync_once()
    with store.engine.connect() as conn:
        assert set(conn.execute(select(bucket_state.c.bucket)).scalars()) == {BUCKET, OTHER}
    server.user_buckets = [OTHER]
    engine.sync_once()
    assert get_row(store, "customer", only) is None
    assert get_row(store, "customer", shared)["last_name"] == "Shared"
    with store.engine.connect() as conn:
        assert set(conn.execute(select(row_bucket.c.bucket)).scalars()) == {OTHER}


def test_removed_row_deleted_unless_held_elsewhere(
    store: LocalStore, server: FakeServer, engine: SyncEngine
) -> None:
    a = new_id()
    server.put("customer", customer_data(a, "A"))
    engine.sync_once()
    server.remove("customer", str(a))
    engine.sync_once()
    assert get_row(store, "customer", a, include_deleted=True) is None


def test_scope_exit_pushes_edit_first_then_drops_row(
    store: LocalStore, server: FakeServer, engine: SyncEngine, service: LocalWriteService
) -> None:
    jid = new_id()
    server.put("customer", customer_data(jid, "Mine"))
    engine.sync_once()
    server.failures.append(ServerUnavailable("offline all day"))
    service.update("customer", jid, {"notes": "arrived 8:05"})
    with pytest.raises(ServerUnavailable):
        engine.push()
    server.remove("customer", str(jid))  # the dispatcher reassigned it meanwhile
    engine.pull()
    assert get_row(store, "customer", jid) is not None  # not evicted silently
    engine.sync_once()
    [r] = _rejections(store)
    assert r.message.startswith(rejections.SCOPE_EXIT_MESSAGE)
    assert r.changes == {"notes": "arrived 8:05"}
    assert get_row(store, "customer", jid, include_deleted=True) is None


def test_lost_push_answer_applies_once(
    store: LocalStore, server: FakeServer, engine: SyncEngine, service: LocalWriteService
) -> None:
    cid = service.insert("customer", {"location_id": str(LOCATION), "last_name": "Once"})

    def lose_answer(_: object) -> None:
        server.on_push = None
        server.failures.append(ServerUnavailable("reset after commit"))

    original_push = server.push

    def push_then_cut(request, *, token):  # type: ignore[no-untyped-def]
        answer = original_push(request, token=token)
        if server.on_push is not None:
            server.on_push(request)
        if server.failures:
            raise server.failures.pop(0)
        return answer

    server.on_push = lose_answer
    server.push = push_then_cut  # type: ignore[method-assign]
    with pytest.raises(ServerUnavailable):
        engine.push()
    assert len(_pending(store)) == 1  # unknown fate: kept
    engine.sync_once()
    assert not _pending(store) and server.version == 1  # applied exactly once
    assert get_row(store, "customer", cid)["version"] == 1


def test_stuck_head_is_isolated_and_surfaced(
    store: LocalStore, server: FakeServer, engine: SyncEngine, service: LocalWriteService
) -> None:
    service.insert("customer", {"location_id": str(LOCATION), "last_name": "Bad"})
    good = service.insert("customer", {"location_id": str(LOCATION), "last_name": "Good"})
    engine.stuck_after = 3
    real_push = server.push

    def refuse_bad(request, *, token):  # type: ignore[no-untyped-def]
        if any(m.changes.get("last_name") == "Bad" for m in request.mutations):
            raise ValidationFailed("customer.last_name: refused")
        return real_push(request, token=token)

    server.push = refuse_bad  # type: ignore[method-assign]
    with pytest.raises(ValidationFailed):
        engine.push()  # the batch fails, then the head alone: counted twice, still queued
    assert [m.attempts for m in _pending(store)] == [2, 0]
    engine.sync_once()
    [r] = _rejections(store)
    assert r.changes["last_name"] == "Bad" and r.message.startswith("stuck")
    assert not _pending(store) and ("customer", str(good)) in server.rows


def test_transient_failures_mark_queue_stalled_not_rejected(
    store: LocalStore,
    server: FakeServer,
    engine: SyncEngine,
    service: LocalWriteService,
) -> None:
    service.insert("customer", {"location_id": str(LOCATION), "last_name": "Wait"})
    for _ in range(6):
        server.failures.append(ServerUnavailable("down"))
        with pytest.raises(ServerUnavailable):
            engine.sync_once()
    status = engine.status()
    assert status.stalled and status.pending == 1 and not status.online
    assert status.rejections == 0 and "server_unavailable" in status.last_error
    engine.sync_once()
    assert engine.status().pending == 0 and not engine.status().stalled


def test_expired_token_refreshed_once(server: FakeServer, engine: SyncEngine) -> None:
    server.token = "token-2"
    engine.sync_once()
    assert engine.tokens.refreshed == 1  # type: ignore[attr-defined]


def test_session_expired_keeps_outbox(
    store: LocalStore, server: FakeServer, engine: SyncEngine, service: LocalWriteService
) -> None:
    service.insert("customer", {"location_id": str(LOCATION), "last_name": "Kept"})
    server.token = "token-2"

    def refuse() -> str:
        raise SessionExpired("refresh token reused")

    engine.tokens.refresh = refuse  # type: ignore[method-assign]
    with pytest.raises(SessionExpired):
        engine.sync_once()
    status = engine.status()
    assert status.needs_sign_in and status.pending == 1 and "sign in again" in status.summary


def test_schema_outdated_keeps_working_offline(
    store: LocalStore, server: FakeServer, engine: SyncEngine, service: LocalWriteService
) -> None:
    service.insert("customer", {"location_id": str(LOCATION), "last_name": "Old"})
    server.failures.append(SchemaOutdated("client 1 too old, need 2"))
    with pytest.raises(SchemaOutdated):
        engine.sync_once()
    assert engine.status().update_required and engine.status().pending == 1
    service.insert("customer", {"location_id": str(LOCATION), "last_name": "Still works"})
    assert engine.status().pending == 2


def test_revoked_device_wipes_replica(
    store: LocalStore, server: FakeServer, engine: SyncEngine, replica_path
) -> None:  # type: ignore[no-untyped-def]
    server.revoked = True
    with pytest.raises(DeviceRevoked):
        engine.sync_once()
    assert store.closed and not replica_path.exists() and engine.tokens.forgotten  # type: ignore[attr-defined]
    assert engine.status().wiped


def test_auth_expired_twice_is_session_expired(server: FakeServer, engine: SyncEngine) -> None:
    server.failures += [AuthExpired("x"), AuthExpired("y")]
    with pytest.raises(SessionExpired):
        engine.sync_once()


def test_mutation_ids_keep_increasing(
    store: LocalStore, service: LocalWriteService, engine: SyncEngine
) -> None:
    service.insert("customer", {"location_id": str(LOCATION), "last_name": "1"})
    engine.sync_once()
    service.insert("customer", {"location_id": str(LOCATION), "last_name": "2"})
    assert _pending(store)[0].mutation_id == 2
    assert uuid.UUID(engine.device_id)
