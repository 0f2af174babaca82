"""Fixtures every suite shares: a real PostgreSQL and a fresh database per test.

The PostgreSQL server is ``CNC_TEST_DATABASE_URL`` or ``DATABASE_URL`` when set
(its role needs CREATEDB), otherwise one embedded server started lazily for the
session in a temp dir and deleted at the end. Suites that need no database
never start it.

A migrated-schema fixture builds on ``database_factory``: create a template
once per session (``database_factory.create()``, migrate it, dispose its
engine), then clone it per test with ``make_database(template=name)``.
A seeded world goes the same way (``seeded_db``, tests/utils/seeded.py): built
once per session on a migrated database, cloned per test.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from sync_server.auth.passwords import FAST_TEST_ONLY, HASHER_ENV, PRODUCTION
from tests.utils.pg import DatabaseFactory, database_name, render_url, start_embedded_test_server
from tests.utils.seeded import SeededClones, SeededTemplates

MakeDatabase = Callable[..., str]

# Test accounts hash with argon2's minimum parameters (production's cost ~0.1 s per hash
# and per sign-in). Set here, before any test runs, so servers and demo scripts the
# tests start as subprocesses inherit it; ``production_password_hasher`` switches back.
os.environ.setdefault(HASHER_ENV, FAST_TEST_ONLY)


@pytest.fixture(scope="session")
def pg_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of the maintenance database of the session's PostgreSQL server."""
    external = os.environ.get("CNC_TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if external:
        yield render_url(external)
        return
    server = start_embedded_test_server(tmp_path_factory.mktemp("pg"))
    try:
        yield render_url(server.url)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def database_factory(pg_server_url: str) -> Iterator[DatabaseFactory]:
    """Session-wide creator of databases; drops whatever is left at the end."""
    factory = DatabaseFactory(pg_server_url)
    yield factory
    factory.drop_all()


@pytest.fixture
def make_database(database_factory: DatabaseFactory) -> Iterator[MakeDatabase]:
    """``make_database(template=None) -> url``: databases dropped after the test."""
    created: list[str] = []

    def make(template: str | None = None) -> str:
        url = database_factory.create(template=template)
        created.append(url)
        return url

    yield make
    for url in reversed(created):
        database_factory.drop(url)


@pytest.fixture
def empty_db_url(make_database: MakeDatabase) -> str:
    """A brand-new empty database (``postgresql+psycopg://`` URL string) for this test."""
    return make_database()


@pytest.fixture(scope="session")
def migrated_template(database_factory: DatabaseFactory) -> str:
    """Name of a database migrated to head once per session, cloned by ``migrated_db_url``."""
    from sync_server.admin.migrations import upgrade
    from sync_server.core.db import create_db_engine

    url = database_factory.create()
    engine = create_db_engine(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    return database_name(url)


@pytest.fixture
def migrated_db_url(make_database: MakeDatabase, migrated_template: str) -> str:
    """A fresh database with the whole schema at the newest migration."""
    return make_database(template=migrated_template)


@pytest.fixture(scope="session")
def seeded_templates(database_factory: DatabaseFactory, migrated_template: str) -> SeededTemplates:
    """The session's seeded template databases, one per world builder, made on first use."""
    return SeededTemplates(database_factory, migrated_template)


@pytest.fixture
def seeded_db(make_database: MakeDatabase, seeded_templates: SeededTemplates) -> SeededClones:
    """``seeded_db.clone(build) -> url`` (a fresh copy of the world ``build`` seeds, built
    once per session) and ``seeded_db.seed(url)``: the ids ``build`` returned."""
    return SeededClones(seeded_templates, make_database)


@pytest.fixture
def production_password_hasher(monkeypatch: pytest.MonkeyPatch) -> None:
    """For the tests that prove hashing itself: argon2 with the production parameters."""
    monkeypatch.setenv(HASHER_ENV, PRODUCTION)
