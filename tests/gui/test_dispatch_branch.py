"""The dispatch board opens on the dispatcher's own branch, whatever the others are called."""

from __future__ import annotations

from collections.abc import Callable

from pytestqt.qtbot import QtBot

from client.services.workspace import Workspace
from client.ui.dispatch import DispatchView
from client.ui.main_window import MainWindow
from tests.utils.e2e import Scene


def test_the_board_opens_on_the_dispatchers_own_branch_not_the_first_by_name(
    qtbot: QtBot,
    scene: Scene,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
) -> None:
    workspace = signed_in(scene.accounts["disp1"])  # works at "Branch L1"
    workspace.engine().sync_once()
    window = open_window(workspace, sync=False)
    view = window.show_section("dispatch")
    assert isinstance(view, DispatchView)
    qtbot.waitUntil(lambda: view.branch.count() >= 2, timeout=10_000)
    names = [view.branch.itemText(i) for i in range(view.branch.count())]
    assert min(names) != "Branch L1"  # the bug needs a branch sorting before it
    assert view.branch.currentText() == "Branch L1"
    assert view.location_id == scene.locations[1]
