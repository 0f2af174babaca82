"""Exactly-once push: a resent batch is answered from receipts and applied once (DESIGN 5)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared_models.models import AuditLog, Customer, Device, Journey, JourneyCrew, ScheduleConflict
from sync_server.db.models import MutationReceipt
from tests.integration.sync_write.conftest import fetch, new_id


def _audit_by_mutation(engine, device) -> dict[int, int]:
    with Session(engine) as s:
        rows = s.execute(
            select(AuditLog.mutation_id, func.count())
            .where(AuditLog.device_id == device, AuditLog.mutation_id.is_not(None))
            .group_by(AuditLog.mutation_id)
        ).all()
    return dict(rows)


def test_a_resent_batch_is_applied_once(pusher, world, engine) -> None:
    p = pusher("admin")
    cust = new_id()
    batch = [
        p.mutation(
            "customer",
            "insert",
            cust,
            changes={"location_id": str(world.hq), "last_name": "Nguyen"},
        ),
        p.mutation(
            "customer", "update", cust, changes={"phone": "416-555-0101"}, base={"phone": None}
        ),
        p.mutation("quote", "update", world.quote, changes={"notes": "x"}, base={"notes": "orig"}),
        p.mutation("customer", "update", new_id(), changes={"phone": "1"}),  # unknown row
    ]
    first = p.push(*batch)
    again = p.push(*batch)  # the response was lost: the client sends the same batch
    assert [r.status for r in first.results] == ["applied", "applied", "applied", "rejected"]
    assert first.results[3].reason == "row_not_found"
    assert [(r.status, r.reason) for r in again.results] == [
        (r.status, r.reason) for r in first.results
    ]
    assert again.last_mutation_id == first.last_mutation_id == 4
    assert again.results[1].row == first.results[1].row
    assert _audit_by_mutation(engine, p.device) == {1: 1, 2: 1, 3: 1}
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(MutationReceipt)) == 4
        assert s.get(Device, p.device).last_mutation_id == 4
        assert (
            s.scalar(
                select(func.count()).select_from(Customer).where(Customer.last_name == "Nguyen")
            )
            == 1
        )


def test_a_partly_new_batch_applies_only_the_new_part(pusher, world, engine) -> None:
    p = pusher("admin")
    m1 = p.mutation(
        "quote", "update", world.quote, changes={"notes": "one"}, base={"notes": "orig"}
    )
    p.push(m1)
    m2 = p.mutation("quote", "update", world.quote, changes={"notes": "two"}, base={"notes": "one"})
    r = p.push(m1, m2)
    assert [x.status for x in r.results] == ["applied", "applied"]
    assert fetch(engine, Customer, world.customer) is not None
    assert _audit_by_mutation(engine, p.device) == {1: 1, 2: 1}


def test_constraint_violation_rejects_only_that_mutation(pusher, world, engine) -> None:
    p = pusher("admin")
    good = new_id()
    r = p.push(
        p.mutation(
            "customer", "insert", good, changes={"location_id": str(world.hq), "last_name": "Ok"}
        ),
        # A CHECK no rule checks first: the database's own refusal.
        p.mutation(
            "quote", "update", world.quote, changes={"crew_size": 0}, base={"crew_size": None}
        ),
        p.mutation(
            "customer",
            "update",
            world.customer,
            changes={"phone": "613-555-0142"},
            base={"phone": None},
        ),
    )
    assert [x.status for x in r.results] == ["applied", "rejected", "applied"]
    assert r.results[1].reason == "constraint_violation"
    assert "ck_quote_crew_size_positive" in r.results[1].message
    assert _audit_by_mutation(engine, p.device) == {1: 1, 3: 1}
    assert fetch(engine, Customer, world.customer).phone == "613-555-0142"


def test_idempotent_insert_and_duplicate_id(pusher, world, engine) -> None:
    a, b = pusher("admin"), pusher("dispatcher")
    cid = new_id()
    values = {"location_id": str(world.hq), "last_name": "Twice"}
    assert (
        a.push(a.mutation("customer", "insert", cid, changes=values)).results[0].status == "applied"
    )
    same = b.push(b.mutation("customer", "insert", cid, changes=values)).results[0]
    assert (same.status, same.reason) == ("applied", "already_applied")
    other = b.push(
        b.mutation("customer", "insert", cid, changes={**values, "last_name": "X"})
    ).results[0]
    assert (other.status, other.reason) == ("rejected", "duplicate_id")


def test_double_booking_is_accepted_and_flagged(pusher, world, engine) -> None:
    p = pusher("dispatcher")
    crew = world.users["crew"]
    day = dt.date(2026, 7, 1).isoformat()
    journeys = [new_id(), new_id()]
    muts = []
    for j in journeys:
        muts.append(
            p.mutation(
                "journey",
                "insert",
                j,
                changes={
                    "location_id": str(world.hq),
                    "customer_id": str(world.customer),
                    "scheduled_date": day,
                    "origin_line1": "1 Main St",
                    "origin_city": "Toronto",
                },
            )
        )
        muts.append(
            p.mutation(
                "journey_crew",
                "insert",
                new_id(),
                changes={"journey_id": str(j), "user_id": str(crew)},
            )
        )
    r = p.push(*muts)
    assert all(x.status == "applied" for x in r.results), r
    with Session(engine) as s:
        flags = s.scalars(select(ScheduleConflict)).all()
        assert [(f.kind, f.user_id) for f in flags] == [("DOUBLE_BOOKED_PERSON", crew)]
        assert s.scalar(select(func.count()).select_from(Journey)) == 2
        assert s.scalar(select(func.count()).select_from(JourneyCrew)) == 2
    # Pushing an unrelated change to one of them does not flag the same pair again.
    p.push(
        p.mutation("journey", "update", journeys[0], changes={"notes": "n"}, base={"notes": None})
    )
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(ScheduleConflict)) == 1
