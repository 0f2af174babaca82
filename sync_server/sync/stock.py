"""Reorder alerts: when pushed movements take an item to its reorder point, tell the managers.

Stock is the sum of an item's live transactions (``shared_models.rules.stock``).
A batch's movements of one item count as one step: stock before the batch is
stock now minus what the batch moved, and an alert is raised only when that
step crosses the point (from above to at-or-below), so the sales that keep an
item low raise nothing new, and a restock followed by another drop raises a
fresh one. Each alert's ``dedupe_key`` names the item and the crossing
movement; a replayed batch finds its notification and adds none. Purchases
that name a supplier also refresh its on-time rate (``supplier_rating``).

Recipients: the branch's ``manager_id`` and its active MANAGERs; a branch
without any gets the tenant's active ADMINs, so the alert is never lost.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select

from shared_models.enums import NotificationKind, UserRole, UserStatus
from shared_models.rules.stock import crossed_reorder_point
from sync_server.sync.supplier_rating import rate_suppliers

if TYPE_CHECKING:
    from sync_server.sync.writer import SyncWriter


def _table(name: str) -> Any:
    from sync_server.sync.writer import synced_table

    return synced_table(name)


def dedupe_key(item_id: uuid.UUID, movement_id: uuid.UUID) -> str:
    return f"reorder:{item_id}:{movement_id}"


def _qty(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def react(writer: SyncWriter, touched: Mapping[str, AbstractSet[uuid.UUID]]) -> list[uuid.UUID]:
    """Raise reorder notifications for items whose stock this batch took to the point.

    Returns the ids of the notifications written.
    """
    ids = list(touched.get("inventory_transaction", ()))
    if not ids:
        return []
    writer.flush()
    rate_suppliers(writer, ids)
    return _reorder_alerts(writer, ids)


def _reorder_alerts(writer: SyncWriter, ids: list[uuid.UUID]) -> list[uuid.UUID]:
    session, tenant = writer.session, writer.actor.tenant_id
    tx_t, inv_t = _table("inventory_transaction"), _table("inventory")
    moved: dict[uuid.UUID, Decimal] = {}
    last: dict[uuid.UUID, uuid.UUID] = {}
    for r in session.execute(
        select(tx_t.c.id, tx_t.c.inventory_id, tx_t.c.quantity).where(
            tx_t.c.tenant_id == tenant, tx_t.c.id.in_(ids), tx_t.c.deleted_at.is_(None)
        )
    ):
        moved[r.inventory_id] = moved.get(r.inventory_id, Decimal(0)) + r.quantity
        last[r.inventory_id] = max(last.get(r.inventory_id, r.id), r.id)  # UUIDv7: latest
    if not moved:
        return []
    now_on_hand: dict[uuid.UUID, Decimal] = dict(
        session.execute(
            select(tx_t.c.inventory_id, func.coalesce(func.sum(tx_t.c.quantity), 0))
            .where(
                tx_t.c.tenant_id == tenant,
                tx_t.c.inventory_id.in_(list(moved)),
                tx_t.c.deleted_at.is_(None),
            )
            .group_by(tx_t.c.inventory_id)
        ).all()
    )
    items: dict[uuid.UUID, Mapping[str, Any]] = {
        r["id"]: dict(r)
        for r in session.execute(
            select(inv_t).where(
                inv_t.c.tenant_id == tenant,
                inv_t.c.id.in_(list(moved)),
                inv_t.c.deleted_at.is_(None),
                inv_t.c.is_active.is_(True),
            )
        ).mappings()
    }
    crossings: list[tuple[Mapping[str, Any], Decimal, str]] = []
    for item_id, item in items.items():
        after = Decimal(now_on_hand.get(item_id, 0))
        if crossed_reorder_point(after - moved[item_id], after, item["reorder_point"]):
            crossings.append((item, after, dedupe_key(item_id, last[item_id])))
    if not crossings:
        return []
    notes = _table("notification")
    sent = {
        (r.user_id, r.dedupe_key)
        for r in session.execute(
            select(notes.c.user_id, notes.c.dedupe_key).where(
                notes.c.tenant_id == tenant, notes.c.dedupe_key.in_([k for _, _, k in crossings])
            )
        )
    }
    written: list[uuid.UUID] = []
    recipients: dict[uuid.UUID, list[uuid.UUID]] = {}
    for item, after, key in crossings:
        location = item["location_id"]
        if location not in recipients:
            recipients[location] = managers_of(writer, location)
        title, body = _wording(writer, item, after)
        for user_id in recipients[location]:
            if (user_id, key) in sent:
                continue
            row = writer.insert(
                "notification",
                {
                    "user_id": user_id,
                    "kind": NotificationKind.REORDER_POINT_REACHED,
                    "title": title,
                    "body": body,
                    "link_table": "inventory",
                    "link_id": item["id"],
                    "dedupe_key": key,
                },
            )
            written.append(row["id"])
    return written


def managers_of(writer: SyncWriter, location_id: uuid.UUID) -> list[uuid.UUID]:
    """Active managers of a branch (its ``manager_id`` and its MANAGERs), else the ADMINs."""
    session, tenant = writer.session, writer.actor.tenant_id
    users, locations = _table("user"), _table("location")
    manager_id = session.execute(
        select(locations.c.manager_id).where(locations.c.id == location_id)
    ).scalar()
    live = (
        users.c.tenant_id == tenant,
        users.c.deleted_at.is_(None),
        users.c.status == UserStatus.ACTIVE.value,
    )
    found = session.scalars(
        select(users.c.id)
        .where(
            *live,
            or_(
                users.c.id == manager_id,
                (users.c.role == UserRole.MANAGER.value) & (users.c.location_id == location_id),
            ),
        )
        .order_by(users.c.id)
    ).all()
    if found:
        return list(found)
    return list(
        session.scalars(
            select(users.c.id)
            .where(*live, users.c.role == UserRole.ADMIN.value)
            .order_by(users.c.id)
        ).all()
    )


def _wording(writer: SyncWriter, item: Mapping[str, Any], after: Decimal) -> tuple[str, str]:
    branch = writer.session.execute(
        select(_table("location").c.name).where(_table("location").c.id == item["location_id"])
    ).scalar()
    unit, point = item["unit"], item["reorder_point"]
    if after <= 0:
        title = f"Out of {item['name']} at {branch}"
    else:
        title = f"Reorder {item['name']} at {branch}"
    body = (
        f"{item['sku']}: {_qty(after)} {unit} on hand, at or below the reorder point "
        f"of {_qty(point)}."
    )
    if item.get("reorder_quantity"):
        body += f" Usual order: {_qty(item['reorder_quantity'])} {unit}."
    return title[:200], body
