"""The dispatch board service on a dispatcher's real replica, synced from the real server.

A small day at branch 0 (three journeys, three field people besides the scene's
two leads, three trucks of which one is in the shop) is written through the
server's write path; the dispatcher signs in, syncs, reads the board, assigns
by dialog and by drops, and the server ends up with the rows.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
from sqlalchemy import text

from client.replica.paths import DATA_DIR_ENV
from client.services.crew_assignment import CrewChoice
from client.services.dispatch import PERSON, TRUCK, load_board
from client.services.dispatch_free import candidates
from client.services.dispatch_ops import drop_on_row, remove_from_journey, save_crew
from client.services.errors import InvalidWrite
from client.services.workspace import Workspace, sign_in_workspace
from client.sync import outbox
from client.sync.db import replica_tx
from shared_models.enums import CrewRole
from shared_models.ids import uuid7
from tests.utils.auth import Account, World, _password_hash
from tests.utils.e2e import Scene, ServerDb
from tests.utils.seeded import SeededClones
from tests.utils.server import live_server
from tests.utils.worlds import clone_world_db, cloned_scene

UTC = dt.UTC
DAY = dt.date(2026, 6, 3)  # a Wednesday; Toronto is UTC-4


def at(hour: int, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), UTC) + dt.timedelta(hours=hour + 4)


@dataclass
class DispatchDay:
    location: uuid.UUID
    ann: uuid.UUID  # crew lead, class D
    bob: uuid.UUID  # mover, class G
    cy: uuid.UUID  # mover, no licence
    morning: uuid.UUID  # 08:00-12:00
    late: uuid.UUID  # 10:00-14:00, overlaps the morning
    evening: uuid.UUID  # 15:00-18:00
    t1: uuid.UUID  # 1,200 cu ft, class D
    t2: uuid.UUID  # 800 cu ft
    shop: uuid.UUID  # in REPAIR


def build_dispatch_day(scene: Scene, server: ServerDb, day: dt.date = DAY) -> DispatchDay:
    """The day above, through the server's write path, as an admin would enter it."""
    loc = scene.locations[0]
    ids: dict[str, uuid.UUID] = {}
    with server.writer(scene.tenant_id, scene.user("admin"), "ADMIN") as w:
        for key, name, role, licence in (
            ("ann", "Ann Arbour", "CREW_LEAD", "D"),
            ("bob", "Bob Brandt", "CREW_MEMBER", "G"),
            ("cy", "Cy Castell", "CREW_MEMBER", None),
        ):
            ids[key] = uuid7()
            email = f"{key}@acme.example"
            w.insert(
                "user",
                {
                    "id": ids[key],
                    "email": email,
                    "full_name": name,
                    "role": role,
                    "scope": "OWN",
                    "location_id": loc,
                    "password_hash": _password_hash(),
                    "has_drivers_license": licence is not None,
                    "license_class": licence,
                },
            )
            scene.accounts[key] = Account(ids[key], scene.tenant_id, email)
        w.update(
            "equipment",
            scene.rows["t1"],
            {"capacity_cuft": Decimal(1200), "requires_license_class": "D"},
        )
        w.update("equipment", scene.rows["t2"], {"capacity_cuft": Decimal(800)})
        ids["shop"] = uuid7()
        w.insert(
            "equipment",
            {
                "id": ids["shop"],
                "location_id": loc,
                "unit_number": "T9",
                "name": "Truck in the shop",
                "type": "TRUCK",
                "status": "REPAIR",
                "capacity_cuft": Decimal(1700),
            },
        )
        for key, hour, hours in (("morning", 8, 4), ("late", 10, 4), ("evening", 15, 3)):
            ids[key] = uuid7()
            w.insert(
                "journey",
                {
                    "id": ids[key],
                    "location_id": loc,
                    "customer_id": scene.rows["c1"],
                    "scheduled_date": day,
                    "scheduled_start": at(hour, day),
                    "estimated_hours": Decimal(hours),
                    "volume_cuft": Decimal(900),
                    "origin_line1": "2 Elm St",
                    "origin_city": "Toronto",
                },
            )
    return DispatchDay(
        loc,
        ids["ann"],
        ids["bob"],
        ids["cy"],
        ids["morning"],
        ids["late"],
        ids["evening"],
        scene.rows["t1"],
        scene.rows["t2"],
        ids["shop"],
    )


