"""What each wire schema version of the synced tables holds (DESIGN 6, "Mixed versions").

Field laptops update late, and a replica refuses a column it does not know:
a server that sent a new column to yesterday's app would stop that laptop's
sync for good. So every table and column added to the synced models after
the first release is declared here under the schema version that brought it.
The server leaves out of pulls and push answers what the caller's version
(``X-CNC-Schema``) does not know; an older client's mutations simply lack
those columns and leave them as they are. When the app is upgraded, the
client pulls again the buckets that hold changed tables, so the new columns
get their values (``client/sync/reshape.py``).

Adding a synced column: declare it under a new version here. A unit test
compares the models with the first version's columns and names what is
undeclared.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

__all__ = [
    "COLUMNS_ADDED",
    "LATEST_SCHEMA",
    "TABLES_ADDED",
    "changed_since",
    "shape_row",
    "unknown_columns",
    "unknown_tables",
]

#: Columns added to existing synced tables, by the schema version that added them.
COLUMNS_ADDED: Mapping[int, Mapping[str, frozenset[str]]] = {
    # Migration 0012: a double-booking flag names the other journey in columns.
    2: {"schedule_conflict": frozenset({"other_journey_id", "pair_ended_at"})},
}
#: Whole synced tables added, by the schema version that added them.
TABLES_ADDED: Mapping[int, frozenset[str]] = {}

#: The wire schema this code speaks (``wire.SCHEMA_VERSION``).
LATEST_SCHEMA = max((1, *COLUMNS_ADDED, *TABLES_ADDED))


@cache
def unknown_tables(schema: int) -> frozenset[str]:
    """Synced tables a client of ``schema`` does not have."""
    return frozenset(t for v, tables in TABLES_ADDED.items() if v > schema for t in tables)


@cache
def unknown_columns(schema: int) -> Mapping[str, frozenset[str]]:
    """Per table, the columns a client of ``schema`` does not have (tables it has)."""
    out: dict[str, frozenset[str]] = {}
    for version, tables in COLUMNS_ADDED.items():
        if version > schema:
            for table, columns in tables.items():
                out[table] = out.get(table, frozenset()) | columns
    return out


@cache
def changed_since(schema: int) -> frozenset[str]:
    """Tables whose rows a replica written at ``schema`` holds incompletely (or not at all)."""
    return unknown_tables(schema) | frozenset(unknown_columns(schema))


def shape_row(table: str, row: Mapping[str, Any], schema: int) -> dict[str, Any]:
    """``row`` as a client of ``schema`` can store it: without the columns it lacks."""
    hidden = unknown_columns(schema).get(table)
    if not hidden:
        return dict(row)
    return {k: v for k, v in row.items() if k not in hidden}
