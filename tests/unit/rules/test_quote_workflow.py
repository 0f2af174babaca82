"""The quote state machine, checked pair by pair against a table written out here."""

from __future__ import annotations

import itertools

import pytest

from shared_models.enums import QuoteStatus as Q
from shared_models.rules.errors import RuleViolation
from shared_models.rules.quote_workflow import (
    allowed_transitions,
    available_actions,
    check_editable,
    check_transition,
    is_locked,
    status_after_price_change,
)

# Written independently of the module's table on purpose.
EXPECTED = {
    Q.DRAFT: {Q.SENT},
    Q.SENT: {Q.VIEWED, Q.ACCEPTED, Q.REJECTED, Q.EXPIRED, Q.DRAFT},
    Q.VIEWED: {Q.ACCEPTED, Q.REJECTED, Q.EXPIRED, Q.DRAFT},
    Q.ACCEPTED: {Q.CONVERTED},
    Q.REJECTED: {Q.DRAFT},
    Q.EXPIRED: {Q.DRAFT},
    Q.CONVERTED: set(),
}


@pytest.mark.parametrize(("current", "target"), list(itertools.product(Q, Q)))
def test_every_pair(current: Q, target: Q) -> None:
    allowed = target in EXPECTED[current]
    assert (target in allowed_transitions(current)) is allowed
    if allowed:
        check_transition(current, target)
    else:
        with pytest.raises(RuleViolation) as err:
            check_transition(current, target)
        assert err.value.code == "invalid_transition"
        assert current.value in err.value.message and target.value in err.value.message


def test_strings_accepted_and_unknown_refused() -> None:
    check_transition("DRAFT", "SENT")
    with pytest.raises(RuleViolation) as err:
        check_transition("DRAFT", "SIGNED")
    assert err.value.code == "unknown_status"


@pytest.mark.parametrize("status", list(Q))
def test_locked_states(status: Q) -> None:
    locked = status in (Q.ACCEPTED, Q.CONVERTED)
    assert is_locked(status) is locked
    if locked:
        with pytest.raises(RuleViolation) as err:
            check_editable(status)
        assert err.value.code == "quote_locked"
        with pytest.raises(RuleViolation):
            status_after_price_change(status)
    else:
        check_editable(status)


@pytest.mark.parametrize(
    ("status", "after"),
    [
        (Q.DRAFT, Q.DRAFT),
        (Q.SENT, Q.DRAFT),
        (Q.VIEWED, Q.DRAFT),
        (Q.REJECTED, Q.REJECTED),
        (Q.EXPIRED, Q.EXPIRED),
    ],
)
def test_price_change_sends_back_for_approval(status: Q, after: Q) -> None:
    assert status_after_price_change(status) is after


@pytest.mark.parametrize(
    ("discount", "threshold", "approved", "refused"),
    [
        ("15", "10", False, True),
        ("15", "10", True, False),
        ("10", "10", False, False),  # at the threshold is not above it
        ("10.01", "10", False, True),
        ("50", None, False, False),  # no threshold configured
    ],
)
def test_send_needs_approval_above_threshold(
    discount: str, threshold: str | None, approved: bool, refused: bool
) -> None:
    kwargs = {"discount_pct": discount, "approval_threshold_pct": threshold, "approved": approved}
    if refused:
        with pytest.raises(RuleViolation) as err:
            check_transition(Q.DRAFT, Q.SENT, **kwargs)  # type: ignore[arg-type]
        assert err.value.code == "approval_required"
        assert "manager" in err.value.message
    else:
        check_transition(Q.DRAFT, Q.SENT, **kwargs)  # type: ignore[arg-type]
    # approval only gates sending, not accepting
    check_transition(Q.SENT, Q.ACCEPTED, **kwargs)  # type: ignore[arg-type]


def test_available_actions() -> None:
    assert [(a.target, a.label) for a in available_actions(Q.DRAFT)] == [
        (Q.SENT, "Send to customer")
    ]
    assert {a.label for a in available_actions(Q.SENT)} == {
        "Mark viewed",
        "Accept",
        "Reject",
        "Mark expired",
        "Revise",
    }
    assert [a.label for a in available_actions(Q.EXPIRED)] == ["Reopen"]
    assert [a.label for a in available_actions(Q.ACCEPTED)] == ["Convert to job"]
    assert available_actions(Q.CONVERTED) == ()
    for status in Q:
        assert {a.target for a in available_actions(status)} == EXPECTED[status]
    (send,) = available_actions(Q.DRAFT, discount_pct="20", approval_threshold_pct="10")
    assert send.needs_approval