@pytest.fixture(autouse=True)
def no_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "data"))
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def world_db(request: pytest.FixtureRequest, seeded_db: SeededClones) -> tuple[str, World]:
    return clone_world_db(request, seeded_db)


@pytest.fixture
def scene(world_db: tuple[str, World], seeded_db: SeededClones) -> Scene:
    return cloned_scene(world_db, seeded_db)


@pytest.fixture
def server_db(world_db: tuple[str, World]) -> Iterator[ServerDb]:
    db = ServerDb(world_db[0])
    yield db
    db.close()


@pytest.fixture
def dispatch_day(scene: Scene, server_db: ServerDb) -> DispatchDay:
    return build_dispatch_day(scene, server_db)


@pytest.fixture
def dispatcher(
    world_db: tuple[str, World], scene: Scene, dispatch_day: DispatchDay
) -> Iterator[Workspace]:
    account = scene.accounts["disp"]
    with live_server(world_db[0]) as url:
        ws = sign_in_workspace(url, account.email, account.password, lambda _: "pass phrase")
        ws.prepare()
        ws.engine().sync_once()
        yield ws
        ws.close()


def _pending(ws: Workspace) -> int:
    with replica_tx(ws.store) as conn:
        return len(outbox.pending(conn))


def _server_rows(server: ServerDb, sql: str, journey: uuid.UUID) -> set[tuple[object, ...]]:
    with server.engine.connect() as conn:
        return {tuple(r) for r in conn.execute(text(sql), {"j": journey})}


def test_board_lists_the_branch_people_and_trucks_and_every_journey_waits_to_be_assigned(
    dispatcher: Workspace, dispatch_day: DispatchDay
) -> None:
    board = load_board(dispatcher.store, dispatch_day.location, DAY)
    names = [r.name for r in board.people]
    assert {"Ann Arbour", "Bob Brandt", "Cy Castell", "Lead1 Person", "Lead2 Person"} <= set(names)
    assert [r.name for r in board.trucks] == ["T1", "T2", "T9"]
    waiting = board.unassigned(DAY)
    assert [c.id for c in waiting] == [
        dispatch_day.morning,
        dispatch_day.late,
        dispatch_day.evening,
    ]
    assert waiting[0].needs == "2 people, a crew lead, a truck"
    assert waiting[0].interval.label(board.tz) == "08:00-12:00"
    assert board.blocks == []
    # The truck in the shop is marked for the whole day with the reason.
    assert board.row_problems(TRUCK, dispatch_day.shop) == [
        "Out of service on Wed Jun 03: its status is REPAIR"
    ]


