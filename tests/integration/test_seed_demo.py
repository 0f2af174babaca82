"""``seed_demo`` on a real PostgreSQL: the spec's counts, consistent money, reproducibility."""

from __future__ import annotations

import datetime as dt
import json
import stat
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

import shared_models.models as m
from shared_models.base import Base
from shared_models.enums import LeadStatus, QuoteItemCategory, QuoteStatus, UserRole
from shared_models.models import Customer, Location, Quote, QuoteItem, TaxRate, User
from shared_models.permissions import DEFAULT_GRANTS
from shared_models.rules import DocumentInput, LineInput, TaxRateRow, compute_totals
from shared_models.rules.invoice_workflow import derive_invoice_status, invoice_balance
from sync_server.auth.passwords import check_password_strength, verify_password
from sync_server.core.db import create_db_engine, session_scope
from sync_server.db import versioning  # noqa: F401  (registers sync_version_seq on the metadata)
from sync_server.seed import SeedError, format_accounts_table, seed_demo, write_demo_accounts
from sync_server.seed.result import DemoResult
from tests.utils.pg import DatabaseFactory

TODAY = dt.date(2026, 6, 15)
SIZE = {"hq_customers": 40, "branch_customers": 8}


def _schema(factory: DatabaseFactory, template: str) -> Engine:
    """A fresh database cloned from the session's migrated template."""
    return create_db_engine(factory.create(template=template))


def _seed(engine: Engine, seed: int = 42) -> DemoResult:
    with session_scope(engine) as session:
        return seed_demo(session, seed=seed, today=TODAY, **SIZE)


@pytest.fixture(scope="module")
def seeded(
    database_factory: DatabaseFactory, migrated_template: str
) -> Iterator[tuple[Engine, DemoResult]]:
    engine = _schema(database_factory, migrated_template)
    yield engine, _seed(engine)
    engine.dispose()


@pytest.fixture
def session(seeded: tuple[Engine, DemoResult]) -> Iterator[Session]:
    with Session(seeded[0]) as s:
        yield s


