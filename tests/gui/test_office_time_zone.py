"""The office screens show and default dates and times on the branch's clock, not the laptop's.

Branch L0 is in Toronto. The process runs in a far zone for each test: Tokyo
(13-14 hours ahead) where a time must read as Toronto's, or a zone whose date
differs from Toronto's right now where a default day must be Toronto's today.
The invoices and maintenance screens then must say what the receipt PDF and
the dispatch board say.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from client.services.billing import BillingService
from client.services.queries import get_row, list_rows
from client.services.workspace import Workspace
from client.ui import format as fmt
from client.ui.invoice_model import PENDING
from client.ui.invoice_payment import PaymentDialog, RefundDialog
from client.ui.main_window import MainWindow
from client.ui.maintenance import MaintenanceView
from client.ui.maintenance_forms import BookDialog, CompleteDialog, NewJobDialog
from shared_models.enums import PaymentMethod
from shared_models.rules.scheduling.intervals import local_to_utc
from tests.gui.test_invoices import RATES, _invoices, _shown, office  # noqa: F401 - fixture
from tests.gui.test_maintenance import open_shop
from tests.utils.auth import Account
from tests.utils.e2e import Scene, ServerDb
from tests.utils.maintenance import FOUND

BRANCH = "America/Toronto"
TORONTO = ZoneInfo(BRANCH)
WAIT = 10_000
UTC = dt.UTC


@contextmanager
def _laptop(monkeypatch: pytest.MonkeyPatch, name: str) -> Iterator[None]:
    """The process's local zone is ``name`` inside, and back to what it was after (also on failure)."""
    try:
        with monkeypatch.context() as patch:
            patch.setenv("TZ", name)
            time.tzset()
            yield
    finally:
        time.tzset()


@pytest.fixture
def laptop_in_tokyo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with _laptop(monkeypatch, "Asia/Tokyo"):
        assert dt.datetime(2026, 1, 15, 12).astimezone().utcoffset() == dt.timedelta(hours=9)
        yield


@pytest.fixture
def laptop_a_day_off(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A laptop whose calendar is on another day than Toronto's now: ahead (Kiritimati,
    UTC+14) from Toronto's early morning on, behind (Pago Pago, UTC-11) before it."""
    toronto = dt.datetime.now(TORONTO)
    name = "Pacific/Kiritimati" if toronto.hour >= 6 else "Pacific/Pago_Pago"
    with _laptop(monkeypatch, name):
        assert dt.datetime.now().astimezone().date() != dt.datetime.now(TORONTO).date()
        yield


def _toronto_today() -> dt.date:
    return dt.datetime.now(TORONTO).date()


def _texts(widget: QWidget) -> list[str]:
    return [w.text() for w in widget.findChildren(QLabel)]


# -- invoices and payments -----------------------------------------------------------


@pytest.fixture
def billed(
    scene: Scene,
    office: Account,  # noqa: F811 - an office manager at L0, j1 completed
    signed_in: Callable[..., Workspace],
) -> tuple[Workspace, object]:
    ws = signed_in(office)
    ws.engine().sync_once()
    invoice_id = BillingService(ws.writes).create_invoice_from_journey(
        journey_id=scene.rows["j1"], rates=RATES, issue_date=_toronto_today() - dt.timedelta(3)
    )
    return ws, invoice_id


@pytest.mark.usefixtures("laptop_in_tokyo")
def test_a_payment_received_late_evening_at_the_branch_shows_that_day_in_the_payments_list(
    qtbot: QtBot,
    billed: tuple[Workspace, object],
    open_window: Callable[..., MainWindow],
) -> None:
    ws, invoice_id = billed
    evening = _toronto_today() - dt.timedelta(days=1)
    received = local_to_utc(evening, dt.time(23, 30), BRANCH)  # next day's lunch in Tokyo
    BillingService(ws.writes).record_payment(
        invoice_id=invoice_id,  # type: ignore[arg-type]
        amount=Decimal("100.00"),
        method=PaymentMethod.CHECK,
        received_at=received,
        reference="Cheque 88",
    )
    window = open_window(ws, sync=False)
    view = _invoices(window, qtbot)
    detail = _shown(qtbot, view, invoice_id)
    assert detail.zone == BRANCH

    shown = [t for t in _texts(view.pane) if t.startswith("Cheque\n")]
    assert shown == [f"Cheque\n{fmt.date(evening)} · Cheque 88 · {PENDING}"]

    refund = view.refund()
    assert isinstance(refund, RefundDialog)
    assert f"on {fmt.date(evening)} " in refund.payment.itemText(0)
    refund.reject()


