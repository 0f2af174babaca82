"""Sales, access, finance, pricing and jobs models: schema, exact money, refused bad amounts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import Column, Engine, MetaData, Table, Uuid, create_engine, event, inspect, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError, NoReferencedTableError
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateIndex, CreateTable

from shared_models import models
from shared_models.base import NAMING_CONVENTION, Base
from shared_models.enums import (
    Currency,
    CustomerType,
    Province,
    QuoteItemCategory,
    QuoteStatus,
    UserRole,
)

OURS = {
    "customer", "lead", "sales_activity", "quote", "quote_item",
    "role_permission", "user_permission", "encrypted_data", "device", "audit_log",
    "invoice", "invoice_item", "payment", "financial_transaction",
    "price_list", "tax_rate", "exchange_rate", "catalogue_item",
    "journey", "journey_crew", "journey_event",
}  # fmt: skip
#: Tables other modules define; while one is missing, the tables pointing at it wait.
ELSEWHERE = {"equipment", "inventory", "schedule", "template"}
SERVER_ONLY = {"device", "audit_log", "encrypted_data"}
APPEND_ONLY = {"sales_activity", "payment", "financial_transaction", "journey_event", "audit_log"}


def _unresolved_targets(table: Table) -> set[str]:
    missing = set()
    for fk in table.foreign_keys:
        try:
            fk.column  # noqa: B018 - resolving is the point
        except NoReferencedTableError:
            missing.add(fk.target_fullname.split(".")[0])
    return missing


def _replica_metadata() -> MetaData:
    """The whole schema, with an id-only stand-in for any table another module has not landed.

    SQLite checks that an FK's parent table exists on every insert, so a missing
    ``equipment`` would block inserting a quote. Once every module is in, this
    is simply a copy of ``Base.metadata``.
    """
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    missing = set().union(*(_unresolved_targets(t) for t in Base.metadata.tables.values()))
    for name in missing:
        Table(name, metadata, Column("id", Uuid(), primary_key=True))
    for table in Base.metadata.tables.values():
        table.to_metadata(metadata)
    return metadata


@pytest.fixture
def engine() -> Iterator[Engine]:
    eng = create_engine("sqlite://")

    @event.listens_for(eng, "connect")
    def _fk_on(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.execute("PRAGMA foreign_keys=ON")

    _replica_metadata().create_all(eng)
    yield eng
    eng.dispose()


def test_all_models_registered_with_their_flags() -> None:
    tables = {cls.__tablename__: cls for cls in models.model_classes()}
    assert OURS <= tables.keys()
    for name in OURS:
        cls = tables[name]
        assert cls.__synced__ is (name not in SERVER_ONLY), name
        assert cls.__append_only__ is (name in APPEND_ONLY), name
        assert getattr(models, cls.__name__) is cls


def test_only_tables_of_other_modules_are_missing() -> None:
    for name in OURS:
        assert _unresolved_targets(Base.metadata.tables[name]) <= ELSEWHERE, name


def test_schema_creates_on_sqlite(engine: Engine) -> None:
    assert OURS <= set(inspect(engine).get_table_names())


def test_postgresql_ddl_compiles() -> None:
    dialect = postgresql.dialect()
    for name in sorted(OURS):
        table = Base.metadata.tables[name]
        if _unresolved_targets(table):
            continue
        ddl = str(CreateTable(table).compile(dialect=dialect))
        assert f"CREATE TABLE {name}" in ddl
        for index in table.indexes:
            str(CreateIndex(index).compile(dialect=dialect))


def test_constraint_names_are_unique_and_fit_postgresql() -> None:
    """Two columns of one enum would both emit ``ck_<table>_<enum>``; PostgreSQL refuses that."""
    dialect = postgresql.dialect()
    for name in sorted(OURS):
        table = Base.metadata.tables[name]
        if _unresolved_targets(table):
            continue
        ddl = str(CreateTable(table).compile(dialect=dialect))
        lines = [line.strip() for line in ddl.splitlines()]
        names = [line.split()[1] for line in lines if line.startswith("CONSTRAINT")]
        names += [str(index.name) for index in table.indexes]
        assert len(names) == len(set(names)), (name, names)
        assert all(len(n) <= 63 for n in names), (name, names)


def _seed(session: Session) -> tuple[models.Tenant, models.Location, models.User]:
    tenant = models.Tenant(name="Let's Get Moving", slug="lgm")
    session.add(tenant)
    session.flush()
    location = models.Location(
        tenant_id=tenant.id,
        name="Toronto East",
        code="TOE",
        address_line1="1 Main St",
        city="Toronto",
        province=Province.ON,
        postal_code="M4C 1A1",
        timezone="America/Toronto",
    )
    session.add(location)
    session.flush()
    user = models.User(
        tenant_id=tenant.id,
        email="rep@example.com",
        full_name="Sam Rep",
        role=UserRole.SALES,
        location_id=location.id,
    )
    session.add(user)
    session.flush()
    return tenant, location, user


def _quote(
    tenant: models.Tenant,
    location: models.Location,
    user: models.User,
    customer: models.Customer,
    **amounts: Decimal,
) -> models.Quote:
    return models.Quote(
        tenant_id=tenant.id,
        location_id=location.id,
        customer_id=customer.id,
        created_by=user.id,
        **amounts,
    )


def _customer(tenant: models.Tenant, location: models.Location) -> models.Customer:
    return models.Customer(
        tenant_id=tenant.id,
        location_id=location.id,
        first_name="Ada",
        last_name="Lovelace",
        customer_type=CustomerType.RESIDENTIAL,
        province=Province.ON,
    )


def test_quote_round_trip_keeps_decimals_and_utc(engine: Engine) -> None:
    signed = dt.datetime(2026, 5, 1, 14, 30, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
    with Session(engine) as session:
        tenant, location, user = _seed(session)
        customer = _customer(tenant, location)
        session.add(customer)
        session.flush()
        quote = _quote(
            tenant,
            location,
            user,
            customer,
            subtotal=Decimal("1234567.89"),
            tax_amount=Decimal("160493.83"),
            total=Decimal("1395061.72"),
            deposit_amount=Decimal("0.10"),
            discount_pct=Decimal("7.500000"),
        )
        quote.currency = Currency.CAD
        quote.exchange_rate = Decimal("1.372450")
        quote.estimated_hours = Decimal("6.250")
        quote.origin_province = Province.ON
        quote.destination_province = Province.QC
        quote.signed_at = signed
        quote.tax_breakdown = [{"kind": "HST", "rate": "0.13", "amount": "160493.83"}]
        session.add(quote)
        session.flush()
        session.add_all(
            [
                models.QuoteItem(
                    tenant_id=tenant.id,
                    quote_id=quote.id,
                    category=QuoteItemCategory.MOVING_SERVICES,
                    description="3 movers, 1 truck",
                    quantity=Decimal("6.250"),
                    unit="hour",
                    unit_price=Decimal("199.99"),
                    line_total=Decimal("1249.94"),
                    sort_order=2,
                ),
                models.QuoteItem(
                    tenant_id=tenant.id,
                    quote_id=quote.id,
                    category=QuoteItemCategory.PACKING_SERVICES,
                    description="Medium boxes",
                    quantity=Decimal("20"),
                    unit="box",
                    unit_price=Decimal("3.10"),
                    line_total=Decimal("62.00"),
                    sort_order=1,
                ),
                models.QuoteItem(
                    tenant_id=tenant.id,
                    quote_id=quote.id,
                    category=QuoteItemCategory.OTHER,
                    description="Removed line",
                    unit_price=Decimal("1"),
                    line_total=Decimal("1"),
                    deleted_at=signed,
                ),
            ]
        )
        session.commit()
        quote_id = quote.id

    with Session(engine) as session:
        got = session.execute(select(models.Quote).where(models.Quote.id == quote_id)).scalar_one()
        assert got.subtotal == Decimal("1234567.89")
        assert got.total == Decimal("1395061.72")
        assert got.deposit_amount == Decimal("0.10")
        assert got.discount_pct == Decimal("7.5")
        assert got.exchange_rate == Decimal("1.372450")
        assert got.estimated_hours == Decimal("6.25")
        assert all(isinstance(v, Decimal) for v in (got.subtotal, got.exchange_rate))
        assert got.status is QuoteStatus.DRAFT and got.version == 0
        assert got.origin_province is Province.ON and got.destination_province is Province.QC
        assert got.signed_at == signed
        assert got.signed_at.utcoffset() == dt.timedelta(0)
        assert got.created_at.tzinfo is not None
        assert got.tax_breakdown[0]["amount"] == "160493.83"
        # Live items only, in print order.
        assert [i.description for i in got.items] == ["Medium boxes", "3 movers, 1 truck"]
        assert got.items[1].quantity == Decimal("6.250")
        assert got.items[1].unit_price == Decimal("199.99")


def test_negative_quote_total_is_refused(engine: Engine) -> None:
    with Session(engine) as session:
        tenant, location, user = _seed(session)
        customer = _customer(tenant, location)
        session.add(customer)
        session.flush()
        session.add(_quote(tenant, location, user, customer, total=Decimal("-0.01")))
        # A negative total breaks total_nonneg and deposit_le_total; either may report first.
        with pytest.raises(IntegrityError, match="ck_quote_(total_nonneg|deposit_le_total)"):
            session.flush()


def test_negative_item_quantity_is_refused(engine: Engine) -> None:
    with Session(engine) as session:
        tenant, location, user = _seed(session)
        customer = _customer(tenant, location)
        session.add(customer)
        session.flush()
        quote = _quote(tenant, location, user, customer)
        session.add(quote)
        session.flush()
        session.add(
            models.QuoteItem(
                tenant_id=tenant.id,
                quote_id=quote.id,
                category=QuoteItemCategory.OTHER,
                description="Credit",
                quantity=Decimal("-1"),
                unit_price=Decimal("10"),
                line_total=Decimal("0"),
            )
        )
        with pytest.raises(IntegrityError, match="quantity_nonneg"):
            session.flush()


def test_tombstoned_crew_row_does_not_block_re_adding(engine: Engine) -> None:
    """Live-row uniqueness: one active permission per cell, a tombstone frees the slot."""
    with Session(engine) as session:
        tenant, _location, _user = _seed(session)
        cell = dict(
            tenant_id=tenant.id,
            role=UserRole.SALES,
            resource="quote",
            action="UPDATE",
            scope="LOCATION",
        )
        first = models.RolePermission(**cell)
        session.add(first)
        session.flush()
        session.add(models.RolePermission(**cell))
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()

    with Session(engine) as session:
        tenant, _location, _user = _seed(session)
        cell = dict(
            tenant_id=tenant.id,
            role=UserRole.SALES,
            resource="quote",
            action="UPDATE",
            scope="LOCATION",
        )
        session.add(models.RolePermission(**cell, deleted_at=dt.datetime.now(dt.UTC)))
        session.add(models.RolePermission(**cell))
        session.flush()


def test_invoice_balance_must_match_payments(engine: Engine) -> None:
    """Overpayment is credit, never a negative balance."""
    with Session(engine) as session:
        tenant, location, _user = _seed(session)
        customer = _customer(tenant, location)
        session.add(customer)
        session.flush()
        base = dict(
            tenant_id=tenant.id,
            location_id=location.id,
            customer_id=customer.id,
            subtotal=Decimal("100.00"),
            total=Decimal("100.00"),
        )
        session.add(
            models.Invoice(**base, amount_paid=Decimal("120.00"), credit_amount=Decimal("20.00"))
        )
        session.flush()
        session.add(
            models.Invoice(**base, amount_paid=Decimal("120.00"), balance_due=Decimal("-20.00"))
        )
        with pytest.raises(IntegrityError):
            session.flush()


def test_invoice_balance_check_holds_for_cent_amounts_stored_as_real(engine: Engine) -> None:
    """SQLite keeps money as REAL: 772.80 - 300.00 is not exactly 472.80 there."""
    with Session(engine) as session:
        tenant, location, _user = _seed(session)
        customer = _customer(tenant, location)
        session.add(customer)
        session.flush()
        session.add(
            models.Invoice(
                tenant_id=tenant.id,
                location_id=location.id,
                customer_id=customer.id,
                subtotal=Decimal("772.80"),
                total=Decimal("772.80"),
                amount_paid=Decimal("300.00"),
                balance_due=Decimal("472.80"),
            )
        )
        session.flush()
        session.add(
            models.Invoice(
                tenant_id=tenant.id,
                location_id=location.id,
                customer_id=customer.id,
                subtotal=Decimal("772.80"),
                total=Decimal("772.80"),
                amount_paid=Decimal("300.00"),
                balance_due=Decimal("472.81"),
            )
        )
        with pytest.raises(IntegrityError):
            session.flush()
