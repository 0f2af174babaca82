"""Seeded template databases (tests/utils/seeded.py): built once, cloned apart, per hasher."""

from __future__ import annotations

import psycopg
import pytest

from sync_server.auth.passwords import FAST_TEST_ONLY, HASHER_ENV, PRODUCTION
from tests.utils.pg import DatabaseFactory, libpq_uri
from tests.utils.seeded import SeededClones, SeededTemplates

BUILDS: list[str] = []


def _probe_world(db_url: str) -> dict[str, list[str]]:
    BUILDS.append(db_url)
    with psycopg.connect(libpq_uri(db_url), autocommit=True) as conn:
        conn.execute("CREATE TABLE seeded_probe (name text)")
        conn.execute("INSERT INTO seeded_probe VALUES ('built')")
    return {"names": ["built"]}


def _broken_world(db_url: str) -> None:
    BUILDS.append(db_url)
    raise RuntimeError("the builder failed")


def _names(db_url: str) -> list[str]:
    with psycopg.connect(libpq_uri(db_url)) as conn:
        return [r[0] for r in conn.execute("SELECT name FROM seeded_probe ORDER BY name")]


def _has_probe(db_url: str) -> bool:
    with psycopg.connect(libpq_uri(db_url)) as conn:
        return conn.execute("SELECT to_regclass('seeded_probe')").fetchone()[0] is not None


@pytest.fixture
def templates(database_factory: DatabaseFactory, migrated_template: str) -> SeededTemplates:
    """A private set of templates, so each test here sees its builder run (or not) itself."""
    BUILDS.clear()
    return SeededTemplates(database_factory, migrated_template)


@pytest.fixture
def clones(templates: SeededTemplates, make_database) -> SeededClones:  # type: ignore[no-untyped-def]
    return SeededClones(templates, make_database)


def test_the_builder_runs_once_and_every_clone_is_a_separate_database(
    clones: SeededClones,
) -> None:
    first, second = clones.clone(_probe_world), clones.clone(_probe_world)
    assert len(BUILDS) == 1 and first != second
    with psycopg.connect(libpq_uri(first), autocommit=True) as conn:
        conn.execute("INSERT INTO seeded_probe VALUES ('only in the first')")
    assert _names(first) == ["built", "only in the first"]
    assert _names(second) == ["built"]


def test_each_clone_gets_its_own_copy_of_the_seed(clones: SeededClones) -> None:
    first = clones.clone(_probe_world)
    clones.seed(first)["names"].append("changed by a test")
    second = clones.clone(_probe_world)
    assert clones.seed(second) == {"names": ["built"]}


def test_no_builder_means_the_plain_migrated_schema(clones: SeededClones) -> None:
    url = clones.clone(None)
    assert not _has_probe(url) and BUILDS == []
    with pytest.raises(LookupError, match="no seeded world"):
        clones.seed(url)


def test_a_template_is_built_again_for_another_password_hasher(
    clones: SeededClones, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(HASHER_ENV, FAST_TEST_ONLY)
    clones.clone(_probe_world)
    monkeypatch.setenv(HASHER_ENV, PRODUCTION)
    clones.clone(_probe_world)
    clones.clone(_probe_world)
    assert len(BUILDS) == 2


def test_a_failing_builder_raises_and_leaves_no_database_behind(
    clones: SeededClones, database_factory: DatabaseFactory
) -> None:
    before = list(database_factory.created)
    with pytest.raises(RuntimeError, match="the builder failed"):
        clones.clone(_broken_world)
    assert database_factory.created == before
    with pytest.raises(RuntimeError, match="the builder failed"):
        clones.clone(_broken_world)  # not cached: the next test tries again
    assert len(BUILDS) == 2
