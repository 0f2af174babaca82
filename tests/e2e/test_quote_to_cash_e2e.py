"""Quote to cash on real laptops (issue 4): survey -> quote -> approval -> signature -> job
-> crew -> invoice -> payments, offline first, against the real server over HTTP.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest

from client.services import get_row, list_rows
from client.services.billing import BillingService
from client.services.quote_actions import QuoteActions
from client.services.quoting import QuotingService, SurveyRequest
from client.sync import rejections
from shared_models.ids import uuid7
from shared_models.rules.cube_sheet import TravelInput
from shared_models.rules.errors import RuleViolation
from shared_models.rules.estimate import DepositRule, Extras, Selection
from shared_models.rules.invoicing import LabourRates
from tests.unit.rules.rate_cards import cad_card
from tests.utils.auth import Account, _password_hash

D = Decimal
UTC = dt.UTC
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
RATES = LabourRates(hourly_rate=D("149.00"), minimum_hours=D(3), truck_fee=D(90))
MOVE_DAY = dt.date.today() + dt.timedelta(days=14)


def _reference_data(scene, server_db) -> dict[str, uuid.UUID]:  # type: ignore[no-untyped-def]
    """A manager, the branch's rate card and a small household catalogue, on the server."""
    ids = {k: uuid7() for k in ("mgr", "card", "sofa", "fridge", "box")}
    with server_db.writer(scene.tenant_id, scene.user("admin"), "ADMIN") as w:
        w.insert(
            "user",
            {
                "id": ids["mgr"],
                "email": "mgr@acme.example",
                "full_name": "Mgr Person",
                "role": "MANAGER",
                "scope": "LOCATION",
                "location_id": scene.locations[0],
                "password_hash": _password_hash(),
            },
        )
        w.insert(
            "price_list",
            {
                **cad_card(),
                "id": ids["card"],
                "name": "GTA",
                "effective_from": dt.date(2026, 1, 1),
                "is_default": True,
            },
        )
        for key, name, cuft, weight, minutes in (
            ("sofa", "Sofa, 3-seat", D(35), None, 10),
            ("fridge", "Refrigerator", D(45), D(250), 20),
            ("box", "Box, medium", D(3), D(30), 0),
        ):
            w.insert(
                "catalogue_item",
                {
                    "id": ids[key],
                    "name": name,
                    "cubic_feet": cuft,
                    "weight_lb": weight,
                    "handling_minutes": minutes,
                },
            )
    scene.accounts["mgr"] = Account(ids["mgr"], scene.tenant_id, "mgr@acme.example")
    return ids


def _new_quote(laptop, scene, **values: Any) -> uuid.UUID:  # type: ignore[no-untyped-def]
    return laptop.writes.insert(
        "quote",
        {
            "location_id": scene.locations[0],
            "customer_id": scene.rows["c3"],
            "created_by": laptop.session.user["id"],
            "move_date": MOVE_DAY,
            "arrival_window": "8:00-9:00",
            "origin_line1": "2 Elm St",
            "origin_city": "Toronto",
            "origin_province": "ON",
            "origin_site": {"stairs_flights": 2, "elevator": False},
            "destination_line1": "9 Oak Ave",
            "destination_city": "Mississauga",
            "destination_province": "ON",
            "distance_km": D(18),
            **values,
        },
    )


