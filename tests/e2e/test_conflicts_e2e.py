"""Conflicts end to end (DESIGN 6): offline laptops, the real server, nothing lost.

Every test signs real clients in over HTTP, edits through the UI's write path
(LocalWriteService), syncs with the SyncEngine and checks the server's rows
and every replica.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal

from client.services import get_row, list_rows
from client.sync import rejections


def _status_json(run_cli, client) -> dict:  # type: ignore[no-untyped-def]
    result = run_cli(client, "status", "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_offline_edits_of_different_fields_of_one_quote_are_both_kept(
    scene,
    make_client,
    server_db,  # type: ignore[no-untyped-def]
) -> None:
    q1 = scene.rows["q1"]
    office = make_client(scene.accounts["admin"], "office")
    laptop = make_client(scene.accounts["disp"], "laptop")
    office.sync()
    laptop.sync()
    # Both offline: each changes a different field of the same quote.
    office.writes.update("quote", q1, {"notes": "Piano on the 3rd floor"})
    laptop.writes.update("quote", q1, {"origin_city": "Mississauga"})
    office.sync()
    laptop.sync()
    office.sync()
    server = server_db.row("quote", q1)
    assert (server["notes"], server["origin_city"]) == ("Piano on the 3rd floor", "Mississauga")
    for client in (office, laptop):
        row = get_row(client.store, "quote", q1)
        assert (row["notes"], row["origin_city"]) == ("Piano on the 3rd floor", "Mississauga")
        assert row["version"] == server["version"]
        status = client.engine.status()
        assert (status.pending, status.rejections) == (0, 0)


def test_the_same_free_text_field_goes_to_the_later_edit_by_hlc(
    scene,
    make_client,
    server_db,  # type: ignore[no-untyped-def]
) -> None:
    q1 = scene.rows["q1"]
    office = make_client(scene.accounts["admin"], "office")
    laptop = make_client(scene.accounts["disp"], "laptop")
    office.sync()
    laptop.sync()
    office.writes.update("quote", q1, {"notes": "earlier edit (office)"})
    time.sleep(0.02)  # the laptop's edit is later on the hybrid logical clock
    laptop.writes.update("quote", q1, {"notes": "later edit (laptop)"})
    # The later edit reaches the server first; the earlier one arriving after must not win.
    laptop.sync()
    report = office.sync()
    assert report.push.rejected == 0
    office.sync()
    laptop.sync()
    assert server_db.row("quote", q1)["notes"] == "later edit (laptop)"
    for client in (office, laptop):
        assert get_row(client.store, "quote", q1)["notes"] == "later edit (laptop)"
        assert client.engine.status().pending == 0


def test_an_overruled_edit_is_kept_as_an_issue_and_can_be_reapplied(
    scene,
    make_client,
    server_db,  # type: ignore[no-untyped-def]
) -> None:
    q1 = scene.rows["q1"]
    office = make_client(scene.accounts["admin"], "office")
    laptop = make_client(scene.accounts["disp"], "laptop")
    office.sync()
    laptop.sync()
    office.writes.update("quote", q1, {"notes": "earlier edit (office)", "origin_city": "Laval"})
    time.sleep(0.02)
    laptop.writes.update("quote", q1, {"notes": "later edit (laptop)"})
    laptop.sync()
    report = office.sync()
    # Accepted (origin_city applied), but the office's notes lost to the later edit:
    # the losing value is kept for the user, not dropped.
    assert (report.push.acknowledged, report.push.rejected, report.push.overruled) == (1, 0, 1)
    with office.store.engine.connect() as conn:
        issues = rejections.unresolved(conn)
    assert [(i.reason, i.changes) for i in issues] == [
        ("overruled", {"notes": "earlier edit (office)"})
    ]
    assert "notes" in (issues[0].message or "")
    assert issues[0].server_row is not None
    assert issues[0].server_row["notes"] == "later edit (laptop)"
    assert server_db.row("quote", q1)["origin_city"] == "Laval"
    assert laptop.engine.status().rejections == 0
    # "Edit and retry" puts the office's words back, now as a fresh edit on the new base.
    office.writes.retry_rejection(issues[0].id)
    office.sync()
    laptop.sync()
    assert server_db.row("quote", q1)["notes"] == "earlier edit (office)"
    assert get_row(laptop.store, "quote", q1)["notes"] == "earlier edit (office)"
    assert office.engine.status().rejections == 0


def test_status_is_server_wins_even_against_a_later_offline_edit(
    scene,
    make_client,
    server_db,  # type: ignore[no-untyped-def]
) -> None:
    qs = scene.rows["qs"]  # SENT
    office = make_client(scene.accounts["admin"], "office")
    laptop = make_client(scene.accounts["disp"], "laptop")
    office.sync()
    laptop.sync()
    office.writes.update("quote", qs, {"status": "REJECTED"})
    office.sync()
    time.sleep(0.02)
    laptop.writes.update("quote", qs, {"status": "VIEWED"})  # later, but status is server-wins
    assert get_row(laptop.store, "quote", qs)["status"] == "VIEWED"  # shown until synced
    laptop.sync()
    assert server_db.row("quote", qs)["status"] == "REJECTED"
    assert get_row(laptop.store, "quote", qs)["status"] == "REJECTED"
    status = laptop.engine.status()
    assert (status.pending, status.rejections) == (0, 1)  # the user sees what did not take
    with laptop.store.engine.connect() as conn:
        (issue,) = rejections.unresolved(conn)
    assert (issue.reason, issue.changes) == ("overruled", {"status": "VIEWED"})


def test_edit_of_an_accepted_quote_is_rejected_shown_retried_and_discarded(
    scene,
    make_client,
    server_db,
    run_cli,  # type: ignore[no-untyped-def]
) -> None:
    qa = scene.rows["qa"]  # ACCEPTED: locked
    laptop = make_client(scene.accounts["disp"], "laptop")
    laptop.sync()
    laptop.writes.update("quote", qa, {"notes": "customer wants Tuesday instead"})
    report = laptop.sync()
    assert report.push.rejected == 1
    assert server_db.row("quote", qa)["notes"] == "orig"
    # (That the replica then shows the server's row again is checked in test_verify_e2e.)
    with laptop.store.engine.connect() as conn:
        (refused,) = rejections.unresolved(conn)
    assert (refused.reason, refused.op, refused.table, refused.row_id) == (
        "locked",
        "update",
        "quote",
        str(qa),
    )
    assert refused.changes == {"notes": "customer wants Tuesday instead"}
    assert refused.base == {"notes": "orig"} and refused.server_row["status"] == "ACCEPTED"

    # What a support person sees on the laptop.
    shown = run_cli(laptop, "status")
    assert shown.code == 0, shown.err
    assert "rejections:    1" in shown.out and "[locked] update quote" in shown.out
    assert "customer wants Tuesday instead" in shown.out

    # "Edit and retry": the user rewords the change and it is pushed again. The quote is
    # still locked, so it comes back as a new issue carrying the edited change.
    mutation_id = laptop.writes.retry_rejection(refused.id, {"notes": "Tuesday please"})
    assert mutation_id is not None and laptop.engine.status().pending == 1
    assert laptop.sync().push.sent == 1
    with laptop.store.engine.connect() as conn:
        (again,) = rejections.unresolved(conn)
    assert again.id != refused.id and again.changes == {"notes": "Tuesday please"}
    assert again.reason == "locked"

    # "Discard": the server's version stays, the issue is closed but kept on record.
    laptop.writes.discard_rejection(again.id)
    info = _status_json(run_cli, laptop)
    assert info["rejections"] == [] and info["pending"] == 0
    assert server_db.row("quote", qa)["notes"] == "orig"
    # Never applied: nothing this device sent reached the audit log of that quote.
    device = laptop.session.device_id
    assert not [a for a in server_db.audit("quote", qa) if str(a["device_id"]) == device]


def test_edit_and_retry_with_a_corrected_value_is_applied(
    scene,
    make_client,
    server_db,  # type: ignore[no-untyped-def]
) -> None:
    """A refusal the user can fix: a unit number already used at a branch they cannot see."""
    laptop = make_client(scene.accounts["disp"], "laptop")
    laptop.sync()
    truck = laptop.writes.insert(
        "equipment",
        {
            "location_id": scene.locations[0],
            "unit_number": "T4",
            "name": "New truck",
            "type": "TRUCK",
        },
    )
    assert laptop.sync().push.rejected == 1
    assert get_row(laptop.store, "equipment", truck) is None  # the refused insert is undone
    with laptop.store.engine.connect() as conn:
        (refused,) = rejections.unresolved(conn)
    assert refused.op == "insert" and refused.changes["unit_number"] == "T4"
    laptop.writes.retry_rejection(refused.id, {**refused.changes, "unit_number": "T5"})
    report = laptop.sync()
    assert (report.push.sent, report.push.rejected) == (1, 0)
    assert server_db.row("equipment", truck)["unit_number"] == "T5"
    assert get_row(laptop.store, "equipment", truck)["version"] > 0
    status = laptop.engine.status()
    assert (status.pending, status.rejections) == (0, 0)


def test_two_offline_crews_taking_stock_of_one_item_both_count(
    scene,
    make_client,
    server_db,  # type: ignore[no-untyped-def]
) -> None:
    blankets = scene.rows["blankets"]
    crews = [make_client(scene.accounts[name], name) for name in ("lead1", "lead2")]
    for crew in crews:
        crew.sync()
        assert get_row(crew.store, "inventory", blankets) is not None  # location_fleet
    for crew, taken in zip(crews, ("-12", "-7"), strict=True):
        crew.writes.insert(
            "inventory_transaction",
            {
                "inventory_id": blankets,
                "type": "SALE",
                "quantity": Decimal(taken),
                "occurred_at": "2026-06-02T09:00:00+00:00",
                "performed_by": crew.session.user["id"],
            },
        )
    for crew in (*crews, *crews):
        crew.sync()
    stock = server_db.scalar(
        "SELECT sum(quantity) FROM inventory_transaction WHERE inventory_id = :i"
        " AND deleted_at IS NULL",
        i=blankets,
    )
    assert stock == Decimal(100 - 12 - 7)
    for crew in crews:
        moves = list_rows(crew.store, "inventory_transaction", filters={"inventory_id": blankets})
        assert sum(m["quantity"] for m in moves) == stock
        status = crew.engine.status()
        assert (status.pending, status.rejections) == (0, 0)
