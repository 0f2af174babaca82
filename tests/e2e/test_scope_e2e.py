"""Who holds what (DESIGN 4, 6.7), checked on the contents of real encrypted replicas."""

from __future__ import annotations

from client.services import get_row, list_rows
from client.sync import rejections


def _ids(client, table: str) -> set[str]:  # type: ignore[no-untyped-def]
    return {str(r["id"]) for r in list_rows(client.store, table, limit=10_000)}


def test_crew_lead_replica_holds_only_their_jobs_and_what_they_need(
    scene,
    make_client,  # type: ignore[no-untyped-def]
) -> None:
    lead = make_client(scene.accounts["lead1"], "lead1")
    lead.sync()
    assert _ids(lead, "journey") == scene.ids("j1", "j3")
    assert _ids(lead, "customer") == scene.ids("c1")
    assert _ids(lead, "quote") == scene.ids("q1")
    assert _ids(lead, "quote_item") == scene.ids("q1.item")
    assert _ids(lead, "journey_event") == scene.ids("j1.event", "j3.event")
    # Their branch's fleet and stock (location_fleet), never another branch's truck.
    assert _ids(lead, "equipment") == scene.ids("t1", "t2")
    assert scene.ids("blankets") == _ids(lead, "inventory")
    # Reference data of their own tenant only, and no password hash ever.
    tenants = {str(r["tenant_id"]) for r in list_rows(lead.store, "user", limit=1000)}
    assert tenants == {str(scene.tenant_id)}


def test_dispatcher_replica_holds_only_their_location(
    scene,
    make_client,  # type: ignore[no-untyped-def]
) -> None:
    disp = make_client(scene.accounts["disp"], "disp")
    disp.sync()
    assert _ids(disp, "customer") == scene.ids("c1", "c2", "c3")
    assert _ids(disp, "journey") == scene.ids("j1", "j2", "j3")
    assert _ids(disp, "quote") == scene.ids("q1", "q2", "qs", "qa")
    assert _ids(disp, "equipment") == scene.ids("t1", "t2")
    other = make_client(scene.accounts["disp1"], "disp1")
    other.sync()
    assert _ids(other, "customer") == scene.ids("c4")
    assert _ids(other, "journey") == scene.ids("j4")
    assert _ids(other, "equipment") == scene.ids("t4")


def test_reassigned_journey_leaves_the_old_crew_leads_replica(
    scene,
    make_client,  # type: ignore[no-untyped-def]
) -> None:
    office = make_client(scene.accounts["disp"], "office")
    lead = make_client(scene.accounts["lead1"], "lead1")
    office.sync()
    lead.sync()
    j1, j3, c1 = scene.rows["j1"], scene.rows["j3"], scene.rows["c1"]
    office.writes.update("journey", j1, {"crew_lead_id": scene.user("lead2")})
    office.sync()
    lead.sync()
    assert _ids(lead, "journey") == scene.ids("j3")
    # j1's quote, items, events and truck go with it; the customer stays: j3 still needs it.
    assert _ids(lead, "quote") == set() and _ids(lead, "quote_item") == set()
    assert _ids(lead, "journey_event") == scene.ids("j3.event")
    assert get_row(lead.store, "customer", c1) is not None
    # The last job for that customer goes too: now the customer leaves as well.
    office.writes.update("journey", j3, {"crew_lead_id": scene.user("lead2")})
    office.sync()
    lead.sync()
    assert _ids(lead, "journey") == set() and _ids(lead, "customer") == set()
    assert lead.engine.status().pending == 0
    # The new crew lead gets both jobs and the customer.
    lead2 = make_client(scene.accounts["lead2"], "lead2")
    lead2.sync()
    assert scene.ids("j1", "j3", "c1") <= _ids(lead2, "journey") | _ids(lead2, "customer")


def _edit_while_reassigned(scene, make_client):  # type: ignore[no-untyped-def]
    """The crew lead edits j1 offline while the dispatcher gives it to another crew."""
    office = make_client(scene.accounts["disp"], "office")
    lead = make_client(scene.accounts["lead1"], "lead1")
    office.sync()
    lead.sync()
    j1 = scene.rows["j1"]
    lead.writes.update("journey", j1, {"notes": "Back door code 4411"})
    lead.writes.insert(
        "journey_event",
        {
            "journey_id": j1,
            "event_type": "ARRIVED_ORIGIN",
            "occurred_at": "2026-06-02T08:05:00+00:00",
            "recorded_by": scene.user("lead1"),
        },
    )
    office.writes.update("journey", j1, {"crew_lead_id": scene.user("lead2")})
    office.sync()
    lead.sync()
    with lead.store.engine.connect() as conn:
        return lead, rejections.unresolved(conn)


def test_pending_edits_of_a_reassigned_journey_are_pushed_then_kept_as_rejections(
    scene,
    make_client,
    server_db,  # type: ignore[no-untyped-def]
) -> None:
    """DESIGN 6.7: pushed first, refused ones kept with the attempt, then the row dropped."""
    lead, refused = _edit_while_reassigned(scene, make_client)
    j1 = scene.rows["j1"]
    # Nothing was applied on the server for a job that is no longer theirs...
    assert server_db.row("journey", j1)["notes"] == "orig"
    assert server_db.scalar("SELECT count(*) FROM journey_event WHERE journey_id = :j", j=j1) == 1
    # ...nothing vanished: both edits are kept as sync issues, with what was attempted...
    assert sorted((r.table, r.op, r.reason) for r in refused) == [
        ("journey", "update", "permission_denied"),
        ("journey_event", "insert", "permission_denied"),
    ]
    edit = next(r for r in refused if r.table == "journey")
    assert edit.changes == {"notes": "Back door code 4411"}
    # ...and only then did the job leave the replica.
    assert get_row(lead.store, "journey", j1) is None
    status = lead.engine.status()
    assert (status.pending, status.rejections) == (0, 2)


def test_edits_refused_because_the_job_was_reassigned_say_so(
    scene,
    make_client,  # type: ignore[no-untyped-def]
) -> None:
    _, refused = _edit_while_reassigned(scene, make_client)
    assert refused and all(
        r.message and "reassigned while you edited" in r.message for r in refused
    ), [(r.reason, r.message) for r in refused]
