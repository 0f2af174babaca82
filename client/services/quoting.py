"""Offline quoting: price a quote from a cube-sheet survey and write it to the replica.

Everything the price depends on comes from the replica (rate card, catalogue,
TaxRate rows, the branch's province, the customer's exemption), and the totals
come from the same ``compute_totals`` the server re-runs on push, with the same
inputs it uses (branch province, move date or today, the quote's discount).

Redoing a survey replaces the quote's lines: the old items are tombstoned and
the new ones inserted, with the quote's figures and each stop's site
difficulty, in ONE replica transaction, so a crash never leaves a quote with
half its lines. ``survey_sheet`` gives a survey screen what it shows before
the first keystroke, including why this quote cannot be re-surveyed here.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from client.services.errors import RowNotFound
from client.services.invoice_dates import branch_today
from client.services.permissions import signed_in_user, user_grants
from client.services.queries import get_row, list_rows
from client.services.writes import LocalWriteService
from client.sync.db import table_for
from client.sync.rows import as_uuid
from shared_models.enums import PermissionAction
from shared_models.rules.cube_sheet import (
    CrewTable,
    LabourStandards,
    Site,
    SurveyItem,
    TravelInput,
    plan_move,
)
from shared_models.rules.errors import CURRENCY_MISMATCH, PERMISSION_DENIED, RuleViolation
from shared_models.rules.estimate import DepositRule, Estimate, Extras, TaxPlace, build_estimate
from shared_models.rules.money import parse_currency
from shared_models.rules.quote_workflow import check_editable, status_after_price_change
from shared_models.rules.rate_card import parse_rate_card, select_rate_card
from shared_models.rules.tax import TaxRateRow
from shared_models.rules.valuation import ValuationChoice

#: Far more rows than any tenant keeps of these reference tables.
_ALL = 100_000


@dataclass(frozen=True, slots=True)
class SurveyRequest:
    """What the estimator surveyed and chose; ``counts`` maps catalogue item id -> quantity.

    ``travel`` None keeps the quote's distance with no driving minutes;
    ``crew_size`` None lets the crew table decide; ``sites`` (origin,
    destination, then each extra stop) None keeps the quote's, else they are
    priced and stored on the quote.
    """

    counts: Mapping[uuid.UUID, Decimal | int] = field(default_factory=dict)
    custom_items: tuple[SurveyItem, ...] = ()
    travel: TravelInput | None = None
    extras: Extras = field(default_factory=Extras)
    valuation: ValuationChoice = field(default_factory=ValuationChoice)
    deposit: DepositRule = field(default_factory=DepositRule)
    crew_size: int | None = None
    standards: LabourStandards | None = None
    crew_table: CrewTable | None = None
    sites: tuple[Site, ...] | None = None


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    """One article of the tenant's cube-sheet catalogue, as a survey lists it."""

    id: uuid.UUID
    name: str
    room: str
    category: str
    cubic_feet: Decimal
    weight_lb: Decimal | None
    handling_minutes: int
    is_specialty: bool


@dataclass(frozen=True, slots=True)
class SurveyStop:
    """A stop of the move and its access, as the quote stores it."""

    label: str
    address: str
    site: Site


@dataclass(frozen=True, slots=True)
class SurveySheet:
    """What a survey screen needs before the first keystroke.

    ``blocked`` says in the user's words why this quote cannot be re-surveyed
    here (locked, or no permission); None when it can.
    """

    quote_id: uuid.UUID
    title: str
    status: str
    currency: str
    blocked: str | None
    catalogue: tuple[CatalogueEntry, ...]
    stops: tuple[SurveyStop, ...]
    distance_km: Decimal
    current: Mapping[str, Any]
    valuation: ValuationChoice
    deposit: DepositRule


#: Write grants a survey needs: the quote's figures, and replacing its lines.
SURVEY_GRANTS = (
    ("quote", PermissionAction.UPDATE),
    ("quote_item", PermissionAction.CREATE),
    ("quote_item", PermissionAction.DELETE),
)
LOCKED_REASON = (
    "This quote is {status}: the customer agreed to its price, so its survey is locked. "
    "Ask the office to revise it if the inventory changed."
)


def journey_quote_id(store: Any, journey_id: uuid.UUID) -> uuid.UUID | None:
    """The quote a journey was converted from, when that quote is on this device."""
    journey = get_row(store, "journey", journey_id)
    if journey is None or journey["quote_id"] is None:
        return None
    quote = get_row(store, "quote", journey["quote_id"])
    return None if quote is None or quote["deleted_at"] is not None else quote["id"]


