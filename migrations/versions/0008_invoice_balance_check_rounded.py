"""invoice balance check compares amounts rounded to the cent

The same CHECK runs in the SQLite replica, where money is REAL and an exact
comparison refuses ordinary invoices (772.80 - 300.00 != 472.80 in binary
floating point). On PostgreSQL's NUMERIC the rounded form is equivalent.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 20:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NAME = "ck_invoice_balance_consistent"


def upgrade() -> None:
    op.drop_constraint(op.f(_NAME), "invoice", type_="check")
    op.create_check_constraint(
        op.f(_NAME),
        "invoice",
        "round(balance_due - credit_amount, 2) = round(total - amount_paid, 2)",
    )


def downgrade() -> None:
    op.drop_constraint(op.f(_NAME), "invoice", type_="check")
    op.create_check_constraint(
        op.f(_NAME), "invoice", "balance_due - credit_amount = total - amount_paid"
    )