def test_quote_to_cash(scene, make_client, server_db) -> None:  # type: ignore[no-untyped-def]
    ids = _reference_data(scene, server_db)
    disp = make_client(scene.accounts["disp"], "dispatch-desk")
    lead = make_client(scene.accounts["lead1"], "crew-laptop")
    disp.sync()
    lead.sync()
    actions = QuoteActions(disp.writes)

    # 1. Offline: a quote from a cube-sheet survey, with a 15 % discount (threshold 10 %).
    qid = _new_quote(disp, scene, discount_pct=D(15), price_list_id=ids["card"])
    survey = SurveyRequest(
        counts={ids["sofa"]: 1, ids["fridge"]: 1, ids["box"]: 20},
        travel=TravelInput(D(15), D(30), D(15), D(18)),
        extras=Extras(packing=(Selection("BOX-M", D(10)),)),
        deposit=DepositRule(D(20)),
    )
    estimate = QuotingService(disp.writes).apply_survey(qid, survey)
    totals = estimate.totals
    assert totals.discount > 0 and totals.total > 0
    assert [(o.name, o.blocked) for o in actions.available(qid)] == [
        ("send", "approval_required"),
        ("request_approval", None),
    ]
    with pytest.raises(RuleViolation) as err:
        actions.send(qid)
    assert err.value.code == "approval_required"
    actions.request_approval(qid)
    disp.sync()

    # The server numbered the quote and recomputed totals identical to the laptop's.
    server = server_db.row("quote", qid)
    assert server["number"].startswith("Q-")
    figures = ("subtotal", "discount_amount", "tax_amount", "total")
    assert tuple(server[f] for f in figures) == (
        totals.subtotal,
        totals.discount,
        totals.tax_total,
        totals.total,
    )

    # 2. The manager approves on their own laptop; the dispatcher then sends.
    mgr = make_client(scene.accounts["mgr"], "manager-laptop")
    mgr.sync()
    requests = list_rows(mgr.store, "sales_activity", filters={"customer_id": scene.rows["c3"]})
    assert [r["outcome"] for r in requests] == ["approval_requested"]
    boss = QuoteActions(mgr.writes)
    assert "approve" in [o.name for o in boss.available(qid)]
    boss.approve(qid)
    mgr.sync()
    assert server_db.row("quote", qid)["approved_by"] == scene.user("mgr")
    disp.sync()
    actions.send(qid)
    disp.sync()
    assert server_db.row("quote", qid)["status"] == "SENT"

    # 3. Offline at the customer's: viewed, signed, converted to a job; one sync.
    actions.mark_viewed(qid)
    actions.accept(qid, signer_name="Zéphyrin Crowfoot-Lindqvist", signature=PNG)
    journey_id = actions.convert(qid)
    assert get_row(disp.store, "journey", journey_id)["number"] is None
    report = disp.sync()
    assert report.push.rejected == 0 and disp.engine.status().rejections == 0
    server = server_db.row("quote", qid)
    assert (server["status"], server["journey_id"]) == ("CONVERTED", journey_id)
    assert server["signer_name"] == "Zéphyrin Crowfoot-Lindqvist"
    assert server["signature"]["png_base64"] and server["signed_at"] is not None
    assert tuple(server[f] for f in figures) == (
        totals.subtotal,
        totals.discount,
        totals.tax_total,
        totals.total,
    )
    job = server_db.row("journey", journey_id)
    assert job["number"].startswith("J-") and job["number"] > "J-0000004"  # after j1-j4
    assert (job["customer_id"], job["quote_id"], job["scheduled_date"]) == (
        scene.rows["c3"],
        qid,
        MOVE_DAY,
    )
    assert (job["crew_size_required"], job["estimated_hours"]) == (
        estimate.plan.crew_size,
        estimate.plan.billed_hours,
    )
    statuses = [a["after"]["status"] for a in server_db.audit("quote", qid)]
    moves = [s for i, s in enumerate(statuses) if i == 0 or statuses[i - 1] != s]
    assert moves == ["DRAFT", "SENT", "VIEWED", "ACCEPTED", "CONVERTED"]
    disp.sync()
    assert get_row(disp.store, "journey", journey_id)["number"] == job["number"]

    # 4. The crew lead gets the job once the dispatcher assigns them.
    assert get_row(lead.store, "journey", journey_id) is None
    disp.writes.update("journey", journey_id, {"crew_lead_id": scene.user("lead1")})
    disp.sync()
    lead.sync()
    mine = get_row(lead.store, "journey", journey_id)
    assert mine is not None and mine["number"] == job["number"]
    assert get_row(lead.store, "customer", scene.rows["c3"]) is not None
    assert get_row(lead.store, "quote", qid)["status"] == "CONVERTED"
    day = dt.datetime.combine(MOVE_DAY, dt.time(), tzinfo=UTC)
    with lead.writes.batch() as batch:
        for kind, hour, minute in (
            ("ARRIVED_ORIGIN", 8, 0),
            ("BREAK_START", 11, 0),
            ("BREAK_END", 11, 20),
            ("COMPLETED", 12, 5),
        ):
            batch.insert(
                "journey_event",
                {
                    "journey_id": journey_id,
                    "event_type": kind,
                    "occurred_at": day + dt.timedelta(hours=hour, minutes=minute),
                    "recorded_by": scene.user("lead1"),
                },
            )
        batch.update("journey", journey_id, {"status": "COMPLETED"})
    lead.sync()
    assert lead.engine.status().rejections == 0
    assert server_db.row("journey", journey_id)["status"] == "COMPLETED"
    recorded = server_db.scalar(
        "SELECT count(*) FROM journey_event WHERE journey_id = :j", j=journey_id
    )
    assert recorded == 4

    # 5. The office bills the job; a partial payment, then the rest.
    office = make_client(scene.accounts["admin"], "office")
    office.sync()
    billing = BillingService(office.writes)
    invoice = billing.create_invoice_from_journey(
        journey_id=journey_id, rates=RATES, issue_date=dt.date.today()
    )
    # 3.75 h x 149.00 = 558.75 + truck 90.00 = 648.75; HST 13 % 84.34; 733.09
    assert billing.totals(invoice).total == D("733.09")
    billing.record_payment(invoice_id=invoice, amount=D("300.00"), method="CHECK")
    office.sync()
    row = server_db.row("invoice", invoice)
    assert (row["status"], row["amount_paid"], row["balance_due"]) == (
        "PARTIAL_PAID",
        D("300.00"),
        D("433.09"),
    )
    assert _ledger(server_db, invoice) == row["balance_due"]
    billing.record_payment(invoice_id=invoice, amount=D("433.09"), method="BANK_TRANSFER")
    office.sync()
    row = server_db.row("invoice", invoice)
    assert row["number"].startswith("INV-") and row["journey_id"] == journey_id
    assert (row["status"], row["total"], row["amount_paid"]) == ("PAID", D("733.09"), D("733.09"))
    assert _ledger(server_db, invoice) == row["balance_due"] - row["credit_amount"] == 0


