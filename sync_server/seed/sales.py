"""Customers, leads, sales activities and quotes for one batch of a branch's customers.

Each customer's quotes are planned first (status, dates), so the customer,
its lead and the activities can be dated before them; every quote's history
follows the quote state machine (created <= sent <= viewed <= accepted).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import Any

from shared_models.enums import (
    CustomerType,
    LeadSource,
    QuoteStatus,
)
from shared_models.models import Communication, Customer, Quote, QuoteItem
from sync_server.seed.company import Person, Site
from sync_server.seed.leads import LeadPlan, seed_leads
from sync_server.seed.pools import ascii_slug
from sync_server.seed.quotes import CustomerInfo, SoldQuote, build_quote, quote_mail
from sync_server.seed.world import World

Q = QuoteStatus
STATUS_WEIGHTS = {
    Q.DRAFT: 8,
    Q.SENT: 12,
    Q.VIEWED: 10,
    Q.ACCEPTED: 6,
    Q.REJECTED: 12,
    Q.EXPIRED: 12,
    Q.CONVERTED: 40,
}
#: The first quotes of every branch walk through every status once.
FIRST_STATUSES = (Q.CONVERTED, Q.ACCEPTED, Q.SENT, Q.VIEWED, Q.DRAFT, Q.REJECTED, Q.EXPIRED)
#: Moves the dispatch board and crew leads see first: around today.
FORCED_MOVE_DAYS = (0, 0, -1, 1, 2, -2, 3)
SOURCES = (
    LeadSource.WEBSITE,
    LeadSource.PHONE,
    LeadSource.REFERRAL,
    LeadSource.REPEAT_CUSTOMER,
    LeadSource.PARTNER,
    LeadSource.WALK_IN,
    LeadSource.ADVERTISING,
    LeadSource.OTHER,
)
SOURCE_WEIGHTS = (38, 22, 15, 8, 5, 2, 8, 2)


def seed_sales_batch(
    world: World,
    site: Site,
    first: int,
    last: int,
    *,
    quotes_per_customer: float,
    items_per_quote: int,
    leads_every: int,
    history: bool = True,
) -> list[SoldQuote]:
    """Customers ``first..last-1`` of ``site`` with their quotes and, with ``history``,
    their leads, activities and quote mails."""
    ctx = world.ctx
    rng = ctx.rng("sales", site.code, first)
    now = world.site_now(site)
    customers, quotes, items, mails, plans, sold = [], [], [], [], [], []
    for index in range(first, last):
        n_quotes = int((index + 1) * quotes_per_customer) - int(index * quotes_per_customer)
        commercial = rng.random() < 0.12
        seller = rng.choice(world.sellers(site))
        timelines = [_plan_quote(world, site, rng, now) for _ in range(n_quotes)]
        first_at = min((t["created_at"] for t in timelines), default=None)
        created = (
            first_at - dt.timedelta(hours=rng.randint(1, 72))
            if first_at
            else ctx.local(
                ctx.today - dt.timedelta(days=rng.randint(1, 500)), 11, rng.randint(0, 59), site.tz
            )
        )
        info, row = _customer(world, site, rng, commercial, seller, created)
        customers.append(row)
        first_quote: tuple[uuid.UUID, QuoteStatus, dict[str, Any]] | None = None
        for timeline in timelines:
            quote_row, quote_items, sold_quote = build_quote(
                world, site, rng, info, timeline, items_per_quote
            )
            quotes.append(quote_row)
            items.extend(quote_items)
            first_quote = first_quote or (quote_row["id"], timeline["status"], quote_row)
            if sold_quote:
                sold.append(sold_quote)
            if history and quote_row["sent_at"] and info.email:
                mails.append(quote_mail(world, site, info, quote_row))
        if history and (index % leads_every == 0 or index < 7):
            plans.append(LeadPlan(index, info, first_quote, created))
    ctx.insert(Customer, customers)
    won = (
        seed_leads(world, site, rng, plans, quotes, prospects=max(2, (last - first) // 20))
        if history
        else None
    )
    ctx.insert(Quote, quotes)
    ctx.insert(QuoteItem, items)
    ctx.insert(Communication, mails)
    if won is not None:
        won()
    return sold


def _customer(
    world: World,
    site: Site,
    rng: random.Random,
    commercial: bool,
    seller: Person,
    created: dt.datetime,
) -> tuple[CustomerInfo, dict[str, Any]]:
    pools, ctx = world.pools, world.ctx
    first, last = pools.person(rng)
    address = pools.address(rng, site.branch)
    company = pools.company(rng) if commercial else None
    email: str | None
    if company:
        email = f"{ascii_slug(first)}.{ascii_slug(last)}@{ascii_slug(company)[:20]}.ca"
    else:
        email = pools.personal_email(rng, first, last) if rng.random() < 0.95 else None
    province = site.branch.province.value
    language = (
        "fr"
        if (province == "QC" and rng.random() < 0.75) or (province == "NB" and rng.random() < 0.3)
        else "en"
    )
    exempt = rng.random() < 0.005
    info = CustomerInfo(
        ctx.new_id(created),
        company or f"{first} {last}",
        first,
        email,
        pools.phone(rng, site.branch),
        language,
        exempt,
        commercial,
        address,
        seller,
    )
    notes = rng.choice(
        (
            None,
            None,
            None,
            None,
            "Prefers text messages",
            "Gate code at side door",
            "Elevator must be booked with concierge",
            "Dog on site; keep gate closed",
        )
    )
    row = {
        "id": info.id,
        "created_at": created,
        "location_id": site.id,
        "customer_type": CustomerType.COMMERCIAL if commercial else CustomerType.RESIDENTIAL,
        "first_name": first,
        "last_name": last,
        "company_name": company,
        "email": email,
        "phone": info.phone,
        "alt_phone": pools.phone(rng, site.branch) if rng.random() < 0.2 else None,
        "address_line1": address.line1,
        "address_line2": address.line2,
        "city": address.city,
        "province": address.province,
        "postal_code": address.postal_code,
        "country": "CA",
        "preferred_language": language,
        "tax_exempt": exempt,
        "tax_exemption_number": f"{rng.randint(10**9, 10**10 - 1)}" if exempt else None,
        "notes": notes,
        "sales_rep_id": seller.id,
        "is_active": True,
        "source": rng.choices(SOURCES, weights=SOURCE_WEIGHTS)[0],
    }
    return info, row


def _plan_quote(world: World, site: Site, rng: random.Random, now: dt.datetime) -> dict[str, Any]:
    """Status, move date and the timestamps of each step, all before ``now``."""
    ctx, state = world.ctx, world.state(site)
    today = ctx.today
    n = state.quotes_seen
    state.quotes_seen += 1
    status = (
        FIRST_STATUSES[n]
        if n < len(FIRST_STATUSES)
        else rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
    )
    days = rng.randint
    if status == Q.CONVERTED:
        k = state.converted_seen
        state.converted_seen += 1
        if not state.crewed:
            offset = days(1, 30)
        elif k < len(FORCED_MOVE_DAYS):
            offset = FORCED_MOVE_DAYS[k]
        else:
            offset = -days(1, 365) if rng.random() < 0.78 else days(0, 21)
        move = today + dt.timedelta(days=offset)
        created_day = min(
            move - dt.timedelta(days=days(5, 40)), today - dt.timedelta(days=days(4, 12))
        )
    elif status == Q.EXPIRED:
        created_day = today - dt.timedelta(days=days(35, 300))
        move = created_day + dt.timedelta(days=days(14, 60))
    elif status == Q.REJECTED:
        created_day = today - dt.timedelta(days=days(10, 150))
        move = created_day + dt.timedelta(days=days(10, 60))
    else:
        back = {Q.DRAFT: (0, 5), Q.SENT: (1, 14), Q.VIEWED: (2, 20), Q.ACCEPTED: (2, 12)}[status]
        created_day = today - dt.timedelta(days=days(*back))
        move = today + dt.timedelta(days=days(3, 60))
    created = ctx.local(created_day, days(8, 18), days(0, 59), site.tz)
    steps = {"created_at": created}
    at = created
    chain = {
        Q.SENT: ("sent_at",),
        Q.VIEWED: ("sent_at", "viewed_at"),
        Q.ACCEPTED: ("sent_at", "viewed_at", "accepted_at"),
        Q.CONVERTED: ("sent_at", "viewed_at", "accepted_at"),
        Q.REJECTED: ("sent_at", "viewed_at", "rejected_at"),
        Q.EXPIRED: ("sent_at", "viewed_at") if rng.random() < 0.5 else ("sent_at",),
    }.get(status, ())
    for name in chain:
        at = at + dt.timedelta(minutes=days(20, 2400))
        steps[name] = at
    limit = min(now, ctx.local(move, 7, 0, site.tz) - dt.timedelta(days=1))
    if at > limit:  # keep the order, move the whole history back
        shift = at - limit
        steps = {k: v - shift for k, v in steps.items()}
    return {"status": status, "move_date": move, **steps}
