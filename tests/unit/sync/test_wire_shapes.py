"""Wire schema versions of the synced tables (``shared_models.sync.shapes``, DESIGN 6)."""

from __future__ import annotations

import json
from pathlib import Path

from shared_models.models import synced_tables
from shared_models.sync import shapes
from shared_models.sync.codec import wire_columns
from shared_models.sync.wire import SCHEMA_VERSION

#: The synced tables and wire columns of the first release, as its apps store them.
FIRST_RELEASE = json.loads((Path(__file__).parent / "wire_schema_v1.json").read_text())


def _known_to(schema: int) -> dict[str, set[str]]:
    """Tables and columns a client of ``schema`` has: the first release plus what was declared."""
    known = {table: set(columns) for table, columns in FIRST_RELEASE.items()}
    for version in range(2, schema + 1):
        for table in shapes.TABLES_ADDED.get(version, ()):
            known[table] = set()
        for table, columns in shapes.COLUMNS_ADDED.get(version, {}).items():
            known[table] |= columns
    return known


def _current() -> dict[str, set[str]]:
    return {t.name: set(wire_columns(t)) for t in synced_tables()}


def test_every_synced_column_added_since_the_first_release_is_declared() -> None:
    current = _current()
    known = _known_to(SCHEMA_VERSION)
    undeclared = {
        t: sorted(cols - known.get(t, set()))
        for t, cols in current.items()
        if cols - known.get(t, set())
    }
    # A new synced column sent to yesterday's app would stop its sync: declare it in
    # shared_models/sync/shapes.py under a new schema version.
    assert undeclared == {}
    assert set(known) == set(current)


def test_the_wire_schema_is_the_newest_declared_version() -> None:
    assert SCHEMA_VERSION == shapes.LATEST_SCHEMA == max((1, *shapes.COLUMNS_ADDED))


def test_added_columns_can_be_left_out_by_older_clients() -> None:
    """An older app's insert lacks them: each must be nullable or have a server default."""
    by_name = {t.name: t for t in synced_tables()}
    for tables in shapes.COLUMNS_ADDED.values():
        for table, columns in tables.items():
            for name in columns:
                column = by_name[table].c[name]
                assert column.nullable or column.server_default is not None, (table, name)


def test_a_client_of_each_version_is_told_exactly_the_columns_it_lacks() -> None:
    current = _current()
    for schema in range(1, SCHEMA_VERSION + 1):
        known = _known_to(schema)
        assert shapes.unknown_tables(schema) == frozenset(set(current) - set(known))
        lacking = {t: current[t] - known[t] for t in known if current[t] - known[t]}
        assert {t: set(c) for t, c in shapes.unknown_columns(schema).items()} == lacking
    assert shapes.unknown_columns(SCHEMA_VERSION) == {}
    assert shapes.changed_since(SCHEMA_VERSION) == frozenset()


def test_shape_row_drops_only_the_columns_an_older_client_lacks() -> None:
    row = {"id": "x", "version": 3, "note": "n", "other_journey_id": "y", "pair_ended_at": None}
    assert shapes.shape_row("schedule_conflict", row, 1) == {"id": "x", "version": 3, "note": "n"}
    assert shapes.shape_row("schedule_conflict", row, SCHEMA_VERSION) == row
    assert shapes.shape_row("customer", {"id": "x", "notes": "n"}, 1) == {"id": "x", "notes": "n"}
    assert shapes.changed_since(1) == frozenset({"schedule_conflict"})
