"""Deposits taken on a quote, carried onto the invoice made from it (issue 4, part 6).

The rule (which payments an invoice takes over) is ``rules.ledger.carried_deposits``;
this module finds the candidates and writes the link (``payment.invoice_id``)
through the caller's ``SyncWriter``, so the move is versioned, audited and
pulled like any other change. Two moments carry a deposit: an invoice being
recomputed (it was just created, or changed) takes the deposits already
recorded, and a deposit recorded after its quote was invoiced is linked as it
is inserted.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from shared_models.enums import InvoiceStatus
from shared_models.rules import ledger as rules
from shared_models.sync.codec import synced_table

if TYPE_CHECKING:
    from sync_server.sync.writer import SyncWriter


def _candidate(row: Mapping[str, Any]) -> rules.DepositCandidate:
    return rules.DepositCandidate(
        id=row["id"],
        quote_id=row["quote_id"],
        customer_id=row["customer_id"],
        currency=row["currency"],
        amount=row["amount"],
        status=row["status"],
        refund_of_id=row["refund_of_id"],
        invoice_id=row["invoice_id"],
    )


def quotes_of_invoices(
    session: Session, invoices: Iterable[Mapping[str, Any]]
) -> dict[uuid.UUID, set[uuid.UUID]]:
    """invoice id -> the quotes it bills: its own, its journey's, and quotes converted into it."""
    docs = list(invoices)
    out = {d["id"]: {d["quote_id"]} - {None} for d in docs}
    journeys = {d["journey_id"] for d in docs if d.get("journey_id") is not None}
    if journeys:
        j, q = synced_table("journey"), synced_table("quote")
        via_journey = dict(
            session.execute(
                select(j.c.id, j.c.quote_id).where(j.c.id.in_(journeys), j.c.quote_id.isnot(None))
            ).all()
        )
        converted: dict[uuid.UUID, set[uuid.UUID]] = {}
        for quote_id, journey_id in session.execute(
            select(q.c.id, q.c.journey_id).where(
                q.c.journey_id.in_(journeys), q.c.deleted_at.is_(None)
            )
        ).all():
            converted.setdefault(journey_id, set()).add(quote_id)
        for d in docs:
            jid = d.get("journey_id")
            if jid is not None:
                out[d["id"]] |= {via_journey.get(jid)} - {None} | converted.get(jid, set())
    return out


def _has_lines(inv: Any) -> Any:
    """An invoice takes deposits once its lines arrived (the outbox may send them later):
    money on an invoice of no total yet would make it PAID, and lock it against them."""
    item = synced_table("invoice_item")
    return (
        select(item.c.id).where(item.c.invoice_id == inv.c.id, item.c.deleted_at.is_(None)).exists()
    )


def _loose_payments(session: Session, quote_ids: set[uuid.UUID]) -> list[dict[str, Any]]:
    """Live payments on these quotes and not on an invoice, with refunds of them."""
    t = synced_table("payment")
    deposits = [
        dict(r)
        for r in session.execute(
            select(t).where(
                t.c.quote_id.in_(quote_ids), t.c.invoice_id.is_(None), t.c.deleted_at.is_(None)
            )
        ).mappings()
    ]
    if not deposits:
        return []
    ids = [d["id"] for d in deposits]
    refunds = session.execute(
        select(t).where(
            t.c.refund_of_id.in_(ids),
            t.c.invoice_id.is_(None),
            t.c.deleted_at.is_(None),
            or_(t.c.quote_id.is_(None), t.c.quote_id.notin_(quote_ids)),
        )
    ).mappings()
    return deposits + [dict(r) for r in refunds]


def carry_onto_invoices(writer: SyncWriter, invoice_ids: Iterable[uuid.UUID]) -> int:
    """Link the loose deposits of each invoice's quotes to it; returns how many moved."""
    ids = list(invoice_ids)
    if not ids:
        return 0
    session = writer.session
    inv = synced_table("invoice")
    docs = [
        dict(r)
        for r in session.execute(
            select(inv).where(
                inv.c.id.in_(ids),
                inv.c.deleted_at.is_(None),
                inv.c.status != InvoiceStatus.CANCELLED,
                or_(inv.c.quote_id.isnot(None), inv.c.journey_id.isnot(None)),
                _has_lines(inv),
            )
        ).mappings()
    ]
    if not docs:
        return 0
    quotes = quotes_of_invoices(session, docs)
    wanted = set().union(*quotes.values())
    if not wanted:
        return 0
    loose = {p["id"]: p for p in _loose_payments(session, wanted)}
    moved = 0
    for doc in sorted(docs, key=lambda d: (d["created_at"], d["id"])):
        carried = rules.carried_deposits(
            quote_ids=quotes[doc["id"]],
            customer_id=doc["customer_id"],
            currency=doc["currency"],
            payments=[_candidate(p) for p in loose.values()],
        )
        for pid in carried:
            row = loose.pop(pid)
            writer.update("payment", pid, {"invoice_id": doc["id"]}, before=row)
            moved += 1
    return moved


def invoice_for_deposit(session: Session, values: Mapping[str, Any]) -> uuid.UUID | None:
    """The live invoice a deposit being recorded on a quote belongs to, if it was invoiced."""
    quote_id = values.get("quote_id")
    if quote_id is None or values.get("invoice_id") is not None:
        return None
    inv, j, q = synced_table("invoice"), synced_table("journey"), synced_table("quote")
    journeys = select(j.c.id).where(j.c.quote_id == quote_id)
    converted = select(q.c.journey_id).where(q.c.id == quote_id).scalar_subquery()
    docs = session.execute(
        select(inv)
        .where(
            inv.c.deleted_at.is_(None),
            inv.c.status != InvoiceStatus.CANCELLED,
            _has_lines(inv),
            or_(
                inv.c.quote_id == quote_id,
                inv.c.journey_id.in_(journeys),
                inv.c.journey_id == converted,
            ),
        )
        .order_by(inv.c.created_at, inv.c.id)
    ).mappings()
    probe = rules.DepositCandidate(
        id=values.get("id") or uuid.uuid4(),
        quote_id=quote_id,
        customer_id=values["customer_id"],
        currency=values.get("currency") or "CAD",
        amount=values.get("amount") or 0,
    )
    for doc in docs:
        if rules.carried_deposits(
            quote_ids=[quote_id],
            customer_id=doc["customer_id"],
            currency=doc["currency"],
            payments=[probe],
        ):
            return doc["id"]
    return None
