"""One function from a rate card and a move plan to a priced estimate.

The lines it makes, in print order (each a ``LineInput`` via ``to_input``):
1. Labour (MOVING_SERVICES): crew x billed hours at the crew's hourly rate.
   HOURLY, NON_BINDING and NOT_TO_EXCEED show it per hour; FLAT and BINDING
   show one flat line of the same amount (hours x rate, rounded once), so the
   type changes what the customer is promised, never the price.
2. Transport (MOVING_SERVICES): the truck fee; a long-distance line haul
   (weight x the distance tier's rate per lb) or, on a TRIP_FEE card, the
   travel fee (flat + per km past the free radius). Each is one line of its
   rounded amount because per-lb and per-km rates have more than 2 decimals.
3. Fuel surcharge (OTHER): the card's percentage of the transport lines.
4. Chosen options: PACKING_SERVICES, SPECIALTY_SERVICES, EQUIPMENT_RENTAL,
   STORAGE_SERVICES (quantity = months), at the card's prices.
5. Valuation (INSURANCE, not taxable, as the seeded quotes charge it):
   released value as a $0 line that states the liability, or full-value
   protection at its charge.
Totals come from ``compute_totals`` only. NOT_TO_EXCEED's cap is the
estimate's total (the customer pays the lesser of the actual charges and
it). The deposit is ``max(minimum, percent of total)``, never above the total.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Final

from shared_models.enums import (
    Currency,
    EstimateType,
    Province,
    QuoteItemCategory,
    ValuationOption,
)
from shared_models.rules.cube_sheet import QUANTITY_STEP, MovePlan
from shared_models.rules.errors import INVALID_NUMBER, RuleViolation
from shared_models.rules.money import HUNDRED, MONEY_CONTEXT, ZERO, non_negative, quantize_money
from shared_models.rules.rate_card import CENT, OptionKind, RateCard, TravelMode
from shared_models.rules.tax import TaxRateRow, parse_province
from shared_models.rules.totals import DocumentInput, LineInput, Totals, compute_totals
from shared_models.rules.valuation import Valuation, ValuationChoice, price_valuation

UNKNOWN_ESTIMATE_TYPE: Final = "unknown_estimate_type"
WEIGHT_REQUIRED: Final = "weight_required"

C = QuoteItemCategory
HOURLY_TYPES = frozenset(
    {EstimateType.HOURLY, EstimateType.NON_BINDING, EstimateType.NOT_TO_EXCEED}
)
_OPTION_CATEGORY = {
    OptionKind.PACKING: C.PACKING_SERVICES,
    OptionKind.SPECIALTY: C.SPECIALTY_SERVICES,
    OptionKind.EQUIPMENT: C.EQUIPMENT_RENTAL,
    OptionKind.STORAGE: C.STORAGE_SERVICES,
}


@dataclass(frozen=True, slots=True)
class Selection:
    """A priced option chosen from the card: its code and how many (months for storage)."""

    code: str
    quantity: Decimal = Decimal(1)

    def __post_init__(self) -> None:
        qty = non_negative(self.quantity, field="quantity")
        if qty != qty.quantize(QUANTITY_STEP):
            raise RuleViolation(
                INVALID_NUMBER, f"quantity {qty} has more than 3 decimals", field="quantity"
            )
        object.__setattr__(self, "quantity", qty)


@dataclass(frozen=True, slots=True)
class Extras:
    """Everything chosen beyond labour and transport, in the card's four option lists."""

    packing: tuple[Selection, ...] = ()
    specialty: tuple[Selection, ...] = ()
    equipment: tuple[Selection, ...] = ()
    storage: tuple[Selection, ...] = ()

    def by_kind(self) -> Iterable[tuple[OptionKind, tuple[Selection, ...]]]:
        yield OptionKind.PACKING, self.packing
        yield OptionKind.SPECIALTY, self.specialty
        yield OptionKind.EQUIPMENT, self.equipment
        yield OptionKind.STORAGE, self.storage


@dataclass(frozen=True, slots=True)
class DepositRule:
    """Deposit asked at booking: a percentage of the total, at least ``minimum``."""

    percent: Decimal = ZERO
    minimum: Decimal = ZERO

    def __post_init__(self) -> None:
        pct = non_negative(self.percent, field="deposit_percent")
        if pct > HUNDRED:
            raise RuleViolation(
                INVALID_NUMBER, "deposit percent must be at most 100", field="deposit_percent"
            )
        object.__setattr__(self, "percent", pct)
        object.__setattr__(self, "minimum", non_negative(self.minimum, field="deposit_minimum"))

    def deposit_for(self, total: Decimal, currency: Currency) -> Decimal:
        with localcontext(MONEY_CONTEXT):
            share = quantize_money(total * self.percent / HUNDRED, currency)
        return min(total, max(quantize_money(self.minimum, currency), share))


