"""A replica written by an older app is upgraded in place on open, its data and outbox kept."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from client.replica import LocalStore, schema
from client.replica.upgrade import replica_tables, upgrade_replica

#: What version 1 of the app created: membership keyed by bucket, three B-trees.
_V1_ROW_BUCKET = (
    "CREATE TABLE row_bucket (bucket VARCHAR(200) NOT NULL, table_name VARCHAR(64) NOT NULL,"
    " row_id VARCHAR(36) NOT NULL, PRIMARY KEY (bucket, table_name, row_id))"
)
#: And an invoice table whose balance CHECK compared REAL amounts exactly.
_V1_BALANCE = "round(balance_due - credit_amount, 2) = round(total - amount_paid, 2)"
_V1_BALANCE_OLD = "balance_due - credit_amount = total - amount_paid"


def _make_v1_replica(path: Path, key: bytes) -> tuple[str, str]:
    """A replica as version 1 left it: old tables, one membership, one queued mutation."""
    store = LocalStore.open(path, key, create=True)
    row_id, customer_id = str(uuid.uuid4()), uuid.uuid4().hex
    try:
        with store.engine.begin() as conn:
            conn.execute(text("DROP TABLE row_bucket"))
            conn.execute(text(_V1_ROW_BUCKET))
            conn.execute(text("CREATE INDEX ix_row_bucket_row ON row_bucket (table_name, row_id)"))
            conn.execute(
                text("INSERT INTO row_bucket VALUES ('location_sales:x', 'customer', :r)"),
                {"r": row_id},
            )
            conn.execute(
                schema.outbox.insert().values(
                    mutation_id=7,
                    table_name="customer",
                    op="update",
                    row_id=customer_id,
                    base="{}",
                    changes='{"notes": "typed offline yesterday"}',
                    hlc="1790000000000-00000-laptop",
                    created_at="2026-11-24T18:00:00+00:00",
                    attempts=0,
                )
            )
            conn.execute(
                schema.replica_meta.update()
                .where(schema.replica_meta.c.name == schema.META_SCHEMA_VERSION)
                .values(value="1")
            )
    finally:
        store.close()
    return row_id, customer_id


def test_an_older_replica_is_upgraded_on_open_and_keeps_its_data(db_path: Path, key: bytes) -> None:
    row_id, customer_id = _make_v1_replica(db_path, key)
    store = LocalStore.open(db_path, key)
    try:
        assert store.schema_version == schema.REPLICA_SCHEMA_VERSION
        with store.engine.connect() as conn:
            sql = conn.execute(
                text("SELECT sql FROM sqlite_master WHERE name = 'row_bucket'")
            ).scalar_one()
            assert "WITHOUT ROWID" in sql
            assert conn.execute(
                text("SELECT bucket, table_name, row_id FROM row_bucket")
            ).all() == [("location_sales:x", "customer", row_id)]
            queued = conn.execute(schema.outbox.select()).mappings().one()
            assert (queued["mutation_id"], queued["row_id"]) == (7, customer_id)
            assert queued["changes"] == '{"notes": "typed offline yesterday"}'
            # Nothing left behind by the rebuild, and nothing else differs any more.
            names = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master"))}
            assert not {n for n in names if n.startswith("_upgrade_")}
            assert "ix_row_bucket_row" not in names
            assert upgrade_replica(conn) == []
    finally:
        store.close()


def test_a_changed_check_is_rebuilt_and_rows_keep_their_values(db_path: Path, key: bytes) -> None:
    """The invoice table of version 1 refused 772.80 with 300.00 paid; after the upgrade it fits."""
    store = LocalStore.open(db_path, key, create=True)
    try:
        with store.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            raw.execute("PRAGMA foreign_keys = OFF")
            with conn.begin():
                sql = conn.execute(
                    text("SELECT sql FROM sqlite_master WHERE name = 'invoice'")
                ).scalar_one()
                conn.execute(text("DROP TABLE invoice"))
                conn.execute(text(sql.replace(_V1_BALANCE, _V1_BALANCE_OLD)))
                conn.execute(
                    schema.replica_meta.update()
                    .where(schema.replica_meta.c.name == schema.META_SCHEMA_VERSION)
                    .values(value="1")
                )
            raw.execute("PRAGMA foreign_keys = ON")
    finally:
        store.close()
    store = LocalStore.open(db_path, key)
    try:
        with store.engine.connect() as conn:
            sql = conn.execute(
                text("SELECT sql FROM sqlite_master WHERE name = 'invoice'")
            ).scalar_one()
        assert _V1_BALANCE in sql
    finally:
        store.close()


def test_a_newer_replica_is_refused_untouched(db_path: Path, key: bytes) -> None:
    from client.replica.errors import ReplicaTooNew

    store = LocalStore.open(db_path, key, create=True)
    store.set_meta(schema.META_SCHEMA_VERSION, str(schema.REPLICA_SCHEMA_VERSION + 1))
    store.close()
    before = db_path.read_bytes()
    with pytest.raises(ReplicaTooNew, match="update the app"):
        LocalStore.open(db_path, key)
    assert db_path.read_bytes() == before


def test_every_replica_table_is_covered() -> None:
    names = [t.name for t in replica_tables()]
    assert len(names) == len(set(names))
    assert {"customer", "invoice", "outbox", "row_bucket", "sync_rejection"} <= set(names)
