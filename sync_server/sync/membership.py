"""The compacted membership log (DESIGN 4): which bucket holds which row, at which version.

Writers call ``update_memberships`` in the transaction that changed the rows,
after ``lock_tenant_for_write`` and with the version they drew, so entries
become visible in version order (the no-skip invariant of DESIGN 3).
``rebuild_memberships`` recomputes a whole tenant set-based (seed, repair).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Mapping

from sqlalchemy import text
from sqlalchemy.orm import Session

from shared_models.sync.buckets import (
    CARRIERS,
    CHILDREN,
    USER_KINDS,
    bucketed_tables,
    parse_bucket,
)
from sync_server.sync.locks import lock_tenant_for_write
from sync_server.sync.membership_rules import Entry, evaluate, membership_sql

__all__ = ["rebuild_memberships", "update_memberships"]

_UPSERT = text(
    "INSERT INTO bucket_membership (bucket, table_name, row_id, tenant_id, version, removed)"
    " SELECT b, t, r, :tenant, :version, false"
    " FROM unnest(CAST(:buckets AS varchar[]), CAST(:tables AS varchar[]),"
    " CAST(:rows AS uuid[])) AS u(b, t, r)"
    " ON CONFLICT (bucket, table_name, row_id)"
    " DO UPDATE SET version = EXCLUDED.version, removed = false"
)
_REMOVE = text(
    "UPDATE bucket_membership SET removed = true, version = :version"
    " FROM unnest(CAST(:buckets AS varchar[]), CAST(:tables AS varchar[]),"
    " CAST(:rows AS uuid[])) AS u(b, t, r)"
    " WHERE bucket = u.b AND table_name = u.t AND row_id = u.r"
)


def _with_children(
    session: Session, changed: Mapping[str, set[uuid.UUID]]
) -> dict[str, set[uuid.UUID]]:
    """The changed rows plus every row whose buckets follow one of them (transitively)."""
    rows = {table: set(ids) for table, ids in changed.items()}
    frontier = dict(rows)
    while frontier:
        found: dict[str, set[uuid.UUID]] = {}
        for parent, ids in frontier.items():
            for child, fk in CHILDREN.get(parent, ()):
                result = session.execute(
                    text(f'SELECT id FROM "{child}" WHERE {fk} = ANY(:ids)'), {"ids": list(ids)}
                )
                new = {r[0] for r in result} - rows.get(child, set())
                if new:
                    found.setdefault(child, set()).update(new)
                    rows.setdefault(child, set()).update(new)
        frontier = found
    return rows


def _existing(
    session: Session,
    tenant_id: uuid.UUID,
    *,
    rows: Mapping[str, Collection[uuid.UUID]] | None = None,
    buckets: Collection[str] | None = None,
) -> set[Entry]:
    """Live entries of the given rows, or of whole buckets."""
    if rows is not None:
        tables = [t for t, ids in rows.items() if ids]
        if not tables:
            return set()
        clauses = " OR ".join(f"(table_name = '{t}' AND row_id = ANY(:ids_{t}))" for t in tables)
        params: dict[str, object] = {f"ids_{t}": list(rows[t]) for t in tables}
        where = f"({clauses})"
    else:
        where, params = "bucket = ANY(:buckets)", {"buckets": list(buckets or ())}
    sql = (
        "SELECT bucket, table_name, row_id FROM bucket_membership"
        f" WHERE tenant_id = :tenant AND NOT removed AND {where}"
    )
    return {tuple(r) for r in session.execute(text(sql), {"tenant": tenant_id, **params})}


def _entry_order(entry: Entry) -> tuple[str, str, int]:
    """The order of ``sorted(entries)`` (a UUID sorts by its integer), compared in C:
    a push of 1,000 rows sorts a few thousand entries."""
    return entry[0], entry[1], entry[2].int


def _columns(entries: Iterable[Entry]) -> dict[str, list[object]]:
    buckets, tables, rows = [], [], []
    for bucket, table, row_id in entries:
        buckets.append(bucket)
        tables.append(table)
        rows.append(row_id)
    return {"buckets": buckets, "tables": tables, "rows": rows}


def update_memberships(
    session: Session,
    tenant_id: uuid.UUID,
    changed: Mapping[str, Collection[uuid.UUID]],
    version: int,
) -> list[str]:
    """Bring the log up to date for ``changed`` rows and every row whose buckets follow them.

    Every entry of a changed row gets ``version`` (its data changed); a dependent
    row gets it only where it entered a bucket; entries that no longer hold are
    marked removed at ``version``. Call under the tenant's write lock.
    Returns the buckets that changed, for the live channel.
    """
    known = bucketed_tables()
    changed_sets = {t: set(ids) for t, ids in changed.items() if ids and t in known}
    if not changed_sets:
        return []
    rows = _with_children(session, changed_sets)
    new = evaluate(session, tenant_id, rows=rows)
    old = _existing(session, tenant_id, rows=rows)

    # A carrier (journey, crew row, quote) may have pulled rows it no longer points at
    # into a user bucket: recompute those buckets whole, old and new holders alike.
    user_buckets = {
        bucket
        for bucket, table, row_id in new | old
        if table in CARRIERS
        and row_id in changed_sets.get(table, ())
        and parse_bucket(bucket)[0] in USER_KINDS
    }
    if user_buckets:
        users = {parse_bucket(b)[1] for b in user_buckets}
        recomputed = evaluate(session, tenant_id, user_params=users, kinds=USER_KINDS)
        new |= {e for e in recomputed if e[0] in user_buckets}
        old |= _existing(session, tenant_id, buckets=user_buckets)

    upserts = [e for e in new if e not in old or e[2] in changed_sets.get(e[1], ())]
    removals = old - new
    params = {"tenant": tenant_id, "version": version}
    if upserts:
        session.execute(_UPSERT, {**params, **_columns(sorted(upserts, key=_entry_order))})
    if removals:
        session.execute(_REMOVE, {**params, **_columns(sorted(removals, key=_entry_order))})
    return sorted({bucket for bucket, _, _ in (*upserts, *removals)})


def rebuild_memberships(session: Session, tenant_id: uuid.UUID) -> int:
    """Recompute every entry of a tenant in SQL; returns the number of live entries.

    A tenant without entries (fresh seed) takes each row's own version; otherwise
    each entry that differs gets a new version drawn under the write lock, so
    replicas that already pulled past the old entries still see every repair (one
    version per entry keeps pages small).
    """
    lock_tenant_for_write(session, tenant_id)
    params = {"tenant": tenant_id}
    has_entries = session.execute(
        text("SELECT EXISTS (SELECT 1 FROM bucket_membership WHERE tenant_id = :tenant)"), params
    ).scalar()
    body = membership_sql()
    if not has_entries:
        result = session.execute(
            text(
                "INSERT INTO bucket_membership"
                " (bucket, table_name, row_id, tenant_id, version, removed)"
                f" SELECT bucket, table_name, row_id, :tenant, version, false FROM ({body}) s"
            ),
            params,
        )
        return result.rowcount
    session.execute(text("DROP TABLE IF EXISTS _membership_rebuild"))
    session.execute(text(f"CREATE TEMP TABLE _membership_rebuild ON COMMIT DROP AS {body}"), params)
    session.execute(text("CREATE INDEX ON _membership_rebuild (bucket, table_name, row_id)"))
    session.execute(text("ANALYZE _membership_rebuild"))
    session.execute(
        text(
            "UPDATE bucket_membership bm"
            " SET version = nextval('sync_version_seq'), removed = false"
            " FROM _membership_rebuild s WHERE bm.bucket = s.bucket"
            " AND bm.table_name = s.table_name AND bm.row_id = s.row_id"
            " AND (bm.removed OR bm.version < s.version)"
        ),
        params,
    )
    session.execute(
        text(
            "INSERT INTO bucket_membership"
            " (bucket, table_name, row_id, tenant_id, version, removed)"
            " SELECT bucket, table_name, row_id, :tenant, nextval('sync_version_seq'), false"
            " FROM _membership_rebuild s WHERE NOT EXISTS (SELECT 1 FROM bucket_membership bm"
            " WHERE bm.bucket = s.bucket AND bm.table_name = s.table_name"
            " AND bm.row_id = s.row_id)"
            " ON CONFLICT (bucket, table_name, row_id) DO NOTHING"
        ),
        params,
    )
    session.execute(
        text(
            "UPDATE bucket_membership bm"
            " SET removed = true, version = nextval('sync_version_seq')"
            " WHERE bm.tenant_id = :tenant AND NOT bm.removed AND NOT EXISTS ("
            " SELECT 1 FROM _membership_rebuild s WHERE s.bucket = bm.bucket"
            " AND s.table_name = bm.table_name AND s.row_id = bm.row_id)"
        ),
        params,
    )
    return session.execute(text("SELECT count(*) FROM _membership_rebuild"), params).scalar_one()
