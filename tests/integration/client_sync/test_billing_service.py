"""BillingService on a real replica against the real server: what the Invoices screen relies on.

Job j1 (customer c1, Ontario) is finished on the laptop as in the billing e2e
test: 08:00 to 12:05 less a 20-minute break, 3.75 h at 149.00 plus a 90.00
truck fee: 648.75 + HST 84.34 = 733.09.
"""

# The e2e suite's fixtures are imported by name, and so shadowed by the test parameters.
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from client.services.billing import BillingService
from client.services.errors import InvalidWrite
from client.services.invoice_detail import invoice_detail
from client.services.invoice_list import (
    InvoiceQuery,
    count_invoices,
    invoice_page,
    invoice_status_counts,
)
from client.services.queries import get_row
from client.services.search import ensure_search_index
from client.sync import outbox
from shared_models.rules.errors import RuleViolation
from shared_models.rules.invoicing import LabourRates
from tests.e2e.conftest import (  # noqa: F401 - the e2e suite's real server and laptops
    Client,
    base_url,
    headless_keyring,
    make_client,
    scene,
    server_db,
    server_secrets,
    world_db,
)
from tests.utils.e2e import Scene, ServerDb

D = Decimal
UTC = dt.UTC
TOTAL = D("733.09")
RATES = LabourRates(hourly_rate=D("149.00"), minimum_hours=D(3), truck_fee=D(90))
SETTLED = ("status", "amount_paid", "balance_due", "credit_amount")


def _finish_job(laptop: Client, scene: Scene) -> None:
    j1 = scene.rows["j1"]
    with laptop.writes.batch() as batch:
        for kind, hour, minute in (
            ("BREAK_START", 11, 0),
            ("BREAK_END", 11, 20),
            ("COMPLETED", 12, 5),
        ):
            batch.insert(
                "journey_event",
                {
                    "journey_id": j1,
                    "event_type": kind,
                    "occurred_at": dt.datetime(2026, 6, 2, hour, minute, tzinfo=UTC),
                    "recorded_by": laptop.session.user["id"],
                },
            )
        batch.update("journey", j1, {"status": "COMPLETED"})


@pytest.fixture
def office(scene: Scene, make_client) -> tuple[Client, BillingService]:  # type: ignore[no-untyped-def]
    laptop = make_client(scene.accounts["admin"], "office-pc")
    laptop.sync()
    ensure_search_index(laptop.store)  # as Workspace.prepare() does when the app opens
    _finish_job(laptop, scene)
    return laptop, BillingService(laptop.writes)


def _settled(row: dict[str, object]) -> tuple[object, ...]:
    return tuple(str(row[k]) if k == "status" else row[k] for k in SETTLED)


def _invoice_mutations(laptop: Client, invoice_id: object) -> list[str]:
    with laptop.store.engine.connect() as conn:
        return [m.op for m in outbox.pending_for_rows(conn, {("invoice", str(invoice_id))})]


def test_payments_recorded_offline_show_what_the_server_then_stores(
    office: tuple[Client, BillingService], scene: Scene, server_db: ServerDb
) -> None:
    laptop, billing = office
    invoice = billing.create_invoice_from_journey(
        journey_id=scene.rows["j1"], rates=RATES, issue_date=dt.date.today()
    )
    billing.send_invoice(invoice)
    steps = [
        (
            lambda: billing.record_payment(invoice_id=invoice, amount=D("300.00"), method="CHECK"),
            ("PARTIAL_PAID", D("300.00"), TOTAL - 300, 0),
        ),
        (
            lambda: billing.record_payment(invoice_id=invoice, amount=D("500.00"), method="CASH"),
            ("PAID", D("800.00"), 0, D("800.00") - TOTAL),
        ),
    ]
    for write, expected in steps:
        write()
        local = get_row(laptop.store, "invoice", invoice)
        assert local is not None and _settled(local) == expected
        # Only the invoice's own insert and its Send are queued: the settlement is the server's.
        assert _invoice_mutations(laptop, invoice) in (["insert", "update"], [])
        detail = invoice_detail(laptop.store, invoice)
        assert detail is not None
        assert detail.ledger_balance == local["balance_due"] - local["credit_amount"]
        laptop.sync()
        server = server_db.row("invoice", invoice)
        assert server is not None and _settled(server) == expected
        assert get_row(laptop.store, "invoice", invoice)["number"] == server["number"]  # type: ignore[index]
    cash = [p for p in invoice_detail(laptop.store, invoice).payments if p.method == "CASH"]  # type: ignore[union-attr]
    billing.record_refund(payment_id=cash[0].id, amount=D("66.91"))  # the credit, given back
    assert _settled(get_row(laptop.store, "invoice", invoice)) == ("PAID", TOTAL, 0, 0)  # type: ignore[arg-type]
    laptop.sync()
    assert _settled(server_db.row("invoice", invoice)) == ("PAID", TOTAL, 0, 0)  # type: ignore[arg-type]


