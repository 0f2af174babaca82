"""Stock rules: signed movements, on hand as a sum, withdrawals, transfers, reorder, suppliers."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared_models.enums import InventoryTransactionType as T
from shared_models.rules.errors import RuleViolation
from shared_models.rules.stock import (
    INSUFFICIENT_STOCK,
    INVALID_QUANTITY,
    INVALID_TRANSFER,
    Delivery,
    Movement,
    StockItem,
    check_transfer_pair,
    check_withdrawal,
    crossed_reorder_point,
    on_hand,
    plan_transfer,
    signed_quantity,
    stock_by_item,
    supplier_performance,
    validate_movement,
)

D = Decimal
A, B = uuid.UUID(int=1), uuid.UUID(int=2)
HQ, EAST = uuid.UUID(int=10), uuid.UUID(int=11)


def test_signed_quantity_follows_the_type() -> None:
    assert signed_quantity(T.PURCHASE, 5, out=False) == D(5)
    assert signed_quantity(T.SALE, "2.5", out=True) == D("-2.5")
    assert signed_quantity(T.SALE, 3, out=False) == D(3)  # a customer brings boxes back
    assert signed_quantity(T.DAMAGE, 1, out=True) == D(-1)
    assert signed_quantity(T.ADJUSTMENT, 4, out=True) == D(-4)


@pytest.mark.parametrize(
    ("kind", "out"), [(T.PURCHASE, True), (T.DAMAGE, False), (T.EXPIRY, False)]
)
def test_a_type_cannot_move_stock_the_wrong_way(kind: T, out: bool) -> None:
    with pytest.raises(RuleViolation) as err:
        signed_quantity(kind, 1, out=out)
    assert err.value.code == INVALID_QUANTITY


@pytest.mark.parametrize("amount", [0, -1, "abc", "NaN", "Infinity"])
def test_quantities_must_be_positive_numbers(amount: object) -> None:
    with pytest.raises(RuleViolation) as err:
        signed_quantity(T.SALE, amount, out=True)  # type: ignore[arg-type]
    assert err.value.code == INVALID_QUANTITY


def test_validate_movement_mirrors_the_table_checks() -> None:
    validate_movement(T.ADJUSTMENT, D(-3))
    validate_movement(T.TRANSFER, D(3))
    for kind, qty in [(T.PURCHASE, D(-1)), (T.EXPIRY, D(1)), (T.SALE, D(0))]:
        with pytest.raises(RuleViolation):
            validate_movement(kind, qty)


def test_on_hand_is_the_sum_per_item() -> None:
    moves = [
        Movement(A, T.PURCHASE, D(100)),
        Movement(A, T.SALE, D(-30)),
        Movement(B, T.PURCHASE, D(10)),
        Movement(A, T.DAMAGE, D(-2)),
        Movement(A, T.SALE, D(5)),
    ]
    assert on_hand(m for m in moves if m.inventory_id == A) == D(73)
    assert stock_by_item(moves) == {A: D(73), B: D(10)}
    assert on_hand([]) == D(0)


def test_withdrawal_refuses_more_than_on_hand() -> None:
    assert check_withdrawal(D(5), 5) == D(5)
    with pytest.raises(RuleViolation) as err:
        check_withdrawal(D(5), "5.01", item="BLANKET")
    assert err.value.code == INSUFFICIENT_STOCK
    assert "BLANKET" in err.value.message and "5" in err.value.message


def test_transfer_makes_two_legs_that_cancel_out() -> None:
    src = StockItem(A, HQ, "BLANKET", "each")
    dst = StockItem(B, EAST, "BLANKET", "each")
    out, into = plan_transfer(src, dst, 12, D(20))
    assert (out.inventory_id, out.quantity, out.counterpart_location_id) == (A, D(-12), EAST)
    assert (into.inventory_id, into.quantity, into.counterpart_location_id) == (B, D(12), HQ)
    group = uuid.UUID(int=99)
    check_transfer_pair(
        [Movement(A, T.TRANSFER, D(-12), group), Movement(B, T.TRANSFER, D(12), group)]
    )


def test_transfer_bad_input() -> None:
    src = StockItem(A, HQ, "BLANKET", "each")
    with pytest.raises(RuleViolation) as err:
        plan_transfer(src, StockItem(B, EAST, "BLANKET", "each"), 21, D(20))
    assert err.value.code == INSUFFICIENT_STOCK
    with pytest.raises(RuleViolation) as err:
        plan_transfer(src, StockItem(B, HQ, "BLANKET", "each"), 1, D(20))
    assert err.value.code == INVALID_TRANSFER
    with pytest.raises(RuleViolation) as err:
        plan_transfer(src, StockItem(B, EAST, "TAPE", "roll"), 1, D(20))
    assert err.value.code == INVALID_TRANSFER
    g = uuid.UUID(int=5)
    for legs in (
        [Movement(A, T.TRANSFER, D(-2), g)],
        [Movement(A, T.TRANSFER, D(-2), g), Movement(B, T.TRANSFER, D(3), g)],
        [Movement(A, T.TRANSFER, D(-2), g), Movement(B, T.TRANSFER, D(2), uuid.UUID(int=6))],
        [Movement(A, T.SALE, D(-2), g), Movement(B, T.TRANSFER, D(2), g)],
    ):
        with pytest.raises(RuleViolation):
            check_transfer_pair(legs)


def test_reorder_point_crossing_happens_once() -> None:
    point = D(10)
    assert crossed_reorder_point(D(12), D(10), point)
    assert crossed_reorder_point(D(11), D(3), point)
    assert not crossed_reorder_point(D(10), D(8), point)  # already at the point
    assert not crossed_reorder_point(D(9), D(2), point)
    assert not crossed_reorder_point(D(20), D(11), point)
    assert not crossed_reorder_point(D(5), D(15), point)  # restock


@given(st.lists(st.integers(min_value=-50, max_value=50).filter(bool), max_size=40))
def test_crossings_alternate_with_restocks(steps: list[int]) -> None:
    """Between two alerts stock went back above the point: alerts are per crossing."""
    point, stock, above, crossings, rises = D(10), D(30), True, 0, 0
    for step in steps:
        after = stock + step
        if crossed_reorder_point(stock, after, point):
            assert above
            crossings += 1
            above = False
        if after > point and not above:
            rises += 1
            above = True
        stock = after
    assert crossings - rises in (0, 1)


def test_supplier_performance() -> None:
    d = dt.date(2026, 3, 2)
    perf = supplier_performance(
        [
            Delivery(d, d + dt.timedelta(days=4), expected_on=d + dt.timedelta(days=5)),
            Delivery(d, d + dt.timedelta(days=7), expected_on=d + dt.timedelta(days=5)),
            Delivery(d, d + dt.timedelta(days=5)),  # judged by the lead time: on time
            Delivery(d, d + dt.timedelta(days=6)),  # late
        ],
        lead_time_days=5,
    )
    assert (perf.deliveries, perf.on_time) == (4, 2)
    assert perf.on_time_rate == D("0.5000")
    assert perf.mean_lead_days == D("5.50")
    unjudged = supplier_performance([Delivery(d, d + dt.timedelta(days=3))])
    assert unjudged.on_time_rate is None and unjudged.mean_lead_days == D("3.00")
    assert supplier_performance([]).on_time_rate is None
    with pytest.raises(RuleViolation):
        supplier_performance([Delivery(d, d - dt.timedelta(days=1))])
