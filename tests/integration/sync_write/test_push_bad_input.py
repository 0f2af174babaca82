"""Pushes that must write nothing: other tenants, other locations, unknown things (issue 3)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared_models.enums import MaintenanceStatus
from shared_models.models import AuditLog, Customer, EquipmentMaintenance, Location, Quote
from sync_server.core.errors import ApiError
from tests.integration.sync_write.conftest import fetch, new_id


def _audit_count(engine) -> int:
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(AuditLog))


def test_another_tenants_row_is_denied_and_untouched(pusher, world, engine) -> None:
    p = pusher("admin")
    before = _audit_count(engine)
    r = p.push(
        p.mutation("customer", "update", world.other_customer, changes={"notes": "pwned"}),
        p.mutation("customer", "delete", world.other_customer),
        p.mutation(
            "customer",
            "insert",
            new_id(),
            changes={
                "tenant_id": str(world.other_tenant),
                "location_id": str(world.hq),
                "last_name": "X",
            },
        ),
    )
    assert [(x.status, x.reason, x.row) for x in r.results] == [
        ("rejected", "permission_denied", None)
    ] * 3
    other = fetch(engine, Customer, world.other_customer)
    assert other.notes is None and other.deleted_at is None
    assert _audit_count(engine) == before


def test_another_locations_row_is_denied(pusher, world, engine) -> None:
    p = pusher("dispatcher")  # LOCATION scope at HQ
    r = p.push(
        p.mutation(
            "customer", "update", world.east_customer, changes={"notes": "no"}, base={"notes": None}
        ),
        p.mutation(
            "customer",
            "insert",
            new_id(),
            changes={"location_id": str(world.east), "last_name": "Elsewhere"},
        ),
    )
    assert [(x.status, x.reason) for x in r.results] == [("rejected", "permission_denied")] * 2
    assert fetch(engine, Customer, world.east_customer).notes is None


def test_unknown_table_column_value_and_row(pusher, world, engine) -> None:
    p = pusher("admin")
    r = p.push(
        p.mutation("spaceship", "update", new_id(), changes={"x": 1}),
        p.mutation("customer", "update", world.customer, changes={"shoe_size": 9}),
        p.mutation("customer", "update", world.customer, changes={"province": "ZZ"}),
        p.mutation("customer", "update", uuid.uuid4(), changes={"notes": "?"}),
        p.mutation(
            "customer", "update", world.customer, changes={"notes": "fine"}, base={"notes": None}
        ),
    )
    assert [(x.status, x.reason) for x in r.results] == [
        ("rejected", "validation_failed"),
        ("rejected", "validation_failed"),
        ("rejected", "validation_failed"),
        ("rejected", "row_not_found"),
        ("applied", None),
    ]
    assert "spaceship" in r.results[0].message
    assert "shoe_size" in r.results[1].message
    assert "province" in r.results[2].message
    assert fetch(engine, Customer, world.customer).notes == "fine"


def test_server_columns_and_delete_of_locked_rows(pusher, world, engine) -> None:
    p = pusher("admin")
    r = p.push(
        p.mutation(
            "customer", "update", world.customer, changes={"version": 999999}, base={"version": 1}
        ),
        p.mutation(
            "quote", "update", world.quote, changes={"status": "SENT"}, base={"status": "DRAFT"}
        ),
        p.mutation(
            "quote", "update", world.quote, changes={"status": "ACCEPTED"}, base={"status": "SENT"}
        ),
        p.mutation("quote", "delete", world.quote),
    )
    assert (r.results[0].status, r.results[0].reason) == ("conflict_resolved", "server_owned")
    assert fetch(engine, Customer, world.customer).version < 999999
    assert (r.results[3].status, r.results[3].reason) == ("rejected", "locked")


def test_wrong_device_and_unordered_ids_are_refused_whole(pusher, world, engine) -> None:
    p = pusher("admin")
    p.device = world.devices["dispatcher"]
    with pytest.raises(ApiError) as denied:
        p.push(p.mutation("customer", "update", world.customer, changes={"notes": "x"}))
    assert denied.value.code == "permission_denied"
    q = pusher("admin")
    m1 = q.mutation("customer", "update", world.customer, changes={"notes": "a"})
    m2 = q.mutation("customer", "update", world.customer, changes={"notes": "b"})
    with pytest.raises(ApiError) as bad:
        q.push(m2, m1)
    assert bad.value.code == "validation_failed"
    assert fetch(engine, Customer, world.customer).notes is None


def test_a_new_quote_cannot_start_past_draft(pusher, world, engine) -> None:
    """Approval and acceptance are reached through the workflow, never by inserting them."""
    p = pusher("sales")
    quote_id = new_id()
    fields = {
        "tenant_id": str(world.tenant),
        "location_id": str(world.hq),
        "customer_id": str(world.customer),
        "created_by": str(world.users["sales"]),
    }
    forged = p.mutation("quote", "insert", quote_id, changes={**fields, "status": "ACCEPTED"})
    honest = p.mutation("quote", "insert", new_id(), changes={**fields, "status": "DRAFT"})
    r_forged, r_honest = p.push(forged, honest).results
    assert (r_forged.status, r_forged.reason) == ("rejected", "invalid_transition")
    assert "starts as DRAFT" in (r_forged.message or "")
    assert r_honest.status == "applied"
    with Session(engine) as s:
        assert s.get(Quote, quote_id) is None


def test_a_customer_with_a_malformed_phone_or_postal_code_is_refused_by_the_contact_rules(
    pusher, world, engine
) -> None:
    """An older or tampered client skips the form's checks; the server holds the same rules."""
    p = pusher("dispatcher")
    bad_phone, bad_postal, good = new_id(), new_id(), new_id()
    before = _audit_count(engine)
    r = p.push(
        p.mutation(
            "customer",
            "insert",
            bad_phone,
            changes={"location_id": str(world.hq), "last_name": "Tremblay", "phone": "555-01"},
        ),
        p.mutation(
            "customer",
            "insert",
            bad_postal,
            changes={
                "location_id": str(world.hq),
                "last_name": "Gagnon",
                "province": "ON",
                "postal_code": "H2X 1Y4",  # a Montréal code on an Ontario address
            },
        ),
        p.mutation(
            "customer",
            "update",
            world.customer,
            changes={"email": "not-an-address"},
            base={"email": fetch(engine, Customer, world.customer).email},
        ),
        p.mutation(
            "customer",
            "insert",
            good,
            changes={"location_id": str(world.hq), "last_name": "Roy", "phone": "(416) 555-0199"},
        ),
    )
    outcomes = [(x.status, x.reason, (x.message or "").split(":", 1)[0]) for x in r.results]
    assert outcomes == [
        ("rejected", "rule_violation", "invalid_phone"),
        ("rejected", "rule_violation", "invalid_postal_code"),
        ("rejected", "rule_violation", "invalid_email"),
        ("applied", None, ""),
    ]
    with Session(engine) as s:
        assert s.scalar(select(func.count()).where(Customer.id.in_([bad_phone, bad_postal]))) == 0
    assert fetch(engine, Customer, world.customer).email != "not-an-address"
    assert fetch(engine, Customer, good).last_name == "Roy"
    assert _audit_count(engine) == before + 1


