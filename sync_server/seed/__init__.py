"""``seed-demo``: a realistic synthetic moving company, reproducible from a seed.

One tenant with 43 branches across Canada and 50 staff, its reference data,
and per-branch operations (customers to invoices). The same ``seed`` and
``today`` always give the same rows, except password hashes (salted).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from shared_models.models import Tenant
from sync_server.db.models import BucketMembership
from sync_server.seed.company import SLUG, seed_company
from sync_server.seed.context import SeedContext, SeedError
from sync_server.seed.finance import seed_finance_batch, seed_ledger_extras
from sync_server.seed.fleet import seed_fleet
from sync_server.seed.operations import seed_journeys
from sync_server.seed.pools import Pools
from sync_server.seed.reference import seed_reference
from sync_server.seed.result import (
    DemoAccount,
    DemoResult,
    format_accounts_table,
    write_demo_accounts,
)
from sync_server.seed.sales import seed_sales_batch
from sync_server.seed.staffing import seed_staffing
from sync_server.seed.stock import seed_stock, seed_suppliers, seed_transfers
from sync_server.seed.world import World
from sync_server.sync.membership import rebuild_memberships

__all__ = [
    "DemoAccount",
    "DemoResult",
    "SeedError",
    "format_accounts_table",
    "seed_demo",
    "write_demo_accounts",
]

#: Customers generated (and written) per round: bounds memory at any size.
BATCH_CUSTOMERS = 2000
#: One customer in four came in as a tracked lead.
LEADS_EVERY = 4


def seed_demo(
    session: Session,
    *,
    seed: int = 42,
    today: dt.date | None = None,
    hq_customers: int = 200,
    quotes_per_customer: float = 1.0,
    items_per_quote: int = 3,
    branch_customers: int = 12,
    hq_history: bool = True,
) -> DemoResult:
    """Seed the demo tenant into ``session`` (the caller commits); refuses a second run.

    ``hq_history=False`` gives the head office its customers, quotes and items only
    (no leads, mails, journeys or invoices for them): the DESIGN 9 benchmark location,
    whose 100,000 rows are exactly 20k customers, 20k quotes and 60k quote items.
    """
    if hq_customers < 0 or branch_customers < 0 or quotes_per_customer < 0 or items_per_quote < 1:
        raise SeedError("customers and quotes per customer must be >= 0, items per quote >= 1")
    if session.scalar(select(Tenant.id).where(Tenant.slug == SLUG)) is not None:
        raise SeedError(
            f"a tenant with slug {SLUG!r} already exists: the demo is already seeded "
            "(use a fresh database to seed it again)"
        )
    ctx = SeedContext(session, seed=seed, today=today or dt.date.today())
    pools = Pools(ctx.faker)
    company = seed_company(ctx, pools)
    world = World(ctx, company, seed_reference(ctx, company), pools)
    seed_suppliers(world, company)
    for site in company.sites:
        seed_staffing(world, site)
        seed_fleet(world, site)
    for site in company.sites:
        customers = hq_customers if site is company.hq else branch_customers
        history = hq_history or site is not company.hq
        for first in range(0, customers, BATCH_CUSTOMERS):
            last = min(customers, first + BATCH_CUSTOMERS)
            sold = seed_sales_batch(
                world,
                site,
                first,
                last,
                quotes_per_customer=quotes_per_customer,
                items_per_quote=items_per_quote,
                leads_every=LEADS_EVERY,
                history=history,
            )
            if history:
                jobs = seed_journeys(world, site, sold)
                seed_finance_batch(world, site, sold, jobs)
        seed_stock(world, site)
    seed_transfers(world, company)
    seed_ledger_extras(world)
    session.flush()
    # Bulk rows bypass the sync writer, so the membership log is built once here. The
    # tenant is brand-new (no replica has pulled it), so the entries the ORM hook wrote
    # for rows the seed later re-keyed are dropped and the log rebuilt from the rows.
    session.execute(delete(BucketMembership).where(BucketMembership.tenant_id == company.tenant_id))
    rebuild_memberships(session, company.tenant_id)
    return DemoResult(company.tenant_id, company.accounts, dict(sorted(ctx.counts.items())))