def _ledger(server_db, invoice: uuid.UUID) -> Decimal:  # type: ignore[no-untyped-def]
    return server_db.scalar(
        "SELECT coalesce(sum(amount), 0) FROM financial_transaction WHERE invoice_id = :i",
        i=invoice,
    )


def test_accepted_quote_is_locked_on_the_laptop_and_on_the_server(
    scene, make_client, server_db
) -> None:  # type: ignore[no-untyped-def]
    qs = scene.rows["qs"]  # c2's SENT quote
    desk = make_client(scene.accounts["disp"], "desk")
    older = make_client(scene.accounts["admin"], "older-laptop")
    desk.sync()
    older.sync()  # still sees the quote SENT from here on
    actions = QuoteActions(desk.writes)
    actions.accept(qs, signer_name="B. Oakhurst", signature=PNG)
    desk.sync()
    assert server_db.row("quote", qs)["status"] == "ACCEPTED"
    # Locally: the locked quote refuses a new survey and a currency change, writing nothing.
    pending = desk.engine.status().pending
    for attempt in (
        lambda: QuotingService(desk.writes).apply_survey(qs, SurveyRequest()),
        lambda: actions.set_currency(qs, "USD"),
    ):
        with pytest.raises(RuleViolation) as err:
            attempt()
        assert err.value.code == "quote_locked"
    assert desk.engine.status().pending == pending

    # An older laptop's edit goes through its outbox and the server refuses it as locked.
    older.writes.update("quote", qs, {"discount_pct": D(5), "notes": "5 % off"})
    assert older.sync().push.rejected == 1
    with older.store.engine.connect() as conn:
        (refused,) = rejections.unresolved(conn)
    assert (refused.reason, refused.table, refused.row_id) == ("locked", "quote", str(qs))
    server = server_db.row("quote", qs)
    assert (server["status"], server["discount_pct"], server["notes"]) == (
        "ACCEPTED",
        D(0),
        "orig",
    )