def _pay_dialog(
    qtbot: QtBot, ws: Workspace, open_window: Callable[..., MainWindow], invoice_id: object
) -> tuple[Any, PaymentDialog]:
    """The invoices section showing ``invoice_id``, and its "Record payment" dialog open."""
    view = _invoices(open_window(ws, sync=False), qtbot)
    _shown(qtbot, view, invoice_id)
    qtbot.mouseClick(view.actions["pay"], Qt.MouseButton.LeftButton)
    pay = view.findChild(PaymentDialog)
    assert isinstance(pay, PaymentDialog)
    return view, pay


@pytest.mark.usefixtures("laptop_a_day_off")
def test_a_new_payment_defaults_to_today_at_the_branch_and_is_recorded_on_it(
    qtbot: QtBot,
    billed: tuple[Workspace, object],
    open_window: Callable[..., MainWindow],
) -> None:
    ws, invoice_id = billed
    view, pay = _pay_dialog(qtbot, ws, open_window, invoice_id)
    today = _toronto_today()
    branch_today = QDate(today.year, today.month, today.day)
    assert (pay.day.date(), pay.day.maximumDate()) == (branch_today, branch_today)

    pay.method.setCurrentIndex(pay.method.findData(PaymentMethod.CHECK))
    pay.amount.set_text("50.00")
    before = dt.datetime.now(UTC)
    with qtbot.waitSignal(view.acted, timeout=WAIT):
        qtbot.mouseClick(pay.ok_button, Qt.MouseButton.LeftButton)
    (row,) = list_rows(ws.store, "payment", filters={"invoice_id": invoice_id})
    # Received today at the branch means now, not noon of the laptop's day.
    assert before - dt.timedelta(seconds=5) <= row["received_at"] <= dt.datetime.now(UTC)
    assert row["received_at"].astimezone(TORONTO).date() == today


@pytest.mark.usefixtures("laptop_in_tokyo")
def test_a_payment_dated_an_earlier_day_is_recorded_at_noon_on_the_branchs_clock(
    qtbot: QtBot,
    billed: tuple[Workspace, object],
    open_window: Callable[..., MainWindow],
) -> None:
    ws, invoice_id = billed
    view, pay = _pay_dialog(qtbot, ws, open_window, invoice_id)
    day = _toronto_today() - dt.timedelta(days=2)
    pay.day.setDate(QDate(day.year, day.month, day.day))
    too_late = _toronto_today() + dt.timedelta(days=1)
    pay.day.setDate(QDate(too_late.year, too_late.month, too_late.day))  # past the maximum
    assert pay.day.date() == QDate(*_toronto_today().timetuple()[:3])
    pay.day.setDate(QDate(day.year, day.month, day.day))
    pay.amount.set_text("40.00")
    with qtbot.waitSignal(view.acted, timeout=WAIT):
        qtbot.mouseClick(pay.ok_button, Qt.MouseButton.LeftButton)
    (row,) = list_rows(ws.store, "payment", filters={"invoice_id": invoice_id})
    assert row["received_at"] == local_to_utc(day, dt.time(12), BRANCH)


# -- maintenance ---------------------------------------------------------------------


@pytest.fixture
def shop(
    scene: Scene,
    server_db: ServerDb,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
    qtbot: QtBot,
) -> tuple[Workspace, MaintenanceView, dict[str, object]]:
    return open_shop(scene, server_db, signed_in, open_window, qtbot)


