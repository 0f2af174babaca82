"""Building an invoice's lines, due date and overdue state: pure, the same offline and on the server.

Two sources (issue 4, part 5):

* a **completed journey**: labour from its field timeline, priced per hour;
  materials sold to the customer from the journey's inventory transactions;
  truck and travel fees from the rate card;
* an **accepted FLAT or BINDING quote**: its lines copied as they were sold,
  each linked back through ``quote_item_id``.

Worked time (``worked_hours``): from the first work-start event
(ARRIVED_ORIGIN or LOADING_STARTED) to the last work-end event
(UNLOADING_FINISHED or COMPLETED), minus every BREAK_START -> BREAK_END pair.
Billed time (``billed_hours``): worked time rounded **up** to the billing
increment (15 minutes unless the caller says otherwise), then raised to the
rate card's minimum hours. Rates are inputs: the caller resolves them from the
journey's rate card (crew size -> hourly rate), so no price lives in code.

Materials: SALE rows linked to the journey count; a negative quantity is
stock handed to the customer, a positive one unused boxes bought back, so the
billed quantity is ``-sum(quantity)`` per item. Items without a sale price are
consumables of the service (blankets, shrink wrap on loan) and are not billed.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from shared_models.enums import (
    EstimateType,
    InventoryTransactionType,
    InvoiceStatus,
    JourneyEventType,
    JourneyStatus,
    QuoteItemCategory,
    QuoteStatus,
)
from shared_models.rules.errors import (
    INVALID_PAYMENT_TERMS,
    INVALID_TIMELINE,
    NOT_BILLABLE,
    RuleViolation,
)
from shared_models.rules.money import MONEY_CONTEXT, ZERO, non_negative
from shared_models.rules.totals import LineInput

E = JourneyEventType
WORK_STARTS = frozenset({E.ARRIVED_ORIGIN, E.LOADING_STARTED})
WORK_ENDS = frozenset({E.UNLOADING_FINISHED, E.COMPLETED})
#: Estimates whose accepted quote is the bill: the price was fixed before the move.
FIXED_PRICE = frozenset({EstimateType.FLAT, EstimateType.BINDING})
BILLABLE_QUOTE = frozenset({QuoteStatus.ACCEPTED, QuoteStatus.CONVERTED})
#: Statuses whose balance can fall due (a DRAFT was never sent; the rest are settled).
DUE_STATUSES = frozenset(
    {InvoiceStatus.SENT, InvoiceStatus.VIEWED, InvoiceStatus.PARTIAL_PAID, InvoiceStatus.OVERDUE}
)
HOUR = Decimal(3600)


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    event_type: JourneyEventType
    occurred_at: dt.datetime


@dataclass(frozen=True, slots=True)
class MaterialMovement:
    """One InventoryTransaction of the journey, as far as billing cares."""

    inventory_id: uuid.UUID
    type: InventoryTransactionType
    quantity: Decimal


@dataclass(frozen=True, slots=True)
class MaterialPrice:
    """What the customer pays for one stock item (Inventory name, unit, unit_price)."""

    name: str
    unit: str
    unit_price: Decimal | None


@dataclass(frozen=True, slots=True)
class LabourRates:
    """Rates resolved from the journey's rate card; fees of 0 produce no line."""

    hourly_rate: Decimal
    minimum_hours: Decimal = ZERO
    increment_minutes: int = 15
    truck_fee: Decimal = ZERO
    travel_fee: Decimal = ZERO

    def __post_init__(self) -> None:
        for name in ("hourly_rate", "minimum_hours", "truck_fee", "travel_fee"):
            object.__setattr__(self, name, non_negative(getattr(self, name), field=name))
        if not 0 < self.increment_minutes <= 60:
            raise RuleViolation(
                INVALID_TIMELINE, "the billing increment must be 1 to 60 minutes", field="increment"
            )


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    """One InvoiceItem to write; ``line_input()`` is what compute_totals prices."""

    category: QuoteItemCategory
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    discount_pct: Decimal = ZERO
    taxable: bool = True
    quote_item_id: uuid.UUID | None = None
    catalogue_item_id: uuid.UUID | None = None

    def line_input(self) -> LineInput:
        return LineInput(
            quantity=self.quantity,
            unit_price=self.unit_price,
            discount_pct=self.discount_pct,
            taxable=self.taxable,
            category=self.category,
        )


