"""Who sees what, over real HTTP: scoped buckets, removals, pages, checksums (DESIGN 4, 5)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import Engine, select, text

from shared_models.sync.codec import decode_row, encode_row, synced_table
from sync_server.core.db import create_db_engine
from tests.integration.sync.pull_client import Replica
from tests.integration.sync.scope_world import TenantWorld, commit, populate
from tests.utils.auth import bearer
from tests.utils.server import live_server


@dataclass
class Scene:
    base: str
    engine: Engine
    a: TenantWorld
    b: TenantWorld


@pytest.fixture
def scene(migrated_db_url: str) -> Iterator[Scene]:
    engine = create_db_engine(migrated_db_url)
    a, b = populate(engine)
    with live_server(migrated_db_url) as base:
        yield Scene(base, engine, a, b)
    engine.dispose()


def ids(world: TenantWorld, *names: str) -> set[str]:
    return {str(world.rows[n]) for n in names}


def test_crew_lead_gets_only_their_jobs_and_what_they_need(scene: Scene) -> None:
    a = scene.a
    lead = Replica.login(scene.base, a.accounts["lead1"])
    me, loc0 = a.user("lead1"), a.locations[0]
    assert sorted(lead.cursors) == sorted(
        [
            f"tenant_ref:{a.id}",
            f"own:{me}",
            f"crew_jobs:{me}",
            f"location_fleet:{loc0}",
        ]
    )
    lead.sync()
    assert lead.ids("journey") == ids(a, "j1", "j3")
    assert lead.ids("customer") == ids(a, "c1")
    assert lead.ids("quote") == ids(a, "q1", "q1b")
    assert lead.ids("quote_item") == ids(a, "q1.item0", "q1.item1", "q1b.item0", "q1b.item1")
    assert lead.ids("journey_event") == ids(a, "j1.event", "j3.event")
    assert lead.ids("journey_crew") == ids(a, "j1.crew.lead1", "j3.crew.lead1")
    # The truck of their job comes with its checks; their branch's fleet too, not another's.
    assert ids(a, "t1", "t1.check") <= lead.ids("equipment") | lead.ids("equipment_check")
    assert str(a.rows["t4"]) not in lead.ids("equipment")
    users = lead.rows("user")
    assert len(users) == 5 and all("password_hash" not in u for u in users.values())
    assert all(str(scene.b.id) != row.get("tenant_id") for row in lead.rows().values())


def test_dispatcher_sees_their_location_only(scene: Scene) -> None:
    a = scene.a
    disp = Replica.login(scene.base, a.accounts["disp"])
    disp.sync()
    loc0 = a.locations[0]
    assert {b for b in disp.cursors if b.startswith("location_")} == {
        f"location_sales:{loc0}",
        f"location_ops:{loc0}",
        f"location_fleet:{loc0}",
        f"location_finance:{loc0}",  # read-only billing of their branch
    }
    assert disp.ids("customer") == ids(a, "c1", "c2", "c3")
    assert disp.ids("journey") == ids(a, "j1", "j2", "j3")
    assert str(a.rows["q4"]) not in disp.ids("quote")


def test_admin_sees_every_location_never_another_tenant(scene: Scene) -> None:
    a, b = scene.a, scene.b
    admin = Replica.login(scene.base, a.accounts["admin"])
    admin.sync()
    assert admin.ids("customer") == ids(a, "c1", "c2", "c3", "c4")
    assert admin.ids("journey") == ids(a, "j1", "j2", "j3", "j4")
    assert {row["tenant_id"] for row in admin.rows().values() if "tenant_id" in row} == {str(a.id)}
    assert str(b.rows["cb"]) not in admin.ids("customer")


@pytest.mark.parametrize(
    "bucket",
    ["crew_jobs:{lead2}", "location_sales:{loc0}", "tenant_ref:{tenant_b}", "own:{admin}", "bogus"],
)
def test_pull_of_a_bucket_not_yours_is_denied(scene: Scene, bucket: str) -> None:
    a = scene.a
    name = bucket.format(
        lead2=a.user("lead2"), loc0=a.locations[0], tenant_b=scene.b.id, admin=a.user("admin")
    )
    lead = Replica.login(scene.base, a.accounts["lead1"])
    response = lead.pull_once(buckets={**lead.cursors, name: 0})
    assert response.status_code == 403
    assert response.json()["error"] == "permission_denied"
    assert response.json()["details"]["buckets"] == [name]


def test_reassigned_journey_leaves_the_old_crew_lead(scene: Scene) -> None:
    a = scene.a
    lead1 = Replica.login(scene.base, a.accounts["lead1"])
    lead2 = Replica.login(scene.base, a.accounts["lead2"])
    lead1.sync()
    lead2.sync()
    # Dispatch moves j1's crew row from lead1 to lead2.
    commit(
        scene.engine,
        a.id,
        ("update", "journey_crew", {"id": a.rows["j1.crew.lead1"], "user_id": a.user("lead2")}),
    )
    lead1.sync()
    lead2.sync()
    assert lead1.ids("journey") == ids(a, "j3")
    assert lead1.ids("quote") == ids(a, "q1b")
    assert lead1.ids("customer") == ids(a, "c1"), "still held through j3"
    removed = {(t, i) for b, t, i, _, gone in lead1.seen if gone and b.startswith("crew_jobs")}
    for table, name in [
        ("journey", "j1"),
        ("quote", "q1"),
        ("quote_item", "q1.item0"),
        ("journey_event", "j1.event"),
        ("equipment", "t1"),
        ("equipment_check", "t1.check"),
    ]:
        assert (table, str(a.rows[name])) in removed
    assert ("customer", str(a.rows["c1"])) not in removed
    assert ids(a, "j1", "j2", "j4") == lead2.ids("journey")
    assert ids(a, "c1", "c2", "c4") == lead2.ids("customer")
    # Then j3 is cancelled (tombstoned): c1 has no job of lead1 left.
    commit(scene.engine, a.id, ("delete", "journey", {"id": a.rows["j3"]}))
    lead1.sync()
    assert lead1.ids("customer") == set() and lead1.ids("journey") == set()
    assert ("journey", str(a.rows["j3"])) in {(t, i) for _, t, i, _, gone in lead1.seen if gone}


def test_pages_cover_every_row_exactly_once(scene: Scene) -> None:
    a = scene.a
    whole = Replica.login(scene.base, a.accounts["admin"])
    # Sign both in first: a sign-in is a versioned write of the user's directory row.
    paged = Replica.login(scene.base, a.accounts["admin"])
    whole.sync(limit=5000)
    cursors_seen: list[dict[str, int]] = []
    while True:
        body = paged.pull_once(limit=7).json()
        assert len(body["changes"]) <= 7 or len({c["version"] for c in body["changes"]}) == 1
        paged.apply(body)
        cursors_seen.append(dict(body["cursors"]))
        if not body["has_more"]:
            break
    assert len(cursors_seen) > 3
    for earlier, later in itertools.pairwise(cursors_seen):
        assert all(later[b] >= earlier[b] for b in earlier)
    keys = [(b, t, i) for b, t, i, _, _ in paged.seen]
    assert len(keys) == len(set(keys)), "a row came twice in one bucket's bootstrap"
    assert paged.view() == whole.view()
    again = paged.pull_once(limit=7).json()
    assert again["changes"] == [] and again["has_more"] is False


def test_checksums_match_a_client_recomputation(scene: Scene) -> None:
    a = scene.a
    for name in ("lead1", "disp", "admin"):
        replica = Replica.login(scene.base, a.accounts[name])
        replica.sync(limit=3)
        names = ",".join(sorted(replica.cursors))
        response = httpx.get(
            f"{scene.base}/v1/sync/checksums",
            params={"buckets": names},
            headers=bearer(replica.token),
        )
        assert response.status_code == 200, response.text
        server = response.json()["buckets"]
        for bucket in replica.cursors:
            count, digest = replica.digest(bucket)
            assert server[bucket] == {"count": count, "digest": str(digest)}, bucket
    denied = httpx.get(
        f"{scene.base}/v1/sync/checksums",
        params={"buckets": f"crew_jobs:{uuid.uuid4()}"},
        headers=bearer(replica.token),
    )
    assert denied.status_code == 403 and denied.json()["error"] == "permission_denied"


def test_pulled_rows_decode_exactly_like_the_shared_codec(scene: Scene) -> None:
    admin = Replica.login(scene.base, scene.a.accounts["admin"])
    admin.sync()
    checked = 0
    with scene.engine.connect() as conn:
        for (table_name, row_id), data in admin.rows().items():
            table = synced_table(table_name)
            row = conn.execute(select(table).where(table.c.id == row_id)).mappings().one()
            assert decode_row(table, data) == decode_row(table, encode_row(table, row))
            assert "password_hash" not in data
            checked += 1
    assert checked > 50


@pytest.mark.parametrize(
    ("accept", "coding"),
    [
        ("zstd, gzip", "zstd"),
        ("gzip", "gzip"),
        ("zstd;q=0, gzip", "gzip"),
        ("identity", None),
    ],
)
def test_a_page_comes_in_the_encoding_the_client_accepts(
    scene: Scene, accept: str, coding: str | None
) -> None:
    replica = Replica.login(scene.base, scene.a.accounts["admin"])
    plain = replica.pull_once(limit=50, buckets=dict(replica.cursors))
    response = httpx.post(
        f"{scene.base}/v1/sync/pull",
        json={"buckets": dict(replica.cursors), "limit": 50},
        headers={**bearer(replica.token), "Accept-Encoding": accept},
        timeout=30,
    )
    assert response.status_code == 200
    assert response.headers.get("content-encoding") == coding
    assert len(response.content) > 1024  # big enough to be worth compressing
    assert response.json() == plain.json()  # decoded, the same page


def test_a_grant_changed_in_the_database_is_seen_by_the_next_pull(scene: Scene) -> None:
    """The server caches each user's buckets under a digest of their grants: any edit
    of those rows, even one that bumps no version, must reach the next request."""
    a = scene.a
    disp = Replica.login(scene.base, a.accounts["disp"])
    first = disp.pull_once(limit=1).json()
    assert f"location_finance:{a.locations[0]}" in first["buckets"]
    with scene.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE role_permission SET deleted_at = now()"
                " WHERE tenant_id = :t AND role = 'DISPATCHER' AND resource = 'invoice'"
            ),
            {"t": a.id},
        )
    narrowed = disp.pull_once(limit=1, buckets={}).json()
    assert f"location_finance:{a.locations[0]}" not in narrowed["buckets"]
    assert f"location_sales:{a.locations[0]}" in narrowed["buckets"]
    denied = disp.pull_once(buckets={f"location_finance:{a.locations[0]}": 0})
    assert denied.status_code == 403