class QuotingService:
    """Preview and apply survey-based estimates on quotes, through LocalWriteService."""

    def __init__(self, writes: LocalWriteService) -> None:
        self.writes = writes
        self.store = writes.store

    def preview(self, quote_id: uuid.UUID | str, request: SurveyRequest) -> Estimate:
        """Price the survey for live totals on screen; writes nothing."""
        quote = self._editable_quote(quote_id)
        return self._estimate(quote, request)[0]

    def survey_sheet(self, quote_id: uuid.UUID | str) -> SurveySheet:
        """The catalogue by room, the stops with their access, the quote's current figures."""
        quote = get_row(self.store, "quote", quote_id)
        if quote is None or quote["deleted_at"] is not None:
            raise RowNotFound(f"no quote {quote_id} in this replica")
        rows = sorted(
            (
                r
                for r in list_rows(self.store, "catalogue_item", limit=_ALL)
                if r["deleted_at"] is None and r["is_active"] is not False
            ),
            key=lambda r: (r["sort_order"] or 0, r["name"]),
        )
        # Rooms in the order of their first article, so the tenant's catalogue order holds.
        first: dict[str, int] = {}
        for number, r in enumerate(rows):
            first.setdefault(r["room"] or "Other", number)
        rows.sort(key=lambda r: first[r["room"] or "Other"])
        items = tuple(
            CatalogueEntry(
                id=r["id"],
                name=r["name"],
                room=r["room"] or "Other",
                category=r["category"] or "",
                cubic_feet=r["cubic_feet"],
                weight_lb=r["weight_lb"],
                handling_minutes=r["handling_minutes"] or 0,
                is_specialty=bool(r["is_specialty"]),
            )
            for r in rows
        )
        return SurveySheet(
            quote_id=quote["id"],
            title=f"Quote {quote['number'] or quote['provisional_number'] or ''}".strip(),
            status=str(quote["status"]),
            currency=str(quote["currency"]),
            blocked=self._blocked(quote),
            catalogue=items,
            stops=_stops(quote),
            distance_km=quote["distance_km"] or Decimal(0),
            current={k: quote[k] for k in _CURRENT},
            valuation=ValuationChoice(
                quote["valuation_option"], quote["declared_value"], quote["valuation_deductible"]
            ),
            deposit=DepositRule(minimum=quote["deposit_amount"] or Decimal(0)),
        )

    def apply_survey(self, quote_id: uuid.UUID | str, request: SurveyRequest) -> Estimate:
        """Price the survey and replace the quote's lines and figures with the result."""
        self._require_grants()
        quote = self._editable_quote(quote_id)
        estimate, price_list_id = self._estimate(quote, request)
        with self.writes.batch() as batch:
            current = batch.read("quote", quote["id"])
            if current is None or current["deleted_at"] is not None:
                raise RowNotFound(f"no quote {quote['id']} in this replica")
            check_editable(current["status"])  # a pull may have locked it meanwhile
            for item_id in _live_item_ids(batch.conn, current["id"]):
                batch.delete("quote_item", item_id)
            for order, (line, amount) in enumerate(
                zip(estimate.lines, estimate.totals.lines, strict=True)
            ):
                batch.insert("quote_item", _item_values(current, line, amount, order))
            changes = _quote_changes(current, estimate, price_list_id)
            if request.sites is not None:
                changes.update(_site_changes(current, request.sites))
            batch.update("quote", current["id"], changes)
        return estimate

    # -- reading the inputs from the replica ------------------------------------

    def _missing_grants(self) -> list[str]:
        """What a survey needs that this user lacks; nothing is known (and the server
        decides on push) while the replica does not hold the user's own row yet."""
        try:
            user = signed_in_user(self.store, self.writes.user_id)
        except RowNotFound:
            return []
        grants = user_grants(self.store, user)
        return [
            f"{a.lower()} {r.replace('_', ' ')}s" for r, a in SURVEY_GRANTS if (r, a) not in grants
        ]

    def _require_grants(self) -> None:
        """Refuse now what the server would refuse on sync as ``permission_denied``."""
        missing = self._missing_grants()
        if missing:
            raise RuleViolation(PERMISSION_DENIED, _no_permission(missing))

    def _blocked(self, quote: Mapping[str, Any]) -> str | None:
        try:
            check_editable(quote["status"])
        except RuleViolation:
            return LOCKED_REASON.format(status=str(quote["status"]).lower())
        missing = self._missing_grants()
        return _no_permission(missing) if missing else None

    def _editable_quote(self, quote_id: uuid.UUID | str) -> dict[str, Any]:
        quote = get_row(self.store, "quote", quote_id)
        if quote is None:
            raise RowNotFound(f"no quote {quote_id} in this replica")
        check_editable(quote["status"])
        return quote

    def _estimate(
        self, quote: Mapping[str, Any], request: SurveyRequest
    ) -> tuple[Estimate, uuid.UUID | None]:
        # As the server's recompute: an undated quote is taxed by its branch's today.
        tax_date = quote["move_date"] or branch_today(self.store, quote["location_id"])
        record = self._rate_card_record(quote, tax_date)
        card = parse_rate_card(record)
        if parse_currency(quote["currency"]) != card.currency:
            raise RuleViolation(
                CURRENCY_MISMATCH,
                f"the quote is in {quote['currency']} but its rate card prices in {card.currency}",
                field="currency",
            )
        items = [self._catalogue_item(i, qty) for i, qty in request.counts.items()]
        travel = request.travel or TravelInput(distance_km=quote["distance_km"] or Decimal(0))
        plan = plan_move(
            [*items, *request.custom_items],
            card=card,
            sites=_sites(quote) if request.sites is None else request.sites,
            travel=travel,
            crew_size=request.crew_size,
            standards=request.standards,
            crew_table=request.crew_table,
        )
        pct = quote["discount_pct"] or Decimal(0)
        estimate = build_estimate(
            card,
            plan,
            estimate_type=quote["estimate_type"],
            taxes=self._tax_place(quote, tax_date),
            extras=request.extras,
            valuation=request.valuation,
            deposit=request.deposit,
            discount_pct=pct,
            discount_amount=Decimal(0) if pct else (quote["discount_amount"] or Decimal(0)),
        )
        return estimate, card.id

    def _rate_card_record(self, quote: Mapping[str, Any], on: dt.date) -> Mapping[str, Any]:
        if quote["price_list_id"] is not None:
            row = get_row(self.store, "price_list", quote["price_list_id"])
            if row is None:
                raise RowNotFound(f"rate card {quote['price_list_id']} is not in this replica")
            return row
        cards = list_rows(self.store, "price_list", limit=_ALL)
        chosen = select_rate_card(cards, location_id=quote["location_id"], on_date=on)
        return chosen  # type: ignore[return-value]

    def _catalogue_item(self, item_id: uuid.UUID, quantity: Decimal | int) -> SurveyItem:
        row = get_row(self.store, "catalogue_item", item_id)
        if row is None:
            raise RowNotFound(f"catalogue item {item_id} is not in this replica")
        return SurveyItem.from_catalogue(row, quantity)

    def _tax_place(self, quote: Mapping[str, Any], tax_date: dt.date) -> TaxPlace:
        location = get_row(self.store, "location", quote["location_id"])
        if location is None:
            raise RowNotFound(f"branch {quote['location_id']} is not in this replica")
        customer = get_row(self.store, "customer", quote["customer_id"])
        rows = tuple(
            TaxRateRow.from_record(r) for r in list_rows(self.store, "tax_rate", limit=_ALL)
        )
        return TaxPlace(
            tax_date=tax_date,
            province=location["province"],
            country=location["country"] or "CA",
            tax_rows=rows,
            tax_exempt=bool(customer and customer["tax_exempt"]),
        )


