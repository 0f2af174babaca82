"""purchase orders on stock movements (supplier, ordered/expected days); engine-hour service plans

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 01:55:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_QUANTITY = sa.Numeric(14, 3)


def upgrade() -> None:
    op.add_column(
        "inventory_transaction",
        sa.Column(
            "supplier_id",
            sa.Uuid(),
            sa.ForeignKey(
                "supplier.id",
                name=op.f("fk_inventory_transaction_supplier_id_supplier"),
                ondelete="RESTRICT",
            ),
            nullable=True,
        ),
    )
    op.add_column("inventory_transaction", sa.Column("ordered_on", sa.Date(), nullable=True))
    op.add_column("inventory_transaction", sa.Column("expected_on", sa.Date(), nullable=True))
    op.create_check_constraint(
        op.f("ck_inventory_transaction_order_fields_on_purchase"),
        "inventory_transaction",
        "type = 'PURCHASE' OR (supplier_id IS NULL AND ordered_on IS NULL"
        " AND expected_on IS NULL)",
    )
    op.create_check_constraint(
        op.f("ck_inventory_transaction_expected_after_order"),
        "inventory_transaction",
        "expected_on IS NULL OR ordered_on IS NULL OR expected_on >= ordered_on",
    )
    op.create_index(
        "ix_inventory_transaction_tenant_supplier",
        "inventory_transaction",
        ["tenant_id", "supplier_id"],
    )
    op.add_column(
        "equipment", sa.Column("service_interval_engine_hours", _QUANTITY, nullable=True)
    )
    op.add_column("equipment", sa.Column("next_service_engine_hours", _QUANTITY, nullable=True))
    op.create_check_constraint(
        op.f("ck_equipment_interval_hours_positive"),
        "equipment",
        "service_interval_engine_hours IS NULL OR service_interval_engine_hours > 0",
    )
    op.create_check_constraint(
        op.f("ck_equipment_next_service_hours_nonneg"),
        "equipment",
        "next_service_engine_hours IS NULL OR next_service_engine_hours >= 0",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_equipment_next_service_hours_nonneg"), "equipment", type_="check")
    op.drop_constraint(op.f("ck_equipment_interval_hours_positive"), "equipment", type_="check")
    op.drop_column("equipment", "next_service_engine_hours")
    op.drop_column("equipment", "service_interval_engine_hours")
    op.drop_index("ix_inventory_transaction_tenant_supplier", "inventory_transaction")
    op.drop_constraint(
        op.f("ck_inventory_transaction_expected_after_order"), "inventory_transaction", type_="check"
    )
    op.drop_constraint(
        op.f("ck_inventory_transaction_order_fields_on_purchase"),
        "inventory_transaction",
        type_="check",
    )
    op.drop_column("inventory_transaction", "expected_on")
    op.drop_column("inventory_transaction", "ordered_on")
    op.drop_column("inventory_transaction", "supplier_id")