def test_a_dialog_save_writes_crew_rows_and_truck_bookings_that_sync_to_the_server(
    dispatcher: Workspace, dispatch_day: DispatchDay, server_db: ServerDb
) -> None:
    d = dispatch_day
    choice = CrewChoice(
        {d.ann: CrewRole.LEAD, d.bob: CrewRole.MOVER, d.cy: CrewRole.MOVER}, d.ann, (d.t1,)
    )
    summary = save_crew(dispatcher.writes, d.morning, choice)
    assert summary.endswith(": 3 people, 1 truck")
    board = load_board(dispatcher.store, d.location, DAY)
    card = board.journeys[d.morning]
    assert card.needs == "" and card.problems == ()
    assert {(b.kind, b.resource_id) for b in board.blocks_of(d.morning)} == {
        (PERSON, d.ann),
        (PERSON, d.bob),
        (PERSON, d.cy),
        (TRUCK, d.t1),
    }
    assert d.morning not in {c.id for c in board.unassigned()}

    dispatcher.engine().sync_once()
    assert _pending(dispatcher) == 0
    crew = _server_rows(
        server_db,
        "SELECT user_id, crew_role FROM journey_crew WHERE journey_id = :j AND deleted_at IS NULL",
        d.morning,
    )
    assert crew == {(d.ann, "LEAD"), (d.bob, "MOVER"), (d.cy, "MOVER")}
    booked = _server_rows(
        server_db,
        "SELECT equipment_id, assigned_to, status, start_at, end_at FROM equipment_assignment"
        " WHERE journey_id = :j AND deleted_at IS NULL",
        d.morning,
    )
    # Ann (class D) drives T1 (needs D): the licence matching picked her, not Bob (G).
    assert booked == {(d.t1, d.ann, "ACTIVE", at(8), at(12))}
    journey = server_db.row("journey", d.morning)
    assert (journey["crew_lead_id"], journey["truck_id"]) == (d.ann, d.t1)


def test_drops_add_move_and_remove_people_and_trucks_and_the_server_follows(
    dispatcher: Workspace, dispatch_day: DispatchDay, server_db: ServerDb
) -> None:
    d, writes = dispatch_day, dispatcher.writes
    assert drop_on_row(writes, d.evening, PERSON, d.ann).endswith("Ann Arbour joins as lead")
    assert drop_on_row(writes, d.evening, TRUCK, d.t2).endswith("T2 assigned")
    # Bob (class G) may drive T2 (no class needed) and nobody drives yet: he drives.
    assert drop_on_row(writes, d.evening, PERSON, d.bob).endswith("Bob Brandt joins as driver")
    assert drop_on_row(writes, d.evening, PERSON, d.bob).endswith("already on the crew")
    # A block dragged from T2's row to T1's: T1 replaces T2, the T2 booking is cancelled.
    moved = drop_on_row(writes, d.evening, TRUCK, d.t1, from_kind=TRUCK, from_id=d.t2)
    assert moved.endswith("T1 replaces T2")
    # Bob's block dragged onto Cy's row: Cy takes Bob's place as driver.
    drop_on_row(writes, d.evening, PERSON, d.cy, from_kind=PERSON, from_id=d.bob)
    board = load_board(dispatcher.store, d.location, DAY)
    assert board.journeys[d.evening].row.crew == {d.ann: CrewRole.LEAD, d.cy: CrewRole.DRIVER}
    assert board.journeys[d.evening].row.truck_ids == (d.t1,)
    assert remove_from_journey(writes, d.evening, PERSON, d.cy) == "Cy Castell is off " + (
        board.journeys[d.evening].row.label
    )

    dispatcher.engine().sync_once()
    assert _pending(dispatcher) == 0
    crew = _server_rows(
        server_db,
        "SELECT user_id, crew_role FROM journey_crew WHERE journey_id = :j AND deleted_at IS NULL",
        d.evening,
    )
    assert crew == {(d.ann, "LEAD")}
    booked = _server_rows(
        server_db,
        "SELECT equipment_id, status FROM equipment_assignment WHERE journey_id = :j",
        d.evening,
    )
    assert booked == {(d.t2, "CANCELLED"), (d.t1, "ACTIVE")}
    assert server_db.row("journey", d.evening)["truck_id"] == d.t1


