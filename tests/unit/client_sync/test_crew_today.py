"""A crew member's "today" and their journeys' clock follow the branch's zone, not the laptop's."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from client.replica import LocalStore
from client.services.crew import crew_today, day_journeys, my_journeys
from tests.unit.client_sync.replica_rows import LOCATION, USER, branch, person, put_rows

UTC = dt.UTC
WEST = uuid.UUID("0190a000-0000-7000-8000-0000000000b2")
JOURNEY = uuid.UUID("0190a000-0000-7000-8000-0000000000b3")
CUSTOMER = uuid.UUID("0190a000-0000-7000-8000-0000000000b4")


def _vancouver(store: LocalStore) -> None:
    put_rows(
        store,
        "location",
        [
            {
                "id": WEST,
                "name": "Vancouver",
                "code": "VAN",
                "address_line1": "1 Main St",
                "city": "Vancouver",
                "province": "BC",
                "postal_code": "V6B 1A1",
                "timezone": "America/Vancouver",
            }
        ],
    )


def test_crew_today_reads_the_zone_of_the_users_branch_from_the_replica(
    store: LocalStore,
) -> None:
    branch(store, LOCATION, "TOR")
    _vancouver(store)
    person(store, USER, LOCATION, "CREW_LEAD")
    night = dt.datetime(2026, 11, 27, 6, 30, tzinfo=UTC)  # 01:30 Toronto, 22:30 Vancouver
    assert crew_today(store, USER, night) == dt.date(2026, 11, 27)
    person(store, USER, WEST, "CREW_LEAD")  # moved to the western branch
    assert crew_today(store, USER, night) == dt.date(2026, 11, 26)


def test_crew_today_of_a_user_not_on_this_device_is_the_utc_date(store: LocalStore) -> None:
    night = dt.datetime(2026, 11, 27, 3, 30, tzinfo=UTC)
    assert crew_today(store, uuid.uuid4(), night) == dt.date(2026, 11, 27)


def test_journey_card_carries_the_zone_of_the_journeys_branch(store: LocalStore) -> None:
    branch(store, LOCATION, "TOR")
    _vancouver(store)
    person(store, USER, LOCATION, "CREW_LEAD")
    day = dt.date(2026, 11, 26)
    put_rows(store, "customer", [{"id": CUSTOMER, "location_id": WEST, "last_name": "Nakamura"}])
    put_rows(
        store,
        "journey",
        [
            {
                "id": JOURNEY,
                "location_id": WEST,  # a long-distance job run from the western branch
                "customer_id": CUSTOMER,
                "origin_line1": "1 Main St",
                "origin_city": "Vancouver",
                "destination_line1": "9 Bay St",
                "destination_city": "Toronto",
                "status": "CONFIRMED",
                "scheduled_date": day,
                "scheduled_start": dt.datetime(2026, 11, 26, 16, 0, tzinfo=UTC),
                "estimated_hours": Decimal("3.5"),
                "crew_lead_id": USER,
            }
        ],
    )
    [card] = my_journeys(store, USER, day)
    assert card.zone == "America/Vancouver"
    found = day_journeys(store, USER, day)
    assert (found.day, found.zone, [c.id for c in found.cards]) == (
        day,
        "America/Toronto",
        [JOURNEY],
    )
