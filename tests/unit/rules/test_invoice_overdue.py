"""Which invoices the calendar turns OVERDUE, and by which date (the branch's)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shared_models.rules.errors import RuleViolation
from shared_models.rules.invoice_workflow import OVERDUE_FROM, becomes_overdue, local_date

DUE = dt.date(2026, 6, 9)


@pytest.mark.parametrize("status", ["SENT", "VIEWED", "PARTIAL_PAID"])
def test_issued_invoices_with_a_balance_go_overdue_the_day_after_due(status: str) -> None:
    assert not becomes_overdue(status, DUE, DUE, Decimal("10.00"))
    assert becomes_overdue(status, DUE, DUE + dt.timedelta(days=1), Decimal("10.00"))


@pytest.mark.parametrize("status", ["DRAFT", "PAID", "REFUNDED", "CANCELLED", "OVERDUE"])
def test_other_statuses_never_go_overdue(status: str) -> None:
    assert not becomes_overdue(status, DUE, DUE + dt.timedelta(days=30), Decimal("10.00"))
    assert status not in OVERDUE_FROM


def test_no_due_date_or_nothing_owed_is_never_late() -> None:
    late = DUE + dt.timedelta(days=5)
    assert not becomes_overdue("SENT", None, late, Decimal("10.00"))
    assert not becomes_overdue("SENT", DUE, late, Decimal("0.00"))


def test_bad_status_or_balance_is_refused() -> None:
    with pytest.raises(RuleViolation) as exc:
        becomes_overdue("LATE", DUE, DUE, Decimal(1))
    assert exc.value.code == "unknown_status"
    with pytest.raises(RuleViolation):
        becomes_overdue("SENT", DUE, DUE, Decimal(-1))


def test_the_local_date_follows_the_branchs_zone() -> None:
    evening_in_vancouver = dt.datetime(2026, 6, 10, 3, 30, tzinfo=dt.UTC)
    assert local_date("America/Vancouver", evening_in_vancouver) == DUE
    assert local_date("America/Toronto", evening_in_vancouver) == DUE
    assert local_date("America/Halifax", evening_in_vancouver) == DUE + dt.timedelta(days=1)
    assert local_date("Europe/Paris", evening_in_vancouver) == DUE + dt.timedelta(days=1)
    # Winter: Toronto is UTC-5, so 04:30 UTC is still the evening before.
    assert local_date("America/Toronto", dt.datetime(2026, 1, 10, 4, 30, tzinfo=dt.UTC)) == (
        dt.date(2026, 1, 9)
    )


def test_local_date_refuses_unknown_zones_and_naive_times() -> None:
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        local_date("Mars/Olympus", dt.datetime(2026, 6, 10, tzinfo=dt.UTC))
    with pytest.raises(ValueError, match="timezone-aware"):
        local_date("America/Toronto", dt.datetime(2026, 6, 10))
