"""A dispatch board on the write-path world: field people, trucks, and push helpers."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from shared_models.enums import EquipmentType, UserRole
from shared_models.models import Equipment, ScheduleConflict, User, WorkingHours
from sync_server.core.db import session_scope
from sync_server.sync.writer import Actor, SyncWriter
from tests.integration.sync_write.conftest import (  # noqa: F401  (fixtures)
    Pusher,
    World,
    engine,
    new_id,
    pusher,
    world,
    write_db_url,
)


def _wire(value: Any) -> Any:
    if isinstance(value, uuid.UUID | Decimal | dt.date | dt.datetime | dt.time):
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    return value


class Board:
    """Pushes as the HQ dispatcher (or the admin) and reads the flags back."""

    def __init__(self, engine: Engine, world: World) -> None:  # noqa: F811
        self.engine, self.world = engine, world
        self.pushers = {who: Pusher(engine, world, who) for who in ("dispatcher", "admin")}
        self.people: dict[str, uuid.UUID] = {}
        self.trucks: dict[str, uuid.UUID] = {}

    def push(self, *steps: tuple[str, str, uuid.UUID, dict[str, Any]], who: str = "dispatcher"):
        p = self.pushers[who]
        muts = [
            p.mutation(
                table,
                op,
                row_id,
                changes={k: _wire(v) for k, v in values.items()}
                if op != "update"
                else {k: _wire(v) for k, v in values["changes"].items()},
                base={k: _wire(v) for k, v in values.get("base", {}).items()}
                if op == "update"
                else None,
            )
            for table, op, row_id, values in steps
        ]
        response = p.push(*muts)
        assert all(r.status != "rejected" for r in response.results), response
        return response

    def insert(self, table: str, who: str = "dispatcher", **values: Any) -> uuid.UUID:
        row_id = new_id()
        self.push((table, "insert", row_id, values), who=who)
        return row_id

    def update(
        self,
        table: str,
        row_id: uuid.UUID,
        base: dict[str, Any],
        who: str = "dispatcher",
        **changes: Any,
    ) -> None:
        self.push((table, "update", row_id, {"changes": changes, "base": base}), who=who)

    def delete(self, table: str, row_id: uuid.UUID, who: str = "dispatcher") -> None:
        self.push((table, "delete", row_id, {}), who=who)

    def journey(self, day: dt.date, start: dt.datetime | None = None, **extra: Any) -> uuid.UUID:
        return self.insert(
            "journey",
            location_id=self.world.hq,
            customer_id=self.world.customer,
            scheduled_date=day,
            scheduled_start=start,
            origin_line1="1 Main St",
            origin_city="Toronto",
            **extra,
        )

    def confirm(self, journey: uuid.UUID) -> None:
        self.update("journey", journey, {"status": "PLANNED"}, status="CONFIRMED")

    def crew(self, journey: uuid.UUID, person: str, role: str = "MOVER") -> uuid.UUID:
        return self.insert(
            "journey_crew", journey_id=journey, user_id=self.people[person], crew_role=role
        )

    def shift(self, person: str, weekday: int, start: dt.time, end: dt.time) -> uuid.UUID:
        """A regular shift, stored as setup (nobody may push rosters yet)."""
        with session_scope(self.engine) as s:
            row = WorkingHours(
                tenant_id=self.world.tenant,
                user_id=self.people[person],
                weekday=weekday,
                start_time=start,
                end_time=end,
            )
            s.add(row)
            s.flush()
            return row.id

    @contextmanager
    def writer(self, who: str) -> Iterator[SyncWriter]:
        """One server-side transaction as ``who``, finished and committed."""
        with session_scope(self.engine) as s:
            writer = SyncWriter(s, Actor(self.world.tenant, self.world.users[who], None, "ADMIN"))
            try:
                yield writer
                writer.finish()
            finally:
                writer.close()

    def flags(self, kind: str | None = None, *, open_only: bool = False) -> list[ScheduleConflict]:
        with Session(self.engine) as s:
            stmt = select(ScheduleConflict).order_by(ScheduleConflict.detected_at)
            if kind is not None:
                stmt = stmt.where(ScheduleConflict.kind == kind)
            if open_only:
                stmt = stmt.where(ScheduleConflict.resolved_at.is_(None))
            return list(s.scalars(stmt))


@pytest.fixture
def board(engine: Engine, world: World) -> Iterator[Board]:  # noqa: F811
    """Lee (lead, class D), Mo (mover, no licence), Gus (driver, class G); T-14 (D) and T-20 (G)."""
    b = Board(engine, world)
    with session_scope(engine) as s:
        for key, role, licence in (
            ("lee", UserRole.CREW_LEAD, "D"),
            ("mo", UserRole.CREW_MEMBER, None),
            ("gus", UserRole.DRIVER, "G"),
        ):
            u = User(
                tenant_id=world.tenant,
                location_id=world.hq,
                email=f"{key}@maple.example",
                full_name=key.title(),
                role=role,
                has_drivers_license=licence is not None,
                license_class=licence,
            )
            s.add(u)
            s.flush()
            b.people[key] = u.id
        for number, cuft, licence in (("T-14", 1000, "D"), ("T-20", 800, "G")):
            t = Equipment(
                tenant_id=world.tenant,
                location_id=world.hq,
                unit_number=number,
                name=f"{number} box truck",
                type=EquipmentType.TRUCK,
                capacity_cuft=Decimal(cuft),
                requires_license_class=licence,
            )
            s.add(t)
            s.flush()
            b.trucks[number] = t.id
    yield b
