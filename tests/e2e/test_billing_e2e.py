"""Billing on real laptops: invoices and payments created offline, numbered and settled on sync."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from client.services import get_row
from client.services.billing import BillingService
from shared_models.rules.errors import RuleViolation
from shared_models.rules.invoicing import LabourRates

UTC = dt.UTC
RATES = LabourRates(hourly_rate=Decimal("149.00"), minimum_hours=Decimal(3), truck_fee=Decimal(90))


def _finish_job(laptop, scene) -> None:  # type: ignore[no-untyped-def]
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


def test_offline_invoice_and_payments_settle_on_sync(scene, make_client, server_db) -> None:
    laptop = make_client(scene.accounts["admin"], "office-laptop")
    laptop.sync()
    _finish_job(laptop, scene)
    billing = BillingService(laptop.writes)
    # 08:00-12:05 less 20 min = 3 h 45 min: 3.75 h x 149.00 = 558.75, truck 90.00; HST 13 %
    invoice = billing.create_invoice_from_journey(
        journey_id=scene.rows["j1"], rates=RATES, issue_date=dt.date.today(), terms="NET_15"
    )
    local = billing.totals(invoice)
    assert (local.subtotal, local.tax_total, local.total) == (
        Decimal("648.75"),
        Decimal("84.34"),
        Decimal("733.09"),
    )
    cash = billing.record_payment(invoice_id=invoice, amount=Decimal("800.00"), method="CASH")
    billing.record_refund(payment_id=cash, amount=Decimal("66.91"), method="CASH")
    with pytest.raises(RuleViolation) as err:  # more than is left of the cash payment
        billing.record_refund(payment_id=cash, amount=Decimal("733.10"))
    assert err.value.code == "refund_exceeds_paid"
    s = billing.settlement(invoice)
    assert (s.amount_paid, s.balance_due, s.credit_amount) == (Decimal("733.09"), 0, 0)

    laptop.sync()
    row = server_db.row("invoice", invoice)
    assert row["number"].startswith("INV-") and row["provisional_number"].startswith("P-")
    assert (row["total"], row["amount_paid"], row["status"]) == (
        Decimal("733.09"),
        Decimal("733.09"),
        "PAID",
    )
    ledger = server_db.scalar(
        "SELECT sum(amount) FROM financial_transaction WHERE invoice_id = :i", i=invoice
    )
    assert ledger == row["balance_due"] - row["credit_amount"] == 0
    laptop.sync()  # the server's number and settlement come back to the laptop
    mine = get_row(laptop.store, "invoice", invoice)
    assert (mine["number"], mine["status"]) == (row["number"], "PAID")


def test_two_laptops_invoice_offline_and_get_distinct_numbers(
    scene, make_client, server_db
) -> None:
    one = make_client(scene.accounts["admin"], "laptop-one")
    two = make_client(scene.accounts["admin"], "laptop-two")
    one.sync()
    two.sync()
    _finish_job(one, scene)
    one.sync()
    two.sync()
    made = []
    for laptop in (one, two):
        billing = BillingService(laptop.writes)
        for _ in range(2):
            made.append(
                billing.create_invoice_from_journey(
                    journey_id=scene.rows["j1"], rates=RATES, issue_date=dt.date.today()
                )
            )
    provisional = {i: server_db.row("invoice", i) for i in made}
    assert all(v is None for v in provisional.values())  # still offline
    two.sync()
    one.sync()
    rows = [server_db.row("invoice", i) for i in made]
    assert sorted(r["number"] for r in rows) == [f"INV-{n:06d}" for n in range(1, 5)]
    assert len({r["provisional_number"] for r in rows}) == 4
