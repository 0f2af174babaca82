"""Invoice lines from a journey's timeline and stock, or from an accepted fixed-price quote."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from shared_models.enums import InventoryTransactionType as T
from shared_models.enums import JourneyEventType as E
from shared_models.rules import invoicing as inv
from shared_models.rules.errors import RuleViolation
from shared_models.rules.totals import DocumentInput, compute_totals

UTC = dt.UTC
D = Decimal


def at(h: int, m: int = 0) -> dt.datetime:
    return dt.datetime(2026, 6, 2, h, m, tzinfo=UTC)


def ev(kind: E, h: int, m: int = 0) -> inv.TimelineEvent:
    return inv.TimelineEvent(kind, at(h, m))


DAY = [
    ev(E.DEPARTED_DEPOT, 7, 30),
    ev(E.ARRIVED_ORIGIN, 8),
    ev(E.BREAK_START, 12),
    ev(E.BREAK_END, 12, 30),
    ev(E.UNLOADING_FINISHED, 13, 10),
    ev(E.SIGNATURE, 13, 15),
]
RATES = inv.LabourRates(hourly_rate=D("189.00"), minimum_hours=D(3), truck_fee=D("120.00"))


def test_worked_hours_subtract_breaks_and_ignore_travel() -> None:
    assert inv.worked_hours(reversed(DAY)) * 60 == D(280)  # 8:00-13:10 less 30 min


def test_billed_hours_round_up_to_the_step_and_respect_the_minimum() -> None:
    assert inv.billed_hours(D(280) / 60, RATES) == D("4.75")
    assert inv.billed_hours(D("4.75"), RATES) == D("4.75")  # exactly on a step stays
    assert inv.billed_hours(D("1.2"), RATES) == D("3.00")  # minimum 3 h
    half = inv.LabourRates(hourly_rate=D(100), increment_minutes=30)
    assert inv.billed_hours(D("2.01"), half) == D("2.50")


@pytest.mark.parametrize(
    "events",
    [
        [ev(E.ARRIVED_ORIGIN, 8)],  # never finished
        [ev(E.UNLOADING_FINISHED, 8)],  # never started
        [ev(E.LOADING_STARTED, 9), ev(E.COMPLETED, 8)],  # ends before it starts
        [ev(E.ARRIVED_ORIGIN, 8), ev(E.BREAK_START, 9), ev(E.COMPLETED, 10)],  # open break
        [ev(E.ARRIVED_ORIGIN, 8), ev(E.BREAK_END, 9), ev(E.COMPLETED, 10)],
        [
            ev(E.ARRIVED_ORIGIN, 8),
            ev(E.BREAK_START, 9),
            ev(E.BREAK_START, 9, 5),
            ev(E.BREAK_END, 9, 10),
            ev(E.COMPLETED, 10),
        ],
    ],
)
def test_a_broken_timeline_is_refused(events) -> None:
    with pytest.raises(RuleViolation) as err:
        inv.worked_hours(events)
    assert err.value.code == "invalid_timeline"


def test_journey_lines_hand_checked_with_ontario_hst() -> None:
    boxes, tape, blankets = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    lines = inv.journey_lines(
        status="COMPLETED",
        crew_size=3,
        events=DAY,
        rates=RATES,
        movements=[
            inv.MaterialMovement(boxes, T.SALE, D(-12)),
            inv.MaterialMovement(boxes, T.SALE, D(2)),  # bought back unused
            inv.MaterialMovement(tape, T.SALE, D(-1)),
            inv.MaterialMovement(tape, T.SALE, D(1)),  # returned whole: nothing billed
            inv.MaterialMovement(blankets, T.SALE, D(-20)),  # no price: part of the service
            inv.MaterialMovement(boxes, T.DAMAGE, D(-3)),  # our loss, not the customer's
        ],
        prices={
            boxes: inv.MaterialPrice("Medium box", "box", D("3.50")),
            tape: inv.MaterialPrice("Tape", "roll", D("4.00")),
            blankets: inv.MaterialPrice("Blanket", "ea", None),
        },
    )
    assert [(ln.description, ln.quantity, ln.unit_price) for ln in lines] == [
        ("Moving labour: 3 movers, 4.75 h", D("4.75"), D("189.00")),
        ("Medium box", D(10), D("3.50")),
        ("Truck fee", D(1), D("120.00")),
    ]
    from shared_models.rules import CANADIAN_TAX_RATES_2026

    totals = compute_totals(
        DocumentInput(
            currency="CAD",
            lines=tuple(ln.line_input() for ln in lines),
            tax_date=dt.date(2026, 6, 2),
            province="ON",
            tax_rows=CANADIAN_TAX_RATES_2026,
        )
    )
    assert (totals.subtotal, totals.tax_total, totals.total) == (
        D("1052.75"),
        D("136.86"),
        D("1189.61"),
    )


def test_only_completed_journeys_are_billed() -> None:
    with pytest.raises(RuleViolation) as err:
        inv.journey_lines(status="IN_PROGRESS", crew_size=2, events=DAY, rates=RATES)
    assert err.value.code == "not_billable"


def test_quote_lines_copy_an_accepted_flat_quote_with_links() -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    items = [
        inv.QuotedLine(a, "MOVING_SERVICES", "Flat move", D(1), "ea", D("1500.00")),
        inv.QuotedLine(b, "PACKING_SERVICES", "Boxes", D(20), "box", D("3.50"), D(10), False),
    ]
    lines = inv.quote_lines(status="ACCEPTED", estimate_type="BINDING", items=items)
    assert [(ln.quote_item_id, ln.unit_price, ln.discount_pct, ln.taxable) for ln in lines] == [
        (a, D("1500.00"), D(0), True),
        (b, D("3.50"), D(10), False),
    ]


@pytest.mark.parametrize(
    ("status", "kind"), [("SENT", "FLAT"), ("ACCEPTED", "HOURLY"), ("ACCEPTED", "NOT_TO_EXCEED")]
)
def test_quote_lines_refuse_unaccepted_or_hourly_quotes(status: str, kind: str) -> None:
    with pytest.raises(RuleViolation) as err:
        inv.quote_lines(status=status, estimate_type=kind, items=[])
    assert err.value.code == "not_billable"


def test_due_dates_from_terms() -> None:
    issued = dt.date(2026, 6, 2)
    assert inv.due_date(issued, "DUE_ON_RECEIPT") == issued
    assert inv.due_date(issued, "NET_30") == dt.date(2026, 7, 2)
    assert inv.due_date(issued, "net 15") == dt.date(2026, 6, 17)
    assert inv.due_date(issued, 45) == dt.date(2026, 7, 17)
    for bad in ("NET_THIRTY", "2/10 NET 30", 400, -1):
        with pytest.raises(RuleViolation) as err:
            inv.due_date(issued, bad)
        assert err.value.code == "invalid_payment_terms"


def test_overdue_is_a_function_of_status_due_date_today_and_balance() -> None:
    due = dt.date(2026, 6, 17)
    late = dt.date(2026, 6, 18)
    assert inv.displayed_status("SENT", due, late, D("10.00")) == "OVERDUE"
    assert inv.displayed_status("PARTIAL_PAID", due, late, D("10.00")) == "OVERDUE"
    assert inv.displayed_status("SENT", due, due, D("10.00")) == "SENT"  # due today: not late
    assert inv.displayed_status("SENT", due, late, D("0.00")) == "SENT"
    assert inv.displayed_status("DRAFT", due, late, D("10.00")) == "DRAFT"  # never sent
    assert inv.displayed_status("PAID", due, late, D("0.00")) == "PAID"
    assert inv.displayed_status("SENT", None, late, D("10.00")) == "SENT"