_CURRENT = ("volume_cuft", "weight_lb", "crew_size", "estimated_hours", "total")


def _no_permission(missing: list[str]) -> str:
    return (
        f"Your role may not {' or '.join(missing)}, which a new survey replaces. "
        "Ask an administrator for that permission, or ask the office to update the quote."
    )


def _address(quote: Mapping[str, Any], prefix: str) -> str:
    parts = (quote.get(f"{prefix}_line1"), quote.get(f"{prefix}_city"))
    return ", ".join(str(p) for p in parts if p)


def _stops(quote: Mapping[str, Any]) -> tuple[SurveyStop, ...]:
    stops = [
        SurveyStop("Pickup", _address(quote, "origin"), Site.from_json(quote["origin_site"])),
        SurveyStop(
            "Delivery", _address(quote, "destination"), Site.from_json(quote["destination_site"])
        ),
    ]
    extra = [s for s in quote["extra_stops"] or [] if isinstance(s, Mapping)]
    for number, stop in enumerate(extra, start=1):
        where = ", ".join(str(stop[k]) for k in ("line1", "city") if stop.get(k))
        stops.append(SurveyStop(f"Stop {number}", where, Site.from_json(stop.get("site"))))
    return tuple(stops)


def site_json(site: Site) -> dict[str, Any]:
    """A Site as the quote's JSON stores it (decimals as strings, never floats)."""

    def number(value: Decimal) -> int | str:
        return int(value) if value == value.to_integral_value() else str(value)

    return {
        "stairs_flights": site.stairs_flights,
        "elevator": site.elevator,
        "long_carry_ft": number(site.long_carry_ft),
        "parking_distance_ft": number(site.parking_distance_ft),
    }


