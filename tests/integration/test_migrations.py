"""The migration history and the models agree, both ways, on a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect, text

import shared_models.models  # noqa: F401
import sync_server.db.models  # noqa: F401
import sync_server.db.write_models  # noqa: F401
from shared_models.base import Base
from sync_server.admin.migrations import (
    SchemaTooNew,
    alembic_config,
    current_revision,
    downgrade,
    head_revision,
    upgrade,
)
from sync_server.core.db import create_db_engine


@pytest.fixture
def engine(empty_db_url: str) -> Iterator[Engine]:
    engine = create_db_engine(empty_db_url)
    yield engine
    engine.dispose()


def _check_constraints(engine: Engine) -> set[tuple[str, str]]:
    inspector = inspect(engine)
    return {
        (table, check["name"])
        for table in inspector.get_table_names()
        if table != "alembic_version"
        for check in inspector.get_check_constraints(table)
    }


def test_history_is_one_linear_chain() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    for revision in script.walk_revisions():
        assert not revision.is_merge_point
        assert len(revision.nextrev) <= 1


def test_upgrade_from_empty_matches_the_models_exactly(engine: Engine) -> None:
    assert upgrade(engine) == head_revision()
    with engine.connect() as connection:
        diff = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
        )
    assert diff == []
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT nextval('sync_version_seq')")) == 1


def test_migrated_check_constraints_equal_those_the_models_create(
    engine: Engine, make_database
) -> None:
    """Autogenerate ignores CHECKs; compare them with a schema built by create_all."""
    upgrade(engine)
    reference = create_db_engine(make_database())
    try:
        Base.metadata.create_all(reference)
        assert _check_constraints(engine) == _check_constraints(reference)
    finally:
        reference.dispose()


def test_downgrade_to_base_removes_everything(engine: Engine) -> None:
    upgrade(engine)
    downgrade(engine, "base")
    assert current_revision(engine) is None
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    with engine.connect() as connection:
        sequences = connection.scalar(text("SELECT count(*) FROM pg_class WHERE relkind = 'S'"))
    assert sequences == 0
    upgrade(engine)  # and back up again, cleanly
    assert current_revision(engine) == head_revision()


def test_a_database_from_a_newer_server_is_refused_untouched(engine: Engine) -> None:
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00dcafe9999'"))
    tables_before = set(inspect(engine).get_table_names())
    with pytest.raises(SchemaTooNew, match="newer version"):
        upgrade(engine)
    with pytest.raises(SchemaTooNew):
        downgrade(engine, "base")
    assert current_revision(engine) == "f00dcafe9999"
    assert set(inspect(engine).get_table_names()) == tables_before


def test_replica_schema_builds_from_the_same_metadata_on_sqlite() -> None:
    from shared_models.models import synced_tables

    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine, tables=synced_tables())
    names = set(inspect(engine).get_table_names())
    assert {"customer", "quote", "quote_item", "journey", "equipment_check"} <= names
    assert not names & {"audit_log", "device", "encrypted_data", "webhook"}
