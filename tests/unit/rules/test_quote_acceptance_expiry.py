"""Expiry, manager approval, acceptance (signature, valuation) and document exchange rates."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from decimal import Decimal

import pytest

from shared_models.enums import QuoteStatus as Q
from shared_models.enums import ValuationOption as V
from shared_models.rules import quote_acceptance as acc
from shared_models.rules.errors import RuleViolation
from shared_models.rules.money import ExchangeRateRow, document_rate
from shared_models.rules.quote_workflow import (
    available_actions,
    check_approval,
    check_approver,
    check_not_expired,
    effective_status,
    is_expired,
)
from shared_models.rules.valuation import ValuationChoice

UNTIL = dt.date(2026, 3, 31)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


@pytest.mark.parametrize(
    ("status", "today", "shown"),
    [
        (Q.SENT, UNTIL, Q.SENT),  # the last valid day
        (Q.SENT, UNTIL + dt.timedelta(days=1), Q.EXPIRED),
        (Q.VIEWED, UNTIL + dt.timedelta(days=1), Q.EXPIRED),
        (Q.DRAFT, UNTIL + dt.timedelta(days=9), Q.DRAFT),  # never sent: nothing lapses
        (Q.ACCEPTED, UNTIL + dt.timedelta(days=9), Q.ACCEPTED),  # signed in time
    ],
)
def test_displayed_status(status: Q, today: dt.date, shown: Q) -> None:
    assert effective_status(status, UNTIL, today) == shown
    assert is_expired(status, UNTIL, today) is (shown == Q.EXPIRED != status)


def test_no_date_never_expires_and_lapsed_quote_refuses_acceptance() -> None:
    assert not is_expired("SENT", None, dt.date(2099, 1, 1))
    check_not_expired("SENT", UNTIL, UNTIL)
    with pytest.raises(RuleViolation) as err:
        check_not_expired("VIEWED", UNTIL, UNTIL + dt.timedelta(days=1))
    assert (err.value.code, err.value.field) == ("quote_expired", "valid_until")


def test_an_expired_quote_offers_only_expire_and_revise() -> None:
    offered = available_actions(Q.SENT, expired=True)
    assert [(a.target, a.label) for a in offered] == [
        (Q.EXPIRED, "Mark expired"),
        (Q.DRAFT, "Revise"),
    ]


def test_approval_needs_the_grant_a_draft_and_a_discount_above_threshold() -> None:
    check_approval("DRAFT", discount_pct="15", approval_threshold_pct=10, may_approve=True)
    cases = [
        (("DRAFT", "15", 10, False), "not_approver"),
        (("SENT", "15", 10, True), "invalid_transition"),
        (("DRAFT", "10", 10, True), "approval_not_needed"),
        (("DRAFT", "50", None, True), "approval_not_needed"),
    ]
    for (status, pct, threshold, grant), code in cases:
        with pytest.raises(RuleViolation) as err:
            check_approval(
                status, discount_pct=pct, approval_threshold_pct=threshold, may_approve=grant
            )
        assert err.value.code == code


def test_approver_signs_in_own_name() -> None:
    me, other = uuid.UUID(int=1), uuid.UUID(int=2)
    check_approver(me, me, may_approve=True)
    check_approver(None, me, may_approve=False)  # clearing an approval needs no grant
    for approver, grant in ((me, False), (other, True)):
        with pytest.raises(RuleViolation) as err:
            check_approver(approver, me, may_approve=grant)
        assert (err.value.code, err.value.field) == ("not_approver", "approved_by")


def test_signature_from_png_bytes_or_stored_json() -> None:
    doc = acc.signature_document(PNG, device_id="dev-1")
    assert doc == {
        "png_base64": base64.b64encode(PNG).decode(),
        "method": "on_screen",
        "ip": None,
        "device_id": "dev-1",
    }
    again = acc.signature_document({"png_base64": doc["png_base64"], "method": "tablet"})
    assert again["method"] == "tablet" and again["png_base64"] == doc["png_base64"]
    for bad in (b"", b"GIF89a", {"png_base64": "not base64!"}, {"svg": "<svg/>"}):
        with pytest.raises(RuleViolation) as err:
            acc.signature_document(bad)
        assert err.value.code == "signature_required"
    with pytest.raises(TypeError):
        acc.signature_document("a string")  # type: ignore[arg-type]


def test_signer_name_is_required() -> None:
    assert acc.signer("  Marie Tremblay ") == "Marie Tremblay"
    for bad in ("", "   ", None, "x" * 201):
        with pytest.raises(RuleViolation) as err:
            acc.signer(bad)
        assert (err.value.code, err.value.field) == ("signature_required", "signer_name")


def test_confirmed_valuation_must_be_the_priced_one() -> None:
    quote = {
        "valuation_option": V.FULL_VALUE,
        "declared_value": Decimal("20000.00"),
        "valuation_deductible": Decimal("250.00"),
    }
    acc.check_valuation(quote, None)
    acc.check_valuation(quote, ValuationChoice(V.FULL_VALUE))
    acc.check_valuation(quote, ValuationChoice(V.FULL_VALUE, Decimal(20000), Decimal(250)))
    for choice in (
        ValuationChoice(V.RELEASED_VALUE),
        ValuationChoice(V.FULL_VALUE, Decimal(30000)),
        ValuationChoice(V.FULL_VALUE, deductible=Decimal(0)),
    ):
        with pytest.raises(RuleViolation) as err:
            acc.check_valuation(quote, choice)
        assert err.value.code == "valuation_changed"


def test_document_rate_is_none_at_home_and_the_dated_rate_abroad() -> None:
    rows = [
        ExchangeRateRow("USD", "CAD", Decimal("1.350000"), dt.date(2026, 1, 1)),
        ExchangeRateRow("USD", "CAD", Decimal("1.370000"), dt.date(2026, 3, 1)),
        ExchangeRateRow("CAD", "EUR", Decimal("0.680000"), dt.date(2026, 1, 1)),
    ]
    assert document_rate(rows, "CAD", "CAD", dt.date(2026, 2, 1)) is None
    assert document_rate(rows, "USD", "CAD", dt.date(2026, 2, 1)) == Decimal("1.350000")
    assert document_rate(rows, "usd", "CAD", dt.date(2026, 3, 1)) == Decimal("1.370000")
    # Only CAD->EUR is stored: EUR->CAD is its inverse, 1 / 0.68 to 6 places.
    assert document_rate(rows, "EUR", "CAD", dt.date(2026, 2, 1)) == Decimal("1.470588")
    for currency, code in (("GBP", "unknown_currency"), ("USD", "no_exchange_rate")):
        with pytest.raises(RuleViolation) as err:
            document_rate(rows, currency, "CAD", dt.date(2025, 12, 31))
        assert err.value.code == code
