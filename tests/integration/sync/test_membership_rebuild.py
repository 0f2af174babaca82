"""The incremental membership log equals a from-scratch rebuild; a repair never hides a change."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from sync_server.core.db import create_db_engine, session_scope
from sync_server.sync.membership import rebuild_memberships
from tests.integration.sync.scope_world import TenantWorld, commit, populate


@pytest.fixture
def world(migrated_db_url: str) -> Iterator[tuple[Engine, TenantWorld]]:
    engine = create_db_engine(migrated_db_url)
    a, _ = populate(engine)
    # Scope-changing edits: crew moved, a truck swapped, a quote re-pointed, a job cancelled.
    commit(
        engine,
        a.id,
        ("update", "journey_crew", {"id": a.rows["j1.crew.lead1"], "user_id": a.user("lead2")}),
    )
    commit(
        engine,
        a.id,
        (
            "update",
            "journey",
            {"id": a.rows["j2"], "truck_id": a.rows["t1"], "crew_lead_id": a.user("lead1")},
        ),
    )
    commit(engine, a.id, ("update", "quote", {"id": a.rows["q3"], "created_by": a.user("admin")}))
    commit(engine, a.id, ("delete", "journey", {"id": a.rows["j4"]}))
    commit(
        engine, a.id, ("update", "customer", {"id": a.rows["c2"], "location_id": a.locations[1]})
    )
    yield engine, a
    engine.dispose()


def _live(engine: Engine, tenant_id) -> set[tuple[str, str, str]]:
    with session_scope(engine) as session:
        rows = session.execute(
            text(
                "SELECT bucket, table_name, row_id FROM bucket_membership"
                " WHERE tenant_id = :t AND NOT removed"
            ),
            {"t": tenant_id},
        )
        return {(b, t, str(r)) for b, t, r in rows}


def test_incremental_updates_equal_a_full_rebuild(world) -> None:
    engine, a = world
    incremental = _live(engine, a.id)
    with session_scope(engine) as session:
        session.execute(text("DELETE FROM bucket_membership WHERE tenant_id = :t"), {"t": a.id})
        count = rebuild_memberships(session, a.id)
    assert _live(engine, a.id) == incremental
    assert count == len(incremental)
    lead2_jobs = {r for b, t, r in incremental if b == f"crew_jobs:{a.user('lead2')}"}
    assert str(a.rows["j1"]) in lead2_jobs and str(a.rows["j4"]) not in lead2_jobs


def test_a_repair_gives_fixed_entries_a_version_past_every_cursor(world) -> None:
    engine, a = world
    with session_scope(engine) as session:
        top = session.execute(text("SELECT max(version) FROM bucket_membership")).scalar_one()
        session.execute(
            text("DELETE FROM bucket_membership WHERE table_name = 'customer' AND row_id = :c"),
            {"c": a.rows["c1"]},
        )
        rebuild_memberships(session, a.id)
        fixed = session.execute(
            text("SELECT min(version) FROM bucket_membership WHERE row_id = :c"),
            {"c": a.rows["c1"]},
        ).scalar_one()
        untouched = session.execute(
            text("SELECT count(*) FROM bucket_membership WHERE version > :top AND row_id <> :c"),
            {"top": top, "c": a.rows["c1"]},
        ).scalar_one()
    assert fixed > top
    assert untouched == 0, "a rebuild with nothing to fix must not bump other entries"
