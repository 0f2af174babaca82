"""Quote -> Journey conversion: the builder and the check the server holds a CONVERTED quote to."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest

from shared_models.enums import JourneyStatus, QuoteStatus
from shared_models.models import Journey
from shared_models.rules.conversion import (
    check_conversion,
    journey_from_quote,
    require_journey_link,
)
from shared_models.rules.errors import RuleViolation

T, C, L = uuid.UUID(int=1), uuid.UUID(int=2), uuid.UUID(int=3)
QID, JID = uuid.UUID(int=10), uuid.UUID(int=20)
SITE = {"dwelling": "APARTMENT", "floor": 3, "elevator": True}


def _quote(**changes: Any) -> dict[str, Any]:
    return {
        "id": QID,
        "tenant_id": T,
        "location_id": L,
        "customer_id": C,
        "status": QuoteStatus.ACCEPTED,
        "journey_id": None,
        "move_date": dt.date(2026, 6, 2),
        "arrival_window": "8:00-9:00",
        "notes": "Piano on the 3rd floor",
        "origin_line1": "2 Elm St",
        "origin_line2": "Apt 3",
        "origin_city": "Toronto",
        "origin_province": "ON",
        "origin_postal_code": "M5V 1A1",
        "origin_site": SITE,
        "destination_line1": "9 Oak Ave",
        "destination_line2": None,
        "destination_city": "Ottawa",
        "destination_province": "ON",
        "destination_postal_code": "K1P 1A1",
        "destination_site": {},
        "extra_stops": [{"line1": "1 Storage Rd", "city": "Kingston"}],
        "crew_size": 3,
        "truck_count": 2,
        "estimated_hours": Decimal("6.500"),
        "volume_cuft": Decimal(640),
        "weight_lb": Decimal(4480),
        **changes,
    }


def test_journey_takes_the_quotes_customer_addresses_sites_crew_and_trucks() -> None:
    quote = _quote()
    j = journey_from_quote(quote, dispatcher_id=uuid.UUID(int=99))
    assert (j["tenant_id"], j["location_id"], j["customer_id"], j["quote_id"]) == (T, L, C, QID)
    assert (j["status"], j["scheduled_date"]) == (JourneyStatus.PLANNED, dt.date(2026, 6, 2))
    assert (j["crew_size_required"], j["truck_count"], j["estimated_hours"]) == (
        3,
        2,
        Decimal("6.500"),
    )
    for side in ("origin", "destination"):
        for part in ("line1", "line2", "city", "province", "postal_code", "site"):
            assert j[f"{side}_{part}"] == quote[f"{side}_{part}"]
    assert j["extra_stops"] == quote["extra_stops"]
    assert (j["volume_cuft"], j["weight_lb"]) == (Decimal(640), Decimal(4480))
    assert j["crew_instructions"] == ("Arrival window promised: 8:00-9:00\nPiano on the 3rd floor")
    assert j["dispatcher_id"] == uuid.UUID(int=99)
    # The server numbers journeys; the client never sets the number or an id.
    assert "number" not in j and "id" not in j
    # Every key is a Journey column, and the sites are copies, not the quote's dicts.
    assert set(j) <= set(Journey.__table__.columns.keys())
    j["origin_site"]["floor"] = 9
    assert quote["origin_site"]["floor"] == 3


def test_defaults_for_an_unsurveyed_quote_and_a_chosen_date() -> None:
    j = journey_from_quote(
        _quote(crew_size=None, truck_count=None, origin_site=None, extra_stops=None, notes=None),
        scheduled_date=dt.date(2026, 7, 1),
    )
    assert (j["crew_size_required"], j["truck_count"]) == (2, 1)
    assert (j["origin_site"], j["extra_stops"], j["scheduled_date"]) == (
        {},
        [],
        dt.date(2026, 7, 1),
    )
    assert j["crew_instructions"] == "Arrival window promised: 8:00-9:00"


@pytest.mark.parametrize("status", [s for s in QuoteStatus if s != QuoteStatus.ACCEPTED])
def test_only_an_accepted_quote_converts(status: QuoteStatus) -> None:
    with pytest.raises(RuleViolation) as err:
        journey_from_quote(_quote(status=status))
    assert err.value.code == "invalid_transition"


def test_an_already_linked_quote_does_not_convert_twice() -> None:
    with pytest.raises(RuleViolation) as err:
        journey_from_quote(_quote(journey_id=JID))
    assert err.value.code == "invalid_transition"


def test_a_quote_without_date_or_origin_cannot_become_a_job() -> None:
    with pytest.raises(RuleViolation) as err:
        journey_from_quote(_quote(move_date=None, origin_line1=None, origin_city=""))
    assert err.value.code == "conversion_incomplete"
    assert "move date" in err.value.message and "origin street" in err.value.message


def _journey(**changes: Any) -> dict[str, Any]:
    return {
        "id": JID,
        "tenant_id": T,
        "customer_id": C,
        "quote_id": QID,
        "deleted_at": None,
        **changes,
    }


def test_check_conversion_accepts_a_live_journey_of_the_same_customer() -> None:
    converted = _quote(status=QuoteStatus.CONVERTED, journey_id=JID)
    check_conversion(converted, _journey())
    check_conversion(converted, _journey(quote_id=None))  # a job booked before the quote


@pytest.mark.parametrize(
    ("quote_changes", "journey", "code"),
    [
        ({"journey_id": None}, _journey(), "journey_required"),
        ({}, None, "journey_required"),
        ({}, _journey(deleted_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)), "journey_required"),
        ({}, _journey(customer_id=uuid.UUID(int=77)), "journey_mismatch"),
        ({}, _journey(tenant_id=uuid.UUID(int=77)), "journey_mismatch"),
        ({}, _journey(quote_id=uuid.UUID(int=77)), "journey_mismatch"),
        ({}, _journey(id=uuid.UUID(int=77)), "journey_mismatch"),
    ],
)
def test_check_conversion_refuses(
    quote_changes: dict[str, Any], journey: dict[str, Any] | None, code: str
) -> None:
    quote = _quote(**{"status": QuoteStatus.CONVERTED, "journey_id": JID, **quote_changes})
    with pytest.raises(RuleViolation) as err:
        check_conversion(quote, journey)
    assert (err.value.code, err.value.field) == (code, "journey_id")


def test_require_journey_link_only_for_conversion() -> None:
    require_journey_link("SENT", {"journey_id": None})
    require_journey_link("CONVERTED", {"journey_id": JID})
    with pytest.raises(RuleViolation) as err:
        require_journey_link("CONVERTED", {"journey_id": None})
    assert err.value.code == "journey_required"