def test_send_and_cancel_follow_the_invoice_state_machine(
    office: tuple[Client, BillingService], scene: Scene, server_db: ServerDb
) -> None:
    laptop, billing = office
    invoice = billing.create_invoice_from_journey(
        journey_id=scene.rows["j1"], rates=RATES, issue_date=dt.date.today()
    )
    with pytest.raises(RuleViolation) as err:
        billing.mark_viewed(invoice)  # a DRAFT was never sent
    assert err.value.code == "invalid_transition"
    billing.send_invoice(invoice)
    assert invoice_detail(laptop.store, invoice).actions == {  # type: ignore[union-attr]
        "VIEWED": "Mark viewed",
        "CANCELLED": "Cancel invoice",
    }
    with pytest.raises(InvalidWrite):
        billing.cancel_invoice(invoice, reason="  ")
    billing.record_payment(invoice_id=invoice, amount=D("10.00"), method="CHECK")
    assert "CANCELLED" not in invoice_detail(laptop.store, invoice).actions  # type: ignore[union-attr]
    before = _invoice_mutations(laptop, invoice)
    with pytest.raises(RuleViolation) as err:
        billing.cancel_invoice(invoice, reason="Customer disputes the hours")
    assert err.value.code == "invalid_transition"  # PARTIAL_PAID: refund before cancelling
    assert _invoice_mutations(laptop, invoice) == before  # nothing queued

    other = billing.create_invoice_from_journey(
        journey_id=scene.rows["j1"], rates=RATES, issue_date=dt.date.today()
    )
    billing.cancel_invoice(other, reason="Billed twice by mistake")
    laptop.sync()
    server = server_db.row("invoice", other)
    assert server is not None
    assert (server["status"], server["cancellation_reason"]) == (
        "CANCELLED",
        "Billed twice by mistake",
    )
    assert server_db.row("invoice", invoice)["status"] == "PARTIAL_PAID"  # type: ignore[index]


def test_the_list_filters_by_displayed_status_and_finds_number_or_customer(
    office: tuple[Client, BillingService], scene: Scene
) -> None:
    laptop, billing = office
    late = billing.create_invoice_from_journey(
        journey_id=scene.rows["j1"], rates=RATES, issue_date=dt.date(2026, 10, 1), terms="NET_15"
    )
    billing.send_invoice(late)  # due Oct 16, unpaid: OVERDUE on screen although stored SENT
    fresh = billing.create_invoice_from_journey(
        journey_id=scene.rows["j1"], rates=RATES, issue_date=dt.date.today()
    )
    store = laptop.store
    assert get_row(store, "invoice", late)["status"] == "SENT"  # type: ignore[index]
    assert invoice_status_counts(store) == {"OVERDUE": 1, "DRAFT": 1}
    overdue = invoice_page(store, InvoiceQuery(status="OVERDUE"), offset=0, limit=50)
    assert [r.id for r in overdue] == [late] and overdue[0].status == "OVERDUE"
    assert [r.id for r in invoice_page(store, offset=0, limit=50)] == [fresh, late]
    number = get_row(store, "invoice", fresh)["provisional_number"]  # type: ignore[index]
    assert [r.id for r in invoice_page(store, InvoiceQuery(text=number), offset=0, limit=5)] == [
        fresh
    ]
    assert count_invoices(store, InvoiceQuery(text="abernathy")) == 2  # c1's surname, by prefix
    assert count_invoices(store, InvoiceQuery(text="100%_")) == 0  # LIKE wildcards are text


def test_a_dispatcher_reads_invoices_but_cannot_bill(scene: Scene, make_client) -> None:  # type: ignore[no-untyped-def]
    desk = make_client(scene.accounts["disp"], "dispatch-desk")
    desk.sync()
    billing = BillingService(desk.writes)
    assert not billing.may_bill()
    with pytest.raises(RuleViolation) as err:
        billing.create_invoice_from_quote(quote_id=scene.rows["qa"], issue_date=dt.date.today())
    assert err.value.code == "permission_denied"
    with desk.store.engine.connect() as conn:
        assert outbox.count(conn) == 0