def test_server_refuses_a_conversion_without_the_customers_journey(
    scene, make_client, server_db
) -> None:  # type: ignore[no-untyped-def]
    qa = scene.rows["qa"]  # c3's ACCEPTED quote
    laptop = make_client(scene.accounts["disp"], "forged")
    laptop.sync()
    # Forced through the outbox: CONVERTED pointing at c2's job, then with no journey at all.
    laptop.writes.update("quote", qa, {"status": "CONVERTED", "journey_id": scene.rows["j2"]})
    assert laptop.sync().push.rejected == 1
    with laptop.store.engine.connect() as conn:
        (refused,) = rejections.unresolved(conn)
    assert refused.reason == "rule_violation" and refused.message.startswith("journey_mismatch")
    laptop.writes.discard_rejection(refused.id)
    laptop.sync()
    assert get_row(laptop.store, "quote", qa)["status"] == "ACCEPTED"  # the server's row again
    laptop.writes.update("quote", qa, {"status": "CONVERTED"})
    laptop.sync()
    with laptop.store.engine.connect() as conn:
        (overruled,) = rejections.unresolved(conn)
    assert overruled.reason == "overruled" and "journey" in (overruled.message or "")
    server = server_db.row("quote", qa)
    assert (server["status"], server["journey_id"]) == ("ACCEPTED", None)


def test_forged_approval_is_refused(scene, make_client, server_db) -> None:  # type: ignore[no-untyped-def]
    ids = _reference_data(scene, server_db)
    laptop = make_client(scene.accounts["disp"], "forger")
    laptop.sync()
    qid = _new_quote(laptop, scene, discount_pct=D(30))
    laptop.sync()
    laptop.writes.update("quote", qid, {"approved_by": ids["mgr"]})
    assert laptop.sync().push.rejected == 1
    with laptop.store.engine.connect() as conn:
        (refused,) = rejections.unresolved(conn)
    assert refused.reason == "permission_denied" and "manager" in refused.message
    assert server_db.row("quote", qid)["approved_by"] is None


def test_usd_quote_keeps_the_rate_the_laptop_used(scene, make_client, server_db) -> None:  # type: ignore[no-untyped-def]
    def rate(value: str, day: dt.date) -> None:
        with server_db.writer(scene.tenant_id, scene.user("admin"), "ADMIN") as w:
            w.insert(
                "exchange_rate",
                {
                    "base_currency": "USD",
                    "quote_currency": "CAD",
                    "rate": D(value),
                    "effective_date": day,
                    "source": "Bank of Canada",
                },
            )

    rate("1.350000", dt.date(2026, 1, 1))
    laptop = make_client(scene.accounts["disp"], "cross-border")
    laptop.sync()
    rate("1.410000", dt.date.today())  # published while the laptop is offline
    qid = _new_quote(laptop, scene)
    actions = QuoteActions(laptop.writes)
    with pytest.raises(RuleViolation) as err:
        actions.set_currency(qid, "GBP")
    assert err.value.code == "unknown_currency"
    assert actions.set_currency(qid, "USD") == D("1.350000")
    laptop.sync()
    server = server_db.row("quote", qid)
    assert (server["currency"], server["exchange_rate"]) == ("USD", D("1.350000"))
    laptop.sync()
    assert get_row(laptop.store, "quote", qid)["exchange_rate"] == D("1.350000")
