"""Customers and quotes screens over a real encrypted replica: search, lazy paging, sorting."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from client.services.workspace import Workspace
from client.ui import tasks
from client.ui.context import AppContext
from client.ui.customers import CustomersView
from client.ui.paged_model import PAGE_SIZE
from client.ui.quotes import QuotesView
from tests.gui.conftest import PASSPHRASE
from tests.utils.replica_rows import offline_workspace


@pytest.fixture
def workspace() -> Iterator[Workspace]:
    ws = offline_workspace(
        "https://crm.example.invalid",
        "dana@movers.example",
        PASSPHRASE,
        customers=300,
        quotes=650,
        leads=40,
    )
    yield ws
    tasks.wait_idle()
    ws.close()


def test_customer_search_finds_by_name(
    qtbot: QtBot, qtmodeltester: ModelTester, workspace: Workspace
) -> None:
    view = CustomersView(AppContext(workspace))
    qtbot.addWidget(view)
    view.show()
    assert view.model.total == 300 and view.model.rowCount() == PAGE_SIZE
    qtmodeltester.check(view.model)
    target = view.model.row(17)
    assert target is not None
    first, last = target.name.split(" ", 1)
    with qtbot.waitSignal(view.search_done, timeout=5_000):
        qtbot.keyClicks(view.search, f"{last[:4]} {first}")  # debounced: one search
    names = [view.model.row(i).name for i in range(view.model.rowCount())]  # type: ignore[union-attr]
    assert target.name in names and all(n.split(" ", 1)[0] == first for n in names)
    qtmodeltester.check(view.model)

    view.table.selectRow(names.index(target.name))
    qtbot.waitUntil(lambda: "SALES ACTIVITY" in _texts(view.pane), timeout=5_000)
    assert target.name in _texts(view.pane)

    with qtbot.waitSignal(view.search_done, timeout=5_000):
        view.search.clear()
    assert view.model.total == 300
    qtbot.waitUntil(lambda: sum(view.pipeline.counts.values()) == 40, timeout=5_000)


def test_quote_list_loads_more_when_scrolled(
    qtbot: QtBot, qtmodeltester: ModelTester, workspace: Workspace
) -> None:
    view = QuotesView(AppContext(workspace))
    qtbot.addWidget(view)
    view.resize(1300, 800)
    view.show()
    model = view.model
    assert model.total == 650 and model.rowCount() == PAGE_SIZE
    assert view.header.subtitle.text() == "650 quotes on this device"
    qtmodeltester.check(model)
    bar = view.table.verticalScrollBar()

    def scrolled_to(rows: int) -> bool:
        bar.setValue(bar.maximum())  # what dragging the scroll bar to the end does
        return model.rowCount() >= rows

    qtbot.waitUntil(lambda: scrolled_to(2 * PAGE_SIZE), timeout=5_000)
    assert model.rowCount() in (400, 600, 650)  # whole pages, as the view asked
    qtbot.waitUntil(lambda: scrolled_to(650), timeout=5_000)
    assert model.rowCount() == 650
    assert not model.canFetchMore()
    ids = [model.row(i).id for i in range(650)]  # type: ignore[union-attr]
    assert len(set(ids)) == 650  # pages neither overlap nor skip
    created = [model.row(i).created_at for i in range(650)]  # type: ignore[union-attr]
    assert created == sorted(created, reverse=True)

    view.table.sortByColumn(5, Qt.SortOrder.AscendingOrder)  # Total
    totals = [model.row(i).total for i in range(model.rowCount())]  # type: ignore[union-attr]
    assert totals == sorted(totals) and model.rowCount() == PAGE_SIZE

    view.status_filter.setCurrentIndex(view.status_filter.findData("ACCEPTED"))
    statuses = {model.row(i).status for i in range(model.rowCount())}  # type: ignore[union-attr]
    assert statuses == {"ACCEPTED"} and 0 < model.total < 650
    view.table.selectRow(0)
    number = model.row(0).number  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: number in _texts(view.pane), timeout=5_000)
    assert "HST 13%" in _texts(view.pane)


def _texts(widget: object) -> str:
    from PySide6.QtWidgets import QLabel

    return "\n".join(label.text() for label in widget.findChildren(QLabel))  # type: ignore[attr-defined]
