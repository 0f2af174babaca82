"""Suppliers, and each branch's packing stock with its movements.

On-hand is never stored (it is the sum of transactions), so the movements are
what makes stock plausible: an opening purchase, restocks before a shelf runs
dry, boxes drawn for jobs (and some returned), a transfer from head office,
damage and a count correction. Some items end below their reorder point.
Every purchase is a supplier's delivery (ordered, promised, received), and
each supplier's on-time rate is judged from those deliveries by the shared
rule, as the server does when purchases are pushed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from random import Random
from typing import Any

from sqlalchemy import select

from shared_models.enums import InventoryTransactionType, UserRole
from shared_models.models import Inventory, InventoryTransaction, Location, Supplier
from shared_models.rules.stock import Delivery, supplier_performance
from sync_server.seed.catalogue import PACKING_MATERIALS
from sync_server.seed.company import Company, Site
from sync_server.seed.world import World

T = InventoryTransactionType
#: Stock suppliers: agreed lead time in days, and the share of orders that arrive on time.
STOCK_SUPPLIERS = {"packaging": (5, 0.9), "wrap": (7, 0.75)}
#: sku -> (unit cost, opening quantity, reorder point, reorder quantity)
STOCK = {
    "BOX-S": ("1.35", 400, 120, 300),
    "BOX-M": ("1.85", 600, 150, 500),
    "BOX-L": ("2.30", 400, 120, 300),
    "BOX-W": ("8.90", 80, 20, 60),
    "DISH": ("5.60", 60, 15, 50),
    "TAPE": ("1.95", 240, 60, 180),
    "MB-Q": ("5.20", 120, 30, 100),
    "BUBBLE": ("14.50", 40, 10, 30),
    "PAPER": ("18.00", 40, 10, 30),
    "STRETCH": ("11.20", 60, 15, 48),
}


def seed_suppliers(world: World, company: Company) -> None:
    ctx = world.ctx
    rng = ctx.rng("suppliers")
    at = ctx.epoch + dt.timedelta(days=2)
    rows = []

    def add(key: str, name: str, site: Site | None, terms: str, lead: int, notes: str) -> None:
        world.suppliers[key] = ctx.new_id(at)
        branch = (site or company.hq).branch
        address = world.pools.address(rng, branch, unit_share=0.4)
        rows.append(
            {
                "id": world.suppliers[key],
                "created_at": at,
                "location_id": site.id if site else None,
                "name": name,
                "contact_name": " ".join(world.pools.person(rng)),
                "email": f"orders@{name.lower().replace(' ', '').replace('&', '')[:18]}.ca",
                "phone": world.pools.phone(rng, branch),
                "website": None,
                "address_line1": address.line1,
                "address_line2": address.line2,
                "city": address.city,
                "province": address.province,
                "postal_code": address.postal_code,
                "country": "CA",
                "currency": "CAD",
                "lead_time_days": lead,
                "payment_terms": terms,
                # Judged from the deliveries once stock is seeded (rate_suppliers).
                "on_time_rate": None,
                "is_active": True,
                "notes": notes,
            }
        )

    add(
        "packaging",
        "Northern Packaging Supply",
        None,
        "Net 30",
        STOCK_SUPPLIERS["packaging"][0],
        "Boxes, tape, paper",
    )
    add(
        "wrap",
        "Great Lakes Poly & Wrap",
        None,
        "2/10 Net 30",
        STOCK_SUPPLIERS["wrap"][0],
        "Stretch wrap, bubble, mattress bags",
    )
    add(
        "repair",
        "Trans-Canada Fleet Service",
        None,
        "Net 30",
        2,
        "National account for truck repairs",
    )
    for site in company.sites:
        if world.state(site).crewed:
            add(
                f"repair:{site.code}",
                f"{site.branch.city} Truck & Trailer",
                site,
                "Net 15",
                1,
                "Local shop for brakes, tires and inspections",
            )
    ctx.insert(Supplier, rows)


def supplier_of(sku: str) -> str:
    return "wrap" if sku in ("MB-Q", "BUBBLE", "STRETCH") else "packaging"


def purchase_order(world: World, key: str, received: dt.date, rng: Random) -> dict[str, Any]:
    """When a delivery received on ``received`` was ordered and promised: mostly on time."""
    lead, reliability = STOCK_SUPPLIERS[key]
    slip = rng.choice((-1, 0, 0)) if rng.random() < reliability else rng.randint(1, 4)
    ordered = received - dt.timedelta(days=lead + slip)
    return {
        "supplier_id": world.suppliers[key],
        "ordered_on": ordered,
        "expected_on": ordered + dt.timedelta(days=lead),
    }


def rate_suppliers(world: World) -> None:
    """Each supplier's on-time rate from its seeded purchases (receipt day in the branch's zone).

    The rate is stamped with the supplier's last delivery, so the same seed gives the same rows.
    """
    ctx = world.ctx
    tx, inv, loc = InventoryTransaction.__table__, Inventory.__table__, Location.__table__
    deliveries: dict[Any, list[Delivery]] = {}
    last: dict[Any, dt.datetime] = {}
    for r in ctx.session.execute(
        select(
            tx.c.supplier_id, tx.c.ordered_on, tx.c.expected_on, tx.c.occurred_at, loc.c.timezone
        )
        .join(inv, inv.c.id == tx.c.inventory_id)
        .join(loc, loc.c.id == inv.c.location_id)
        .where(tx.c.supplier_id.in_(list(world.suppliers.values())), tx.c.ordered_on.is_not(None))
        .order_by(tx.c.supplier_id, tx.c.occurred_at, tx.c.id)
    ):
        received = r.occurred_at.astimezone(ctx.zone(r.timezone)).date()
        deliveries.setdefault(r.supplier_id, []).append(
            Delivery(r.ordered_on, received, r.expected_on)
        )
        last[r.supplier_id] = r.occurred_at
    changes = {}
    for supplier, found in deliveries.items():
        rate = supplier_performance(found).on_time_rate
        if rate is not None:
            changes[supplier] = {"on_time_rate": rate, "updated_at": last[supplier]}
    ctx.update(Supplier, changes)


def seed_stock(world: World, site: Site) -> None:
    """Items and their transactions, drawn in time order so stock never goes negative."""
    ctx, state = world.ctx, world.state(site)
    rng = ctx.rng("stock", site.code)
    orders = ctx.rng("purchase-orders", site.code)  # its own stream: stock draws stay the same
    opened = ctx.local(ctx.today - dt.timedelta(days=400), 10, 0, site.tz)
    keeper = (
        site.with_role(UserRole.DISPATCHER)
        or site.with_role(UserRole.MANAGER)
        or world.company.hq.with_role(UserRole.DISPATCHER)
    )[0]
    items, moves, ids = [], [], {}
    for sku, (cost, _, reorder_at, reorder_qty) in STOCK.items():
        ids[sku] = ctx.new_id(opened)
        supplier = world.suppliers[supplier_of(sku)]
        items.append(
            {
                "id": ids[sku],
                "created_at": opened,
                "location_id": site.id,
                "sku": sku,
                "name": PACKING_MATERIALS[sku]["label"],
                "category": "Packing materials",
                "unit": PACKING_MATERIALS[sku]["unit"],
                "unit_cost": Decimal(cost),
                "unit_price": Decimal(PACKING_MATERIALS[sku]["price"]),
                "currency": "CAD",
                "reorder_point": Decimal(reorder_at),
                "reorder_quantity": Decimal(reorder_qty),
                "supplier_id": supplier,
                "is_active": True,
                "notes": None,
            }
        )
    on_hand = {sku: Decimal(0) for sku in STOCK}

    def move(sku: str, kind: T, qty: Decimal, at: dt.datetime, who: Any, **extra: Any) -> None:
        on_hand[sku] += qty
        row = {
            "id": ctx.new_id(at),
            "created_at": at,
            "inventory_id": ids[sku],
            "type": kind,
            "quantity": qty,
            "unit_cost": Decimal(STOCK[sku][0]) if kind == T.PURCHASE else None,
            "currency": "CAD",
            "occurred_at": at,
            "journey_id": None,
            "performed_by": who,
            "transfer_group_id": None,
            "counterpart_location_id": None,
            "reference": None,
            "note": None,
        }
        row.update(extra)
        if kind == T.PURCHASE:
            row.update(
                purchase_order(
                    world, supplier_of(sku), at.astimezone(ctx.zone(site.tz)).date(), orders
                )
            )
        moves.append(row)
        if kind == T.PURCHASE:
            world.expenses.append(
                {
                    "site": site,
                    "amount": -(qty * Decimal(STOCK[sku][0])),
                    "at": at,
                    "description": f"Stock purchase: {sku} x {qty}",
                    "account": "5100-packing-supplies",
                    "category": "inventory",
                }
            )

    small = not state.crewed
    for sku, (_, opening, _, _) in STOCK.items():
        amount = Decimal(opening // 4 if small else opening)
        move(
            sku, T.PURCHASE, amount, opened, keeper.id, reference=f"PO-{rng.randint(10000, 99999)}"
        )
    for draw in sorted(state.draws, key=lambda d: (d.at, d.sku)):
        if draw.quantity < 0 and on_hand[draw.sku] + draw.quantity < 0:
            reorder = Decimal(STOCK[draw.sku][3])
            while on_hand[draw.sku] + draw.quantity < 0:
                move(
                    draw.sku,
                    T.PURCHASE,
                    reorder,
                    draw.at - dt.timedelta(days=2),
                    keeper.id,
                    reference=f"PO-{rng.randint(10000, 99999)}",
                )
        move(
            draw.sku,
            T.SALE,
            draw.quantity,
            draw.at,
            draw.user_id,
            journey_id=draw.journey_id,
            note="Customer returned unused boxes" if draw.quantity > 0 else None,
        )
    recent = ctx.local(ctx.today - dt.timedelta(days=rng.randint(3, 20)), 16, 0, site.tz)
    if on_hand["MB-Q"] > 2:
        move("MB-Q", T.DAMAGE, Decimal(-2), recent, keeper.id, note="Torn in the warehouse")
    if on_hand["TAPE"] > 5:
        move(
            "TAPE",
            T.ADJUSTMENT,
            Decimal(-rng.randint(1, 5)),
            recent + dt.timedelta(hours=1),
            keeper.id,
            note="Monthly count",
            reference=f"COUNT-{recent:%Y%m}",
        )
    # Drain one item below its reorder point so the low-stock alert has something to show.
    low = rng.choice(("TAPE", "BOX-M", "STRETCH"))
    point = Decimal(STOCK[low][2])
    if on_hand[low] >= point:
        move(
            low,
            T.ADJUSTMENT,
            point - on_hand[low] - rng.randint(1, 5),
            recent + dt.timedelta(hours=2),
            keeper.id,
            note="Shrinkage found at count",
        )
    ctx.insert(Inventory, items)
    ctx.insert(InventoryTransaction, moves)
    world.stock_ids[site.code] = ids


def seed_transfers(world: World, company: Company) -> None:
    """Head office ships boxes to the small branches: two rows per transfer, one group id."""
    ctx = world.ctx
    rng = ctx.rng("transfers")
    hq = company.hq
    orders = ctx.rng("purchase-orders", "transfers")
    sender = (hq.with_role(UserRole.DISPATCHER))[0]
    rows = []
    for site in company.sites[1:]:
        if world.state(site).crewed or rng.random() < 0.5:
            continue
        at = ctx.local(ctx.today - dt.timedelta(days=rng.randint(5, 60)), 14, 0, hq.tz)
        group, qty = ctx.new_id(at), Decimal(rng.choice((50, 100)))
        # Head office orders the boxes in for the branch the day before (cross-dock).
        bought = at - dt.timedelta(days=1)
        rows.append(
            {
                "id": ctx.new_id(bought),
                "created_at": bought,
                "inventory_id": world.stock_ids[hq.code]["BOX-M"],
                "type": T.PURCHASE,
                "quantity": qty,
                "unit_cost": Decimal(STOCK["BOX-M"][0]),
                "currency": "CAD",
                "occurred_at": bought,
                "journey_id": None,
                "performed_by": sender.id,
                "transfer_group_id": None,
                "counterpart_location_id": None,
                "reference": f"PO-{rng.randint(10000, 99999)}",
                "note": f"For {site.name}",
                **purchase_order(
                    world, "packaging", bought.astimezone(ctx.zone(hq.tz)).date(), orders
                ),
            }
        )
        for inventory_id, sign, other in (
            (world.stock_ids[hq.code]["BOX-M"], -1, site),
            (world.stock_ids[site.code]["BOX-M"], 1, hq),
        ):
            rows.append(
                {
                    "id": ctx.new_id(at),
                    "created_at": at,
                    "inventory_id": inventory_id,
                    "type": T.TRANSFER,
                    "quantity": qty * sign,
                    "unit_cost": None,
                    "currency": "CAD",
                    "occurred_at": at,
                    "journey_id": None,
                    "performed_by": sender.id,
                    "transfer_group_id": group,
                    "counterpart_location_id": other.id,
                    "reference": f"TR-{rng.randint(1000, 9999)}",
                    "note": f"Boxes for {site.name}",
                }
            )
    ctx.insert(InventoryTransaction, rows)
    # The last purchases of the demo are in: judge every supplier on its deliveries.
    rate_suppliers(world)
