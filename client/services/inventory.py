"""Branch stock offline: crews take and return gear, branches transfer stock.

On hand is the sum of the item's transactions in the replica (the same sum
the server keeps); a withdrawal larger than that is refused here with
``insufficient_stock`` before anything is written. Offline, two crews may
still both take the last blankets on two laptops: the server accepts both
(DESIGN 6.3) and the shelf shows the shortfall after sync.

Conventions for the fixed transaction types: stock a customer keeps (boxes
sold on a job) is a SALE; gear a crew takes out and brings back (blankets,
dollies, straps) is an ADJUSTMENT with the journey, out then back in; a
transfer is two TRANSFER rows in one batch sharing ``transfer_group_id``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from client.services.errors import RowNotFound
from client.services.writes import LocalWriteService, WriteBatch
from client.sync.db import table_for
from client.sync.rows import as_uuid
from shared_models.enums import InventoryTransactionType
from shared_models.ids import uuid7
from shared_models.rules.stock import (
    StockItem,
    check_withdrawal,
    on_hand,
    plan_transfer,
    signed_quantity,
)

T = InventoryTransactionType


def on_hand_in(conn: Connection, item_id: uuid.UUID) -> Decimal:
    """Sum of the item's live transactions as this connection sees them.

    Summed here, exactly, from the Decimal column values: SQLite would sum NUMERIC as REAL.
    """
    t = table_for("inventory_transaction")
    rows = conn.execute(
        select(t.c.quantity).where(t.c.inventory_id == item_id, t.c.deleted_at.is_(None))
    )
    return on_hand(Decimal(q) for (q,) in rows)


class InventoryService:
    """Stock movements of the branch's items, each through LocalWriteService."""

    def __init__(self, writes: LocalWriteService) -> None:
        self.writes = writes
        self.store = writes.store

    def on_hand(self, item_id: uuid.UUID | str) -> Decimal:
        """Stock of one item in this replica (synced movements plus pending ones)."""
        with self.store.engine.connect() as conn:
            return on_hand_in(conn, as_uuid(item_id))

    def take(
        self,
        item_id: uuid.UUID | str,
        quantity: Decimal | int,
        *,
        journey_id: uuid.UUID | None = None,
        sold: bool = False,
        note: str | None = None,
    ) -> uuid.UUID:
        """A crew takes stock for a job: sold to the customer (SALE) or gear to bring back."""
        kind = T.SALE if sold else T.ADJUSTMENT
        with self.writes.batch() as batch:
            item = _item(batch, item_id)
            check_withdrawal(on_hand_in(batch.conn, item["id"]), quantity, item=item["sku"])
            return self._move(
                batch,
                item,
                kind,
                signed_quantity(kind, quantity, out=True),
                journey_id=journey_id,
                note=note,
            )

    def give_back(
        self,
        item_id: uuid.UUID | str,
        quantity: Decimal | int,
        *,
        journey_id: uuid.UUID | None = None,
        sold: bool = False,
        note: str | None = None,
    ) -> uuid.UUID:
        """Gear (or unused boxes a customer returns, ``sold``) comes back to the shelf."""
        kind = T.SALE if sold else T.ADJUSTMENT
        with self.writes.batch() as batch:
            item = _item(batch, item_id)
            return self._move(
                batch,
                item,
                kind,
                signed_quantity(kind, quantity, out=False),
                journey_id=journey_id,
                note=note,
            )

    def write_off(
        self,
        item_id: uuid.UUID | str,
        quantity: Decimal | int,
        *,
        kind: T = T.DAMAGE,
        note: str | None = None,
    ) -> uuid.UUID:
        """Torn, soiled or expired stock leaves the count (DAMAGE or EXPIRY)."""
        with self.writes.batch() as batch:
            item = _item(batch, item_id)
            check_withdrawal(on_hand_in(batch.conn, item["id"]), quantity, item=item["sku"])
            return self._move(
                batch, item, kind, signed_quantity(kind, quantity, out=True), note=note
            )

    def transfer(
        self,
        from_item_id: uuid.UUID | str,
        to_item_id: uuid.UUID | str,
        quantity: Decimal | int,
        *,
        note: str | None = None,
    ) -> tuple[uuid.UUID, uuid.UUID]:
        """Move stock to another branch's item: both legs commit (and sync) together."""
        with self.writes.batch() as batch:
            source, target = _item(batch, from_item_id), _item(batch, to_item_id)
            out, into = plan_transfer(
                _stock_item(source),
                _stock_item(target),
                quantity,
                on_hand_in(batch.conn, source["id"]),
            )
            group = uuid7()
            ids = tuple(
                self._move(
                    batch,
                    row,
                    T.TRANSFER,
                    leg.quantity,
                    transfer_group_id=group,
                    counterpart_location_id=leg.counterpart_location_id,
                    note=note,
                )
                for row, leg in ((source, out), (target, into))
            )
        return ids[0], ids[1]

    def _move(
        self, batch: WriteBatch, item: dict[str, Any], kind: T, quantity: Decimal, **extra: Any
    ) -> uuid.UUID:
        return batch.insert(
            "inventory_transaction",
            {
                "inventory_id": item["id"],
                "type": kind,
                "quantity": quantity,
                "currency": item["currency"],
                "occurred_at": dt.datetime.now(dt.UTC),
                "performed_by": self.writes.user_id,
                **extra,
            },
        )


def _item(batch: WriteBatch, item_id: uuid.UUID | str) -> dict[str, Any]:
    item = batch.read("inventory", item_id)
    if item is None or item["deleted_at"] is not None:
        raise RowNotFound(f"no stock item {item_id} in this replica")
    return item


def _stock_item(row: dict[str, Any]) -> StockItem:
    return StockItem(row["id"], row["location_id"], row["sku"], row["unit"])
