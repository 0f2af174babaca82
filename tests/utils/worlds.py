"""The two-tenant world of tests/utils/auth, with or without the e2e scene, as clones.

The e2e, GUI and client-sync suites start from ``make_world`` and, when a test
asks for ``scene``, ``build_scene`` on top of it. Both are built once per
session (tests/utils/seeded.py) and cloned for each test, in that order, so a
clone holds exactly the rows and versions the two builders would have written.
"""

from __future__ import annotations

import dataclasses

import pytest

from tests.utils.auth import World, make_world
from tests.utils.e2e import Scene, build_scene
from tests.utils.seeded import SeededClones


def world_only(db_url: str) -> tuple[World, Scene | None]:
    return make_world(db_url), None


def world_and_scene(db_url: str) -> tuple[World, Scene | None]:
    return make_world(db_url), build_scene(db_url)


def clone_world_db(request: pytest.FixtureRequest, seeded_db: SeededClones) -> tuple[str, World]:
    """A fresh database with the world, and the scene too when the test uses ``scene``."""
    build = world_and_scene if "scene" in request.fixturenames else world_only
    url = seeded_db.clone(build)
    return url, seeded_db.seed(url)[0]


def cloned_scene(world_db: tuple[str, World], seeded_db: SeededClones) -> Scene:
    """The scene in ``world_db``'s database (built with it: see ``clone_world_db``)."""
    url = world_db[0]
    scene = seeded_db.seed(url)[1]
    if scene is None:
        raise LookupError("this test's database was cloned without the scene")
    return dataclasses.replace(scene, db_url=url)
