"""Push conflicts on a real PostgreSQL through the service layer (DESIGN 6)."""

from __future__ import annotations

import time
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared_models.models import InventoryTransaction, Quote, QuoteItem
from shared_models.sync.hlc import Hlc
from tests.integration.sync_write.conftest import fetch, new_id


def _version(engine, world) -> int:
    return fetch(engine, Quote, world.quote).version


def test_two_offline_edits_of_different_fields_are_both_kept(pusher, world, engine) -> None:
    v = _version(engine, world)
    a, b = pusher("admin"), pusher("dispatcher")
    ra = a.push(
        a.mutation(
            "quote",
            "update",
            world.quote,
            changes={"notes": "from A"},
            base={"notes": "orig"},
            base_version=v,
        )
    )
    rb = b.push(
        b.mutation(
            "quote",
            "update",
            world.quote,
            changes={"internal_notes": "from B"},
            base={"internal_notes": None},
            base_version=v,
        )
    )
    assert ra.results[0].status == "applied"
    assert rb.results[0].status == "merged"
    q = fetch(engine, Quote, world.quote)
    assert (q.notes, q.internal_notes) == ("from A", "from B")


def _ms_ago(seconds: float) -> int:
    return time.time_ns() // 1_000_000 - int(seconds * 1000)


def test_same_free_text_field_is_last_writer_wins_by_hlc(pusher, world, engine) -> None:
    a, b = pusher("admin", "nodeA"), pusher("dispatcher", "nodeB")
    late = a.mutation(
        "quote",
        "update",
        world.quote,
        changes={"notes": "later edit"},
        base={"notes": "orig"},
        hlc=str(Hlc(_ms_ago(10), 0, "nodeA")),
    )
    early = b.mutation(
        "quote",
        "update",
        world.quote,
        changes={"notes": "earlier edit"},
        base={"notes": "orig"},
        hlc=str(Hlc(_ms_ago(20), 0, "nodeB")),
    )
    assert a.push(late).results[0].status == "applied"
    res = b.push(early).results[0]
    assert (res.status, res.reason) == ("conflict_resolved", "lww")
    assert res.row["notes"] == "later edit"
    assert fetch(engine, Quote, world.quote).notes == "later edit"


def test_a_clock_days_ahead_does_not_win_later_edits(pusher, world, engine) -> None:
    skewed, honest = pusher("admin", "skewed"), pusher("dispatcher", "honest")
    ahead = skewed.mutation(
        "quote",
        "update",
        world.quote,
        changes={"notes": "from a laptop whose clock is 3 days ahead"},
        base={"notes": "orig"},
        hlc=str(Hlc(_ms_ago(-3 * 86_400), 0, "skewed")),
    )
    assert skewed.push(ahead).results[0].status == "applied"
    # Made after the skewed edit reached the server: it wins, as it would between honest clocks.
    later = honest.mutation(
        "quote",
        "update",
        world.quote,
        changes={"notes": "a real later edit"},
        base={"notes": "orig"},
        hlc=str(Hlc(_ms_ago(-1), 0, "honest")),
    )
    res = honest.push(later).results[0]
    assert (res.status, res.reason) == ("conflict_resolved", "lww")
    assert [(c.field, c.winner) for c in res.conflicts] == [("notes", "client")]
    assert fetch(engine, Quote, world.quote).notes == "a real later edit"


def test_status_is_server_wins(pusher, world, engine) -> None:
    a, b = pusher("admin"), pusher("dispatcher")
    r = a.push(
        a.mutation(
            "quote", "update", world.quote, changes={"status": "SENT"}, base={"status": "DRAFT"}
        ),
        a.mutation(
            "quote", "update", world.quote, changes={"status": "ACCEPTED"}, base={"status": "SENT"}
        ),
    )
    assert [x.status for x in r.results] == ["applied", "applied"]
    res = b.push(
        b.mutation(
            "quote", "update", world.quote, changes={"status": "DRAFT"}, base={"status": "SENT"}
        )
    ).results[0]
    assert (res.status, res.reason, res.row["status"]) == (
        "conflict_resolved",
        "server_wins",
        "ACCEPTED",
    )


