"""A new quote is dated, and an undated one taxed, by its branch's calendar, not the laptop's.

The replica's branch is in Toronto; the process runs in a zone whose date is
not Toronto's right now, so a laptop-calendar default would be a day off.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from client.replica import LocalStore
from client.services.quote_editing import LineDraft, new_quote, price
from shared_models.rules import TaxRateRow
from tests.unit.client_sync.replica_rows import LOCATION
from tests.unit.client_sync.test_quoting_service import CUSTOMER, replica  # noqa: F401 - fixture

TORONTO = ZoneInfo("America/Toronto")


@pytest.fixture
def laptop_a_day_off(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Kiritimati (UTC+14) from Toronto's 06:00 on, Pago Pago (UTC-11) before: another date."""
    name = "Pacific/Kiritimati" if dt.datetime.now(TORONTO).hour >= 6 else "Pacific/Pago_Pago"
    try:
        with monkeypatch.context() as patch:
            patch.setenv("TZ", name)
            time.tzset()
            assert dt.date.today() != dt.datetime.now(TORONTO).date()
            yield
    finally:
        time.tzset()


@pytest.mark.usefixtures("laptop_a_day_off")
def test_a_new_quote_is_dated_two_weeks_from_today_at_its_branch(replica: LocalStore) -> None:  # noqa: F811
    draft = new_quote(replica, CUSTOMER, {"location_id": LOCATION})
    today = dt.datetime.now(TORONTO).date()
    assert draft.context.zone == "America/Toronto"
    assert draft.context.today() == today
    assert draft.header["move_date"] == today + dt.timedelta(days=14)


@pytest.mark.usefixtures("laptop_a_day_off")
def test_an_undated_quote_is_taxed_by_the_rate_in_force_today_at_its_branch(
    replica: LocalStore,  # noqa: F811
) -> None:
    """10% until Toronto's yesterday, 20% on its today only, 50% from its tomorrow: 20%."""
    today = dt.datetime.now(TORONTO).date()
    day = dt.timedelta(days=1)
    rates = [
        (Decimal("0.10"), dt.date(2000, 1, 1), today - day),
        (Decimal("0.20"), today, today),
        (Decimal("0.50"), today + day, None),
    ]
    rows = tuple(
        TaxRateRow(province="ON", kind="HST", rate=rate, effective_from=start, effective_to=end)
        for rate, start, end in rates
    )
    draft = new_quote(replica, CUSTOMER, {"location_id": LOCATION})
    draft.header["move_date"] = None
    draft.context = replace(draft.context, tax_rows=rows)
    draft.lines = [LineDraft(description="Packing", unit_price=Decimal("100.00"))]
    totals = price(draft)
    assert [t.amount for t in totals.taxes] == [Decimal("20.00")]
