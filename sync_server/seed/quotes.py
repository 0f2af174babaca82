"""One quote with its lines, priced by the shared totals function, and its email.

Destinations stay mostly in the branch's city, sometimes the next city in the
province, rarely another province (a long-distance move).
"""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shared_models.enums import (
    CommunicationStatus,
    CommunicationType,
    Currency,
    EstimateType,
    QuoteStatus,
    ValuationOption,
)
from sync_server.seed import pricing
from sync_server.seed.branches import BRANCHES, Branch
from sync_server.seed.comms import message
from sync_server.seed.company import Person, Site
from sync_server.seed.pools import Address
from sync_server.seed.world import World

Q = QuoteStatus
ESTIMATES = (
    EstimateType.HOURLY,
    EstimateType.FLAT,
    EstimateType.BINDING,
    EstimateType.NON_BINDING,
    EstimateType.NOT_TO_EXCEED,
)
ESTIMATE_WEIGHTS = (70, 10, 8, 7, 5)
REJECTIONS = (
    "Went with a cheaper mover",
    "Moving themselves with a rental truck",
    "Move postponed",
    "Price above budget",
    "Chose the building's preferred mover",
)
WINDOWS = ("8:00-9:00", "8:00-9:00", "9:00-10:00", "12:00-14:00", "13:00-15:00")
CENT = Decimal("0.01")


@dataclass
class CustomerInfo:
    id: uuid.UUID
    name: str
    first_name: str
    email: str | None
    phone: str
    language: str
    tax_exempt: bool
    commercial: bool
    address: Address
    seller: Person


@dataclass
class SoldQuote:
    """An ACCEPTED or CONVERTED quote: what operations and finance build on."""

    id: uuid.UUID
    number: str
    customer: CustomerInfo
    status: QuoteStatus
    move_date: dt.date
    accepted_at: dt.datetime
    size: pricing.MoveSize
    hours: Decimal
    volume: Decimal
    weight: Decimal
    origin: Address
    destination: Address
    origin_site: dict[str, Any]
    destination_site: dict[str, Any]
    distance_km: Decimal
    arrival_window: str
    lines: list[pricing.Line]
    discount_pct: Decimal
    deposit: Decimal
    estimate_type: EstimateType
    total: Decimal


def site_details(rng: random.Random, commercial: bool, has_unit: bool) -> dict[str, Any]:
    dwelling = (
        "office"
        if commercial
        else ("apartment" if has_unit else rng.choice(("house", "house", "townhouse", "condo")))
    )
    floor = (
        rng.randint(2, 28)
        if dwelling in ("apartment", "condo", "office")
        else rng.choice((1, 1, 2))
    )
    elevator = floor > 3
    return {
        "dwelling": dwelling,
        "floor": floor,
        "stairs_flights": 0 if elevator else floor - 1,
        "elevator": elevator,
        "elevator_booking": elevator and rng.random() < 0.8,
        "long_carry_ft": rng.choice((0, 0, 0, 25, 50, 100)),
        "parking_distance_ft": rng.choice((0, 10, 25, 50, 150)),
        "parking_permit": dwelling in ("apartment", "condo") and rng.random() < 0.3,
    }