def worked_hours(events: Iterable[TimelineEvent]) -> Decimal:
    """Hours between the first work start and the last work end, breaks taken out (exact)."""
    ordered = sorted(events, key=lambda e: e.occurred_at)
    starts = [e.occurred_at for e in ordered if e.event_type in WORK_STARTS]
    ends = [e.occurred_at for e in ordered if e.event_type in WORK_ENDS]
    if not starts or not ends:
        raise RuleViolation(
            INVALID_TIMELINE,
            "the journey's timeline needs a start (arrived/loading started) and an end "
            "(unloading finished/completed) before it can be billed",
        )
    start, end = starts[0], ends[-1]
    if end <= start:
        raise RuleViolation(INVALID_TIMELINE, f"the work ends ({end}) before it starts ({start})")
    paused = dt.timedelta(0)
    open_break: dt.datetime | None = None
    for e in ordered:
        if e.event_type == E.BREAK_START:
            if open_break is not None:
                raise RuleViolation(
                    INVALID_TIMELINE, f"a break starts at {e.occurred_at} inside another break"
                )
            open_break = e.occurred_at
        elif e.event_type == E.BREAK_END:
            if open_break is None:
                raise RuleViolation(
                    INVALID_TIMELINE, f"a break ends at {e.occurred_at} without having started"
                )
            lo, hi = max(open_break, start), min(e.occurred_at, end)
            paused += max(hi - lo, dt.timedelta(0))
            open_break = None
    if open_break is not None:
        raise RuleViolation(INVALID_TIMELINE, f"the break started at {open_break} never ended")
    seconds = Decimal(int((end - start - paused).total_seconds()))
    return MONEY_CONTEXT.divide(seconds, HOUR)


def billed_hours(worked: Decimal, rates: LabourRates) -> Decimal:
    """Worked hours rounded up to the increment, at least the rate card's minimum."""
    step = Decimal(rates.increment_minutes) / Decimal(60)
    steps = MONEY_CONTEXT.divide(non_negative(worked, field="worked_hours"), step)
    rounded = steps.to_integral_value(rounding=ROUND_CEILING) * step
    return max(rounded, rates.minimum_hours).quantize(Decimal("0.01"), context=MONEY_CONTEXT)


def journey_lines(
    *,
    status: JourneyStatus | str,
    crew_size: int,
    events: Iterable[TimelineEvent],
    rates: LabourRates,
    movements: Iterable[MaterialMovement] = (),
    prices: Mapping[uuid.UUID, MaterialPrice] | None = None,
    truck_count: int = 1,
) -> tuple[InvoiceLine, ...]:
    """The lines of a completed journey: labour, then materials, then truck and travel fees."""
    if JourneyStatus(status) != JourneyStatus.COMPLETED:
        raise RuleViolation(
            NOT_BILLABLE, f"the journey is {status}: only completed jobs are billed"
        )
    if crew_size < 1:
        raise RuleViolation(NOT_BILLABLE, "a journey needs at least one mover to bill labour")
    hours = billed_hours(worked_hours(events), rates)
    lines = [
        InvoiceLine(
            QuoteItemCategory.MOVING_SERVICES,
            f"Moving labour: {crew_size} movers, {hours} h",
            hours,
            "hour",
            rates.hourly_rate,
        )
    ]
    lines.extend(material_lines(movements, prices or {}))
    if rates.truck_fee:
        lines.append(
            InvoiceLine(
                QuoteItemCategory.MOVING_SERVICES,
                "Truck fee",
                Decimal(max(truck_count, 1)),
                "ea",
                rates.truck_fee,
            )
        )
    if rates.travel_fee:
        lines.append(
            InvoiceLine(
                QuoteItemCategory.MOVING_SERVICES, "Travel", Decimal(1), "ea", rates.travel_fee
            )
        )
    return tuple(lines)


