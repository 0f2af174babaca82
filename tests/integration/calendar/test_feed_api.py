"""Calendar feeds over real HTTP on a migrated PostgreSQL: subscribe, update, revoke."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from icalendar import Calendar

from shared_models.enums import CrewRole, ScheduleType, UserRole, UserStatus
from shared_models.models import Customer, Journey, JourneyCrew, Location, Schedule, Tenant, User
from sync_server.app import create_app
from sync_server.core.db import create_db_engine, session_scope
from sync_server.core.ratelimit import Limit, RateLimits
from sync_server.sync.writer import Actor, SyncWriter
from tests.utils.auth import Account, World, _account, bearer, login_ok, make_world
from tests.utils.server import make_test_settings, serve_app

DAY = dt.date.today() + dt.timedelta(days=3)
START = dt.datetime.combine(DAY, dt.time(13), tzinfo=dt.UTC)


@dataclass
class Site:
    url: str
    base: str
    world: World
    crew: Account
    location: uuid.UUID
    schedule: uuid.UUID
    journey: uuid.UUID


def _build(url: str) -> tuple[World, Account, uuid.UUID, uuid.UUID, uuid.UUID]:
    world = make_world(url)
    engine = create_db_engine(url)
    try:
        with session_scope(engine) as s:
            dispatcher = s.get_one(User, world.dispatcher_a.id)
            tenant, loc = (
                s.get_one(Tenant, world.tenant_a),
                s.get_one(Location, dispatcher.location_id),
            )
            crew = _account(s, tenant, loc, "cal@maple.example", UserRole.CREW_LEAD)
            customer = Customer(
                tenant_id=tenant.id, location_id=loc.id, first_name="Marie", last_name="Tremblay"
            )
            s.add(customer)
            s.flush()
            journey = Journey(
                tenant_id=tenant.id,
                location_id=loc.id,
                customer_id=customer.id,
                number="J-0000042",
                scheduled_date=DAY,
                scheduled_start=START,
                origin_line1="12 Elm Street",
                origin_city="Toronto",
                destination_line1="9 Bank St",
                destination_city="Ottawa",
                crew_instructions="Door code 4471",
            )
            s.add(journey)
            s.flush()
            s.add(
                JourneyCrew(
                    tenant_id=tenant.id,
                    journey_id=journey.id,
                    user_id=crew.id,
                    crew_role=CrewRole.LEAD,
                )
            )
            block = Schedule(
                tenant_id=tenant.id,
                location_id=loc.id,
                type=ScheduleType.TRAINING,
                title="Forklift refresher",
                description="Bring Marie Tremblay's paperwork",
                start_at=START + dt.timedelta(days=1),
                end_at=START + dt.timedelta(days=1, hours=2),
                user_id=crew.id,
            )
            s.add(block)
            s.flush()
            return world, crew, loc.id, block.id, journey.id
    finally:
        engine.dispose()


@pytest.fixture
def site(migrated_db_url: str) -> Iterator[Site]:
    world, crew, loc, block, journey = _build(migrated_db_url)
    app = create_app(make_test_settings(database_url=migrated_db_url))
    app.state.rate_limits = RateLimits(calendar_failures_per_ip=Limit("calendar_ip", 6, 60))
    with serve_app(app) as base:
        yield Site(migrated_db_url, base, world, crew, loc, block, journey)


def _auth(site: Site, account: Account) -> dict[str, str]:
    return bearer(login_ok(site.base, account)["access_token"])


def _create(site: Site, account: Account, **body: object) -> httpx.Response:
    return httpx.post(f"{site.base}/v1/calendar/feeds", json=body, headers=_auth(site, account))


def _events(body: bytes) -> dict[str, object]:
    return {str(e["uid"]): e for e in Calendar.from_ical(body).walk("VEVENT")}


def test_subscribe_update_and_revoke(site: Site) -> None:
    created = _create(site, site.crew, name="My moves")
    assert created.status_code == 201, created.text
    feed = created.json()
    assert feed["user_id"] == str(site.crew.id) and feed["url"].endswith(
        f"/v1/calendar/{feed['token']}.ics"
    )

    first = httpx.get(feed["url"])  # no Authorization: the token is the credential
    assert first.status_code == 200, first.text
    assert first.headers["content-type"].startswith("text/calendar")
    assert first.headers["cache-control"] == "private, max-age=300"
    etag = first.headers["etag"]
    events = _events(first.content)
    block_uid, move_uid = f"schedule-{site.schedule}@cnc-crm", f"journey-{site.journey}@cnc-crm"
    assert set(events) == {block_uid, move_uid}
    for private in (b"Tremblay", b"Marie", b"Elm", b"4471", b"Bank St"):
        assert private not in first.content
    old_sequence = events[block_uid].decoded("sequence")  # type: ignore[attr-defined]

    assert httpx.get(feed["url"], headers={"If-None-Match": etag}).status_code == 304
    probe = httpx.head(feed["url"])  # calendar apps probe the feed before fetching it
    assert probe.status_code == 200 and probe.headers["etag"] == etag and not probe.content

    engine = create_db_engine(site.url)  # a dispatcher moves the block an hour later
    try:
        with session_scope(engine) as s:
            w = SyncWriter(s, Actor(site.world.tenant_a, site.world.dispatcher_a.id))
            w.update(
                "schedule",
                site.schedule,
                {
                    "start_at": START + dt.timedelta(days=1, hours=1),
                    "end_at": START + dt.timedelta(days=1, hours=3),
                },
            )
            w.finish()
    finally:
        engine.dispose()
    second = httpx.get(feed["url"], headers={"If-None-Match": etag})
    assert second.status_code == 200 and second.headers["etag"] != etag
    block = _events(second.content)[block_uid]
    assert block.decoded("sequence") > old_sequence  # type: ignore[attr-defined]
    assert block.decoded("dtstart") == START + dt.timedelta(days=1, hours=1)  # type: ignore[attr-defined]

    listed = httpx.get(f"{site.base}/v1/calendar/feeds", headers=_auth(site, site.crew)).json()
    assert [f["id"] for f in listed["data"]] == [feed["id"]] and "token" not in listed["data"][0]

    revoked = httpx.delete(
        f"{site.base}/v1/calendar/feeds/{feed['id']}", headers=_auth(site, site.crew)
    )
    assert revoked.status_code == 204
    gone = httpx.get(feed["url"])
    wrong = httpx.get(f"{site.base}/v1/calendar/{'A' * 43}.ics")
    malformed = httpx.get(f"{site.base}/v1/calendar/not-a-token.ics")
    for answer in (gone, wrong, malformed):
        assert answer.status_code == 404
        assert answer.json() == {"error": "not_found", "message": "not found", "details": {}}
        assert "etag" not in answer.headers
    assert gone.content == wrong.content == malformed.content


def test_rotate_kills_the_old_url(site: Site) -> None:
    feed = _create(site, site.crew).json()
    rotated = httpx.post(
        f"{site.base}/v1/calendar/feeds/{feed['id']}/rotate", headers=_auth(site, site.crew)
    )
    assert rotated.status_code == 200 and rotated.json()["id"] == feed["id"]
    assert httpx.get(feed["url"]).status_code == 404
    assert httpx.get(rotated.json()["url"]).status_code == 200


def test_who_may_publish_what(site: Site) -> None:
    w = site.world
    assert _create(site, site.crew, location_id=str(site.location)).status_code == 403
    assert _create(site, site.crew, user_id=str(w.dispatcher_a.id)).status_code == 403
    assert (
        _create(
            site, site.crew, user_id=str(site.crew.id), location_id=str(site.location)
        ).status_code
        == 422
    )
    assert _create(site, site.crew, user_id=str(uuid.uuid4())).status_code == 404
    branch = _create(site, w.dispatcher_a, location_id=str(site.location))
    assert branch.status_code == 201, branch.text
    body = httpx.get(branch.json()["url"]).content
    assert set(_events(body)) == {
        f"schedule-{site.schedule}@cnc-crm",
        f"journey-{site.journey}@cnc-crm",
    }
    for_crew = _create(site, w.dispatcher_a, user_id=str(site.crew.id))
    assert for_crew.status_code == 201
    # another tenant's admin cannot see or revoke it; tenant B cannot target tenant A
    other = _auth(site, w.admin_b)
    assert (
        httpx.delete(
            f"{site.base}/v1/calendar/feeds/{for_crew.json()['id']}", headers=other
        ).status_code
        == 404
    )
    assert _create(site, w.admin_b, location_id=str(site.location)).status_code == 404
    assert httpx.get(for_crew.json()["url"]).status_code == 200


def test_a_feed_dies_with_its_person(site: Site) -> None:
    feed = _create(site, site.crew).json()
    engine = create_db_engine(site.url)
    try:
        with session_scope(engine) as s:
            s.get_one(User, site.crew.id).status = UserStatus.SUSPENDED
    finally:
        engine.dispose()
    assert httpx.get(feed["url"]).status_code == 404


def test_bad_tokens_are_rate_limited_per_ip(site: Site) -> None:
    feed = _create(site, site.crew).json()
    codes = [httpx.get(f"{site.base}/v1/calendar/{'B' * 43}.ics").status_code for _ in range(8)]
    assert codes[:6] == [404] * 6 and codes[6:] == [429, 429]
    assert httpx.get(feed["url"]).status_code == 200  # a good token still works from there
