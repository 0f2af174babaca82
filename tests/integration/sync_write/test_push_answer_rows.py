"""The row a push answers with is the row as stored after the whole batch, as audited.

The push takes the rows its writer wrote (and their wire form) from the writer instead
of reading and encoding them again; these tests compare every answered row with a
fresh read of PostgreSQL and with the audit log's last ``after`` for that row, in the
fast mode and in the careful mode a database refusal switches to.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared_models.models import AuditLog
from shared_models.sync.codec import encode_row, synced_table
from shared_models.sync.wire import PushResponse
from tests.integration.sync_write.conftest import new_id


def stored(engine: Any, table: str, row_id: uuid.UUID) -> dict[str, Any]:
    t = synced_table(table)
    with Session(engine) as s:
        return encode_row(t, s.execute(select(t).where(t.c.id == row_id)).mappings().one())


def last_after(engine: Any, table: str, row_id: uuid.UUID) -> dict[str, Any] | None:
    with Session(engine) as s:
        return s.execute(
            select(AuditLog.after)
            .where(AuditLog.table_name == table, AuditLog.row_id == row_id)
            .order_by(AuditLog.version.desc())
            .limit(1)
        ).scalar()


def assert_rows_are_final(engine: Any, response: PushResponse, targets: list[Any]) -> None:
    for result, (table, row_id) in zip(response.results, targets, strict=True):
        if result.status == "rejected":
            continue
        assert result.row == stored(engine, table, row_id), (table, result.mutation_id)
        if result.reason != "no_change":  # a row the batch wrote: its last audit entry
            assert result.row == last_after(engine, table, row_id), (table, result.mutation_id)


def test_each_answered_row_is_the_final_stored_and_audited_row(pusher, world, engine) -> None:
    p = pusher("admin")
    cust = new_id()
    targets = [
        ("customer", cust),
        ("customer", cust),
        ("quote_item", world.item),  # recomputes the quote's totals in the same batch
        ("quote", world.quote),
        ("customer", world.customer),
        ("customer", new_id()),
    ]
    r = p.push(
        p.mutation(
            "customer",
            "insert",
            cust,
            changes={"location_id": str(world.hq), "last_name": "Ito", "email": "IT@Ex.com"},
        ),
        p.mutation("customer", "update", cust, changes={"notes": "twice"}, base={"notes": None}),
        p.mutation(
            "quote_item",
            "update",
            world.item,
            changes={"unit_price": "150.00"},
            base={"unit_price": "100.00"},
        ),
        p.mutation(
            "quote", "update", world.quote, changes={"notes": "new"}, base={"notes": "orig"}
        ),
        p.mutation(  # already the server's value: no write, the row read back as it is
            "customer", "update", world.customer, changes={"last_name": "Lee"}, base={}
        ),
        p.mutation("customer", "update", targets[-1][1], changes={"notes": "x"}),  # unknown row
    )
    assert [x.status for x in r.results] == [
        "applied",
        "applied",
        "applied",
        "applied",
        "applied",
        "rejected",
    ]
    assert r.results[4].reason == "no_change"
    assert r.results[0].row["notes"] == "twice"  # the row after the batch, not after its insert
    assert r.results[0].row["email"] == "IT@Ex.com"  # checked, stored as sent
    assert r.results[2].row["line_total"] == "300.00"
    assert r.results[3].row["subtotal"] != "200.00"  # the recomputed totals
    assert r.results[5].row is None
    assert_rows_are_final(engine, r, targets)


def test_after_a_database_refusal_the_careful_pass_answers_final_rows(
    pusher, world, engine
) -> None:
    p = pusher("admin")
    cust = new_id()
    targets = [("customer", cust), ("quote", world.quote), ("customer", cust)]
    r = p.push(
        p.mutation(
            "customer", "insert", cust, changes={"location_id": str(world.hq), "last_name": "Ok"}
        ),
        p.mutation(  # a CHECK only PostgreSQL holds: the batch reruns in careful mode
            "quote", "update", world.quote, changes={"crew_size": 0}, base={"crew_size": None}
        ),
        p.mutation("customer", "update", cust, changes={"city": "Ottawa"}, base={"city": None}),
    )
    assert [x.status for x in r.results] == ["applied", "rejected", "applied"]
    assert r.results[1].row is None or r.results[1].row == stored(engine, "quote", world.quote)
    assert r.results[0].row["city"] == "Ottawa"
    assert_rows_are_final(engine, r, targets)
