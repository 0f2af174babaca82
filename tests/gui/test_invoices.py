"""The Invoices screen against the real server: bill a job offline, take payments, sync, print.

The scene's job j1 (customer c1, branch L0 in Ontario) is completed on the
server: arrived 08:00, a 20-minute break at 11:00, done 12:05, so 3 h 45 min
are billed at the branch rate card's 149.00/h for two movers, plus its 90.00
truck fee: 648.75, HST 13% 84.34, total 733.09.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from client.services.billing import BillingService
from client.services.invoice_detail import InvoiceDetail
from client.services.queries import list_rows
from client.services.workspace import Workspace
from client.sync import outbox
from client.ui import tasks
from client.ui.invoice_model import NUMBER_COLUMN, PENDING
from client.ui.invoice_new import NewInvoiceDialog
from client.ui.invoice_payment import PaymentDialog, RefundDialog
from client.ui.invoices import InvoicesView
from client.ui.main_window import MainWindow
from shared_models.enums import PaymentMethod, UserRole
from shared_models.ids import uuid7
from shared_models.models import User
from shared_models.permissions import default_home_scope
from shared_models.rules.invoicing import LabourRates
from sync_server.core.db import create_db_engine, session_scope
from sync_server.sync.membership import rebuild_memberships
from tests.gui.crew_fixtures import NetworkSwitch, network  # noqa: F401 - fixture
from tests.utils.auth import Account, _password_hash
from tests.utils.e2e import Scene, ServerDb

D = Decimal
UTC = dt.UTC
TOTAL = D("733.09")
RATES = LabourRates(hourly_rate=D("149.00"), minimum_hours=D(3), truck_fee=D("90.00"))


@pytest.fixture
def office(scene: Scene, server_db: ServerDb) -> Account:
    """An office manager at branch L0 (dispatchers read invoices, managers bill), and the
    branch's rate card, and job j1 completed by its crew."""
    engine = create_db_engine(scene.db_url)
    try:
        with session_scope(engine) as session:
            user = User(
                tenant_id=scene.tenant_id,
                location_id=scene.locations[0],
                email="office@acme.example",
                full_name="Olive Office",
                role=UserRole.MANAGER,
                scope=default_home_scope(UserRole.MANAGER),
                password_hash=_password_hash(),
            )
            session.add(user)
            session.flush()
            rebuild_memberships(session, scene.tenant_id)
            account = Account(id=user.id, tenant_id=scene.tenant_id, email=user.email)
    finally:
        engine.dispose()
    j1 = scene.rows["j1"]
    with server_db.writer(scene.tenant_id, scene.user("admin"), "ADMIN") as w:
        w.insert(
            "price_list",
            {
                "id": uuid7(),
                "location_id": scene.locations[0],
                "name": "Toronto 2026",
                "effective_from": dt.date(2026, 1, 1),
                "is_default": True,
                "hourly_rates": {"2": "149.00", "3": "199.00"},
                "minimum_hours": D(3),
                "truck_fee": D("90.00"),
            },
        )
        for kind, hour, minute in (
            ("BREAK_START", 11, 0),
            ("BREAK_END", 11, 20),
            ("COMPLETED", 12, 5),
        ):
            w.insert(
                "journey_event",
                {
                    "id": uuid7(),
                    "journey_id": j1,
                    "event_type": kind,
                    "occurred_at": dt.datetime(2026, 6, 2, hour, minute, tzinfo=UTC),
                    "recorded_by": scene.user("lead1"),
                },
            )
        w.update("journey", j1, {"status": "COMPLETED"})
    return account


def _pending(ws: Workspace) -> int:
    with ws.store.engine.connect() as conn:
        return outbox.count(conn)


def _invoices(window: MainWindow, qtbot: QtBot) -> InvoicesView:
    view = window.show_section("invoices")
    assert isinstance(view, InvoicesView)
    qtbot.waitUntil(lambda: view.can_bill, timeout=10_000)
    return view


def _shown(qtbot: QtBot, view: InvoicesView, invoice_id: object) -> InvoiceDetail:
    view.select_invoice(invoice_id)  # type: ignore[arg-type]
    qtbot.waitUntil(
        lambda: view.detail is not None and view.detail.row["id"] == invoice_id, timeout=10_000
    )
    assert view.detail is not None
    return view.detail


def _type(qtbot: QtBot, dialog: PaymentDialog, text: str) -> None:
    edit = dialog.amount.edit
    edit.selectAll()
    edit.del_()
    qtbot.keyClicks(edit, text)


