"""``stock.react``: a reorder notification per crossing of the point, for the branch managers."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from shared_models.enums import InventoryTransactionType, NotificationKind
from shared_models.ids import uuid7
from shared_models.models import Notification
from sync_server.sync import stock
from tests.integration.fleet_stock.conftest import Fleet

T = InventoryTransactionType
AT = dt.datetime(2026, 5, 4, 11, 30, tzinfo=dt.UTC)


def _move(fleet: Fleet, item: str, kind: T, qty: int, **extra: Any) -> dict[str, Any]:
    return {
        "inventory_id": fleet.items[item],
        "type": kind,
        "quantity": Decimal(qty),
        "occurred_at": AT,
        "performed_by": fleet.users["crew"],
        **extra,
    }


def _notes(engine: Engine) -> list[Notification]:
    with Session(engine) as s:
        return list(s.scalars(select(Notification).order_by(Notification.created_at)))


def _push(
    writing: Callable[..., Any], fleet: Fleet, *moves: dict[str, Any], defer: bool = False
) -> list[uuid.UUID]:
    with writing(defer=defer) as w:
        ids = {w.insert("inventory_transaction", m)["id"] for m in moves}
        return stock.react(w, {"inventory_transaction": ids})


@pytest.mark.parametrize("defer", [False, True], ids=["careful", "deferred"])
def test_crossing_notifies_the_branch_managers_once(
    engine: Engine, fleet: Fleet, writing: Callable[..., Any], defer: bool
) -> None:
    assert _push(writing, fleet, _move(fleet, "BLANKET", T.PURCHASE, 30), defer=defer) == []
    written = _push(
        writing,
        fleet,
        _move(fleet, "BLANKET", T.ADJUSTMENT, -6),
        _move(fleet, "BLANKET", T.SALE, -4),  # 30 -> 20: at the point
        defer=defer,
    )
    notes = _notes(engine)
    assert sorted(n.id for n in notes) == sorted(written)
    # the branch's manager_id (a dispatcher) and its active MANAGER; not the inactive one,
    # not the other branch's manager, not another tenant's
    assert {n.user_id for n in notes} == {fleet.users["boss"], fleet.users["manager"]}
    note = notes[0]
    assert note.kind is NotificationKind.REORDER_POINT_REACHED
    assert note.link_table == "inventory" and note.link_id == fleet.items["BLANKET"]
    assert note.title == "Reorder Blanket stock at HQ branch"
    assert "20 each on hand" in (note.body or "") and "Usual order: 50" in (note.body or "")
    assert note.version > 0 and note.tenant_id == fleet.tenant

    # sales that keep it below the point raise nothing new
    assert _push(writing, fleet, _move(fleet, "BLANKET", T.SALE, -5), defer=defer) == []
    # back above, then down again: a new crossing, a new alert
    assert _push(writing, fleet, _move(fleet, "BLANKET", T.PURCHASE, 50)) == []
    again = _push(writing, fleet, _move(fleet, "BLANKET", T.DAMAGE, -60))
    assert len(again) == 2
    assert len({n.dedupe_key for n in _notes(engine)}) == 2


def test_replay_adds_nothing(engine: Engine, fleet: Fleet, writing: Callable[..., Any]) -> None:
    _push(writing, fleet, _move(fleet, "BLANKET", T.PURCHASE, 21))
    with writing() as w:
        move = w.insert("inventory_transaction", _move(fleet, "BLANKET", T.SALE, -1))
        first = stock.react(w, {"inventory_transaction": {move["id"]}})
    with writing() as w:
        second = stock.react(w, {"inventory_transaction": {move["id"]}})
    assert len(first) == 2 and second == []
    assert len(_notes(engine)) == 2


def test_out_of_stock_and_a_branch_without_managers(
    engine: Engine, fleet: Fleet, writing: Callable[..., Any]
) -> None:
    _push(writing, fleet, _move(fleet, "TAPE", T.PURCHASE, 3))
    _push(writing, fleet, _move(fleet, "TAPE", T.SALE, -3))  # point 0: out of stock
    tape = [n for n in _notes(engine) if n.link_id == fleet.items["TAPE"]]
    assert {n.title for n in tape} == {"Out of Tape stock at HQ branch"}
    # EAST has a manager: only they hear of it
    _push(writing, fleet, _move(fleet, "BLANKET-E", T.PURCHASE, 6))
    _push(writing, fleet, _move(fleet, "BLANKET-E", T.SALE, -2))
    east = [n for n in _notes(engine) if n.link_id == fleet.items["BLANKET-E"]]
    assert [n.user_id for n in east] == [fleet.users["east_manager"]]


def test_admins_hear_when_a_branch_has_no_manager(
    engine: Engine, fleet: Fleet, writing: Callable[..., Any]
) -> None:
    with writing("admin") as w:
        w.update("user", fleet.users["east_manager"], {"role": "DISPATCHER"})
    _push(writing, fleet, _move(fleet, "BLANKET-E", T.PURCHASE, 6))
    _push(writing, fleet, _move(fleet, "BLANKET-E", T.SALE, -6))
    east = [n for n in _notes(engine) if n.link_id == fleet.items["BLANKET-E"]]
    assert [n.user_id for n in east] == [fleet.users["admin"]]


def test_a_transfer_out_can_cross_and_the_receiving_leg_cannot(
    engine: Engine, fleet: Fleet, writing: Callable[..., Any]
) -> None:
    _push(writing, fleet, _move(fleet, "BLANKET", T.PURCHASE, 25))
    group = uuid7()
    written = _push(
        writing,
        fleet,
        _move(
            fleet,
            "BLANKET",
            T.TRANSFER,
            -10,
            transfer_group_id=group,
            counterpart_location_id=fleet.east,
        ),
        _move(
            fleet,
            "BLANKET-E",
            T.TRANSFER,
            10,
            transfer_group_id=group,
            counterpart_location_id=fleet.hq,
        ),
    )
    assert {n.link_id for n in _notes(engine)} == {fleet.items["BLANKET"]}
    assert len(written) == 2


def test_nothing_to_do(engine: Engine, fleet: Fleet, writing: Callable[..., Any]) -> None:
    with writing() as w:
        assert stock.react(w, {}) == []
        assert stock.react(w, {"inventory_transaction": {uuid.uuid4()}}) == []
    assert _notes(engine) == []
