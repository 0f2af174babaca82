"""Write authorization (DESIGN 7): the rules that decide buckets decide what a push may touch."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from shared_models.ids import uuid7
from shared_models.models import User
from sync_server.core.db import create_db_engine, session_scope
from sync_server.sync.scope import PermissionDenied, check_write
from tests.integration.sync.scope_world import TenantWorld, populate


@pytest.fixture
def world(migrated_db_url: str) -> Iterator[tuple[Engine, TenantWorld, TenantWorld]]:
    engine = create_db_engine(migrated_db_url)
    a, b = populate(engine)
    yield engine, a, b
    engine.dispose()


def _row(session: Session, table: str, row_id: Any) -> dict[str, Any]:
    return dict(
        session.execute(text(f'SELECT * FROM "{table}" WHERE id = :id'), {"id": row_id})
        .mappings()
        .one()
    )


def _check(
    engine: Engine,
    world: TenantWorld,
    who: str,
    table: str,
    op: str,
    row: str | None,
    **changes: Any,
) -> None:
    with session_scope(engine) as session:
        user = session.get(User, world.user(who))
        old = _row(session, table, world.rows[row]) if row else None
        new = {**(old or {"id": uuid7(), "tenant_id": world.id}), **changes}
        check_write(session, user, table, op, old, new)


def _denied(*args: Any, **kwargs: Any) -> PermissionDenied:
    with pytest.raises(PermissionDenied) as info:
        _check(*args, **kwargs)
    return info.value


def test_crew_lead_writes_their_own_jobs_only(world) -> None:
    engine, a, _ = world
    now = dt.datetime.now(dt.UTC)
    event = {"event_type": "ARRIVED_ORIGIN", "occurred_at": now, "recorded_by": a.user("lead1")}
    _check(engine, a, "lead1", "journey_event", "insert", None, journey_id=a.rows["j1"], **event)
    _denied(engine, a, "lead1", "journey_event", "insert", None, journey_id=a.rows["j2"], **event)
    _check(engine, a, "lead1", "journey", "update", "j1", notes="gate code 1234")
    _denied(engine, a, "lead1", "journey", "update", "j2", notes="not mine")
    _check(engine, a, "lead1", "quote", "update", "q1", notes="re-quoted on site")
    _denied(engine, a, "lead1", "quote", "update", "q2", notes="not mine")
    error = _denied(engine, a, "lead1", "customer", "update", "c1", notes="no grant")
    assert error.details["table"] == "customer"
    check = {"performed_by": a.user("lead1"), "performed_at": now, "overall_result": "PASS"}
    _check(
        engine, a, "lead1", "equipment_check", "insert", None, equipment_id=a.rows["t1"], **check
    )
    _denied(
        engine, a, "lead1", "equipment_check", "insert", None, equipment_id=a.rows["t4"], **check
    )


def test_dispatcher_stays_in_their_location(world) -> None:
    engine, a, _ = world
    _check(engine, a, "disp", "customer", "update", "c1", notes="call first")
    _denied(engine, a, "disp", "customer", "update", "c4", notes="other branch")
    moved = _denied(engine, a, "disp", "customer", "update", "c1", location_id=a.locations[1])
    assert moved.details["state"] == "new"
    _check(engine, a, "disp", "quote_item", "delete", "q1.item0")
    _denied(engine, a, "disp", "quote_item", "delete", "q4.item0")
    _denied(engine, a, "disp", "user", "insert", None, location_id=a.locations[0])


def test_admin_reaches_the_tenant_and_nothing_beyond(world) -> None:
    engine, a, b = world
    _check(engine, a, "admin", "customer", "update", "c1", location_id=a.locations[1])
    with session_scope(engine) as session:
        admin = session.get(User, a.user("admin"))
        foreign = _row(session, "customer", b.rows["cb"])
        with pytest.raises(PermissionDenied, match="another tenant"):
            check_write(session, admin, "customer", "update", foreign, {**foreign, "notes": "x"})
        with pytest.raises(PermissionDenied):
            check_write(session, admin, "device", "insert", None, {"tenant_id": a.id})
        with pytest.raises(PermissionDenied, match="another tenant"):
            check_write(
                session,
                admin,
                "customer",
                "insert",
                None,
                {"id": uuid7(), "tenant_id": b.id, "location_id": b.locations[0]},
            )