def test_an_office_manager_bills_a_job_offline_takes_a_partial_payment_and_sync_numbers_it(
    qtbot: QtBot,
    qtmodeltester: ModelTester,
    scene: Scene,
    office: Account,
    server_db: ServerDb,
    network: NetworkSwitch,  # noqa: F811
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
) -> None:
    ws = signed_in(office, url=network.url)
    window = open_window(ws, write_sync_delay_ms=3_600_000)
    qtbot.waitUntil(lambda: window.status.pill.text() == "● Online", timeout=30_000)
    view = _invoices(window, qtbot)
    network.off()

    # New invoice from journey: j1 is offered, its rate card prefills the rates.
    dialog = view.new_invoice("journey")
    assert isinstance(dialog, NewInvoiceDialog)
    qtbot.waitUntil(lambda: dialog.loaded, timeout=10_000)
    ids = [dialog.items[n].id for n in range(dialog.candidates.count())]
    assert ids == [scene.rows["j1"]]  # the only completed job without an invoice
    qtbot.waitUntil(lambda: dialog.rates["hourly_rate"].text == "149.00", timeout=10_000)
    assert dialog.rates["truck_fee"].text == "90.00"
    with qtbot.waitSignal(view.acted, timeout=10_000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    # Listed at once with its provisional number, in italics, pending sync.
    qtmodeltester.check(view.model)
    qtbot.waitUntil(lambda: view.model.rowCount() == 1, timeout=10_000)
    row = view.model.rows[0]
    assert row.provisional and row.number.startswith("P-") and row.total == TOTAL
    number_cell = view.model.index(0, NUMBER_COLUMN)
    assert PENDING in number_cell.data()
    assert number_cell.data(Qt.ItemDataRole.FontRole).italic()
    assert row.status == "DRAFT"

    # Record a partial payment: PARTIAL_PAID, balance and ledger per the shared rules.
    detail = _shown(qtbot, view, row.id)
    assert set(view.actions) >= {"pay", "SENT", "CANCELLED", "pdf"} and "refund" not in view.actions
    qtbot.mouseClick(view.actions["pay"], Qt.MouseButton.LeftButton)
    pay = view.findChild(PaymentDialog)
    assert isinstance(pay, PaymentDialog) and pay.amount.text == "733.09"
    pay.method.setCurrentIndex(pay.method.findData(PaymentMethod.CHECK))
    _type(qtbot, pay, "300.00")
    qtbot.keyClicks(pay.reference.edit, "Cheque 1042")
    with qtbot.waitSignal(view.acted, timeout=10_000):
        qtbot.mouseClick(pay.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: view.detail is not None and view.detail.status == "PARTIAL_PAID", timeout=10_000
    )
    detail = view.detail
    assert detail is not None
    assert (detail.settlement.amount_paid, detail.settlement.balance_due) == (
        D("300.00"),
        TOTAL - 300,
    )
    assert detail.ledger_balance == TOTAL - 300  # charge +733.09, payment -300.00
    assert "refund" in view.actions and "CANCELLED" not in view.actions  # paid on: refund first
    qtbot.waitUntil(
        lambda: view.model.rowCount() == 1 and view.model.rows[0].status == "PARTIAL_PAID",
        timeout=10_000,
    )
    assert view.model.rows[0].balance_due == TOTAL - 300
    assert server_db.row("invoice", row.id) is None  # still only on this laptop

    # Back online: the server numbers the invoice, settles it the same, and the list shows it.
    network.on()
    window.sync_now()
    qtbot.waitUntil(lambda: window.status.pending.text() == "All changes synced", timeout=30_000)
    server = server_db.row("invoice", row.id)
    assert server is not None and server["number"].startswith("INV-")
    assert (server["status"], server["total"], server["amount_paid"], server["balance_due"]) == (
        "PARTIAL_PAID",
        TOTAL,
        D("300.00"),
        TOTAL - 300,
    )
    ledger = server_db.scalar(
        "SELECT sum(amount) FROM financial_transaction WHERE invoice_id = :i", i=row.id
    )
    assert ledger == TOTAL - 300
    qtbot.waitUntil(
        lambda: (
            view.model.rowCount() == 1
            and view.model.rows[0].number == server["number"]
            and not view.model.rows[0].provisional
        ),
        timeout=20_000,
    )
    assert PENDING not in view.model.index(0, NUMBER_COLUMN).data()
    qtbot.waitUntil(
        lambda: view.detail is not None and view.detail.ledger_posted == TOTAL - 300,
        timeout=10_000,
    )


def _billed(ws: Workspace, scene: Scene) -> object:
    """j1 billed through the service, as the dialog does (setup for the other tests)."""
    return BillingService(ws.writes).create_invoice_from_journey(
        journey_id=scene.rows["j1"], rates=RATES, issue_date=dt.date.today()
    )


def test_an_invalid_payment_amount_is_refused_next_to_the_field_and_nothing_is_queued(
    qtbot: QtBot,
    scene: Scene,
    office: Account,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
) -> None:
    ws = signed_in(office)
    ws.engine().sync_once()
    invoice_id = _billed(ws, scene)
    window = open_window(ws, sync=False)
    view = _invoices(window, qtbot)
    _shown(qtbot, view, invoice_id)
    before = _pending(ws)
    view.record_payment()
    pay = view.findChild(PaymentDialog)
    assert isinstance(pay, PaymentDialog)

    cases = [
        ("-5", "The amount cannot be negative."),
        ("abc", "That is not an amount, e.g. 250.00"),
        ("0", "A payment amount must be more than zero."),
        ("12.345", "12.345 has more decimals than CAD has cents."),
    ]
    for text, message in cases:
        _type(qtbot, pay, text)
        assert pay.amount.message.isVisible() and pay.amount.message.text() == message
    # Within the cheque's limits, but over the cash limit the shared rules set.
    pay.method.setCurrentIndex(pay.method.findData(PaymentMethod.CHECK))
    _type(qtbot, pay, "10000.00")
    assert not pay.amount.message.isVisible()
    pay.method.setCurrentIndex(pay.method.findData(PaymentMethod.CASH))
    assert pay.amount.message.text().startswith("CASH payments are limited to 9999.99 CAD")
    qtbot.mouseClick(pay.ok_button, Qt.MouseButton.LeftButton)
    assert pay.isVisible()  # refused: the dialog stays, with its message
    tasks.wait_idle()
    assert _pending(ws) == before
    assert list_rows(ws.store, "payment", filters={"invoice_id": invoice_id}) == []


def test_a_crew_lead_has_no_invoices_section_and_a_dispatcher_only_reads_them(
    qtbot: QtBot,
    scene: Scene,
    office: Account,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
) -> None:
    lead = signed_in(scene.accounts["lead1"])
    lead.engine().sync_once()
    crew_window = open_window(lead, sync=False)
    assert "invoices" not in crew_window.nav.keys()  # noqa: SIM118 - NavList.keys()
    with pytest.raises(KeyError):
        crew_window.show_section("invoices")

    desk = signed_in(scene.accounts["disp"])
    desk.engine().sync_once()
    window = open_window(desk, sync=False)
    view = window.show_section("invoices")
    assert isinstance(view, InvoicesView)
    tasks.wait_idle()
    qtbot.wait(50)
    assert not view.can_bill and view.from_journey.isHidden() and view.from_quote.isHidden()
    assert view.new_invoice("journey") is None


def test_export_pdf_writes_the_invoice_number_and_total(
    qtbot: QtBot,
    scene: Scene,
    office: Account,
    server_db: ServerDb,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ws = signed_in(office)
    ws.engine().sync_once()
    invoice_id = _billed(ws, scene)
    ws.engine().sync_once()
    number = server_db.row("invoice", invoice_id)["number"]  # type: ignore[index]
    window = open_window(ws, sync=False)
    view = _invoices(window, qtbot)
    _shown(qtbot, view, invoice_id)
    target = tmp_path / "invoice.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "PDF"))
    with qtbot.waitSignal(view.exported, timeout=20_000):
        qtbot.mouseClick(view.actions["pdf"], Qt.MouseButton.LeftButton)
    text = "\n".join(page.extract_text() for page in PdfReader(target).pages)
    assert number in text
    assert f"{TOTAL:,.2f}" in text


def test_a_refund_larger_than_the_payment_is_explained_and_a_smaller_one_is_recorded(
    qtbot: QtBot,
    scene: Scene,
    office: Account,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
) -> None:
    ws = signed_in(office)
    ws.engine().sync_once()
    invoice_id = _billed(ws, scene)
    BillingService(ws.writes).record_payment(
        invoice_id=invoice_id,  # type: ignore[arg-type]
        amount=D("300.00"),
        method=PaymentMethod.CASH,
        received_at=dt.datetime.now(dt.UTC),
    )
    window = open_window(ws, sync=False)
    view = _invoices(window, qtbot)
    _shown(qtbot, view, invoice_id)
    qtbot.waitUntil(lambda: "refund" in view.actions, timeout=10_000)
    qtbot.mouseClick(view.actions["refund"], Qt.MouseButton.LeftButton)
    back = view.findChild(RefundDialog)
    assert isinstance(back, RefundDialog) and back.amount.text == "300.00"
    _type(qtbot, back, "400.00")
    assert back.amount.message.text() == "At most $300.00 is left to refund on this payment."
    before = _pending(ws)
    qtbot.mouseClick(back.ok_button, Qt.MouseButton.LeftButton)
    tasks.wait_idle()
    assert back.isVisible() and _pending(ws) == before

    _type(qtbot, back, "50.00")
    with qtbot.waitSignal(view.acted, timeout=10_000):
        qtbot.mouseClick(back.ok_button, Qt.MouseButton.LeftButton)
    assert _pending(ws) == before + 1
    rows = list_rows(ws.store, "payment", filters={"invoice_id": invoice_id})
    assert sorted(str(r["amount"]) for r in rows if r["refund_of_id"]) == ["50.00"]
