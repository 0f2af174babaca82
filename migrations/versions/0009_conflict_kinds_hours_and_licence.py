"""schedule conflicts: outside working hours, unlicensed driver, truck too small

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 20:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NAME = "ck_schedule_conflict_conflictkind"
_BEFORE = (
    "DOUBLE_BOOKED_PERSON",
    "DOUBLE_BOOKED_EQUIPMENT",
    "DURING_TIME_OFF",
    "EQUIPMENT_OUT_OF_SERVICE",
    "CREW_TOO_SMALL",
    "CREW_LEAD_MISSING",
)
_AFTER = (*_BEFORE, "OUTSIDE_WORKING_HOURS", "DRIVER_NOT_LICENSED", "TRUCK_TOO_SMALL")


def _check(values: tuple[str, ...]) -> str:
    return "kind IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade() -> None:
    op.drop_constraint(op.f(_NAME), "schedule_conflict", type_="check")
    op.create_check_constraint(op.f(_NAME), "schedule_conflict", _check(_AFTER))


def downgrade() -> None:
    op.execute(
        "DELETE FROM schedule_conflict"
        " WHERE kind IN ('OUTSIDE_WORKING_HOURS', 'DRIVER_NOT_LICENSED', 'TRUCK_TOO_SMALL')"
    )
    op.drop_constraint(op.f(_NAME), "schedule_conflict", type_="check")
    op.create_check_constraint(op.f(_NAME), "schedule_conflict", _check(_BEFORE))
