"""Seeded template databases: a test world built once per session, cloned for each test.

Building a world costs far more than cloning a database (``create_tenant`` alone
writes ~700 permission rows per tenant), and hundreds of tests start from the
same one. So each builder runs once, on a fresh migrated database that then
serves as the ``CREATE DATABASE ... TEMPLATE`` of every test that asks for it;
each test still gets its own database, and a deep copy of the ids the builder
returned. The rows are byte for byte what the builder writes, only written
earlier: builders must not stamp anything relative to "now" that a test reads.

Templates are keyed by builder and by the password hasher in force, so a test
on the production hasher never signs in to accounts hashed with the test one.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from typing import Any

from sync_server.auth.passwords import HASHER_ENV
from tests.utils.pg import DatabaseFactory, database_name

#: Seeds a migrated database given its URL; returns the ids a test needs (kept as is).
Build = Callable[[str], Any]


class SeededTemplates:
    """Per session: one template database per builder, made on first use."""

    def __init__(self, factory: DatabaseFactory, migrated_template: str) -> None:
        self._factory = factory
        self.migrated = migrated_template
        self._built: dict[tuple[Build, str], tuple[str, Any]] = {}

    def template_for(self, build: Build) -> tuple[str, Any]:
        """``(template database name, what build returned)``, building it the first time."""
        key = (build, os.environ.get(HASHER_ENV, ""))
        hit = self._built.get(key)
        if hit is None:
            url = self._factory.create(template=self.migrated)
            try:
                seed = build(url)
            except BaseException:
                self._factory.drop(url)
                raise
            hit = self._built[key] = (database_name(url), seed)
        return hit


class SeededClones:
    """One test's databases: ``clone(build)`` returns a fresh URL, ``seed(url)`` its ids.

    ``clone(None)`` is the plain migrated schema, for tests that need no world.
    """

    def __init__(self, templates: SeededTemplates, make_database: Callable[..., str]) -> None:
        self._templates = templates
        self._make_database = make_database
        self._seeds: dict[str, Any] = {}

    def clone(self, build: Build | None) -> str:
        if build is None:
            return self._make_database(template=self._templates.migrated)
        name, seed = self._templates.template_for(build)
        url = self._make_database(template=name)
        self._seeds[url] = copy.deepcopy(seed)  # a test may add to its world's dicts
        return url

    def seed(self, url: str) -> Any:
        """What the builder returned for the database at ``url`` (this test's own copy)."""
        try:
            return self._seeds[url]
        except KeyError:
            raise LookupError(
                f"no seeded world for {database_name(url)!r}: the database fixture chose"
                " the plain schema (ask for the world fixture by name, not getfixturevalue)"
            ) from None
