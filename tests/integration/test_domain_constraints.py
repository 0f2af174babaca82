"""The PostgreSQL schema itself refuses impossible business data, whatever code writes it."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import Engine, insert, text
from sqlalchemy.exc import IntegrityError

from shared_models.models import Customer, Location, Payment, Quote, QuoteItem, Tenant, User
from sync_server.core.db import create_db_engine

NOW = dt.datetime(2026, 5, 1, 14, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def engine(migrated_db_url: str) -> Iterator[Engine]:
    engine = create_db_engine(migrated_db_url)
    yield engine
    engine.dispose()


def _ids(engine: Engine) -> dict[str, uuid.UUID]:
    """One tenant, branch, customer and quote: the smallest valid parents."""
    ids = {name: uuid.uuid4() for name in ("tenant", "location", "user", "customer", "quote")}
    common = {"version": 1, "created_at": NOW, "updated_at": NOW}
    with engine.begin() as conn:
        conn.execute(
            insert(Tenant),
            {
                "id": ids["tenant"],
                "name": "Maple",
                "slug": "maple",
                "default_currency": "CAD",
                "offline_lease_days": 14,
                "discount_approval_threshold_pct": 10,
                **common,
            },
        )
        conn.execute(
            insert(Location),
            {
                "id": ids["location"],
                "tenant_id": ids["tenant"],
                "name": "Toronto",
                "code": "TOR",
                "address_line1": "1 Front St W",
                "city": "Toronto",
                "province": "ON",
                "postal_code": "M5J 2X5",
                "country": "CA",
                "timezone": "America/Toronto",
                "is_active": True,
                **common,
            },
        )
        conn.execute(
            insert(User),
            {
                "id": ids["user"],
                "tenant_id": ids["tenant"],
                "location_id": ids["location"],
                "email": "sam@maple.example",
                "full_name": "Sam Roy",
                "role": "SALES",
                "scope": "OWN",
                "status": "ACTIVE",
                "has_drivers_license": False,
                **common,
            },
        )
        conn.execute(
            insert(Customer),
            {
                "id": ids["customer"],
                "tenant_id": ids["tenant"],
                "location_id": ids["location"],
                "customer_type": "RESIDENTIAL",
                "first_name": "Ana",
                "last_name": "Lima",
                "country": "CA",
                "preferred_language": "en",
                "tax_exempt": False,
                "is_active": True,
                **common,
            },
        )
    return ids


def _quote(ids: dict[str, uuid.UUID], **overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id": ids["quote"],
        "tenant_id": ids["tenant"],
        "location_id": ids["location"],
        "customer_id": ids["customer"],
        "created_by": ids["user"],
        "status": "DRAFT",
        "estimate_type": "HOURLY",
        "currency": "CAD",
        "subtotal": Decimal("100.00"),
        "discount_amount": Decimal("0"),
        "tax_amount": Decimal("13.00"),
        "total": Decimal("113.00"),
        "deposit_amount": Decimal("0"),
        "version": 1,
        "created_at": NOW,
        "updated_at": NOW,
    }
    row.update(overrides)
    return row


def test_a_valid_quote_is_accepted_with_exact_decimals(engine: Engine) -> None:
    ids = _ids(engine)
    with engine.begin() as conn:
        conn.execute(insert(Quote), _quote(ids))
        total = conn.execute(text("SELECT total FROM quote")).scalar_one()
    assert total == Decimal("113.00")


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        ({"total": Decimal("-1.00")}, "total"),
        ({"subtotal": Decimal("-5.00")}, "subtotal"),
    ],
)
def test_postgres_refuses_impossible_quotes(
    engine: Engine, overrides: dict[str, object], constraint: str
) -> None:
    ids = _ids(engine)
    with pytest.raises(IntegrityError, match=rf"ck_quote_\w*{constraint}"), engine.begin() as conn:
        conn.execute(insert(Quote), _quote(ids, **overrides))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM quote")).scalar_one() == 0


@pytest.mark.parametrize(
    ("column", "value", "constraint"),
    [("currency", "GBP", "ck_quote_currency"), ("status", "MAYBE", "ck_quote_quotestatus")],
)
def test_postgres_refuses_enum_values_outside_the_spec(
    engine: Engine, column: str, value: str, constraint: str
) -> None:
    """Written as raw SQL, past the ORM's own check: the database is the last wall."""
    ids = _ids(engine)
    with engine.begin() as conn:
        conn.execute(insert(Quote), _quote(ids))
    with pytest.raises(IntegrityError, match=constraint), engine.begin() as conn:
        conn.execute(text(f"UPDATE quote SET {column} = :v"), {"v": value})


def test_postgres_refuses_a_negative_item_quantity_and_a_zero_payment(engine: Engine) -> None:
    ids = _ids(engine)
    with engine.begin() as conn:
        conn.execute(insert(Quote), _quote(ids))
    item = {
        "id": uuid.uuid4(),
        "tenant_id": ids["tenant"],
        "quote_id": ids["quote"],
        "category": "MOVING_SERVICES",
        "description": "3 movers",
        "quantity": Decimal("-2"),
        "unit": "hour",
        "unit_price": Decimal("209.00"),
        "discount_pct": Decimal("0"),
        "line_total": Decimal("0"),
        "taxable": True,
        "sort_order": 0,
        "version": 1,
        "created_at": NOW,
        "updated_at": NOW,
    }
    with pytest.raises(IntegrityError, match="ck_quote_item"), engine.begin() as conn:
        conn.execute(insert(QuoteItem), item)
    payment = {
        "id": uuid.uuid4(),
        "tenant_id": ids["tenant"],
        "location_id": ids["location"],
        "customer_id": ids["customer"],
        "method": "CASH",
        "status": "COMPLETED",
        "amount": Decimal("0.00"),
        "currency": "CAD",
        "received_at": NOW,
        "refunded_amount": Decimal("0"),
        "version": 1,
        "created_at": NOW,
        "updated_at": NOW,
    }
    with pytest.raises(IntegrityError, match="ck_payment"), engine.begin() as conn:
        conn.execute(insert(Payment), payment)


def test_a_row_of_an_unknown_tenant_is_refused(engine: Engine) -> None:
    ids = _ids(engine)
    with pytest.raises(IntegrityError, match="fk_quote_tenant_id_tenant"), engine.begin() as conn:
        conn.execute(insert(Quote), _quote(ids, tenant_id=uuid.uuid4()))
