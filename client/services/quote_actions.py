"""The quote workflow on the laptop, offline: send, view, accept, reject, expire, approve, convert.

Each action reads the quote inside its ``LocalWriteService.batch()``, asks the
shared rules (``quote_workflow``, ``quote_acceptance``, ``conversion``) and
writes the row and its outbox mutation together; a refused action raises
``RuleViolation`` with a stable code and writes nothing. The server re-checks
every move on push with the same state machine.

Exchange rates: a quote in a currency other than the tenant's stores the rate
to the tenant's currency (``Quote.exchange_rate``) from the replica's
ExchangeRate rows, when its currency is chosen and again when it is sent (the
rate is frozen then). The server stores the rate the laptop sent and never
recomputes it: it is part of what the customer was shown, and a laptop offline
for a week legitimately holds last week's rate.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from client.services.errors import RowNotFound
from client.services.permissions import may, require, signed_in_user, user_grants
from client.services.queries import get_row, list_rows
from client.services.writes import LocalWriteService, WriteBatch
from client.sync.db import table_for
from shared_models.enums import PermissionAction, QuoteStatus, SalesActivityType
from shared_models.rules import quote_acceptance as acceptance
from shared_models.rules.conversion import journey_from_quote
from shared_models.rules.errors import (
    APPROVAL_REQUIRED,
    CURRENCY_MISMATCH,
    REASON_REQUIRED,
    RuleViolation,
)
from shared_models.rules.money import ExchangeRateRow, document_rate, parse_currency
from shared_models.rules.quote_workflow import (
    available_actions,
    check_approval,
    check_editable,
    check_not_expired,
    check_transition,
    effective_status,
    is_expired,
    needs_approval,
    parse_quote_status,
)
from shared_models.rules.valuation import ValuationChoice

Q = QuoteStatus
A = PermissionAction
#: A sent quote stays valid this long unless the sender says otherwise.
DEFAULT_VALIDITY = dt.timedelta(days=30)
_ALL = 100_000
_NAMES = {
    Q.SENT: "send",
    Q.VIEWED: "mark_viewed",
    Q.ACCEPTED: "accept",
    Q.REJECTED: "reject",
    Q.EXPIRED: "expire",
    Q.CONVERTED: "convert",
}


@dataclass(frozen=True, slots=True)
class Offer:
    """One action the UI may show: ``name`` is the QuoteActions method to call.

    ``blocked`` is the RuleViolation code that stops it for now (shown greyed out).
    """

    name: str
    label: str
    target: QuoteStatus | None = None
    blocked: str | None = None


@dataclass(frozen=True, slots=True)
class _Policy:
    """What the rules need besides the quote: the user, their grants, the tenant's settings."""

    user_id: uuid.UUID
    grants: Any
    threshold: Decimal | int | None
    home_currency: str


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class QuoteActions:
    """Quote workflow actions for the signed-in user, written through LocalWriteService."""

    def __init__(
        self,
        writes: LocalWriteService,
        *,
        now: Callable[[], dt.datetime] = _utcnow,
    ) -> None:
        self.writes = writes
        self.store = writes.store
        self.now = now

    # -- what to offer ----------------------------------------------------------
    def status(self, quote_id: uuid.UUID | str) -> QuoteStatus:
        """The status to display: a sent quote past its date shows EXPIRED."""
        quote = self._quote(quote_id)
        return effective_status(quote["status"], quote["valid_until"], self._today())

    def available(self, quote_id: uuid.UUID | str) -> tuple[Offer, ...]:
        """The actions the state machine and the user's grants allow on this quote now."""
        quote, policy = self._quote(quote_id), self._policy()
        status = parse_quote_status(quote["status"])
        pct, approved = quote["discount_pct"] or 0, quote["approved_by"] is not None
        offers: list[Offer] = []
        if may(policy.grants, "quote", A.UPDATE):
            for action in available_actions(
                status,
                discount_pct=pct,
                approval_threshold_pct=policy.threshold,
                approved=approved,
                expired=is_expired(status, quote["valid_until"], self._today()),
            ):
                if action.target == Q.CONVERTED and not may(policy.grants, "journey", A.CREATE):
                    continue
                back = "revise" if status in (Q.SENT, Q.VIEWED) else "reopen"
                offers.append(
                    Offer(
                        _NAMES.get(action.target, back),
                        action.label,
                        action.target,
                        APPROVAL_REQUIRED if action.needs_approval else None,
                    )
                )
        if status == Q.DRAFT and needs_approval(pct, policy.threshold, approved):
            if may(policy.grants, "quote", A.APPROVE):
                offers.append(Offer("approve", "Approve the discount"))
            elif may(policy.grants, "sales_activity", A.CREATE):
                offers.append(Offer("request_approval", "Ask a manager to approve"))
        return tuple(offers)

    # -- moves along the state machine ------------------------------------------
    def send(self, quote_id: uuid.UUID | str, *, valid_until: dt.date | None = None) -> None:
        """DRAFT -> SENT; sets the validity date and freezes the exchange rate."""
        today = self._today()
        policy = self._policy()
        rows = self._exchange_rows()

        def changes(quote: Mapping[str, Any]) -> dict[str, Any]:
            current = quote["valid_until"]
            until = valid_until or (
                current if current is not None and current >= today else today + DEFAULT_VALIDITY
            )
            rate = document_rate(rows, quote["currency"], policy.home_currency, today)
            return {"sent_at": self.now(), "valid_until": until, "exchange_rate": rate}

        self._move(quote_id, Q.SENT, changes, policy)

    def mark_viewed(self, quote_id: uuid.UUID | str) -> None:
        """SENT -> VIEWED: the customer opened it (refused once it has lapsed)."""
        self._move(quote_id, Q.VIEWED, lambda q: {"viewed_at": self._live(q)})

    def accept(
        self,
        quote_id: uuid.UUID | str,
        *,
        signer_name: str,
        signature: bytes | Mapping[str, Any],
        valuation: ValuationChoice | None = None,
    ) -> None:
        """SENT/VIEWED -> ACCEPTED with the customer's signature; the quote is then locked."""
        name = acceptance.signer(signer_name)
        doc = acceptance.signature_document(signature, device_id=self.writes.device_id)

        def changes(quote: Mapping[str, Any]) -> dict[str, Any]:
            at = self._live(quote)
            acceptance.check_valuation(quote, valuation)
            return {"accepted_at": at, "signed_at": at, "signer_name": name, "signature": doc}

        self._move(quote_id, Q.ACCEPTED, changes)

    def reject(self, quote_id: uuid.UUID | str, *, reason: str) -> None:
        """SENT/VIEWED -> REJECTED, with the customer's reason."""
        text = (reason or "").strip()
        if not text or len(text) > 500:
            raise RuleViolation(
                REASON_REQUIRED, "give the customer's reason (1-500 characters)", field="reason"
            )
        self._move(
            quote_id, Q.REJECTED, lambda q: {"rejected_at": self.now(), "rejection_reason": text}
        )

    def expire(self, quote_id: uuid.UUID | str) -> None:
        """SENT/VIEWED -> EXPIRED (offered once ``valid_until`` has passed, allowed before)."""
        self._move(quote_id, Q.EXPIRED, lambda q: {})

    def revise(self, quote_id: uuid.UUID | str) -> None:
        """Back to DRAFT: revise a sent quote, or reopen a rejected or expired one."""
        self._move(quote_id, Q.DRAFT, lambda q: {})

    def convert(
        self, quote_id: uuid.UUID | str, *, scheduled_date: dt.date | None = None
    ) -> uuid.UUID:
        """ACCEPTED -> CONVERTED: create the Journey and link it, in one batch; its id."""
        policy = self._policy()
        require(policy.grants, "journey", A.CREATE)
        with self.writes.batch() as batch:
            quote = self._current(batch, quote_id)
            values = journey_from_quote(
                quote, scheduled_date=scheduled_date, dispatcher_id=policy.user_id
            )
            journey_id = batch.insert("journey", values)
            batch.update("quote", quote["id"], {"status": Q.CONVERTED, "journey_id": journey_id})
        return journey_id

    # -- manager approval ---------------------------------------------------------
    def request_approval(self, quote_id: uuid.UUID | str, *, note: str | None = None) -> uuid.UUID:
        """Log a request for a manager to approve the discount (a sales activity); its id."""
        policy = self._policy()
        require(policy.grants, "sales_activity", A.CREATE)
        with self.writes.batch() as batch:
            quote = self._current(batch, quote_id)
            check_approval(
                quote["status"],
                discount_pct=quote["discount_pct"] or 0,
                approval_threshold_pct=policy.threshold,
                may_approve=True,  # the request is checked, not the requester
            )
            label = quote["number"] or quote["provisional_number"] or str(quote["id"])[:8]
            detail = f"{quote['discount_pct']}% discount, above the {policy.threshold}% threshold"
            return batch.insert(
                "sales_activity",
                {
                    "type": SalesActivityType.OTHER,
                    "location_id": quote["location_id"],
                    "customer_id": quote["customer_id"],
                    "user_id": policy.user_id,
                    "occurred_at": self.now(),
                    "subject": f"Discount approval requested for quote {label}",
                    "notes": "\n".join(filter(None, [detail, note])),
                    "outcome": "approval_requested",
                },
            )

    def approve(self, quote_id: uuid.UUID | str) -> None:
        """A manager or admin approves the discount of a DRAFT quote in their own name."""
        policy = self._policy()
        with self.writes.batch() as batch:
            quote = self._current(batch, quote_id)
            check_approval(
                quote["status"],
                discount_pct=quote["discount_pct"] or 0,
                approval_threshold_pct=policy.threshold,
                may_approve=may(policy.grants, "quote", A.APPROVE),
            )
            batch.update(
                "quote", quote["id"], {"approved_by": policy.user_id, "approved_at": self.now()}
            )

    # -- currency -----------------------------------------------------------------
    def set_currency(
        self, quote_id: uuid.UUID | str, currency: str, *, on: dt.date | None = None
    ) -> Decimal | None:
        """Choose the quote's currency and store the rate to the tenant's; returns the rate.

        Unknown currency: ``unknown_currency``; no rate in the replica: ``no_exchange_rate``.
        A quote already priced in another currency is re-priced, not relabelled.
        """
        ccy = parse_currency(currency)
        policy = self._policy()
        rows = self._exchange_rows()
        with self.writes.batch() as batch:
            quote = self._current(batch, quote_id)
            check_editable(quote["status"])
            rate = document_rate(rows, ccy, policy.home_currency, on or self._today())
            if ccy != quote["currency"] and _has_lines(batch, quote["id"]):
                raise RuleViolation(
                    CURRENCY_MISMATCH,
                    f"the quote is priced in {quote['currency']}: remove its lines or "
                    f"re-price it before quoting in {ccy}",
                    field="currency",
                )
            batch.update("quote", quote["id"], {"currency": ccy, "exchange_rate": rate})
        return rate

    # -- helpers --------------------------------------------------------------------
    def _move(
        self,
        quote_id: uuid.UUID | str,
        target: QuoteStatus,
        changes: Callable[[Mapping[str, Any]], dict[str, Any]],
        policy: _Policy | None = None,
    ) -> None:
        policy = policy or self._policy()
        require(policy.grants, "quote", A.UPDATE)
        with self.writes.batch() as batch:
            quote = self._current(batch, quote_id)
            check_transition(
                quote["status"],
                target,
                discount_pct=quote["discount_pct"] or 0,
                approval_threshold_pct=policy.threshold,
                approved=quote["approved_by"] is not None,
            )
            batch.update("quote", quote["id"], {"status": target, **changes(quote)})

    def _live(self, quote: Mapping[str, Any]) -> dt.datetime:
        check_not_expired(quote["status"], quote["valid_until"], self._today())
        return self.now()

    def _today(self) -> dt.date:
        return self.now().date()

    def _quote(self, quote_id: uuid.UUID | str) -> dict[str, Any]:
        quote = get_row(self.store, "quote", quote_id)
        if quote is None:
            raise RowNotFound(f"no quote {quote_id} in this replica")
        return quote

    def _current(self, batch: WriteBatch, quote_id: uuid.UUID | str) -> dict[str, Any]:
        """The quote as this transaction sees it (a pull may have moved it meanwhile)."""
        quote = batch.read("quote", quote_id)
        if quote is None or quote["deleted_at"] is not None:
            raise RowNotFound(f"no quote {quote_id} in this replica")
        return quote

    def _policy(self) -> _Policy:
        user = signed_in_user(self.store, self.writes.user_id)
        tenant = get_row(self.store, "tenant", user["tenant_id"])
        if tenant is None:
            raise RowNotFound("the company's settings are not in this replica: sync once")
        return _Policy(
            user["id"],
            user_grants(self.store, user),
            tenant["discount_approval_threshold_pct"],
            tenant["default_currency"],
        )

    def _exchange_rows(self) -> list[ExchangeRateRow]:
        return [
            ExchangeRateRow(r["base_currency"], r["quote_currency"], r["rate"], r["effective_date"])
            for r in list_rows(self.store, "exchange_rate", limit=_ALL)
        ]


def _has_lines(batch: WriteBatch, quote_id: uuid.UUID) -> bool:
    items = table_for("quote_item")
    found = batch.conn.execute(
        select(items.c.id).where(items.c.quote_id == quote_id, items.c.deleted_at.is_(None))
    )
    return found.first() is not None
