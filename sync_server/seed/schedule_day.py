"""A synthetic, deterministic location-day for the crew solver: jobs, people, trucks.

Toronto, a summer weekday: jobs start 07:00-16:30 and last 2-3.5 hours, within
about 15 km of downtown; a quarter of the crew may lead, most hold a class G
licence and some a class D for the big trucks; jobs come in three waves; one truck is in the shop and
a few people are off. Used by the benchmark and the solver tests.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from decimal import Decimal

from shared_models.rules.scheduling import Interval, local_interval, local_to_utc
from sync_server.scheduling.model import (
    AssignRequest,
    GeoPoint,
    JourneyInput,
    PersonInput,
    SolverSettings,
    TruckInput,
)

__all__ = ["synthetic_day"]

CENTRE = (43.6532, -79.3832)
#: (capacity cu ft, licence class needed, share of the fleet)
TRUCK_KINDS = ((800, None), (1200, "G"), (1700, "D"))
WAVES = (dt.time(7, 0), dt.time(11, 30), dt.time(15, 0))


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _point(rng: random.Random) -> GeoPoint:
    return GeoPoint(CENTRE[0] + rng.uniform(-0.12, 0.12), CENTRE[1] + rng.uniform(-0.16, 0.16))


def synthetic_day(
    *,
    journeys: int = 30,
    people: int = 40,
    trucks: int = 15,
    seed: int = 42,
    day: dt.date = dt.date(2026, 7, 15),
    tz: str = "America/Toronto",
    settings: SolverSettings | None = None,
) -> AssignRequest:
    """A location-day sized like the issue's (30 journeys, 40 people, 15 trucks)."""
    rng = random.Random(seed)
    units = []
    for n in range(trucks):
        cap, licence = TRUCK_KINDS[n % len(TRUCK_KINDS)]
        broken = "its status is REPAIR" if n == trucks - 1 and trucks > 3 else None
        units.append(
            TruckInput(_uuid(rng), f"T-{n + 1:02d}", Decimal(cap), licence, out_of_service=broken)
        )
    crew = []
    for n in range(people):
        licensed = n % 5 != 4
        klass = ("D" if n % 3 == 0 else "G") if licensed else None
        shift = local_interval(day, dt.time(7 if n % 2 else 8), dt.time(17 if n % 2 else 18), tz)
        busy: tuple[Interval, ...] = ()
        if n % 13 == 7:  # a vacation day, or a dentist's appointment
            busy = (
                (Interval(local_to_utc(day, dt.time(12), tz), local_to_utc(day, dt.time(15), tz)),)
                if n % 2
                else (local_interval(day, dt.time(0), dt.time(0), tz),)
            )
        crew.append(
            PersonInput(
                _uuid(rng),
                f"P{n + 1:02d}",
                can_lead=n % 3 == 1 or n % 7 == 0,
                has_drivers_license=licensed,
                license_class=klass,
                busy=busy,
                working=(shift,),
            )
        )
    jobs = []
    for n in range(journeys):
        # Three waves, as a branch books them: early, midday and afternoon starts.
        wave = WAVES[n % len(WAVES)]
        begin = local_to_utc(day, wave, tz) + dt.timedelta(minutes=30 * rng.randrange(0, 4))
        hours = rng.choice((2, 2.5, 3, 3, 3.5))
        size = rng.choice((2, 2, 2, 3, 3, 4))
        jobs.append(
            JourneyInput(
                _uuid(rng),
                f"J-{n + 1:07d}",
                Interval(begin, begin + dt.timedelta(hours=hours)),
                crew_size=size,
                trucks_needed=1,
                volume_cuft=Decimal(rng.choice((300, 450, 600, 750, 900, 1100, 1400))),
                origin=_point(rng),
                destination=_point(rng),
            )
        )
    return AssignRequest(
        day=day,
        tz=tz,
        journeys=tuple(jobs),
        people=tuple(crew),
        trucks=tuple(units),
        settings=settings or SolverSettings(),
    )
