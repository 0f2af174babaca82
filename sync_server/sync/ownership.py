"""OWN reach (DESIGN 4 and 7): the rows that are a user's own, for writes.

The same relation as the ``crew_jobs:<u>`` and ``own:<u>`` buckets: journeys
they crew or lead and what hangs off them, and rows that name them as owner.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from shared_models.sync.buckets import OWNER_COLUMNS, ScopeUser

#: A live journey ``j`` that user ``:u`` leads or crews.
_CREWED = (
    "j.deleted_at IS NULL AND (j.crew_lead_id = :u OR EXISTS (SELECT 1 FROM journey_crew jc"
    " WHERE jc.journey_id = j.id AND jc.user_id = :u AND jc.deleted_at IS NULL))"
)

#: Rows held through a crewed journey: table -> the journey column that points at them.
_VIA_JOURNEY_POINTER = {"customer": "customer_id", "quote": "quote_id", "equipment": "truck_id"}


def _uuid(value: Any) -> uuid.UUID | None:
    if value is None or isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(str(value))


def _exists(session: Session, sql: str, **params: Any) -> bool:
    return bool(session.execute(text(f"SELECT EXISTS ({sql})"), params).scalar())


def journey_is_theirs(session: Session, user_id: uuid.UUID, journey_id: uuid.UUID | None) -> bool:
    if journey_id is None:
        return False
    return _exists(
        session, f"SELECT 1 FROM journey j WHERE j.id = :j AND {_CREWED}", j=journey_id, u=user_id
    )


def owns_row(
    session: Session,
    user: ScopeUser,
    table: str,
    row: Mapping[str, Any],
    *,
    lookup: Callable[[str, uuid.UUID], Mapping[str, Any] | None] | None = None,
) -> bool:
    """True when ``row`` (a state of ``table``) is the user's own.

    ``lookup`` answers the parent quote of a quote item from the caller's rows.
    """
    uid = user.id
    if any(_uuid(row.get(col)) == uid for col in OWNER_COLUMNS.get(table, ())):
        return True
    row_id = _uuid(row.get("id"))
    if table == "journey":
        return journey_is_theirs(session, uid, row_id)
    if table == "journey_crew" and _uuid(row.get("user_id")) == uid:
        return True
    if table in ("journey_crew", "journey_event", "schedule", "equipment_check") and (
        journey_is_theirs(session, uid, _uuid(row.get("journey_id")))
    ):
        return True
    if table == "quote_item":
        quote_id = _uuid(row.get("quote_id"))
        if lookup is not None:
            held = lookup("quote", quote_id) if quote_id is not None else None
            if held is None or held.get("deleted_at") is not None:
                return False
            return owns_row(
                session, user, "quote", {"id": held["id"], "created_by": held.get("created_by")}
            )
        quote = (
            session.execute(
                text("SELECT id, created_by FROM quote WHERE id = :q AND deleted_at IS NULL"),
                {"q": quote_id},
            )
            .mappings()
            .first()
        )
        return quote is not None and owns_row(session, user, "quote", quote)
    if table in _VIA_JOURNEY_POINTER and row_id is not None:
        column = _VIA_JOURNEY_POINTER[table]
        if _exists(
            session,
            f"SELECT 1 FROM journey j WHERE j.{column} = :r AND {_CREWED}",
            r=row_id,
            u=uid,
        ):
            return True
    if table == "customer" and row_id is not None:
        return _exists(
            session,
            "SELECT 1 FROM quote q WHERE q.customer_id = :r AND q.created_by = :u"
            " AND q.deleted_at IS NULL",
            r=row_id,
            u=uid,
        )
    return False