@dataclass(frozen=True, slots=True)
class TaxPlace:
    """Where and when the move is taxed, with the TaxRate rows to do it."""

    tax_date: dt.date
    province: Province | None
    country: str = "CA"
    tax_rows: tuple[TaxRateRow, ...] = ()
    tax_exempt: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "province", parse_province(self.province))
        object.__setattr__(self, "country", self.country.strip().upper())
        object.__setattr__(self, "tax_rows", tuple(self.tax_rows))


@dataclass(frozen=True, slots=True)
class EstimateLine:
    """One quote line as the QuoteItem row stores it; ``code`` says where it came from."""

    category: QuoteItemCategory
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    taxable: bool = True
    code: str | None = None
    catalogue_item_id: uuid.UUID | None = None

    def to_input(self) -> LineInput:
        return LineInput(self.quantity, self.unit_price, ZERO, self.taxable, self.category)


@dataclass(frozen=True, slots=True)
class Estimate:
    """A priced estimate: lines, their totals, and the move figures the quote stores."""

    estimate_type: EstimateType
    currency: Currency
    lines: tuple[EstimateLine, ...]
    totals: Totals
    plan: MovePlan
    hourly_rate: Decimal
    valuation: Valuation
    deposit: Decimal
    not_to_exceed: Decimal | None

    @property
    def crew_size(self) -> int:
        return self.plan.crew_size

    @property
    def hours(self) -> Decimal:
        return self.plan.billed_hours


def _parse_type(value: EstimateType | str) -> EstimateType:
    try:
        return EstimateType(value)
    except ValueError:
        known = ", ".join(EstimateType)
        raise RuleViolation(
            UNKNOWN_ESTIMATE_TYPE,
            f"unknown estimate type {value!r} (known: {known})",
            field="estimate_type",
        ) from None


def _qty(value: Decimal) -> str:
    """A quantity as people write it, however the column padded it: 40.000 -> 40."""
    return f"{value.normalize():f}"


def _rate(value: Decimal) -> str:
    """A rate with at least cents: 1.950000 -> 1.95, 0.6 -> 0.60, 1.955 stays."""
    plain = value.normalize()
    exponent = plain.as_tuple().exponent
    return f"{plain if isinstance(exponent, int) and exponent < -2 else value.quantize(CENT):f}"


def _one(category: C, description: str, amount: Decimal, code: str) -> EstimateLine:
    return EstimateLine(category, description, Decimal(1), "ea", amount, code=code)


def _labour(card: RateCard, plan: MovePlan, kind: EstimateType, rate: Decimal) -> EstimateLine:
    crew, hours = plan.crew_size, plan.billed_hours
    clock = "port to port" if plan.travel_mode is TravelMode.PORT_TO_PORT else "on site"
    if kind in HOURLY_TYPES:
        return EstimateLine(
            C.MOVING_SERVICES,
            f"{crew} movers and truck ({clock})",
            hours,
            "hour",
            rate,
            code="LABOUR",
        )
    amount = quantize_money(MONEY_CONTEXT.multiply(hours, rate), card.currency)
    return EstimateLine(
        C.MOVING_SERVICES,
        f"Moving services, flat rate: {crew} movers, {hours:.2f} h ({clock})",
        Decimal(1),
        "flat",
        amount,
        code="LABOUR",
    )