def test_edit_of_accepted_quote_is_rejected_locked(pusher, world, engine) -> None:
    a = pusher("admin")
    a.push(
        a.mutation(
            "quote", "update", world.quote, changes={"status": "SENT"}, base={"status": "DRAFT"}
        ),
        a.mutation(
            "quote", "update", world.quote, changes={"status": "ACCEPTED"}, base={"status": "SENT"}
        ),
    )
    b = pusher("dispatcher")
    r = b.push(
        b.mutation(
            "quote", "update", world.quote, changes={"notes": "too late"}, base={"notes": "orig"}
        ),
        b.mutation(
            "quote_item",
            "update",
            world.item,
            changes={"unit_price": "1.00"},
            base={"unit_price": "100.00"},
        ),
        b.mutation("quote_item", "delete", world.item),
    )
    assert [(x.status, x.reason) for x in r.results] == [("rejected", "locked")] * 3
    assert r.results[0].row["status"] == "ACCEPTED"
    assert fetch(engine, Quote, world.quote).notes == "orig"


def test_update_of_deleted_row_is_rejected_row_deleted(pusher, world, engine) -> None:
    a, b = pusher("admin"), pusher("dispatcher")
    assert a.push(a.mutation("customer", "delete", world.customer)).results[0].status == "applied"
    res = b.push(
        b.mutation(
            "customer", "update", world.customer, changes={"phone": "555"}, base={"phone": None}
        )
    ).results[0]
    assert (res.status, res.reason) == ("rejected", "row_deleted")
    assert res.row is not None and res.row["deleted_at"] is not None


def test_two_crews_taking_stock_both_count(pusher, world, engine) -> None:
    a, b = pusher("crew"), pusher("admin")
    for p, qty in ((a, "-5"), (b, "-3")):
        r = p.push(
            p.mutation(
                "inventory_transaction",
                "insert",
                new_id(),
                changes={
                    "inventory_id": str(world.inventory),
                    "type": "SALE",
                    "quantity": qty,
                    "occurred_at": "2026-06-01T12:00:00+00:00",
                    "performed_by": str(world.users[p.who]),
                },
            )
        )
        assert r.results[0].status == "applied", r
    with Session(engine) as s:
        stock = s.scalar(
            select(func.sum(InventoryTransaction.quantity)).where(
                InventoryTransaction.inventory_id == world.inventory
            )
        )
    assert stock == Decimal(-8)
    tx_id = new_id()
    a.push(
        a.mutation(
            "inventory_transaction",
            "insert",
            tx_id,
            changes={
                "inventory_id": str(world.inventory),
                "type": "SALE",
                "quantity": "-1",
                "occurred_at": "2026-06-01T12:00:00+00:00",
                "performed_by": str(world.users["crew"]),
            },
        )
    )
    res = b.push(
        b.mutation(
            "inventory_transaction",
            "update",
            tx_id,
            changes={"quantity": "-9"},
            base={"quantity": "-1"},
        )
    ).results[0]
    assert (res.status, res.reason) == ("rejected", "append_only")


def test_client_totals_are_corrected(pusher, world, engine) -> None:
    p = pusher("admin")
    item = new_id()
    r = p.push(
        p.mutation(
            "quote_item",
            "insert",
            item,
            changes={
                "quote_id": str(world.quote),
                "category": "OTHER",
                "description": "Boxes",
                "quantity": "3",
                "unit_price": "10.00",
                "line_total": "999.00",
            },
        ),
        p.mutation("quote", "update", world.quote, changes={"total": "1.00"}, base={"total": "0"}),
    )
    assert [x.status for x in r.results] == ["conflict_resolved", "conflict_resolved"]
    assert r.results[0].row["line_total"] == "30.00"
    q = fetch(engine, Quote, world.quote)
    assert q.subtotal == Decimal("230.00")
    assert q.tax_amount == Decimal("29.90")  # HST 13 % in Ontario
    assert q.total == Decimal("259.90")
    assert r.results[1].row["total"] == "259.90"
    assert fetch(engine, QuoteItem, item).line_total == Decimal("30.00")


def test_price_change_on_sent_quote_sends_it_back_to_draft(pusher, world, engine) -> None:
    a = pusher("admin")
    a.push(
        a.mutation(
            "quote", "update", world.quote, changes={"status": "SENT"}, base={"status": "DRAFT"}
        )
    )
    r = a.push(
        a.mutation(
            "quote_item",
            "update",
            world.item,
            changes={"unit_price": "120.00"},
            base={"unit_price": "100.00"},
        )
    )
    assert r.results[0].status == "applied"
    q = fetch(engine, Quote, world.quote)
    assert (q.status, q.subtotal) == ("DRAFT", Decimal("240.00"))