def _rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, all columns but the salted password hash, in key order."""
    out = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            cols = [c for c in table.c if c.key != "password_hash"]
            order = list(table.primary_key.columns)
            out[table.name] = [tuple(r) for r in conn.execute(select(*cols).order_by(*order))]
    return out


def test_the_company_has_the_specified_shape(
    session: Session, seeded: tuple[Engine, DemoResult]
) -> None:
    result = seeded[1]
    assert session.scalar(select(func.count()).select_from(Location)) == 43
    assert session.scalar(select(func.count()).select_from(User)) == 50
    assert {u.role for u in session.scalars(select(User))} == set(UserRole)
    hq = session.scalars(select(Location).order_by(Location.created_at)).first()
    assert hq is not None and (hq.code, hq.city, hq.timezone) == (
        "TOR1",
        "Toronto",
        "America/Toronto",
    )
    assert session.scalar(select(func.count()).where(Customer.location_id == hq.id)) == 40
    stored = {
        (p.role, p.resource, p.action, p.scope) for p in session.scalars(select(m.RolePermission))
    }
    assert stored == {(g.role, g.resource, g.action, g.scope) for g in DEFAULT_GRANTS}
    for name, count in result.counts.items():
        assert session.scalar(text(f'SELECT count(*) FROM "{name}"')) == count, name
    assert session.scalar(select(func.count()).select_from(QuoteItem)) == 3 * session.scalar(
        select(func.count()).select_from(Quote)
    )


def test_every_pipeline_status_and_line_category_appears(session: Session) -> None:
    assert set(session.scalars(select(m.Lead.status).distinct())) == set(LeadStatus)
    assert set(session.scalars(select(Quote.status).distinct())) == set(QuoteStatus)
    assert set(session.scalars(select(QuoteItem.category).distinct())) == set(QuoteItemCategory)


def test_quote_totals_are_the_shared_totals_function(session: Session) -> None:
    tax_rows = tuple(TaxRateRow.from_record(r) for r in session.scalars(select(TaxRate)))
    provinces = {loc.id: loc.province for loc in session.scalars(select(Location))}
    exempt = {k: v for k, v in session.execute(select(Customer.id, Customer.tax_exempt))}
    for quote in session.scalars(select(Quote)):
        totals = compute_totals(
            DocumentInput(
                currency=quote.currency,
                tax_date=quote.move_date,
                province=provinces[quote.location_id],
                tax_exempt=exempt[quote.customer_id],
                tax_rows=tax_rows,
                document_discount_pct=quote.discount_pct,
                lines=tuple(
                    LineInput(i.quantity, i.unit_price, i.discount_pct, i.taxable, i.category)
                    for i in quote.items
                ),
            )
        )
        assert (quote.subtotal, quote.discount_amount, quote.tax_amount, quote.total) == (
            totals.subtotal,
            totals.discount,
            totals.tax_total,
            totals.total,
        ), quote.number
        assert [i.line_total for i in quote.items] == [line.amount for line in totals.lines]
        assert quote.tax_breakdown == totals.to_dict()["taxes"]
        assert quote.tax_breakdown or exempt[quote.customer_id], "every branch charges tax"


def test_invoices_agree_with_payments_status_and_ledger(session: Session) -> None:
    invoices = list(session.scalars(select(m.Invoice)))
    assert invoices
    payments = list(session.scalars(select(m.Payment)))
    ledger = {
        e.payment_id: e
        for e in session.scalars(select(m.FinancialTransaction))
        if e.payment_id is not None
    }
    for invoice in invoices:
        mine = [p for p in payments if p.invoice_id == invoice.id]
        paid = sum(
            (
                p.amount
                for p in mine
                if p.refund_of_id is None and p.status.value in ("COMPLETED", "REFUNDED")
            ),
            Decimal(0),
        )
        refunded = sum((p.amount for p in mine if p.refund_of_id is not None), Decimal(0))
        assert invoice.amount_paid == paid
        assert (invoice.balance_due, invoice.credit_amount) == invoice_balance(invoice.total, paid)
        assert invoice.status == derive_invoice_status(
            total=invoice.total,
            amount_paid=paid,
            due_date=invoice.due_date,
            today=TODAY,
            current=invoice.status,
            refunded=refunded,
        )
        assert sum((i.line_total for i in invoice.items), Decimal(0)) == invoice.subtotal
    for payment in payments:
        entry = ledger.get(payment.id)
        if payment.status.value == "FAILED":
            assert entry is None
            continue
        assert entry is not None and entry.invoice_id == payment.invoice_id
        assert entry.amount == (-payment.amount if payment.refund_of_id else payment.amount)
    transfers = session.scalar(
        text("SELECT coalesce(sum(amount), 0) FROM financial_transaction WHERE type = 'TRANSFER'")
    )
    assert transfers == 0
    statuses = {i.status.value for i in invoices}
    assert "PAID" in statuses


def test_operations_are_plausible(session: Session) -> None:
    # crews and trucks come from the journey's own branch; converted quotes point at their journey
    bad_crew = session.scalar(
        text(
            "SELECT count(*) FROM journey_crew c JOIN journey j ON j.id = c.journey_id "
            'JOIN "user" u ON u.id = c.user_id WHERE u.location_id <> j.location_id'
        )
    )
    bad_truck = session.scalar(
        text(
            "SELECT count(*) FROM journey j JOIN equipment e ON e.id = j.truck_id "
            "WHERE e.location_id <> j.location_id OR e.status <> 'ACTIVE'"
        )
    )
    unlinked = session.scalar(
        text(
            "SELECT count(*) FROM quote q LEFT JOIN journey j ON j.id = q.journey_id "
            "WHERE (q.status = 'CONVERTED') <> (j.id IS NOT NULL AND j.quote_id = q.id)"
        )
    )
    negative = session.scalar(
        text(
            "SELECT count(*) FROM (SELECT inventory_id FROM inventory_transaction "
            "GROUP BY inventory_id HAVING sum(quantity) < 0) s"
        )
    )
    assert (bad_crew, bad_truck, unlinked, negative) == (0, 0, 0, 0)
    # the demo dispatcher and crew lead have jobs today
    hq = session.scalar(select(Location).where(Location.code == "TOR1"))
    today_jobs = session.scalar(
        select(func.count())
        .select_from(m.Journey)
        .where(m.Journey.location_id == hq.id, m.Journey.scheduled_date == TODAY)
    )
    lead = session.scalar(select(User).where(User.email == "crewlead@demo.cnc-crm.ca"))
    lead_today = session.scalar(
        text(
            "SELECT count(*) FROM journey_crew c JOIN journey j ON j.id = c.journey_id "
            "WHERE c.user_id = :u AND j.scheduled_date = :d"
        ),
        {"u": lead.id, "d": TODAY},
    )
    assert today_jobs >= 2 and lead_today >= 1
    assert session.scalar(select(func.count()).select_from(m.JourneyEvent)) > 0


def test_demo_accounts_sign_in(
    session: Session, seeded: tuple[Engine, DemoResult], tmp_path: Path
) -> None:
    result = seeded[1]
    assert [a.email for a in result.accounts[:6]] == [
        f"{name}@demo.cnc-crm.ca"
        for name in ("admin", "manager", "dispatcher", "sales", "accountant", "crewlead")
    ]
    hashes = {k: v for k, v in session.execute(select(User.email, User.password_hash))}
    assert len(result.accounts) == 50 == len(hashes)
    for account in result.accounts:
        check_password_strength(account.password, user_inputs=[account.email, account.full_name])
        assert verify_password(hashes[account.email], account.password), account.email
    path = write_demo_accounts(tmp_path / "demo-accounts.json", result)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["accounts"][0]["email"] == "admin@demo.cnc-crm.ca"
    table = format_accounts_table(result)
    assert "admin@demo.cnc-crm.ca" in table and result.accounts[0].password in table


def test_a_second_run_is_refused(seeded: tuple[Engine, DemoResult]) -> None:
    with Session(seeded[0]) as s, pytest.raises(SeedError, match="already"):
        seed_demo(s, seed=42, today=TODAY, **SIZE)


def test_the_same_seed_gives_the_same_rows(
    seeded: tuple[Engine, DemoResult], database_factory: DatabaseFactory, migrated_template: str
) -> None:
    again = _schema(database_factory, migrated_template)
    other = _schema(database_factory, migrated_template)
    try:
        assert _seed(again).counts == seeded[1].counts
        first, second = _rows(seeded[0]), _rows(again)
        for table in first:
            assert first[table] == second[table], table
        _seed(other, seed=7)
        with Session(seeded[0]) as a, Session(other) as b:
            names = select(Customer.first_name, Customer.last_name, Customer.email)
            assert set(a.execute(names)) != set(b.execute(names))
    finally:
        again.dispose()
        other.dispose()


def test_the_benchmark_location_holds_only_its_customers_quotes_and_items(
    database_factory: DatabaseFactory, migrated_template: str
) -> None:
    """``hq_history=False``: DESIGN 9's location (customers, quotes, items); branches unchanged."""
    engine = _schema(database_factory, migrated_template)
    try:
        with session_scope(engine) as s:
            seed_demo(s, seed=42, today=TODAY, hq_history=False, **SIZE)
        with Session(engine) as s:
            per_location = {
                model.__tablename__: {
                    location: count
                    for location, count in s.execute(
                        select(model.location_id, func.count()).group_by(model.location_id)
                    )
                }
                for model in (Customer, Quote, m.Lead, m.Journey, m.Invoice, m.Communication)
            }
        customers = per_location["customer"]
        hq = max(customers, key=customers.__getitem__)
        assert customers[hq] == SIZE["hq_customers"]
        assert per_location["quote"][hq] == SIZE["hq_customers"]
        for table in ("lead", "journey", "invoice", "communication"):
            assert hq not in per_location[table], table
        for table in ("lead", "journey", "communication"):
            assert sum(per_location[table].values()) > 0, f"branches keep their {table} rows"
    finally:
        engine.dispose()