def _transport(card: RateCard, plan: MovePlan) -> list[EstimateLine]:
    lines = []
    if card.truck_fee:
        lines.append(_one(C.MOVING_SERVICES, "Truck fee", card.truck_fee, "TRUCK"))
    km = plan.travel.distance_km
    with localcontext(MONEY_CONTEXT):
        if plan.long_distance:
            if not plan.weight_lb:
                raise RuleViolation(
                    WEIGHT_REQUIRED,
                    f"a {km} km move is priced by weight: survey the items or give a weight",
                    field="weight_lb",
                )
            per_lb = card.long_distance_rate(km)
            amount = quantize_money(plan.weight_lb * per_lb, card.currency)
            text = f"Line haul, {_qty(km)} km: {_qty(plan.weight_lb)} lb at {_rate(per_lb)}/lb"
            lines.append(_one(C.MOVING_SERVICES, text, amount, "LINEHAUL"))
        elif card.travel_mode is TravelMode.TRIP_FEE:
            billed_km = max(ZERO, km - card.travel_free_km)
            fee = card.travel_flat_fee + billed_km * card.travel_rate_per_km
            amount = quantize_money(fee, card.currency)
            free = _qty(card.travel_free_km)
            text = f"Travel fee (within {free} km of the depot)"
            if billed_km:
                text = (
                    f"Travel fee: {_rate(card.travel_flat_fee)} + {_qty(billed_km)} km past "
                    f"{free} km at {_rate(card.travel_rate_per_km)}/km"
                )
            if amount:
                lines.append(_one(C.MOVING_SERVICES, text, amount, "TRAVEL"))
    return lines


def _fuel(card: RateCard, transport: list[EstimateLine]) -> list[EstimateLine]:
    base = sum((ln.unit_price for ln in transport), ZERO)
    with localcontext(MONEY_CONTEXT):
        amount = quantize_money(base * card.fuel_surcharge_pct / HUNDRED, card.currency)
    if not amount:
        return []
    text = f"Fuel surcharge, {_qty(card.fuel_surcharge_pct)}% of transport"
    return [_one(C.OTHER, text, amount, "FUEL")]


def _options(card: RateCard, extras: Extras) -> list[EstimateLine]:
    lines = []
    for kind, chosen in extras.by_kind():
        for pick in chosen:
            option = card.option(kind, pick.code)
            if pick.quantity:
                lines.append(
                    EstimateLine(
                        _OPTION_CATEGORY[kind],
                        option.label,
                        pick.quantity,
                        option.unit,
                        option.price,
                        code=option.code,
                    )
                )
    return lines


def _valuation_line(card: RateCard, valuation: Valuation) -> EstimateLine:
    if valuation.option is ValuationOption.RELEASED_VALUE:
        text = (
            f"Released value: carrier liable up to {_rate(card.released_value_rate_per_lb)}/lb "
            "per article, no charge"
        )
        return EstimateLine(C.INSURANCE, text, Decimal(1), "ea", ZERO, False, "RELEASED")
    text = (
        f"Full value protection: {valuation.declared_value:,.2f} declared, "
        f"{valuation.deductible:,.2f} deductible, "
        f"{_rate(valuation.rate_per_thousand or ZERO)} per 1,000"
    )
    return EstimateLine(C.INSURANCE, text, Decimal(1), "ea", valuation.charge, False, "FVP")


def build_estimate(
    card: RateCard,
    plan: MovePlan,
    *,
    estimate_type: EstimateType | str,
    taxes: TaxPlace,
    extras: Extras | None = None,
    valuation: ValuationChoice | None = None,
    deposit: DepositRule | None = None,
    discount_pct: Decimal | int | str = ZERO,
    discount_amount: Decimal | int | str = ZERO,
) -> Estimate:
    """Price a move plan on a rate card: lines, totals (``compute_totals``), deposit, cap."""
    kind = _parse_type(estimate_type)
    rate = card.hourly_rate(plan.crew_size)
    transport = _transport(card, plan)
    priced_valuation = price_valuation(card, plan.weight_lb, valuation or ValuationChoice())
    lines = (
        _labour(card, plan, kind, rate),
        *transport,
        *_fuel(card, transport),
        *_options(card, extras or Extras()),
        _valuation_line(card, priced_valuation),
    )
    totals = compute_totals(
        DocumentInput(
            currency=card.currency,
            lines=tuple(line.to_input() for line in lines),
            tax_date=taxes.tax_date,
            province=taxes.province,
            country=taxes.country,
            tax_exempt=taxes.tax_exempt,
            tax_rows=taxes.tax_rows,
            document_discount_pct=discount_pct,  # type: ignore[arg-type]
            document_discount_amount=discount_amount,  # type: ignore[arg-type]
        )
    )
    return Estimate(
        estimate_type=kind,
        currency=card.currency,
        lines=lines,
        totals=totals,
        plan=plan,
        hourly_rate=rate,
        valuation=priced_valuation,
        deposit=(deposit or DepositRule()).deposit_for(totals.total, card.currency),
        not_to_exceed=totals.total if kind is EstimateType.NOT_TO_EXCEED else None,
    )
