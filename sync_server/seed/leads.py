"""Leads and the sales activities that moved them along the pipeline.

A lead's status follows its customer's first quote (a converted quote means a
won lead), plus fresh prospects that are not customers yet. Quotes point at
their lead; a won lead points back at its quote once the quote row exists.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shared_models.enums import (
    LeadPriority,
    LeadSource,
    LeadStatus,
    QuoteStatus,
    SalesActivityType,
)
from shared_models.models import Lead, SalesActivity
from sync_server.seed.company import Site
from sync_server.seed.quotes import CustomerInfo
from sync_server.seed.world import World

L, Q, A = LeadStatus, QuoteStatus, SalesActivityType
FROM_QUOTE = {
    Q.DRAFT: L.QUALIFIED,
    Q.SENT: L.PROPOSAL_SENT,
    Q.VIEWED: L.NEGOTIATION,
    Q.ACCEPTED: L.WON,
    Q.CONVERTED: L.WON,
    Q.REJECTED: L.LOST,
}
LOST_REASONS = ("Chose a competitor", "Budget", "Decided not to move", "No response after quote")


@dataclass
class LeadPlan:
    index: int
    customer: CustomerInfo
    first_quote: tuple[uuid.UUID, QuoteStatus, dict[str, Any]] | None
    created: dt.datetime


def seed_leads(
    world: World,
    site: Site,
    rng: random.Random,
    plans: list[LeadPlan],
    quotes: list[dict[str, Any]],
    *,
    prospects: int,
) -> Callable[[], None]:
    """Insert leads and activities; returns the step that links won leads to their quotes."""
    ctx = world.ctx
    now = world.site_now(site)
    leads, activities, won = [], [], {}
    for plan in plans:
        info = plan.customer
        created = plan.created - dt.timedelta(minutes=rng.randint(10, 600))
        quote = plan.first_quote[2] if plan.first_quote else None
        if plan.first_quote is None:
            status = L.QUALIFIED
        elif plan.first_quote[1] == Q.EXPIRED:
            status = L.ARCHIVED if plan.index % 2 == 0 else L.LOST
        else:
            status = FROM_QUOTE[plan.first_quote[1]]
        lead_id = ctx.new_id(created)
        closed = status in (L.WON, L.LOST, L.ARCHIVED)
        last = (
            max(v for k, v in (quote or {}).items() if k.endswith("_at") and v)
            if quote
            else created
        )
        leads.append(
            _lead_row(
                world,
                site,
                rng,
                lead_id,
                created,
                status,
                info.seller.id,
                contact=(info.name, info.email, info.phone),
                customer_id=info.id,
                quote=quote,
                updated=last if closed else created,
                now=now,
            )
        )
        if quote is not None:
            quote["lead_id"] = lead_id
            if status == L.WON:
                won[lead_id] = {
                    "converted_quote_id": quote["id"],
                    "updated_at": quote["accepted_at"],
                }
        activities.extend(
            _activities(
                world, site, rng, lead_id, info.id, info.seller.id, created, quote, info.commercial
            )
        )
    for n in range(prospects):
        first, last = world.pools.person(rng)
        created = now - dt.timedelta(hours=rng.randint(2, 240))
        status = L.NEW if n % 2 == 0 else L.CONTACTED
        seller = rng.choice(world.sellers(site))
        email = world.pools.personal_email(rng, first, last)
        lead_id = ctx.new_id(created)
        leads.append(
            _lead_row(
                world,
                site,
                rng,
                lead_id,
                created,
                status,
                seller.id,
                contact=(f"{first} {last}", email, world.pools.phone(rng, site.branch)),
                customer_id=None,
                quote=None,
                updated=created,
                now=now,
            )
        )
        if status == L.CONTACTED:
            at = min(now, created + dt.timedelta(minutes=rng.randint(15, 900)))
            activities.append(
                _activity(
                    ctx,
                    site,
                    lead_id,
                    None,
                    seller.id,
                    at,
                    A.PHONE_CALL,
                    "Returned web enquiry",
                    "Left details; wants a quote",
                    rng,
                )
            )
    ctx.insert(Lead, leads)
    ctx.insert(SalesActivity, activities)
    return lambda: ctx.update(Lead, won)


def _lead_row(
    world: World,
    site: Site,
    rng: random.Random,
    lead_id: uuid.UUID,
    created: dt.datetime,
    status: LeadStatus,
    seller_id: uuid.UUID,
    *,
    contact: tuple[str, str | None, str],
    customer_id: uuid.UUID | None,
    quote: dict[str, Any] | None,
    updated: dt.datetime,
    now: dt.datetime,
) -> dict[str, Any]:
    open_lead = status not in (L.WON, L.LOST, L.ARCHIVED)
    move = quote["move_date"] if quote else world.ctx.today + dt.timedelta(days=rng.randint(14, 90))
    return {
        "id": lead_id,
        "created_at": created,
        "updated_at": updated,
        "location_id": site.id,
        "customer_id": customer_id,
        "contact_name": contact[0],
        "contact_email": contact[1],
        "contact_phone": contact[2],
        "status": status,
        "priority": rng.choices(list(LeadPriority), weights=(20, 50, 25, 5))[0],
        "source": rng.choices(list(LeadSource), weights=(38, 22, 15, 8, 5, 2, 8, 2))[0],
        "source_detail": rng.choice((None, None, "Google Ads", "Realtor referral", "Facebook")),
        "assigned_to": seller_id,
        "move_date": move,
        "move_size": rng.choice(
            (
                "1-bedroom apartment",
                "2-bedroom apartment",
                "3-bedroom house",
                "Condo, 2 bedrooms",
                "Office, 15 workstations",
            )
        ),
        "origin_summary": f"{site.branch.city}, {site.branch.province.value}",
        "destination_summary": (
            f"{quote['destination_city']}, {quote['destination_province'].value}" if quote else None
        ),
        "estimated_value": quote["total"] if quote else None,
        "currency": "CAD",
        "expected_close_date": move - dt.timedelta(days=7) if open_lead else None,
        "next_follow_up_at": now + dt.timedelta(hours=rng.randint(2, 96)) if open_lead else None,
        "lost_reason": rng.choice(LOST_REASONS) if status == L.LOST else None,
        "converted_quote_id": None,
        "notes": None,
    }


def _activity(
    ctx: Any,
    site: Site,
    lead_id: uuid.UUID | None,
    customer_id: uuid.UUID | None,
    user_id: uuid.UUID,
    at: dt.datetime,
    kind: SalesActivityType,
    subject: str,
    outcome: str | None,
    rng: random.Random,
) -> dict[str, Any]:
    minutes = {
        A.PHONE_CALL: rng.randint(3, 20),
        A.SITE_VISIT: rng.randint(30, 75),
        A.DEMO: rng.randint(15, 40),
        A.MEETING: rng.randint(30, 60),
    }.get(kind)
    return {
        "id": ctx.new_id(at),
        "created_at": at,
        "location_id": site.id,
        "type": kind,
        "lead_id": lead_id,
        "customer_id": customer_id,
        "user_id": user_id,
        "occurred_at": at,
        "duration_minutes": minutes,
        "subject": subject,
        "notes": None,
        "follow_up_at": None,
        "outcome": outcome,
    }


def _activities(
    world: World,
    site: Site,
    rng: random.Random,
    lead_id: uuid.UUID,
    customer_id: uuid.UUID,
    user_id: uuid.UUID,
    created: dt.datetime,
    quote: dict[str, Any] | None,
    commercial: bool,
) -> list[dict[str, Any]]:
    ctx = world.ctx
    out = [
        _activity(
            ctx,
            site,
            lead_id,
            customer_id,
            user_id,
            created + dt.timedelta(minutes=rng.randint(5, 90)),
            A.PHONE_CALL,
            "Intake call: move details",
            "Survey booked",
            rng,
        )
    ]
    if quote is None:
        return out
    survey_at = min(quote["created_at"], out[0]["occurred_at"] + dt.timedelta(minutes=30))
    if commercial:
        kind, subject = A.MEETING, "Walkthrough with the office manager"
    elif rng.random() < 0.4:
        kind, subject = A.SITE_VISIT, "In-home estimate"
    else:
        kind, subject = A.DEMO, "Virtual survey by video call"
    out.append(
        _activity(
            ctx,
            site,
            lead_id,
            customer_id,
            user_id,
            survey_at,
            kind,
            subject,
            "Inventory recorded",
            rng,
        )
    )
    if quote.get("sent_at"):
        out.append(
            _activity(
                ctx,
                site,
                lead_id,
                customer_id,
                user_id,
                quote["sent_at"],
                A.PROPOSAL_SENT,
                f"Quote {quote['number']} sent",
                None,
                rng,
            )
        )
        if quote["status"] in (QuoteStatus.SENT, QuoteStatus.VIEWED):
            follow = _activity(
                ctx,
                site,
                lead_id,
                customer_id,
                user_id,
                quote["sent_at"] + dt.timedelta(minutes=5),
                A.FOLLOW_UP,
                "Follow up on quote",
                None,
                rng,
            )
            follow["follow_up_at"] = world.site_now(site) + dt.timedelta(days=rng.randint(1, 3))
            out.append(follow)
    return out
