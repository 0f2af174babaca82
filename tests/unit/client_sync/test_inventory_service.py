"""InventoryService on a real SQLCipher replica: take, return, write off, transfer."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from client.replica import LocalStore
from client.services import LocalWriteService, RowNotFound, list_rows
from client.services.inventory import InventoryService
from client.sync import outbox
from client.sync.db import replica_tx
from shared_models.enums import InventoryTransactionType as T
from shared_models.ids import uuid7
from shared_models.rules.errors import RuleViolation
from shared_models.rules.stock import INSUFFICIENT_STOCK, INVALID_TRANSFER, on_hand
from tests.unit.client_sync.replica_rows import LOCATION, USER, branch, person, put_rows

D = Decimal
EAST = uuid.UUID("0190a000-0000-7000-8000-0000000000e1")


def _item(
    store: LocalStore, location: uuid.UUID, sku: str = "BLANKET", stock: int = 0
) -> uuid.UUID:
    item_id = uuid7()
    put_rows(
        store,
        "inventory",
        [{"id": item_id, "location_id": location, "sku": sku, "name": sku.title(), "unit": "each"}],
    )
    if stock:
        put_rows(
            store,
            "inventory_transaction",
            [
                {
                    "id": uuid7(),
                    "inventory_id": item_id,
                    "type": "PURCHASE",
                    "quantity": D(stock),
                    "occurred_at": "2026-01-05T10:00:00+00:00",
                    "performed_by": USER,
                }
            ],
        )
    return item_id


@pytest.fixture
def stock(store: LocalStore, service: LocalWriteService) -> InventoryService:
    branch(store, LOCATION, "HQ")
    branch(store, EAST, "EAST")
    person(store, USER, LOCATION, "CREW_LEAD")
    return InventoryService(service)


def _pending(store: LocalStore) -> list[outbox.PendingMutation]:
    with replica_tx(store) as conn:
        return outbox.pending(conn)


def test_take_and_give_back_gear(stock: InventoryService, store: LocalStore) -> None:
    item = _item(store, LOCATION, stock=30)
    journey = uuid7()
    stock.take(item, 12, journey_id=journey, note="Tremblay move")
    assert stock.on_hand(item) == D(18)
    stock.give_back(item, 11, journey_id=journey)
    assert stock.on_hand(item) == D(29)
    moves = list_rows(store, "inventory_transaction", filters={"inventory_id": item})
    mine = [m for m in moves if m["journey_id"] == journey]
    assert sorted(m["quantity"] for m in mine) == [D(-12), D(11)]
    assert {m["type"] for m in mine} == {"ADJUSTMENT"}
    queued = _pending(store)
    assert [p.table for p in queued] == ["inventory_transaction", "inventory_transaction"]
    assert D(queued[0].changes["quantity"]) == -12


def test_boxes_sold_and_returned_are_sales(stock: InventoryService, store: LocalStore) -> None:
    item = _item(store, LOCATION, "BOX-M", stock=10)
    stock.take(item, 6, sold=True)
    stock.give_back(item, 2, sold=True)
    kinds = {
        m["type"] for m in list_rows(store, "inventory_transaction", filters={"inventory_id": item})
    }
    assert kinds == {"PURCHASE", "SALE"}
    assert stock.on_hand(item) == D(6)


def test_taking_more_than_on_hand_is_refused_and_writes_nothing(
    stock: InventoryService, store: LocalStore
) -> None:
    item = _item(store, LOCATION, stock=5)
    with pytest.raises(RuleViolation) as err:
        stock.take(item, 6)
    assert err.value.code == INSUFFICIENT_STOCK
    with pytest.raises(RuleViolation):
        stock.write_off(item, 5.5)  # type: ignore[arg-type]
    with pytest.raises(RuleViolation):
        stock.take(item, 0)
    assert _pending(store) == [] and stock.on_hand(item) == D(5)
    with pytest.raises(RowNotFound):
        stock.take(uuid7(), 1)


def test_write_off(stock: InventoryService, store: LocalStore) -> None:
    item = _item(store, LOCATION, stock=5)
    stock.write_off(item, 2, kind=T.EXPIRY)
    assert stock.on_hand(item) == D(3)
    with pytest.raises(RuleViolation):
        stock.write_off(item, 1, kind=T.PURCHASE)


def test_transfer_writes_both_legs_in_one_batch(stock: InventoryService, store: LocalStore) -> None:
    hq, east = _item(store, LOCATION, stock=40), _item(store, EAST)
    out_id, in_id = stock.transfer(hq, east, 15, note="for the weekend")
    assert (stock.on_hand(hq), stock.on_hand(east)) == (D(25), D(15))
    legs = {
        m["id"]: m for m in list_rows(store, "inventory_transaction", filters={"type": "TRANSFER"})
    }
    out, into = legs[out_id], legs[in_id]
    assert out["transfer_group_id"] == into["transfer_group_id"] is not None
    assert (out["counterpart_location_id"], into["counterpart_location_id"]) == (EAST, LOCATION)
    assert [p.row_id for p in _pending(store)] == [str(out_id), str(in_id)]


def test_transfer_bad_input(stock: InventoryService, store: LocalStore) -> None:
    hq, east = _item(store, LOCATION, stock=4), _item(store, EAST)
    with pytest.raises(RuleViolation) as err:
        stock.transfer(hq, east, 5)
    assert err.value.code == INSUFFICIENT_STOCK
    with pytest.raises(RuleViolation) as err:
        stock.transfer(hq, _item(store, LOCATION, "OTHER"), 1)
    assert err.value.code == INVALID_TRANSFER
    with pytest.raises(RuleViolation) as err:
        stock.transfer(hq, _item(store, EAST, "TAPE"), 1)
    assert err.value.code == INVALID_TRANSFER
    assert _pending(store) == []


_OPS = st.lists(
    st.tuples(
        st.sampled_from(["take", "return", "sell", "damage", "transfer", "back"]),
        st.integers(min_value=1, max_value=40),
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(opening=st.integers(min_value=0, max_value=60), ops=_OPS)
def test_stock_is_the_sum_of_its_transactions_and_never_negative(
    stock: InventoryService, store: LocalStore, opening: int, ops: list[tuple[str, int]]
) -> None:
    sku = f"B-{uuid7().hex[-10:]}"  # one store for every example: fresh items each time
    hq, east = _item(store, LOCATION, sku, stock=opening), _item(store, EAST, sku)
    expected = {hq: D(opening), east: D(0)}
    for op, qty in ops:
        source, target = (east, hq) if op == "back" else (hq, east)
        try:
            if op == "take":
                stock.take(hq, qty)
            elif op == "return":
                stock.give_back(hq, qty)
            elif op == "sell":
                stock.take(hq, qty, sold=True)
            elif op == "damage":
                stock.write_off(hq, qty)
            else:
                stock.transfer(source, target, qty)
        except RuleViolation as exc:
            assert exc.code == INSUFFICIENT_STOCK
            assert qty > expected[source if op in ("transfer", "back") else hq]
            continue
        if op in ("transfer", "back"):
            expected[source] -= qty
            expected[target] += qty
        else:
            expected[hq] += qty if op == "return" else -qty
        for item in (hq, east):
            rows = list_rows(store, "inventory_transaction", filters={"inventory_id": item})
            assert stock.on_hand(item) == on_hand(D(r["quantity"]) for r in rows) == expected[item]
            assert expected[item] >= 0
