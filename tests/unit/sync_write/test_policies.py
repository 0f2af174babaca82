"""The declared policies: append-only from the models, locks, ownership, state machines."""

from __future__ import annotations

import pytest

from shared_models.enums import JourneyStatus as J
from shared_models.enums import UserRole
from shared_models.models import model_classes
from shared_models.sync.policies import Policy, journey_transitions, lock_reason, table_policy


def test_append_only_follows_the_model_flag() -> None:
    for cls in model_classes():
        if cls.__synced__:
            assert table_policy(cls.__tablename__).append_only == cls.__append_only__


@pytest.mark.parametrize(
    "table,field,policy",
    [
        ("customer", "notes", Policy.LWW),
        ("customer", "phone", Policy.LWW),
        ("quote", "status", Policy.SERVER_WINS),
        ("invoice", "status", Policy.SERVER_WINS),
        ("journey", "status", Policy.SERVER_WINS),
        ("quote", "total", Policy.SERVER_OWNED),
        ("invoice", "number", Policy.SERVER_OWNED),
        ("quote", "version", Policy.SERVER_OWNED),
        ("quote_item", "line_total", Policy.SERVER_OWNED),
        ("journey", "truck_id", Policy.OWNED),
        ("journey", "actual_start", Policy.OWNED),
        ("quote_item", "unit_price", Policy.OWNED),
    ],
)
def test_field_policies(table: str, field: str, policy: Policy) -> None:
    assert table_policy(table).policy(field) is policy


def test_owners() -> None:
    journey = table_policy("journey")
    assert journey.is_owner("truck_id", UserRole.DISPATCHER)
    assert not journey.is_owner("truck_id", UserRole.CREW_LEAD)
    assert journey.is_owner("actual_end", UserRole.CREW_LEAD)
    assert not journey.is_owner("actual_end", UserRole.DISPATCHER)
    assert table_policy("quote_item").is_owner("unit_price", "SALES")


@pytest.mark.parametrize(
    "status,locked", [("DRAFT", False), ("SENT", False), ("ACCEPTED", True), ("CONVERTED", True)]
)
def test_quote_lock_also_locks_its_items(status: str, locked: bool) -> None:
    assert bool(lock_reason("quote", {"status": status})) is locked
    assert bool(lock_reason("quote_item", {}, {"status": status})) is locked


@pytest.mark.parametrize(
    "status,locked", [("PAID", True), ("REFUNDED", True), ("CANCELLED", True), ("SENT", False)]
)
def test_invoice_lock(status: str, locked: bool) -> None:
    assert bool(lock_reason("invoice", {"status": status})) is locked


def test_journey_state_machine() -> None:
    assert J.IN_PROGRESS in journey_transitions(J.PLANNED)
    assert J.PLANNED not in journey_transitions(J.COMPLETED)
    assert journey_transitions(J.COMPLETED) == frozenset()
    assert journey_transitions(J.CANCELLED) == {J.PLANNED}