def _km(a: Branch, b: Branch) -> Decimal:
    """Road distance: great-circle distance with a 25 % detour factor."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlng = lat2 - lat1, math.radians(b.lng - a.lng)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlng / 2) ** 2
    return Decimal(int(2 * 6371 * math.asin(math.sqrt(h)) * 1.25))


def destination_for(world: World, site: Site, rng: random.Random) -> tuple[Address, Decimal]:
    roll = rng.random()
    branch = site.branch
    if roll < 0.95:
        same = [b for b in BRANCHES if b.province == branch.province and b.code != branch.code]
        if roll >= 0.80 and same:
            other = rng.choice(same)
            return world.pools.address(rng, other), _km(branch, other)
        return world.pools.address(rng, branch), Decimal(rng.randint(4, 35))
    other = rng.choice([b for b in BRANCHES if b.province != branch.province])
    return world.pools.address(rng, other), _km(branch, other)


def build_quote(
    world: World,
    site: Site,
    rng: random.Random,
    info: CustomerInfo,
    plan: dict[str, Any],
    items_per_quote: int,
) -> tuple[dict[str, Any], list[dict[str, Any]], SoldQuote | None]:
    ctx, ref, state = world.ctx, world.ref, world.state(site)
    status: QuoteStatus = plan["status"]
    created: dt.datetime = plan["created_at"]
    quote_id = ctx.new_id(created)
    size = pricing.pick_size(rng, info.commercial)
    hours = max(Decimal(3), pricing.half_hours(size.hours * rng.uniform(0.85, 1.2)))
    volume = Decimal(int(size.cuft * rng.uniform(0.85, 1.2) / 10) * 10)
    weight = volume * Decimal(str(ref.rate_card["density_lb_per_cuft"]))
    rotation = state.quotes_seen * max(items_per_quote - 1, 0)
    categories = [
        pricing.EXTRA_CATEGORIES[(rotation + k) % len(pricing.EXTRA_CATEGORIES)]
        for k in range(items_per_quote - 1)
    ]
    lines, valuation = pricing.build_lines(
        rng,
        lambda: ctx.new_id(created),
        card=ref.rate_card,
        size=size,
        hours=hours,
        weight=weight,
        categories=categories,
        catalogue_ids=ref.catalogue_ids,
    )
    discount = Decimal(rng.choice((0,) * 17 + (5, 5, 10, 15)))
    totals = pricing.price(
        lines,
        currency=Currency.CAD,
        province=site.branch.province,
        tax_date=plan["move_date"],
        tax_rows=ref.tax_rows,
        tax_exempt=info.tax_exempt,
        discount_pct=discount,
    )
    approver = world.approver(site) if discount > 10 else None
    sent_at = plan.get("sent_at")
    destination, distance = destination_for(world, site, rng)
    accepted = status in (Q.ACCEPTED, Q.CONVERTED)
    deposit = min(totals.total, Decimal(rng.choice((100, 150, 250)))) if accepted else Decimal(0)
    stamps = [v for k, v in plan.items() if k.endswith("_at") and v is not None]
    origin_site = site_details(rng, info.commercial, info.address.line2 is not None)
    destination_site = site_details(rng, info.commercial, destination.line2 is not None)
    valid_until = created.date() + dt.timedelta(days=30)
    window = rng.choice(WINDOWS)
    row = {
        "id": quote_id,
        "created_at": created,
        "updated_at": max(stamps),
        "location_id": site.id,
        "number": world.next_number("Q", 7),
        "provisional_number": None,
        "customer_id": info.id,
        "lead_id": None,
        "status": status,
        "estimate_type": rng.choices(ESTIMATES, weights=ESTIMATE_WEIGHTS)[0],
        "currency": Currency.CAD,
        "exchange_rate": None,
        "price_list_id": ref.price_list_id,
        "move_date": plan["move_date"],
        "arrival_window": window,
        "origin_line1": info.address.line1,
        "origin_line2": info.address.line2,
        "origin_city": info.address.city,
        "origin_province": info.address.province,
        "origin_postal_code": info.address.postal_code,
        "origin_site": origin_site,
        "destination_line1": destination.line1,
        "destination_line2": destination.line2,
        "destination_city": destination.city,
        "destination_province": destination.province,
        "destination_postal_code": destination.postal_code,
        "destination_site": destination_site,
        "extra_stops": [],
        "distance_km": distance,
        "crew_size": size.crew,
        "estimated_hours": hours,
        "truck_count": 2 if volume > 1300 else 1,
        "volume_cuft": volume,
        "weight_lb": weight,
        "subtotal": totals.subtotal,
        "discount_amount": totals.discount,
        "discount_pct": discount,
        "tax_amount": totals.tax_total,
        "total": totals.total,
        "deposit_amount": deposit,
        "tax_breakdown": pricing.tax_breakdown(totals),
        "valuation_option": ValuationOption.FULL_VALUE
        if valuation
        else ValuationOption.RELEASED_VALUE,
        "declared_value": valuation.declared_value if valuation else None,
        "valuation_deductible": valuation.deductible if valuation else None,
        "valuation_charge": next(
            (t.amount for ln, t in zip(lines, totals.lines, strict=True) if ln.code == "FVP"),
            Decimal(0),
        ).quantize(CENT),
        "valid_until": valid_until,
        "sent_at": sent_at,
        "viewed_at": plan.get("viewed_at"),
        "accepted_at": plan.get("accepted_at"),
        "rejected_at": plan.get("rejected_at"),
        "rejection_reason": rng.choice(REJECTIONS) if status == Q.REJECTED else None,
        "created_by": info.seller.id,
        "approved_by": approver.id if approver else None,
        "approved_at": created + dt.timedelta(minutes=15) if approver else None,
        "signer_name": info.name if accepted else None,
        "signed_at": plan.get("accepted_at"),
        "signature": {
            "method": "e-sign",
            "ip": f"99.{rng.randint(224, 254)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            "device_id": None,
        }
        if accepted
        else None,
        "journey_id": None,
        "notes": "Arrival window confirmed by phone." if rng.random() < 0.2 else None,
        "internal_notes": "Tight street parking; book a permit." if rng.random() < 0.05 else None,
    }
    items = [
        {
            "id": ln.id,
            "created_at": created,
            "quote_id": quote_id,
            "category": ln.category,
            "description": ln.description,
            "quantity": ln.quantity,
            "unit": ln.unit,
            "unit_price": ln.unit_price,
            "discount_pct": ln.discount_pct,
            "line_total": t.amount,
            "taxable": ln.taxable,
            "sort_order": ln.sort_order,
            "catalogue_item_id": ln.catalogue_item_id,
        }
        for ln, t in zip(lines, totals.lines, strict=True)
    ]
    sold = None
    if accepted:
        sold = SoldQuote(
            quote_id,
            row["number"],
            info,
            status,
            plan["move_date"],
            plan["accepted_at"],
            size,
            hours,
            volume,
            weight,
            info.address,
            destination,
            origin_site,
            destination_site,
            distance,
            window,
            lines,
            discount,
            deposit,
            row["estimate_type"],
            totals.total,
        )
    return row, items, sold


def quote_mail(
    world: World, site: Site, info: CustomerInfo, quote: dict[str, Any]
) -> dict[str, Any]:
    ref = world.ref
    french = info.language == "fr"
    viewed = quote["viewed_at"]
    return message(
        world.ctx,
        location_id=site.id,
        kind=CommunicationType.EMAIL,
        sent_at=quote["sent_at"],
        status=CommunicationStatus.READ if viewed else CommunicationStatus.DELIVERED,
        read_at=viewed,
        customer_id=info.id,
        user_id=info.seller.id,
        to_address=info.email,
        from_address=info.seller.email,
        subject=(
            f"Votre soumission {quote['number']}"
            if french
            else f"Your moving quote {quote['number']}"
        ),
        body=(
            f"Bonjour {info.first_name}, voici votre soumission de {quote['total']} $."
            if french
            else f"Hi {info.first_name}, your quote comes to ${quote['total']}."
        ),
        template_id=ref.templates["quote_email_fr" if french else "quote_email"],
        quote_id=quote["id"],
    )
