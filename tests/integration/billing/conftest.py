"""Billing on real PostgreSQL through the real push path: the sync_write world, plus helpers.

``Books`` pushes as one device and reads the server's truth back; every value
on the wire is encoded by the shared codec, exactly as a replica sends it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from shared_models.sync.codec import encode_value, synced_table
from shared_models.sync.wire import PushResponse
from tests.integration.sync_write.conftest import (  # noqa: F401  (fixtures)
    Pusher,
    World,
    engine,
    new_id,
    pusher,
    world,
    write_db_url,
)

UTC = dt.UTC
RECEIVABLE = "1200-accounts-receivable"


def wire(values: dict[str, Any]) -> dict[str, Any]:
    return {k: encode_value(v) for k, v in values.items()}


class Books:
    """One device's pushes of billing rows, and the server's rows read back."""

    def __init__(self, db: Engine, scene: World, p: Pusher) -> None:
        self.engine, self.world, self.p = db, scene, p

    def insert(self, table: str, **values: Any) -> tuple[uuid.UUID, PushResponse]:
        row_id = values.pop("id", None) or new_id()
        r = self.p.push(self.p.mutation(table, "insert", row_id, changes=wire(values)))
        return row_id, r

    def update(self, table: str, row_id: uuid.UUID, **changes: Any) -> PushResponse:
        before = self.row(table, row_id)
        return self.p.push(
            self.p.mutation(
                table,
                "update",
                row_id,
                changes=wire(changes),
                base=wire({k: before[k] for k in changes}),
                base_version=before["version"],
            )
        )

    def row(self, table: str, row_id: uuid.UUID) -> dict[str, Any]:
        t = synced_table(table)
        with Session(self.engine) as s:
            return dict(s.execute(select(t).where(t.c.id == row_id)).mappings().one())

    def rows(self, table: str, **where: Any) -> list[dict[str, Any]]:
        t = synced_table(table)
        stmt = select(t)
        for k, v in where.items():
            stmt = stmt.where(t.c[k] == v)
        with Session(self.engine) as s:
            return [dict(r) for r in s.execute(stmt.order_by(t.c.version)).mappings()]

    def ledger_sum(self, invoice_id: uuid.UUID) -> Decimal:
        rows = self.rows("financial_transaction", invoice_id=invoice_id, account=RECEIVABLE)
        return sum((r["amount"] for r in rows), Decimal(0))

    def payment(
        self, invoice_id: uuid.UUID, amount: str, method: str = "CASH", **extra: Any
    ) -> Any:
        return self.insert(
            "payment",
            location_id=self.world.hq,
            invoice_id=invoice_id,
            customer_id=self.world.customer,
            method=method,
            status=extra.pop("status", "COMPLETED"),
            amount=Decimal(amount),
            currency=extra.pop("currency", "CAD"),
            received_at=extra.pop("received_at", dt.datetime(2026, 6, 3, 15, tzinfo=UTC)),
            **extra,
        )


@pytest.fixture
def books(engine: Engine, world: World) -> Books:  # noqa: F811 (imported fixtures)
    return Books(engine, world, Pusher(engine, world, "admin"))