def _site_changes(quote: Mapping[str, Any], sites: tuple[Site, ...]) -> dict[str, Any]:
    """origin_site, destination_site and each extra stop's ``site``, other keys kept."""
    if len(sites) != len(_stops(quote)):
        raise RuleViolation(
            "invalid_survey",
            f"the survey has {len(sites)} stops but the quote has {len(_stops(quote))}",
            field="sites",
        )
    changes: dict[str, Any] = {
        "origin_site": {**(quote["origin_site"] or {}), **site_json(sites[0])},
        "destination_site": {**(quote["destination_site"] or {}), **site_json(sites[1])},
    }
    rest = iter(sites[2:])
    extra = [
        {**stop, "site": {**(stop.get("site") or {}), **site_json(next(rest))}}
        if isinstance(stop, Mapping)
        else stop
        for stop in quote["extra_stops"] or []
    ]
    if extra:
        changes["extra_stops"] = extra
    return changes


def _sites(quote: Mapping[str, Any]) -> list[Site]:
    stops = [quote["origin_site"], quote["destination_site"]]
    stops += [stop.get("site") for stop in quote["extra_stops"] or [] if isinstance(stop, Mapping)]
    return [Site.from_json(doc) for doc in stops]


def _live_item_ids(conn: Connection, quote_id: uuid.UUID) -> list[uuid.UUID]:
    items = table_for("quote_item")
    found = conn.execute(
        select(items.c.id).where(items.c.quote_id == quote_id, items.c.deleted_at.is_(None))
    )
    return [as_uuid(r) for r in found.scalars()]


def _item_values(quote: Mapping[str, Any], line: Any, amount: Any, order: int) -> dict[str, Any]:
    return {
        "tenant_id": quote["tenant_id"],
        "quote_id": quote["id"],
        "category": line.category,
        "description": line.description,
        "quantity": line.quantity,
        "unit": line.unit,
        "unit_price": line.unit_price,
        "discount_pct": Decimal(0),
        "line_total": amount.amount,
        "taxable": line.taxable,
        "sort_order": order,
        "catalogue_item_id": line.catalogue_item_id,
    }


def _quote_changes(
    quote: Mapping[str, Any], estimate: Estimate, price_list_id: uuid.UUID | None
) -> dict[str, Any]:
    totals, plan, valuation = estimate.totals, estimate.plan, estimate.valuation
    changes: dict[str, Any] = {
        "crew_size": plan.crew_size,
        "estimated_hours": plan.billed_hours,
        "volume_cuft": plan.volume_cuft,
        "weight_lb": plan.weight_lb,
        "distance_km": plan.travel.distance_km,
        "subtotal": totals.subtotal,
        "discount_amount": totals.discount,
        "tax_amount": totals.tax_total,
        "total": totals.total,
        "tax_breakdown": totals.to_dict()["taxes"],
        "deposit_amount": estimate.deposit,
        "valuation_option": valuation.option,
        "declared_value": valuation.declared_value,
        "valuation_deductible": valuation.deductible,
        "valuation_charge": valuation.charge,
    }
    if price_list_id is not None:
        changes["price_list_id"] = price_list_id
    if totals.total != quote["total"] or totals.discount != quote["discount_amount"]:
        # A new price on a SENT/VIEWED quote goes back to DRAFT, and any manager
        # approval was for the old price (DESIGN 6.8).
        changes["status"] = status_after_price_change(quote["status"])
        if quote["approved_by"] is not None:
            changes.update(approved_by=None, approved_at=None)
    return changes
