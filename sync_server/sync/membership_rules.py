"""The bucket rules of ``shared_models.sync.buckets`` as SQL evaluated in PostgreSQL.

One SELECT per (bucket kind, table), each yielding ``(bucket, table_name, row_id,
version)`` for one tenant's live rows. A rule can be narrowed to a set of row
ids (incremental updates) or to bucket parameters (recomputing a user bucket).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from shared_models.sync.buckets import BUCKET_TABLES, LOCATION_KINDS, LOCATION_VIA, BucketKind

K = BucketKind
Entry = tuple[str, str, uuid.UUID]  # (bucket, table_name, row_id)


@dataclass(frozen=True)
class Rule:
    """``kind`` holds live rows ``x`` of ``table`` found by ``source``, keyed by ``param``."""

    kind: BucketKind
    table: str
    source: str
    param: str
    where: str = "TRUE"

    def select(self, *, by_ids: bool, by_params: bool) -> str:
        filters = [self.where]
        if by_ids:
            filters.append(f"x.id = ANY(:ids_{self.table})")
        if by_params:
            filters.append(f"{self.param} = ANY(:params)")
        return (
            f"SELECT '{self.kind.value}:' || ({self.param})::text AS bucket,"
            f" '{self.table}'::varchar AS table_name, x.id AS row_id,"
            f" GREATEST(x.version, 1) AS version"
            f" FROM {self.source} WHERE {' AND '.join(filters)}"
        )


_OWNED = "x.tenant_id = :tenant AND x.deleted_at IS NULL"

#: Everyone who works a journey: live crew rows and the crew lead.
_CREW = (
    "(SELECT jc.journey_id, jc.user_id FROM journey_crew jc"
    " WHERE jc.tenant_id = :tenant AND jc.deleted_at IS NULL"
    " UNION SELECT jl.id, jl.crew_lead_id FROM journey jl WHERE jl.tenant_id = :tenant"
    " AND jl.crew_lead_id IS NOT NULL AND jl.deleted_at IS NULL) c"
    " JOIN journey j ON j.id = c.journey_id AND j.deleted_at IS NULL"
)


def _rules() -> list[Rule]:
    rules: list[Rule] = [
        Rule(
            K.TENANT_REF, "tenant", '"tenant" x', "x.id", "x.id = :tenant AND x.deleted_at IS NULL"
        ),
        Rule(
            K.TENANT_REF,
            "supplier",
            '"supplier" x',
            "x.tenant_id",
            f"{_OWNED} AND x.location_id IS NULL",
        ),
        Rule(
            K.TENANT_REF,
            "dashboard",
            '"dashboard" x',
            "x.tenant_id",
            f"{_OWNED} AND (x.user_id IS NULL OR x.is_shared)",
        ),
    ]
    special = {"tenant", "supplier", "dashboard"}
    for table in BUCKET_TABLES[K.TENANT_REF]:
        if table not in special:
            rules.append(Rule(K.TENANT_REF, table, f'"{table}" x', "x.tenant_id", _OWNED))
    for kind in LOCATION_KINDS:
        for table in BUCKET_TABLES[kind]:
            if table in LOCATION_VIA:
                parent, fk = LOCATION_VIA[table]
                source = f'"{table}" x JOIN "{parent}" p ON p.id = x.{fk} AND p.deleted_at IS NULL'
                rules.append(Rule(kind, table, source, "p.location_id", _OWNED))
            else:
                where = f"{_OWNED} AND x.location_id IS NOT NULL"
                rules.append(Rule(kind, table, f'"{table}" x', "x.location_id", where))
    crew_sources = {
        "journey": "JOIN journey x ON x.id = j.id",
        "journey_crew": "JOIN journey_crew x ON x.journey_id = j.id AND x.deleted_at IS NULL",
        "journey_event": "JOIN journey_event x ON x.journey_id = j.id AND x.deleted_at IS NULL",
        "customer": "JOIN customer x ON x.id = j.customer_id AND x.deleted_at IS NULL",
        "quote": "JOIN quote x ON x.id = j.quote_id AND x.deleted_at IS NULL",
        "quote_item": "JOIN quote q ON q.id = j.quote_id AND q.deleted_at IS NULL"
        " JOIN quote_item x ON x.quote_id = q.id AND x.deleted_at IS NULL",
        "equipment": "JOIN equipment x ON x.id = j.truck_id AND x.deleted_at IS NULL",
        "equipment_check": "JOIN equipment e ON e.id = j.truck_id AND e.deleted_at IS NULL"
        " JOIN equipment_check x ON x.equipment_id = e.id AND x.deleted_at IS NULL",
    }
    for table in BUCKET_TABLES[K.CREW_JOBS]:
        rules.append(Rule(K.CREW_JOBS, table, f"{_CREW} {crew_sources[table]}", "c.user_id"))
    own_param = {
        "quote": "x.created_by",
        "customer": "x.sales_rep_id",
        "lead": "x.assigned_to",
    }
    for table in BUCKET_TABLES[K.OWN]:
        if table == "quote_item":
            source = '"quote_item" x JOIN quote q ON q.id = x.quote_id AND q.deleted_at IS NULL'
            rules.append(Rule(K.OWN, table, source, "q.created_by", _OWNED))
            continue
        param = own_param.get(table, "x.user_id")
        rules.append(Rule(K.OWN, table, f'"{table}" x', param, f"{_OWNED} AND {param} IS NOT NULL"))
    # The customer of a quote someone wrote goes with the quote into their own bucket.
    rules.append(
        Rule(
            K.OWN,
            "customer",
            "quote q JOIN customer x ON x.id = q.customer_id AND x.deleted_at IS NULL",
            "q.created_by",
            "q.tenant_id = :tenant AND q.deleted_at IS NULL",
        )
    )
    return rules


RULES: tuple[Rule, ...] = tuple(_rules())


def membership_sql(
    *,
    tables: Collection[str] | None = None,
    kinds: Collection[BucketKind] | None = None,
    by_params: bool = False,
) -> str:
    """One statement for the chosen rules, one row per (bucket, table, row), highest version."""
    chosen = [
        rule
        for rule in RULES
        if (tables is None or rule.table in tables) and (kinds is None or rule.kind in kinds)
    ]
    if not chosen:
        return ""
    parts = "\nUNION ALL\n".join(
        rule.select(by_ids=tables is not None, by_params=by_params) for rule in chosen
    )
    return (
        "SELECT bucket, table_name, row_id, max(version) AS version"
        f" FROM ({parts}) m GROUP BY bucket, table_name, row_id"
    )


def evaluate(
    session: Session,
    tenant_id: uuid.UUID,
    *,
    rows: Mapping[str, Collection[uuid.UUID]] | None = None,
    user_params: Iterable[uuid.UUID] | None = None,
    kinds: Collection[BucketKind] | None = None,
) -> set[Entry]:
    """Where the given rows (or the given users' buckets) belong now."""
    params: dict[str, object] = {"tenant": tenant_id}
    tables = None
    if rows is not None:
        tables = [t for t, ids in rows.items() if ids]
        params.update({f"ids_{t}": list(rows[t]) for t in tables})
    if user_params is not None:
        params["params"] = list(user_params)
    sql = membership_sql(tables=tables, kinds=kinds, by_params=user_params is not None)
    if not sql:
        return set()
    return {(b, t, i) for b, t, i, _v in session.execute(text(sql), params)}
