"""GUI fixtures: offscreen Qt, a private data dir and QSettings, the real server of tests/e2e.

The live server, its migrated PostgreSQL and the seeded company come from
``tests.utils`` exactly as the end-to-end suite uses them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings

from client.replica.paths import DATA_DIR_ENV
from client.services.workspace import Workspace, sign_in_workspace
from client.ui import tasks
from client.ui.app import make_application
from client.ui.context import AppContext
from client.ui.garbage import collect_on_ui_thread
from client.ui.main_window import MainWindow
from tests.utils.auth import Account, World
from tests.utils.e2e import Scene, ServerDb
from tests.utils.seeded import SeededClones
from tests.utils.server import live_server
from tests.utils.worlds import clone_world_db, cloned_scene

PASSPHRASE = "correct horse battery staple"


@pytest.fixture(scope="session")
def qapp_cls() -> type:
    from PySide6.QtWidgets import QApplication

    return QApplication


@pytest.fixture(scope="package", autouse=True)
def ui_thread_gc(qapp: object) -> Iterator[None]:
    """Cycles collected on the UI thread while GUI tests run (``client.ui.garbage``), and
    automatic collection back for the suites after them, which run no event loop."""
    collector = collect_on_ui_thread(make_application())
    yield
    collector.stop()


@pytest.fixture(autouse=True)
def styled_app(qapp: object) -> object:
    """The app's own style, so widgets look and size as users see them."""
    return make_application()


@pytest.fixture(autouse=True)
def headless_keyring() -> Iterator[None]:
    """A field laptop without a keyring: the replica key sits behind a passphrase."""
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "data"
    monkeypatch.setenv(DATA_DIR_ENV, str(path))
    monkeypatch.delenv("CNC_REPLICA_PASSPHRASE", raising=False)
    return path


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def world_db(request: pytest.FixtureRequest, seeded_db: SeededClones) -> tuple[str, World]:
    return clone_world_db(request, seeded_db)


@pytest.fixture
def scene(world_db: tuple[str, World], seeded_db: SeededClones) -> Scene:
    return cloned_scene(world_db, seeded_db)


@pytest.fixture
def base_url(world_db: tuple[str, World]) -> Iterator[str]:
    with live_server(world_db[0]) as url:
        yield url


@pytest.fixture
def server_db(world_db: tuple[str, World]) -> Iterator[ServerDb]:
    db = ServerDb(world_db[0])
    yield db
    db.close()


@pytest.fixture
def signed_in(base_url: str) -> Iterator[Callable[..., Workspace]]:
    """``signed_in(account, url=None)``: a real sign-in, replica prepared as the app does."""
    opened: list[Workspace] = []

    def make(account: Account, url: str | None = None) -> Workspace:
        ws = sign_in_workspace(url or base_url, account.email, account.password, _passphrase)
        ws.prepare()
        opened.append(ws)
        return ws

    yield make
    for ws in opened:
        ws.close()


@pytest.fixture
def open_window(settings: QSettings, qtbot: object) -> Iterator[Callable[..., MainWindow]]:
    windows: list[MainWindow] = []

    def make(workspace: Workspace, **kwargs: object) -> MainWindow:
        kwargs.setdefault("live", False)
        window = MainWindow(AppContext(workspace), settings=settings, **kwargs)  # type: ignore[arg-type]
        qtbot.addWidget(window)  # type: ignore[attr-defined]
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.shutdown()
    tasks.wait_idle()


def _passphrase(_: str) -> str:
    return PASSPHRASE
