"""A supplier's on-time rate, recomputed from its purchases whenever one arrives.

Each PURCHASE that names a supplier and its order day is one delivery: it
was received on the day it was recorded (``occurred_at`` in the receiving
branch's time zone) and was due on ``expected_on``, or the supplier's agreed
``lead_time_days`` after the order. ``shared_models.rules.stock.
supplier_performance`` judges them all; the rate is written through the
batch's ``SyncWriter`` only when it changed. ``lead_time_days`` stays the
agreed lead time (it judges deliveries without an expected day), so the
observed mean is not stored: the Supplier row has no column for it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from shared_models.enums import InventoryTransactionType
from shared_models.models import Inventory, InventoryTransaction, Location, Supplier
from shared_models.rules.scheduling import zone
from shared_models.rules.stock import Delivery, supplier_performance
from sync_server.core.logging import get_logger

if TYPE_CHECKING:
    from sync_server.sync.writer import SyncWriter

__all__ = ["rate_suppliers"]

log = get_logger("sync_server.stock")
TX, INV, LOC, SUP = (
    InventoryTransaction.__table__,
    Inventory.__table__,
    Location.__table__,
    Supplier.__table__,
)


def rate_suppliers(
    writer: SyncWriter, movement_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Decimal]:
    """New on-time rates of the suppliers of these movements' purchases (changed ones only)."""
    session, tenant = writer.session, writer.actor.tenant_id
    ids = list(movement_ids)
    if not ids:
        return {}
    suppliers = set(
        session.scalars(
            select(TX.c.supplier_id).where(
                TX.c.tenant_id == tenant,
                TX.c.id.in_(ids),
                TX.c.type == InventoryTransactionType.PURCHASE,
                TX.c.supplier_id.is_not(None),
                TX.c.deleted_at.is_(None),
            )
        )
    )
    changed: dict[uuid.UUID, Decimal] = {}
    for supplier in sorted(suppliers):
        row = session.execute(select(SUP).where(SUP.c.id == supplier)).mappings().one()
        rate = supplier_performance(
            _deliveries(writer, supplier), row["lead_time_days"]
        ).on_time_rate
        if rate is not None and rate != row["on_time_rate"]:
            writer.update("supplier", supplier, {"on_time_rate": rate}, before=dict(row))
            changed[supplier] = rate
    return changed


def _deliveries(writer: SyncWriter, supplier: uuid.UUID) -> list[Delivery]:
    out = []
    for r in writer.session.execute(
        select(TX.c.id, TX.c.ordered_on, TX.c.expected_on, TX.c.occurred_at, LOC.c.timezone)
        .join(INV, INV.c.id == TX.c.inventory_id)
        .join(LOC, LOC.c.id == INV.c.location_id)
        .where(
            TX.c.tenant_id == writer.actor.tenant_id,
            TX.c.supplier_id == supplier,
            TX.c.type == InventoryTransactionType.PURCHASE,
            TX.c.ordered_on.is_not(None),
            TX.c.deleted_at.is_(None),
        )
    ):
        received = _local_date(r)
        if received < r.ordered_on:
            # Recorded before it was ordered: a typo in a day, not a delivery to judge.
            log.warning("purchase_unjudgeable", movement_id=str(r.id), supplier_id=str(supplier))
            continue
        out.append(Delivery(r.ordered_on, received, r.expected_on))
    return out


def _local_date(r: Any) -> Any:
    return r.occurred_at.astimezone(zone(r.timezone)).date()
