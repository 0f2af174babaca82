"""Run Alembic from code: upgrade, downgrade, and refuse a database newer than us."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from migrations import SCRIPT_LOCATION


class SchemaTooNew(RuntimeError):
    """The database was migrated by a newer server than this one."""


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPT_LOCATION))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("the migration history is empty")
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def check_known_revision(engine: Engine) -> str | None:
    """Return the database's revision, refusing one our history does not contain."""
    revision = current_revision(engine)
    if revision is None:
        return None
    script = ScriptDirectory.from_config(alembic_config())
    try:
        script.get_revision(revision)
    except Exception as exc:  # alembic raises several kinds for an unknown id
        raise SchemaTooNew(
            f"the database is at schema revision {revision}, which this server does not know "
            f"(its newest is {head_revision()}): it was migrated by a newer version; "
            "upgrade the server instead"
        ) from exc
    return revision


def upgrade(engine: Engine, target: str = "head") -> str:
    """Migrate to ``target`` in one transaction; returns the new revision."""
    check_known_revision(engine)
    cfg = alembic_config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, target)
    return current_revision(engine) or "base"


def downgrade(engine: Engine, target: str = "base") -> None:
    check_known_revision(engine)
    cfg = alembic_config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, target)
