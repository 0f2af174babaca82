"""Invoices, payments and the ledger: the money side of a move.

Amounts are stored as computed by ``shared_models.rules`` and checked again by
the database. Payments and ledger entries are facts: pushed once, never edited
by a client (DESIGN 6.3).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared_models.base import Base, LocationScopedMixin, SyncedMixin
from shared_models.enums import (
    Currency,
    InvoiceStatus,
    PaymentMethod,
    PaymentStatus,
    TransactionType,
)
from shared_models.models.lines import PricedLineMixin, priced_line_checks
from shared_models.types import Rate

__all__ = ["FinancialTransaction", "Invoice", "InvoiceItem", "Payment"]


class Invoice(SyncedMixin, LocationScopedMixin, Base):
    """A bill to a customer, usually for a completed journey.

    Overpayment becomes customer credit: ``total - amount_paid`` is split into
    ``balance_due`` (owed, >= 0) and ``credit_amount`` (owed back, >= 0), never
    both. ``bill_to`` snapshots the billing address as printed.
    """

    __tablename__ = "invoice"

    #: Legal, sequential number assigned by the server; NULL until then.
    number: Mapped[str | None] = mapped_column(String(32))
    #: Device-made number printed on receipts issued offline.
    provisional_number: Mapped[str | None] = mapped_column(String(40))
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customer.id", ondelete="RESTRICT"))
    journey_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("journey.id", ondelete="RESTRICT")
    )
    quote_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("quote.id", ondelete="RESTRICT"))
    status: Mapped[InvoiceStatus] = mapped_column(default=InvoiceStatus.DRAFT)
    currency: Mapped[Currency] = mapped_column(default=Currency.CAD)
    exchange_rate: Mapped[Decimal | None] = mapped_column(Rate)
    issue_date: Mapped[dt.date | None]
    due_date: Mapped[dt.date | None]
    bill_to: Mapped[dict[str, Any]] = mapped_column(default=dict)
    subtotal: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    discount_amount: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    tax_amount: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    total: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    amount_paid: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    balance_due: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    credit_amount: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    #: Tax lines ``[{kind, label, rate, base, amount}]`` as strings.
    tax_breakdown: Mapped[list[Any]] = mapped_column(default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    sent_at: Mapped[dt.datetime | None]
    viewed_at: Mapped[dt.datetime | None]
    paid_at: Mapped[dt.datetime | None]
    cancelled_at: Mapped[dt.datetime | None]
    cancellation_reason: Mapped[str | None] = mapped_column(String(500))

    #: Live items in print order (tombstoned ones stay in the table for sync).
    items: Mapped[list[InvoiceItem]] = relationship(
        primaryjoin="and_(Invoice.id == InvoiceItem.invoice_id, InvoiceItem.deleted_at.is_(None))",
        order_by="InvoiceItem.sort_order",
        viewonly=True,
        lazy="selectin",
    )

    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        CheckConstraint("subtotal >= 0", name="subtotal_nonneg"),
        CheckConstraint("discount_amount >= 0", name="discount_nonneg"),
        CheckConstraint("discount_amount <= subtotal", name="discount_le_subtotal"),
        CheckConstraint("tax_amount >= 0", name="tax_nonneg"),
        CheckConstraint("total >= 0", name="total_nonneg"),
        CheckConstraint("amount_paid >= 0", name="amount_paid_nonneg"),
        CheckConstraint("balance_due >= 0", name="balance_nonneg"),
        CheckConstraint("credit_amount >= 0", name="credit_nonneg"),
        CheckConstraint("balance_due = 0 OR credit_amount = 0", name="balance_or_credit"),
        # Rounded: the SQLite replica stores money as REAL, where 772.8 - 300.0 != 472.8.
        CheckConstraint(
            "round(balance_due - credit_amount, 2) = round(total - amount_paid, 2)",
            name="balance_consistent",
        ),
        CheckConstraint("exchange_rate IS NULL OR exchange_rate > 0", name="fx_positive"),
        CheckConstraint(
            "due_date IS NULL OR issue_date IS NULL OR due_date >= issue_date",
            name="due_after_issue",
        ),
        Index("ix_invoice_tenant_status_due_date", "tenant_id", "status", "due_date"),
        Index("ix_invoice_tenant_location_issue_date", "tenant_id", "location_id", "issue_date"),
        Index("ix_invoice_tenant_customer", "tenant_id", "customer_id"),
        Index("ix_invoice_tenant_journey", "tenant_id", "journey_id"),
        Index("ix_invoice_tenant_quote", "tenant_id", "quote_id"),
    )


class InvoiceItem(SyncedMixin, PricedLineMixin, Base):
    """One billed line; follows its invoice into buckets, so it carries no location."""

    __tablename__ = "invoice_item"

    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoice.id", ondelete="CASCADE"))
    #: The quoted line this bills, to compare quoted with actual.
    quote_item_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("quote_item.id", ondelete="RESTRICT")
    )

    __table_args__ = (
        *priced_line_checks(),
        Index("ix_invoice_item_tenant_invoice", "tenant_id", "invoice_id", "sort_order"),
    )


class Payment(SyncedMixin, LocationScopedMixin, Base):
    """Money received (or, with ``refund_of_id``, returned): append-only for clients.

    ``amount`` is always positive; a refund is its own row pointing at the
    original. ``status`` and ``refunded_amount`` move on the server only, from
    gateway events and refund rows. A deposit may precede the invoice, so it
    can point at the quote instead.
    """

    __tablename__ = "payment"
    __append_only__ = True

    invoice_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("invoice.id", ondelete="RESTRICT")
    )
    quote_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("quote.id", ondelete="RESTRICT"))
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customer.id", ondelete="RESTRICT"))
    method: Mapped[PaymentMethod]
    status: Mapped[PaymentStatus] = mapped_column(default=PaymentStatus.PENDING)
    amount: Mapped[Decimal]
    currency: Mapped[Currency] = mapped_column(default=Currency.CAD)
    exchange_rate: Mapped[Decimal | None] = mapped_column(Rate)
    received_at: Mapped[dt.datetime]
    #: Cheque number, e-Transfer reference, card last four.
    reference: Mapped[str | None] = mapped_column(String(100))
    #: "stripe", "square", "paypal"; the id is the gateway's, for reconciliation.
    gateway: Mapped[str | None] = mapped_column(String(32))
    gateway_payment_id: Mapped[str | None] = mapped_column(String(128))
    refunded_amount: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    refund_of_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("payment.id", ondelete="RESTRICT")
    )
    notes: Mapped[str | None] = mapped_column(Text)
    #: None for payments arriving through a gateway webhook.
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="RESTRICT")
    )

    __table_args__ = (
        # NULLs never collide, so only gateway payments are held unique.
        UniqueConstraint("gateway", "gateway_payment_id"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("refunded_amount >= 0", name="refunded_nonneg"),
        CheckConstraint("refunded_amount <= amount", name="refunded_le_amount"),
        CheckConstraint("exchange_rate IS NULL OR exchange_rate > 0", name="fx_positive"),
        CheckConstraint(
            "gateway_payment_id IS NULL OR gateway IS NOT NULL", name="gateway_id_has_gateway"
        ),
        CheckConstraint("refund_of_id IS NULL OR refund_of_id <> id", name="not_own_refund"),
        Index("ix_payment_tenant_invoice", "tenant_id", "invoice_id"),
        Index("ix_payment_tenant_customer", "tenant_id", "customer_id"),
        Index("ix_payment_tenant_location_received", "tenant_id", "location_id", "received_at"),
        Index("ix_payment_tenant_status", "tenant_id", "status"),
    )


class FinancialTransaction(SyncedMixin, LocationScopedMixin, Base):
    """One ledger entry; balances are sums of entries, so offline entries never conflict.

    ``amount`` is signed from the tenant's point of view: positive is money in
    (income, a refund received), negative is money out (expense, a refund paid);
    a transfer is two entries that sum to zero. Never zero.
    """

    __tablename__ = "financial_transaction"
    __append_only__ = True

    type: Mapped[TransactionType]
    invoice_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("invoice.id", ondelete="RESTRICT")
    )
    payment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("payment.id", ondelete="RESTRICT")
    )
    #: For job costing: fuel, tolls, hired help charged to one move.
    journey_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("journey.id", ondelete="RESTRICT")
    )
    amount: Mapped[Decimal]
    currency: Mapped[Currency] = mapped_column(default=Currency.CAD)
    exchange_rate: Mapped[Decimal | None] = mapped_column(Rate)
    occurred_at: Mapped[dt.datetime]
    description: Mapped[str] = mapped_column(String(500))
    #: Chart-of-accounts code as exported to accounting ("4000-moving-revenue").
    account: Mapped[str] = mapped_column(String(64))
    category: Mapped[str | None] = mapped_column(String(64))
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="RESTRICT")
    )

    __table_args__ = (
        CheckConstraint("amount <> 0", name="amount_nonzero"),
        CheckConstraint("exchange_rate IS NULL OR exchange_rate > 0", name="fx_positive"),
        Index("ix_financial_transaction_tenant_occurred", "tenant_id", "occurred_at"),
        Index("ix_financial_transaction_tenant_account", "tenant_id", "account", "occurred_at"),
        Index(
            "ix_financial_transaction_tenant_location", "tenant_id", "location_id", "occurred_at"
        ),
        Index("ix_financial_transaction_tenant_invoice", "tenant_id", "invoice_id"),
        Index("ix_financial_transaction_tenant_payment", "tenant_id", "payment_id"),
        Index("ix_financial_transaction_tenant_journey", "tenant_id", "journey_id"),
    )
