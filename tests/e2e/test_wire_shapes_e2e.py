"""A laptop that updates late (DESIGN 6, "Mixed versions"): the server sends each app only
the columns its wire schema knows, and an upgraded app pulls the new columns again.

The old app is the real client whose requests say ``X-CNC-Schema: 1`` (an httpx
transport sets the header, as yesterday's build would send it) and whose replica
records the schema its rows were pulled in as 1.
"""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import pytest

from client.services import list_rows
from client.services.conflicts import resolve_conflict
from client.sync import reshape
from client.sync.db import read_meta
from shared_models.sync.wire import SCHEMA_HEADER, SCHEMA_VERSION
from tests.utils.e2e import add_journey

DAY = dt.date(2026, 6, 3)
NEW_COLUMNS = ("other_journey_id", "pair_ended_at")


class AppBuild(httpx.HTTPTransport):
    """Real HTTP that names the wire schema of the app build it stands for."""

    def __init__(self, schema: int) -> None:
        super().__init__()
        self.schema = schema

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.headers[SCHEMA_HEADER] = str(self.schema)
        return super().handle_request(request)


def _flags(store) -> dict[uuid.UUID, dict]:  # type: ignore[no-untyped-def]
    return {row["id"]: row for row in list_rows(store, "schedule_conflict")}


@pytest.fixture
def old_app(monkeypatch: pytest.MonkeyPatch) -> AppBuild:
    build = AppBuild(schema=1)
    monkeypatch.setattr(reshape, "SCHEMA_VERSION", 1)
    return build


def test_an_old_app_gets_no_column_it_lacks_and_after_its_upgrade_pulls_them_again(
    scene,
    make_client,
    server_db,
    old_app,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    with server_db.writer(scene.tenant_id, scene.user("admin"), "ADMIN") as w:
        morning = add_journey(w, scene, DAY, dt.datetime(2026, 6, 3, 12, tzinfo=dt.UTC))
        late_morning = add_journey(w, scene, DAY, dt.datetime(2026, 6, 3, 14, tzinfo=dt.UTC))
    laptop = make_client(scene.accounts["disp"], "disp", transport=old_app)
    laptop.sync()
    truck = scene.rows["t1"]
    laptop.writes.update("journey", morning, {"truck_id": truck})
    laptop.writes.update("journey", late_morning, {"truck_id": truck})
    assert laptop.sync().push.rejected == 0
    laptop.sync()

    # The server flagged the double booking in the new columns; the old app got the
    # flags without them, in pulls and in the answer to its own edit of a flag.
    (flag_id,) = _flags(laptop.store)
    flag = server_db.row("schedule_conflict", flag_id)
    assert {flag["journey_id"], flag["other_journey_id"]} == {morning, late_morning}
    resolve_conflict(laptop.writes, flag_id, "T2 takes one of them")
    assert laptop.sync().push.rejected == 0
    for row in _flags(laptop.store).values():
        assert all(row[c] is None for c in NEW_COLUMNS)
    assert read_meta(laptop.store, reshape.META_WIRE_SCHEMA) == "1"

    # Offline, the dispatcher edits a customer; then the app is updated overnight.
    laptop.writes.update("customer", scene.rows["c1"], {"notes": "call before noon"})
    old_app.schema = SCHEMA_VERSION
    monkeypatch.setattr(reshape, "SCHEMA_VERSION", SCHEMA_VERSION)
    with laptop.store.engine.connect() as conn:
        stale = reshape.stale_buckets(conn, 1)
    assert stale == [f"location_ops:{scene.locations[0]}"]

    report = laptop.sync()
    assert report.push.rejected == 0
    assert server_db.row("customer", scene.rows["c1"])["notes"] == "call before noon"
    for flag_id, row in _flags(laptop.store).items():
        now = server_db.row("schedule_conflict", flag_id)
        assert {c: row[c] for c in NEW_COLUMNS} == {c: now[c] for c in NEW_COLUMNS}
        assert row["version"] == now["version"] and row["note"] == now["note"]
    assert read_meta(laptop.store, reshape.META_WIRE_SCHEMA) == str(SCHEMA_VERSION)
    # Once pulled in the current schema, nothing is pulled again.
    with laptop.store.engine.connect() as conn:
        assert reshape.stale_buckets(conn, SCHEMA_VERSION) == []


def test_a_new_replica_records_its_schema_and_never_rewinds(scene, make_client) -> None:  # type: ignore[no-untyped-def]
    laptop = make_client(scene.accounts["disp"], "disp")
    laptop.sync()
    assert read_meta(laptop.store, reshape.META_WIRE_SCHEMA) == str(SCHEMA_VERSION)
    with laptop.store.engine.connect() as conn:
        assert reshape.stale_buckets(conn, SCHEMA_VERSION) == []