def test_a_double_booking_marks_both_blocks_with_names_and_times_in_the_reason(
    dispatcher: Workspace, dispatch_day: DispatchDay
) -> None:
    d = dispatch_day
    drop_on_row(dispatcher.writes, d.morning, PERSON, d.bob)
    drop_on_row(dispatcher.writes, d.late, PERSON, d.bob)
    board = load_board(dispatcher.store, d.location, DAY)
    blocks = [b for b in board.blocks if b.resource_id == d.bob]
    assert {b.journey_id for b in blocks} == {d.morning, d.late}
    labels = [board.journeys[j].row.label for j in (d.morning, d.late)]
    for block in blocks:
        double = [p for p in block.problems if "at the same time" in p]
        assert len(double) == 1, block.problems
        assert double[0].startswith("Bob Brandt is booked on")
        assert all(label in double[0] for label in labels)
        assert "08:00-12:00" in double[0] and "10:00-14:00" in double[0]
        assert str(d.bob) not in double[0]
    # The evening job does not overlap: Bob is free for it, busy for neither of the others'.
    people, _ = candidates(board, d.evening)
    bob = next(c for c in people if c.id == d.bob)
    assert (bob.free, bob.status) == (True, "Free")
    people, trucks = candidates(board, d.late)
    bob = next(c for c in people if c.id == d.bob)
    assert not bob.free and bob.status.startswith(f"Busy on {labels[0]} 08:00-12:00")
    shop = next(c for c in trucks if c.id == d.shop)
    assert not shop.free and "REPAIR" in shop.status


def test_a_truck_out_of_service_time_off_and_hours_turn_the_blocks_red(
    dispatcher: Workspace, dispatch_day: DispatchDay, scene: Scene, server_db: ServerDb
) -> None:
    d = dispatch_day
    with server_db.writer(scene.tenant_id, scene.user("admin"), "ADMIN") as w:
        w.insert(
            "availability",
            {
                "user_id": d.cy,
                "type": "VACATION",
                "start_at": at(0),
                "end_at": at(23),
                "approved_by": scene.user("admin"),
                "approved_at": at(0, DAY - dt.timedelta(days=7)),
            },
        )
        w.insert(
            "working_hours",
            {
                "user_id": d.bob,
                "weekday": DAY.weekday(),
                "start_time": dt.time(9),
                "end_time": dt.time(17),
            },
        )
    dispatcher.engine().sync_once()
    choice = CrewChoice(
        {d.ann: CrewRole.LEAD, d.bob: CrewRole.MOVER, d.cy: CrewRole.MOVER}, d.ann, (d.shop,)
    )
    save_crew(dispatcher.writes, d.morning, choice)
    board = load_board(dispatcher.store, d.location, DAY)
    by_row = {b.resource_id: b.problems for b in board.blocks_of(d.morning)}
    assert any("T9" in p and "REPAIR" in p for p in by_row[d.shop])
    assert any("Cy Castell" in p and "vacation" in p for p in by_row[d.cy])
    assert any("Bob Brandt works 60 min outside their hours" in p for p in by_row[d.bob])
    assert not any("outside" in p or "vacation" in p for p in by_row[d.ann])


def test_refused_drops_say_why_and_queue_nothing(
    dispatcher: Workspace, dispatch_day: DispatchDay, scene: Scene, server_db: ServerDb
) -> None:
    d = dispatch_day
    drop_on_row(dispatcher.writes, d.morning, PERSON, d.ann)
    before = _pending(dispatcher)
    with pytest.raises(InvalidWrite, match="can't go on a truck's row"):
        drop_on_row(dispatcher.writes, d.morning, TRUCK, d.t1, from_kind=PERSON, from_id=d.ann)
    with server_db.writer(scene.tenant_id, scene.user("admin"), "ADMIN") as w:
        w.update("journey", d.late, {"status": "COMPLETED", "completed_at": at(14)})
    dispatcher.engine().sync_once()
    after_sync = _pending(dispatcher)
    with pytest.raises(
        InvalidWrite, match="is completed: its crew and trucks can no longer change"
    ):
        drop_on_row(dispatcher.writes, d.late, PERSON, d.bob)
    assert _pending(dispatcher) == after_sync <= before
    board = load_board(dispatcher.store, d.location, DAY)
    assert board.journeys[d.late].row.crew == {}
    assert board.journeys[d.morning].row.crew == {d.ann: CrewRole.LEAD}
