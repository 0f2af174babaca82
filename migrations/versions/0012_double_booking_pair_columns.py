"""double-booking flags: the other journey and the end of an accepted pair in columns

A journey double-booking flag named its other journey only in its note
("also booked on journey <uuid>"), and an accepted flag whose pair the server
saw apart was marked by "Double booking over: " appended to the note. Both
become columns (``other_journey_id``, ``pair_ended_at``), backfilled from the
notes. Backfilled rows take a new version, here and in their bucket
memberships, so replicas pull the new values (a replica upgraded in place
keeps its rows but has NULL in the new columns until then). Row-level security
(0010) needs nothing: its policies and grants are per table.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26 09:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLE = "schedule_conflict"
_KINDS = "('DOUBLE_BOOKED_PERSON', 'DOUBLE_BOOKED_EQUIPMENT')"
# The texts the notes were written with (sync_server/sync/double_booking.py before 0012).
_OTHER_JOURNEY = "also booked on journey "
_ENDED = "Double booking over: "
_HEX = "[0-9a-fA-F]"
_UUID = f"{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}"

#: Old-style notes -> columns; changed rows and their membership entries get a new version.
_BACKFILL = f"""
WITH legacy AS (
    SELECT c.id,
           (SELECT j.id FROM journey j
             WHERE j.tenant_id = c.tenant_id AND j.id IS DISTINCT FROM c.journey_id
               AND c.note ~ '^{_OTHER_JOURNEY}{_UUID}'
               AND j.id = lower(substring(c.note from '^{_OTHER_JOURNEY}({_UUID})'))::uuid
           ) AS other_journey_id,
           CASE WHEN c.resolved_by IS NOT NULL AND position('{_ENDED}' in c.note) > 0
                THEN c.updated_at END AS pair_ended_at
      FROM {_TABLE} c
     WHERE c.kind IN {_KINDS} AND c.note IS NOT NULL
), changed AS (
    UPDATE {_TABLE} c
       SET other_journey_id = l.other_journey_id, pair_ended_at = l.pair_ended_at,
           version = nextval('sync_version_seq')
      FROM legacy l
     WHERE c.id = l.id AND (l.other_journey_id IS NOT NULL OR l.pair_ended_at IS NOT NULL)
 RETURNING c.id, c.version
)
UPDATE bucket_membership m SET version = changed.version
  FROM changed
 WHERE m.table_name = '{_TABLE}' AND m.row_id = changed.id AND NOT m.removed
"""

#: Columns -> old-style notes, so the code of 0011 still reads what 0012 recorded.
_RESTORE_NOTES = f"""
UPDATE {_TABLE} SET note = concat_ws(E'\\n',
    CASE WHEN other_journey_id IS NOT NULL
          AND coalesce(note, '') !~ '^{_OTHER_JOURNEY}{_UUID}'
         THEN '{_OTHER_JOURNEY}' || other_journey_id::text END,
    note,
    CASE WHEN pair_ended_at IS NOT NULL AND position('{_ENDED}' in coalesce(note, '')) = 0
         THEN '{_ENDED}seen apart at ' || to_char(pair_ended_at AT TIME ZONE 'UTC',
                                                  'YYYY-MM-DD HH24:MI') || ' UTC' END)
 WHERE other_journey_id IS NOT NULL OR pair_ended_at IS NOT NULL
"""


def upgrade() -> None:
    op.add_column(
        _TABLE,
        sa.Column(
            "other_journey_id",
            sa.Uuid(),
            sa.ForeignKey(
                "journey.id",
                name=op.f("fk_schedule_conflict_other_journey_id_journey"),
                ondelete="RESTRICT",
            ),
            nullable=True,
        ),
    )
    op.add_column(_TABLE, sa.Column("pair_ended_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_schedule_conflict_tenant_journey", _TABLE, ["tenant_id", "journey_id"])
    op.create_index(
        "ix_schedule_conflict_tenant_other_journey", _TABLE, ["tenant_id", "other_journey_id"]
    )
    op.execute(_BACKFILL)


def downgrade() -> None:
    op.execute(_RESTORE_NOTES)
    op.drop_index("ix_schedule_conflict_tenant_other_journey", _TABLE)
    op.drop_index("ix_schedule_conflict_tenant_journey", _TABLE)
    op.drop_column(_TABLE, "pair_ended_at")
    op.drop_column(_TABLE, "other_journey_id")
