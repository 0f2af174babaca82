"""Read helpers the UI uses: list with equality filters and paging, get by id.

Deliberately small: screens that need joins get their own query module.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, func, select

from client.replica.store import LocalStore
from client.sync.db import table_for
from client.sync.rows import as_uuid


def _filtered(table_name: str, filters: Mapping[str, Any] | None, include_deleted: bool) -> Any:
    table = table_for(table_name)
    stmt: Select[Any] = select(table)
    for name, value in (filters or {}).items():
        if name not in table.c:
            raise KeyError(f"{table_name} has no column {name!r}")
        column = table.c[name]
        stmt = stmt.where(column.is_(None) if value is None else column == value)
    if not include_deleted and "deleted_at" in table.c:
        stmt = stmt.where(table.c.deleted_at.is_(None))
    return table, stmt


def list_rows(
    store: LocalStore,
    table_name: str,
    *,
    filters: Mapping[str, Any] | None = None,
    order_by: str = "id",
    descending: bool = False,
    limit: int = 100,
    offset: int = 0,
    include_deleted: bool = False,
) -> list[dict[str, Any]]:
    """One page of live rows (server state + unsynced local edits)."""
    table, stmt = _filtered(table_name, filters, include_deleted)
    column = table.c[order_by]
    stmt = stmt.order_by(column.desc() if descending else column, table.c.id)
    stmt = stmt.limit(limit).offset(offset)
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


def count_rows(
    store: LocalStore,
    table_name: str,
    *,
    filters: Mapping[str, Any] | None = None,
    include_deleted: bool = False,
) -> int:
    _, stmt = _filtered(table_name, filters, include_deleted)
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(stmt.subquery())).scalar() or 0)


def get_row(
    store: LocalStore, table_name: str, row_id: uuid.UUID | str, *, include_deleted: bool = False
) -> dict[str, Any] | None:
    table, stmt = _filtered(table_name, None, include_deleted)
    with store.engine.connect() as conn:
        row = conn.execute(stmt.where(table.c.id == as_uuid(row_id))).mappings().first()
    return None if row is None else dict(row)