def material_lines(
    movements: Iterable[MaterialMovement], prices: Mapping[uuid.UUID, MaterialPrice]
) -> list[InvoiceLine]:
    """One line per item sold on the job (net of buy-backs), in first-seen order."""
    net: dict[uuid.UUID, Decimal] = {}
    for m in movements:
        if InventoryTransactionType(m.type) == InventoryTransactionType.SALE:
            net[m.inventory_id] = net.get(m.inventory_id, ZERO) - m.quantity
    out = []
    for item_id, quantity in net.items():
        price = prices.get(item_id)
        if quantity <= 0 or price is None or price.unit_price is None:
            continue
        out.append(
            InvoiceLine(
                QuoteItemCategory.PACKING_SERVICES,
                price.name,
                quantity,
                price.unit,
                non_negative(price.unit_price, field="unit_price"),
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class QuotedLine:
    """A QuoteItem as billing reads it."""

    id: uuid.UUID
    category: QuoteItemCategory
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    discount_pct: Decimal = ZERO
    taxable: bool = True
    catalogue_item_id: uuid.UUID | None = None


def quote_lines(
    *,
    status: QuoteStatus | str,
    estimate_type: EstimateType | str,
    items: Iterable[QuotedLine],
) -> tuple[InvoiceLine, ...]:
    """An accepted fixed-price quote's lines, as sold, each linked to its quote item."""
    if QuoteStatus(status) not in BILLABLE_QUOTE:
        raise RuleViolation(NOT_BILLABLE, f"the quote is {status}: only accepted quotes are billed")
    if EstimateType(estimate_type) not in FIXED_PRICE:
        raise RuleViolation(
            NOT_BILLABLE,
            f"a {estimate_type} estimate is billed from the journey's actual hours, not the quote",
        )
    return tuple(
        InvoiceLine(
            QuoteItemCategory(i.category),
            i.description,
            non_negative(i.quantity, field="quantity"),
            i.unit,
            non_negative(i.unit_price, field="unit_price"),
            non_negative(i.discount_pct, field="discount_pct"),
            i.taxable,
            quote_item_id=i.id,
            catalogue_item_id=i.catalogue_item_id,
        )
        for i in items
    )


_TERMS = re.compile(r"^NET[ _-]?(\d{1,3})$")


def due_date(issue_date: dt.date, terms: str | int) -> dt.date:
    """Due date from payment terms: ``DUE_ON_RECEIPT``, ``NET_30`` / ``NET 30``, or days."""
    if isinstance(terms, bool):
        raise RuleViolation(INVALID_PAYMENT_TERMS, "payment terms must be text or days")
    if isinstance(terms, int):
        days = terms
    else:
        text = terms.strip().upper()
        if text in ("DUE_ON_RECEIPT", "DUE ON RECEIPT", "COD"):
            return issue_date
        match = _TERMS.match(text)
        if match is None:
            raise RuleViolation(
                INVALID_PAYMENT_TERMS,
                f"unknown payment terms {terms!r} (use DUE_ON_RECEIPT, NET_15, NET_30 or days)",
                field="terms",
            )
        days = int(match.group(1))
    if not 0 <= days <= 365:
        raise RuleViolation(INVALID_PAYMENT_TERMS, f"{days} days is not a payment term")
    return issue_date + dt.timedelta(days=days)


def is_overdue(
    status: InvoiceStatus | str, due: dt.date | None, today: dt.date, balance_due: Decimal
) -> bool:
    """An issued invoice with money owed after its due date (the day itself is not late)."""
    return (
        InvoiceStatus(status) in DUE_STATUSES
        and due is not None
        and today > due
        and balance_due > 0
    )


def displayed_status(
    status: InvoiceStatus | str, due: dt.date | None, today: dt.date, balance_due: Decimal
) -> InvoiceStatus:
    """The status to show today: OVERDUE once late, else the stored one.

    The server stores OVERDUE when it recomputes an invoice (derive_invoice_status);
    between two recomputes the calendar moves on, so screens ask this instead.
    """
    if is_overdue(status, due, today, balance_due):
        return InvoiceStatus.OVERDUE
    return InvoiceStatus(status)
