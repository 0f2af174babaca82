"""Every section page sits in the same frame (``widgets.page_layout``), opened from the real
main window: the same margins, its header first, and one body that takes the spare height."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from client.services.workspace import Workspace
from client.ui.main_window import MainWindow
from client.ui.navigation import screens
from tests.utils.e2e import Scene


def _owner(key: str, page: QWidget) -> QWidget:
    """Today keeps its frame on the day list: the Journey screen replaces the list in place."""
    return page.list if key == "today" else page  # type: ignore[attr-defined]


def _frame_of(key: str, page: QWidget) -> QVBoxLayout:
    layout = _owner(key, page).layout()
    assert isinstance(layout, QVBoxLayout), f"{key}: the frame is {type(layout).__name__}"
    return layout


def _assert_frame(key: str, page: QWidget) -> None:
    layout = _frame_of(key, page)
    margins = layout.contentsMargins()
    got = (margins.left(), margins.top(), margins.right(), margins.bottom())
    assert got == (24, 20, 24, 12), f"{key}: margins {got}"
    header = layout.itemAt(0).widget()
    assert header is _owner(key, page).header, key  # type: ignore[attr-defined]
    stretching = [i for i in range(layout.count()) if layout.stretch(i) != 0]
    assert len(stretching) == 1, f"{key}: stretching items {stretching}"
    body = layout.itemAt(stretching[0]).widget()
    assert body is not None and layout.stretch(stretching[0]) == 1, f"{key}: body is not a widget"
    assert body.height() > page.height() // 2, f"{key}: body only {body.height()}px high"


def _assert_list_and_pane(key: str, page: QWidget) -> None:
    """A list page's splitter: the list on the left taking 3 parts, its pane beside it."""
    split = getattr(page, "splitter", None)
    if split is None:
        return
    assert isinstance(split, QSplitter) and split.count() == 2, key
    assert split.widget(0) is page.table, key  # type: ignore[attr-defined]
    list_parts = split.widget(0).sizePolicy().horizontalStretch()
    pane_parts = split.widget(1).sizePolicy().horizontalStretch()
    assert list_parts == 3 and 1 <= pane_parts < list_parts, f"{key}: {list_parts}:{pane_parts}"
    assert split.sizes()[0] > split.sizes()[1], f"{key}: list narrower than its pane"


def test_every_section_page_has_the_shared_frame_and_list_splitter(
    qtbot: QtBot,
    scene: Scene,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
) -> None:
    checked: set[str] = set()
    for account in ("admin", "lead1"):  # between them, every section the product has
        workspace = signed_in(scene.accounts[account])
        workspace.engine().sync_once()  # pages open on the seeded company, as after sign-in
        window = open_window(workspace, sync=False)
        window.resize(1400, 900)
        keys = window.nav.keys()  # the sections this role sees, in nav order
        for key in keys:
            page = window.show_section(key)
            qtbot.waitUntil(page.isVisible, timeout=5_000)
            _assert_frame(key, page)
            _assert_list_and_pane(key, page)
            checked.add(key)
        window.close()
    assert checked == set(screens()), f"not opened: {sorted(set(screens()) - checked)}"
