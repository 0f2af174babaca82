"""Row-level security (DESIGN 7): a request walled into one tenant cannot touch another's rows."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import DBAPIError

from shared_models.models import Customer, Location, Tenant
from sync_server.admin.accounts import create_tenant
from sync_server.core.db import create_db_engine, make_session_factory, session_scope
from sync_server.db.tenancy import bind_tenant


@pytest.fixture
def two_tenants(migrated_db_url: str):  # type: ignore[no-untyped-def]
    engine = create_db_engine(migrated_db_url)
    ids = {}
    with session_scope(engine) as s:
        for name in ("Maple", "Birch"):
            tenant = create_tenant(s, name=f"{name} Movers")
            location = Location(
                tenant_id=tenant.id,
                code="HQ",
                name="Head office",
                address_line1="1 Main St",
                city="Toronto",
                province="ON",
                postal_code="M5V 1A1",
                timezone="America/Toronto",
            )
            s.add(location)
            s.flush()
            customer = Customer(tenant_id=tenant.id, location_id=location.id, last_name=name)
            s.add(customer)
            s.flush()
            ids[name] = (tenant.id, location.id, customer.id)
    yield engine, ids
    engine.dispose()


def test_every_tenant_table_has_rls_and_the_policy(migrated_db_url: str) -> None:
    engine = create_db_engine(migrated_db_url)
    try:
        with engine.connect() as conn:
            tables = set(
                conn.scalars(
                    text(
                        "SELECT table_name FROM information_schema.columns"
                        " WHERE table_schema = current_schema() AND column_name = 'tenant_id'"
                    )
                )
            ) | {"tenant"}
            walled = set(
                conn.scalars(
                    text(
                        "SELECT c.relname FROM pg_class c JOIN pg_policy p ON p.polrelid = c.oid"
                        " WHERE c.relrowsecurity AND p.polname = 'tenant_wall'"
                    )
                )
            )
    finally:
        engine.dispose()
    assert tables - walled == set(), "tables without the tenant wall (add them in a migration)"


def test_a_bound_session_sees_and_writes_only_its_tenant(two_tenants) -> None:  # type: ignore[no-untyped-def]
    engine, ids = two_tenants
    maple, birch = ids["Maple"], ids["Birch"]
    factory = make_session_factory(engine)
    with factory() as s:
        bind_tenant(s, maple[0])
        assert s.scalars(select(Customer.last_name)).all() == ["Maple"]
        assert s.scalars(select(Tenant.id)).all() == [maple[0]]
        assert s.get(Customer, birch[2]) is None
        s.commit()
        # A new transaction of the same session is walled in again.
        assert s.scalars(select(Customer.last_name)).all() == ["Maple"]
        updated = s.execute(
            text("UPDATE customer SET notes = 'x' WHERE id = :id"), {"id": birch[2]}
        ).rowcount
        assert updated == 0
        with pytest.raises(DBAPIError, match="row-level security"):
            s.execute(
                text(
                    "INSERT INTO customer (id, tenant_id, location_id, last_name, version,"
                    " customer_type, country, preferred_language, tax_exempt, is_active,"
                    " created_at, updated_at)"
                    " VALUES (:id, :t, :l, 'Sneaky', 0, 'RESIDENTIAL', 'CA', 'en', false, true,"
                    " now(), now())"
                ),
                {"id": uuid.uuid4(), "t": birch[0], "l": birch[1]},
            )
        s.rollback()
    with session_scope(engine) as s:  # the owner (admin CLI, migrations) is not walled
        assert s.get(Customer, birch[2]).notes is None
        assert len(s.scalars(select(Customer.id)).all()) == 2


def test_a_savepoint_stays_walled_in_without_saying_the_settings_again(two_tenants) -> None:  # type: ignore[no-untyped-def]
    engine, ids = two_tenants
    maple, birch = ids["Maple"], ids["Birch"]
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    factory = make_session_factory(engine)
    with factory() as s:
        bind_tenant(s, maple[0])
        s.scalars(select(Customer.id)).all()
        said = sum("SET LOCAL ROLE" in st for st in statements)
        with s.begin_nested():
            assert s.scalars(select(Customer.last_name)).all() == ["Maple"]
            assert s.get(Customer, birch[2]) is None
            assert s.execute(text("SELECT current_user")).scalar_one() == "cnc_app"
        assert sum("SET LOCAL ROLE" in st for st in statements) == said
        s.rollback()


def test_the_app_role_without_a_tenant_sees_nothing(two_tenants) -> None:  # type: ignore[no-untyped-def]
    engine, _ = two_tenants
    with engine.connect() as conn:
        conn.exec_driver_sql("SET ROLE cnc_app")
        with pytest.raises(DBAPIError, match="cnc.tenant_id"):
            conn.execute(select(Customer.id)).all()
        conn.rollback()