@pytest.mark.usefixtures("laptop_in_tokyo")
def test_completing_a_job_types_and_shows_its_done_time_on_the_branchs_clock(
    qtbot: QtBot, shop: tuple[Workspace, MaintenanceView, dict[str, object]]
) -> None:
    ws, view, ids = shop
    view.table.selectRow(0)
    assert view.shown is not None and view.shown.id == ids["brakes"]
    assert view.shown.zone == BRANCH
    found = f"Inspection failed {fmt.datetime_local(FOUND, BRANCH)}"
    assert found in _texts(view.pane)

    dialog = view.complete()
    assert isinstance(dialog, CompleteDialog)
    shown = dialog.performed_at.edit.dateTime()
    now = dt.datetime.now(TORONTO)
    typed = dt.datetime(
        shown.date().year(),
        shown.date().month(),
        shown.date().day(),
        shown.time().hour(),
        shown.time().minute(),
    )
    assert abs(typed - now.replace(tzinfo=None)) < dt.timedelta(minutes=2)  # Toronto's clock
    with qtbot.waitSignal(view.acted, timeout=WAIT):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    stored = get_row(ws.store, "equipment_maintenance", ids["brakes"])  # type: ignore[arg-type]
    assert stored is not None
    done = stored["performed_at"]
    assert abs(done - dt.datetime.now(UTC)) < dt.timedelta(minutes=2)  # the instant typed
    qtbot.waitUntil(lambda: [j.id for j in view.jobs] == [ids["service_due"]], timeout=WAIT)
    view.scope.setCurrentIndex(1)
    qtbot.waitUntil(lambda: len(view.jobs) == 3, timeout=WAIT)
    view.select_job(ids["brakes"])  # type: ignore[arg-type]
    texts = _texts(view.pane)
    assert fmt.datetime_local(done, BRANCH) in texts
    assert fmt.datetime_local(done, "Asia/Tokyo") not in texts
    row = [j.id for j in view.jobs].index(ids["brakes"])
    assert view.model.index(row, 3).data() == fmt.date(done.astimezone(TORONTO).date())


@pytest.mark.usefixtures("laptop_a_day_off")
def test_a_new_jobs_shop_day_defaults_to_tomorrow_and_is_checked_at_the_branch(
    qtbot: QtBot, shop: tuple[Workspace, MaintenanceView, dict[str, object]]
) -> None:
    _, view, _ = shop
    today = _toronto_today()
    view.new_job()
    qtbot.waitUntil(lambda: isinstance(view.dialog, NewJobDialog), timeout=WAIT)
    dialog = view.dialog
    assert isinstance(dialog, NewJobDialog) and dialog.zone() == BRANCH
    qtbot.mouseClick(dialog.day.add_button, Qt.MouseButton.LeftButton)
    assert dialog.day.value() == today + dt.timedelta(days=1)
    # Today at the branch is a valid shop day, yesterday there is refused in the service's words.
    dialog.day.set_value(today, user=True)
    assert not dialog.day.message.isVisible()
    dialog.day.set_value(today - dt.timedelta(days=1), user=True)
    yesterday = today - dt.timedelta(days=1)
    assert dialog.day.message.text() == (
        f"The shop day cannot be in the past ({yesterday:%b %d, %Y})."
    )
    assert not dialog.save_button.isEnabled()
    dialog.reject()


@pytest.mark.usefixtures("laptop_a_day_off")
def test_booking_a_shop_day_offers_tomorrow_at_the_branch(
    qtbot: QtBot, shop: tuple[Workspace, MaintenanceView, dict[str, object]]
) -> None:
    ws, view, ids = shop
    view.select_job(ids["service_due"])  # type: ignore[arg-type]
    dialog = view.book()
    assert isinstance(dialog, BookDialog)
    qtbot.mouseClick(dialog.day.add_button, Qt.MouseButton.LeftButton)
    tomorrow = _toronto_today() + dt.timedelta(days=1)
    assert dialog.day.value() == tomorrow
    with qtbot.waitSignal(view.acted, timeout=WAIT):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    stored = get_row(ws.store, "equipment_maintenance", ids["service_due"])  # type: ignore[arg-type]
    assert stored is not None and stored["scheduled_date"] == tomorrow
