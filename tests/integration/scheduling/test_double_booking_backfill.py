"""Migration 0012 moves what old double-booking notes said into columns, and back.

Flags are written the way the server wrote them before 0012 (the other
journey as "also booked on journey <uuid>" at the start of the note, an
accepted pair's end as "Double booking over: " in it), on a real database
migrated down to 0011; upgrading fills the columns only where the note was
the server's own and names a journey that exists.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from shared_models.ids import uuid7
from shared_models.models import ScheduleConflict
from sync_server.admin.migrations import current_revision, downgrade, head_revision, upgrade
from tests.integration.scheduling.conftest import (  # noqa: F401  (fixtures)
    Board,
    board,
    engine,
    pusher,
    world,
    write_db_url,
)
from tests.integration.scheduling.test_double_booking_resolve import _mo_double_booked

OLD = "also booked on journey "
ENDED = "Double booking over: "
_INSERT = text("""
INSERT INTO schedule_conflict (id, tenant_id, location_id, version, created_at, updated_at,
    kind, journey_id, user_id, detected_at, resolved_at, resolved_by, note)
VALUES (:id, :tenant, :location, nextval('sync_version_seq'), :at, :at,
    :kind, :journey, :user, :at, :resolved_at, :resolved_by, :note)
RETURNING version
""")
_MEMBER = text("""
INSERT INTO bucket_membership (bucket, table_name, row_id, tenant_id, version, removed)
VALUES (:bucket, 'schedule_conflict', :id, :tenant, :version, :removed)
""")


def _old_flag(conn: Any, board: Board, journey: uuid.UUID, note: str, **extra: Any) -> uuid.UUID:  # noqa: F811
    """A flag as written before 0012, in the location's ops bucket."""
    row_id, held = uuid7(), board.world
    at = dt.datetime(2026, 9, 1, 12, tzinfo=dt.UTC)
    values = {"kind": "DOUBLE_BOOKED_PERSON", "resolved_at": None, "resolved_by": None, **extra}
    version = conn.execute(
        _INSERT,
        {
            "id": row_id,
            "tenant": held.tenant,
            "location": held.hq,
            "at": at,
            "journey": journey,
            "user": board.people["mo"],
            "note": note,
            **values,
        },
    ).scalar_one()
    for bucket, removed in ((f"location_ops:{held.hq}", False), ("location_ops:gone", True)):
        conn.execute(
            _MEMBER,
            {
                "bucket": bucket,
                "id": row_id,
                "tenant": held.tenant,
                "version": version,
                "removed": removed,
            },
        )
    return row_id


def _state(engine: Engine, row_id: uuid.UUID) -> dict[str, Any]:  # noqa: F811
    with engine.connect() as conn:
        row = (
            conn.execute(text("SELECT * FROM schedule_conflict WHERE id = :id"), {"id": row_id})
            .mappings()
            .one()
        )
        members = conn.execute(
            text(
                "SELECT bucket, version FROM bucket_membership"
                " WHERE table_name = 'schedule_conflict' AND row_id = :id"
            ),
            {"id": row_id},
        ).all()
    return {**row, "members": dict(members)}


def test_old_notes_become_columns_and_the_rows_reach_replicas_again(
    board: Board,  # noqa: F811
    engine: Engine,  # noqa: F811
) -> None:
    flag, own, other = _mo_double_booked(board)
    downgrade(engine, "0011")
    # Down: the columns go back into the note, where the code of 0011 reads them.
    before = _state(engine, flag.id)
    assert "other_journey_id" not in before
    assert before["note"] == f"{OLD}{other}\n{flag.note}"

    dispatcher, gone = board.world.users["dispatcher"], uuid7()
    accepted_at = dt.datetime(2026, 9, 2, 8, tzinfo=dt.UTC)
    accepted = {"resolved_at": accepted_at, "resolved_by": dispatcher}
    with engine.begin() as conn:
        ids = {
            "ended": _old_flag(
                conn,
                board,
                own,
                f"{OLD}{str(other).upper()}\nResolved: fine\n{ENDED}moved",
                **accepted,
            ),
            "ended_no_pair": _old_flag(conn, board, own, f"Mo asked\n{ENDED}moved", **accepted),
            "no_such_journey": _old_flag(conn, board, own, f"{OLD}{gone}"),
            "not_an_id": _old_flag(conn, board, own, f"{OLD}1234-not-an-id"),
            "not_at_start": _old_flag(conn, board, own, f"Mo says: {OLD}{other}"),
            "itself": _old_flag(conn, board, own, f"{OLD}{own}"),
            "open_with_end_text": _old_flag(conn, board, own, f"{OLD}{other}\n{ENDED}x"),
            "other_kind": _old_flag(conn, board, own, f"{OLD}{other}", kind="CREW_TOO_SMALL"),
        }
    old = {key: _state(engine, row_id) for key, row_id in ids.items()}

    assert upgrade(engine) == head_revision() == current_revision(engine)

    def columns(key: str) -> tuple[Any, Any]:
        row = _state(engine, ids[key])
        return row["other_journey_id"], row["pair_ended_at"]

    assert columns("ended") == (other, old["ended"]["updated_at"])
    assert columns("ended_no_pair") == (None, old["ended_no_pair"]["updated_at"])
    assert columns("open_with_end_text") == (other, None)  # open: nothing accepted has ended
    for key in ("no_such_journey", "not_an_id", "not_at_start", "itself", "other_kind"):
        assert columns(key) == (None, None), key
        assert _state(engine, ids[key]) == {
            **old[key],
            "other_journey_id": None,
            "pair_ended_at": None,
        }, key
    # Changed rows take a new version, and so do their live bucket entries: replicas pull
    # them again and learn the new columns. A removed entry stays removed, as it was.
    for key in ("ended", "ended_no_pair", "open_with_end_text"):
        new, was = _state(engine, ids[key]), old[key]
        assert new["version"] > was["version"] and new["note"] == was["note"], key
        live, removed = f"location_ops:{board.world.hq}", "location_ops:gone"
        assert new["members"] == {live: new["version"], removed: was["version"]}, key
    # The flag written by the current code came back whole.
    with Session(engine) as s:
        again = s.get_one(ScheduleConflict, flag.id)
        assert (again.journey_id, again.other_journey_id) == (own, other)
    # The server keeps working on the upgraded rows: the pair comes apart, the flag resolves.
    board.update("journey", other, {"estimated_hours": 4}, estimated_hours=1)
    assert _state(engine, flag.id)["resolved_at"] is not None