def test_an_edit_of_another_field_passes_even_if_a_stored_phone_predates_the_rules(
    pusher, world, engine
) -> None:
    with Session(engine) as s:
        s.execute(
            Customer.__table__.update()
            .where(Customer.id == world.customer)
            .values(phone="call the office")
        )
        s.commit()
    p = pusher("dispatcher")
    r = p.push(
        p.mutation(
            "customer", "update", world.customer, changes={"notes": "Piano"}, base={"notes": None}
        )
    )
    assert r.results[0].status == "applied", r.results[0]


def test_a_finished_maintenance_job_cannot_be_reopened_by_a_push(pusher, world, engine) -> None:
    """The job's lifecycle is the server's too: a stale laptop cannot undo a completion."""
    p = pusher("dispatcher")
    unit, job = new_id(), new_id()
    created = p.push(
        p.mutation(
            "equipment",
            "insert",
            unit,
            changes={
                "tenant_id": str(world.tenant),
                "location_id": str(world.hq),
                "unit_number": "T-9",
                "name": "Truck nine",
                "type": "TRUCK",
            },
        ),
        p.mutation(
            "equipment_maintenance",
            "insert",
            job,
            changes={
                "tenant_id": str(world.tenant),
                "equipment_id": str(unit),
                "type": "CORRECTIVE",
                "status": "SCHEDULED",
                "description": "Brakes",
            },
        ),
    )
    assert [r.status for r in created.results] == ["applied", "applied"]
    done, reopened, unknown = p.push(
        p.mutation(
            "equipment_maintenance",
            "update",
            job,
            changes={
                "status": "COMPLETED",
                "performed_at": "2026-06-15T14:00:00+00:00",
                "cost": "410.00",
            },
            base={"status": "SCHEDULED", "performed_at": None, "cost": None},
        ),
        p.mutation(
            "equipment_maintenance",
            "update",
            job,
            changes={"status": "SCHEDULED"},
            base={"status": "COMPLETED"},
        ),
        p.mutation(
            "equipment_maintenance",
            "update",
            job,
            changes={"status": "LOST"},
            base={"status": "COMPLETED"},
        ),
    ).results
    assert done.status == "applied", (done.reason, done.message)
    # Server-wins, as for every state machine: the laptop gets the COMPLETED row back.
    assert (reopened.status, reopened.reason) == ("conflict_resolved", "invalid_transition")
    assert "server value kept" in (reopened.message or "")
    assert unknown.status != "applied", unknown
    assert fetch(engine, EquipmentMaintenance, job).status == MaintenanceStatus.COMPLETED


def test_a_branch_time_zone_that_does_not_exist_is_refused(pusher, world, engine) -> None:
    """Every screen, scheduling rule and document reads the branch's clock from it."""
    p = pusher("admin")
    before = fetch(engine, Location, world.hq).timezone

    def set_zone(name: str):  # type: ignore[no-untyped-def]
        change = p.mutation(
            "location", "update", world.hq, changes={"timezone": name}, base={"timezone": before}
        )
        [result] = p.push(change).results
        return result

    result = set_zone("America/Toront")
    assert (result.status, result.reason) == ("rejected", "rule_violation")
    assert (result.message or "").startswith("unknown_time_zone")
    assert "America/Toront" in (result.message or "")
    assert fetch(engine, Location, world.hq).timezone == before
    assert set_zone("America/Winnipeg").status == "applied"
    assert fetch(engine, Location, world.hq).timezone == "America/Winnipeg"
