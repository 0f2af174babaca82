"""Branch stock from its movements (DESIGN 6.3): on hand is the sum of the transactions.

``InventoryTransaction.quantity`` is stored signed, so on hand is a plain sum;
``signed_quantity`` turns "take 5" into the signed amount a type allows (the
same rules as the table's CHECK constraints), and the withdrawal checks refuse
taking more than the shelf holds (``insufficient_stock``). A transfer is two
rows sharing ``transfer_group_id``: minus on the sending branch's item, plus
on the receiving one, each naming the other branch.

The server never refuses a movement for lack of stock: two offline crews
taking the last blankets both count, and the shelf shows the shortfall. The
checks here are what a client applies before it writes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from shared_models.enums import InventoryTransactionType
from shared_models.rules.errors import RuleViolation

T = InventoryTransactionType
ZERO = Decimal(0)

INSUFFICIENT_STOCK: Final = "insufficient_stock"
INVALID_QUANTITY: Final = "invalid_quantity"
INVALID_TRANSFER: Final = "invalid_transfer"

#: Types that only ever add stock, and those that only ever remove it.
ADDS_ONLY = frozenset({T.PURCHASE})
REMOVES_ONLY = frozenset({T.DAMAGE, T.EXPIRY})


@dataclass(frozen=True, slots=True)
class Movement:
    """The part of an InventoryTransaction row that stock depends on."""

    inventory_id: uuid.UUID
    type: InventoryTransactionType
    quantity: Decimal
    transfer_group_id: uuid.UUID | None = None

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> Movement:
        return cls(
            inventory_id=row["inventory_id"],
            type=T(row["type"]),
            quantity=Decimal(row["quantity"]),
            transfer_group_id=row.get("transfer_group_id"),
        )


def _positive(amount: Decimal | int | str, field: str = "quantity") -> Decimal:
    try:
        value = Decimal(amount)
    except (ArithmeticError, ValueError, TypeError):
        raise RuleViolation(INVALID_QUANTITY, f"{amount!r} is not a number", field=field) from None
    if not value.is_finite() or value <= 0:
        raise RuleViolation(
            INVALID_QUANTITY, f"a quantity must be above zero, not {value}", field=field
        )
    return value


def signed_quantity(
    kind: InventoryTransactionType, amount: Decimal | int | str, *, out: bool
) -> Decimal:
    """``amount`` (> 0) signed for a movement of ``kind`` that removes (``out``) or adds stock."""
    value = _positive(amount)
    kind = T(kind)
    if out and kind in ADDS_ONLY:
        raise RuleViolation(INVALID_QUANTITY, f"a {kind} only adds stock", field="type")
    if not out and kind in REMOVES_ONLY:
        raise RuleViolation(INVALID_QUANTITY, f"a {kind} only removes stock", field="type")
    return -value if out else value


def validate_movement(kind: InventoryTransactionType, quantity: Decimal) -> None:
    """A stored movement obeys the sign rules of its type (the table's CHECKs, said in words)."""
    kind = T(kind)
    if quantity == 0:
        raise RuleViolation(
            INVALID_QUANTITY, "a movement of zero changes nothing", field="quantity"
        )
    if kind in ADDS_ONLY and quantity < 0:
        raise RuleViolation(INVALID_QUANTITY, f"a {kind} must add stock", field="quantity")
    if kind in REMOVES_ONLY and quantity > 0:
        raise RuleViolation(INVALID_QUANTITY, f"a {kind} must remove stock", field="quantity")


def on_hand(movements: Iterable[Movement | Decimal]) -> Decimal:
    """Stock of one item: the sum of its signed movements."""
    return sum((m.quantity if isinstance(m, Movement) else Decimal(m) for m in movements), ZERO)


def stock_by_item(movements: Iterable[Movement]) -> dict[uuid.UUID, Decimal]:
    """On hand per item over a mixed list of movements."""
    out: dict[uuid.UUID, Decimal] = {}
    for m in movements:
        out[m.inventory_id] = out.get(m.inventory_id, ZERO) + m.quantity
    return out


def check_withdrawal(
    available: Decimal, amount: Decimal | int | str, *, item: str = "item"
) -> Decimal:
    """``amount`` if the shelf holds that much; else ``insufficient_stock`` naming both figures."""
    value = _positive(amount)
    if value > available:
        raise RuleViolation(
            INSUFFICIENT_STOCK,
            f"cannot take {value} of {item}: only {max(available, ZERO)} on hand",
            field="quantity",
        )
    return value


@dataclass(frozen=True, slots=True)
class TransferLeg:
    """One row of a transfer: the item it moves, its signed quantity and the other branch."""

    inventory_id: uuid.UUID
    quantity: Decimal
    counterpart_location_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class StockItem:
    """What a transfer needs to know about each side's item row."""

    id: uuid.UUID
    location_id: uuid.UUID
    sku: str
    unit: str


def plan_transfer(
    source: StockItem, target: StockItem, amount: Decimal | int | str, available: Decimal
) -> tuple[TransferLeg, TransferLeg]:
    """The out and in legs moving ``amount`` of an item from one branch to another."""
    if source.location_id == target.location_id:
        raise RuleViolation(INVALID_TRANSFER, "a transfer goes to another branch", field="target")
    if (source.sku, source.unit) != (target.sku, target.unit):
        raise RuleViolation(
            INVALID_TRANSFER,
            f"{source.sku} ({source.unit}) cannot be received as {target.sku} ({target.unit})",
            field="target",
        )
    value = check_withdrawal(available, amount, item=source.sku)
    return (
        TransferLeg(source.id, -value, target.location_id),
        TransferLeg(target.id, value, source.location_id),
    )


def check_transfer_pair(legs: Sequence[Movement]) -> None:
    """The rows of one transfer group: exactly one out and one in leg, of equal size."""
    if len(legs) != 2 or any(m.type != T.TRANSFER for m in legs):
        raise RuleViolation(INVALID_TRANSFER, "a transfer is exactly two TRANSFER rows")
    out, into = sorted(legs, key=lambda m: m.quantity)
    if out.quantity >= 0 or into.quantity != -out.quantity:
        raise RuleViolation(INVALID_TRANSFER, "a transfer's legs must cancel out")
    if out.transfer_group_id is None or out.transfer_group_id != into.transfer_group_id:
        raise RuleViolation(INVALID_TRANSFER, "a transfer's legs share one transfer_group_id")


def crossed_reorder_point(before: Decimal, after: Decimal, reorder_point: Decimal) -> bool:
    """True when this change took stock from above the point to at or below it."""
    return before > reorder_point >= after


# -- suppliers -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Delivery:
    """One purchase as promised and as received (dates in the branch's calendar)."""

    ordered_on: dt.date
    received_on: dt.date
    expected_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class SupplierPerformance:
    deliveries: int
    on_time: int
    #: Share delivered on or before the expected day, 0..1 (None without deliveries).
    on_time_rate: Decimal | None
    #: Mean days from order to receipt (None without deliveries).
    mean_lead_days: Decimal | None


def supplier_performance(
    deliveries: Iterable[Delivery], lead_time_days: int | None = None
) -> SupplierPerformance:
    """On-time rate and observed lead time; a delivery without ``expected_on`` is due
    ``lead_time_days`` after its order (and cannot be judged without either)."""
    judged = on_time = 0
    lead_total, count = 0, 0
    for d in deliveries:
        if d.received_on < d.ordered_on:
            raise RuleViolation(INVALID_QUANTITY, "a delivery cannot arrive before its order")
        count += 1
        lead_total += (d.received_on - d.ordered_on).days
        expected = d.expected_on
        if expected is None and lead_time_days is not None:
            expected = d.ordered_on + dt.timedelta(days=lead_time_days)
        if expected is None:
            continue
        judged += 1
        on_time += d.received_on <= expected
    rate = (Decimal(on_time) / judged).quantize(Decimal("0.0001")) if judged else None
    mean = (Decimal(lead_total) / count).quantize(Decimal("0.01")) if count else None
    return SupplierPerformance(judged, on_time, rate, mean)
