"""Cube sheet: surveyed items -> volume, weight, labour, crew size and billed hours.

Units and rules (every default is overridable per call):
- Labour is counted in mover-minutes: each cu ft costs ``minutes_per_cuft``
  (loading and unloading together) plus the item's own handling minutes.
- Weight: an item's own ``weight_lb`` when the catalogue gives one (appliances
  and boxes are denser than furniture), else cu ft x the card's density
  (7 lb/cu ft by default).
- Site difficulty per stop (origin, destination, each extra stop) adds
  mover-minutes per 100 cu ft of the shipment, assumed to pass through every
  stop: per flight of stairs, for an elevator, and per 50 ft walked beyond a
  free 75 ft (long carry + parking distance, in feet as the quote stores them).
- Crew size from a threshold table on those mover-minutes (up to 600 -> 2,
  1200 -> 3, 2000 -> 4, above -> 5), unless the estimator picks the crew.
- Hours = mover-minutes / crew + driving minutes (the crew rides together, so
  driving is not divided). Driving counted: PORT_TO_PORT cards bill depot ->
  origin -> destination -> depot; TRIP_FEE cards bill origin -> destination
  only (the fee covers the depot legs); a long-distance move bills no driving
  (the line haul by weight prices it).
- Billed hours: rounded UP to the quarter hour, then at least the card's
  minimum hours, as movers bill.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, localcontext
from typing import Any, Final

from shared_models.rules.errors import RuleViolation
from shared_models.rules.money import MONEY_CONTEXT, ZERO, non_negative
from shared_models.rules.rate_card import RateCard, TravelMode

INVALID_CREW: Final = "invalid_crew_size"
INVALID_SURVEY: Final = "invalid_survey"

#: Volume and weight are stored in Quantity columns (3 decimals).
QUANTITY_STEP = Decimal("0.001")
#: Billed hours are shown and stored to the hundredth (4.25 h).
HOUR_STEP = Decimal("0.01")
HUNDRED_CUFT = Decimal(100)
SIXTY = Decimal(60)


def _num(value: Any, name: str) -> Decimal:
    return non_negative(value, field=name)


@dataclass(frozen=True, slots=True)
class SurveyItem:
    """One line of the cube sheet: a catalogue article (possibly edited) times a count."""

    name: str
    cubic_feet: Decimal
    quantity: Decimal = Decimal(1)
    weight_lb: Decimal | None = None
    handling_minutes: Decimal = ZERO
    catalogue_item_id: uuid.UUID | None = None
    is_specialty: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "cubic_feet", _num(self.cubic_feet, "cubic_feet"))
        object.__setattr__(self, "quantity", _num(self.quantity, "quantity"))
        object.__setattr__(
            self, "handling_minutes", _num(self.handling_minutes, "handling_minutes")
        )
        if self.weight_lb is not None:
            object.__setattr__(self, "weight_lb", _num(self.weight_lb, "weight_lb"))

    @classmethod
    def from_catalogue(
        cls, record: Mapping[str, Any] | object, quantity: Decimal | int | str, **edits: Any
    ) -> SurveyItem:
        """From a CatalogueItem row; ``edits`` override its figures for this survey only."""

        def get(name: str) -> Any:
            if name in edits:
                return edits[name]
            return record.get(name) if isinstance(record, Mapping) else getattr(record, name)

        raw_id = get("id")
        return cls(
            name=str(get("name")),
            cubic_feet=get("cubic_feet"),
            quantity=quantity,  # type: ignore[arg-type]
            weight_lb=get("weight_lb"),
            handling_minutes=get("handling_minutes") or ZERO,
            catalogue_item_id=None if raw_id is None else uuid.UUID(str(raw_id)),
            is_specialty=bool(get("is_specialty")),
        )


@dataclass(frozen=True, slots=True)
class Site:
    """Access at one stop, as stored in ``Quote.origin_site`` and friends."""

    stairs_flights: int = 0
    elevator: bool = False
    long_carry_ft: Decimal = ZERO
    parking_distance_ft: Decimal = ZERO

    def __post_init__(self) -> None:
        flights = self.stairs_flights
        if isinstance(flights, str) and flights.strip().isdigit():
            flights = int(flights)
        if not isinstance(flights, int) or isinstance(flights, bool) or flights < 0:
            raise RuleViolation(
                INVALID_SURVEY,
                f"stairs_flights must be a whole count >= 0 (got {self.stairs_flights!r})",
                field="stairs_flights",
            )
        object.__setattr__(self, "stairs_flights", flights)
        object.__setattr__(self, "long_carry_ft", _num(self.long_carry_ft, "long_carry_ft"))
        object.__setattr__(
            self, "parking_distance_ft", _num(self.parking_distance_ft, "parking_distance_ft")
        )

    @classmethod
    def from_json(cls, doc: Mapping[str, Any] | None) -> Site:
        doc = doc or {}
        return cls(
            stairs_flights=doc.get("stairs_flights") or 0,
            elevator=bool(doc.get("elevator")),
            long_carry_ft=str(doc.get("long_carry_ft") or 0),  # type: ignore[arg-type]
            parking_distance_ft=str(doc.get("parking_distance_ft") or 0),  # type: ignore[arg-type]
        )


@dataclass(frozen=True, slots=True)
class LabourStandards:
    """The tenant's time standards; the defaults are a typical local mover's."""

    minutes_per_cuft: Decimal = Decimal(1)
    stairs_minutes_per_100cuft: Decimal = Decimal(8)
    elevator_minutes_per_100cuft: Decimal = Decimal(5)
    free_carry_ft: Decimal = Decimal(75)
    carry_minutes_per_100cuft_per_50ft: Decimal = Decimal(4)
    billing_increment_hours: Decimal = Decimal("0.25")


@dataclass(frozen=True, slots=True)
class CrewTable:
    """``thresholds`` ascending (max mover-minutes, crew); ``above`` past the last."""

    thresholds: tuple[tuple[Decimal, int], ...] = (
        (Decimal(600), 2),
        (Decimal(1200), 3),
        (Decimal(2000), 4),
    )
    above: int = 5

    def __post_init__(self) -> None:
        limits = [limit for limit, _ in self.thresholds]
        crews = [crew for _, crew in self.thresholds] + [self.above]
        if limits != sorted(limits) or crews != sorted(crews) or min(crews) < 1:
            raise RuleViolation(
                INVALID_CREW, "crew table must rise in minutes and crew size, crews >= 1"
            )

    def crew_for(self, mover_minutes: Decimal) -> int:
        for limit, crew in self.thresholds:
            if mover_minutes <= limit:
                return crew
        return self.above


@dataclass(frozen=True, slots=True)
class TravelInput:
    """Driving minutes per leg and the move's distance (origin -> destination, km)."""

    depot_to_origin_minutes: Decimal = ZERO
    origin_to_destination_minutes: Decimal = ZERO
    destination_to_depot_minutes: Decimal = ZERO
    distance_km: Decimal = ZERO

    def __post_init__(self) -> None:
        for name in (
            "depot_to_origin_minutes",
            "origin_to_destination_minutes",
            "destination_to_depot_minutes",
            "distance_km",
        ):
            object.__setattr__(self, name, _num(getattr(self, name), name))


@dataclass(frozen=True, slots=True)
class MovePlan:
    """What the survey says about the move; the estimate prices it."""

    volume_cuft: Decimal
    weight_lb: Decimal
    item_minutes: Decimal
    site_minutes: Decimal
    crew_size: int
    drive_minutes: Decimal
    hours: Decimal
    billed_hours: Decimal
    travel: TravelInput
    travel_mode: TravelMode
    long_distance: bool
    items: tuple[SurveyItem, ...] = field(default=())

    @property
    def labour_minutes(self) -> Decimal:
        return self.item_minutes + self.site_minutes


def survey_totals(
    items: Iterable[SurveyItem], density_lb_per_cuft: Decimal, standards: LabourStandards
) -> tuple[Decimal, Decimal, Decimal]:
    """(volume cu ft, weight lb, item mover-minutes), volume and weight to 3 decimals."""
    volume = weight = minutes = ZERO
    with localcontext(MONEY_CONTEXT):
        for item in items:
            item_volume = item.quantity * item.cubic_feet
            volume += item_volume
            if item.weight_lb is None:
                weight += item_volume * density_lb_per_cuft
            else:
                weight += item.quantity * item.weight_lb
            minutes += (
                item_volume * standards.minutes_per_cuft + item.quantity * item.handling_minutes
            )
    step = QUANTITY_STEP
    return (
        volume.quantize(step, rounding=ROUND_HALF_UP),
        weight.quantize(step, rounding=ROUND_HALF_UP),
        minutes,
    )


def site_minutes(site: Site, volume_cuft: Decimal, standards: LabourStandards) -> Decimal:
    """Extra mover-minutes a stop's access costs for a shipment of ``volume_cuft``."""
    with localcontext(MONEY_CONTEXT):
        carry = max(ZERO, site.long_carry_ft + site.parking_distance_ft - standards.free_carry_ft)
        per_100 = (
            site.stairs_flights * standards.stairs_minutes_per_100cuft
            + (standards.elevator_minutes_per_100cuft if site.elevator else ZERO)
            + carry / 50 * standards.carry_minutes_per_100cuft_per_50ft
        )
        return volume_cuft / HUNDRED_CUFT * per_100


def bill_hours(hours: Decimal, minimum_hours: Decimal, increment: Decimal) -> Decimal:
    """Round up to the billing increment, then apply the minimum: 4.1 -> 4.25 (min 3)."""
    if increment < HOUR_STEP:
        raise RuleViolation(INVALID_SURVEY, f"billing increment must be at least {HOUR_STEP} h")
    with localcontext(MONEY_CONTEXT):
        steps = (hours / increment).to_integral_value(rounding=ROUND_CEILING)
        billed = max(minimum_hours, steps * increment)
    return billed.quantize(HOUR_STEP, rounding=ROUND_CEILING)


def drive_minutes(card: RateCard, travel: TravelInput) -> Decimal:
    """The driving the hourly rate pays for, by the card's travel mode (module doc)."""
    if card.is_long_distance(travel.distance_km):
        return ZERO
    if card.travel_mode is TravelMode.PORT_TO_PORT:
        return (
            travel.depot_to_origin_minutes
            + travel.origin_to_destination_minutes
            + travel.destination_to_depot_minutes
        )
    return travel.origin_to_destination_minutes


def _check_crew(crew_size: object) -> int:
    if isinstance(crew_size, bool) or not isinstance(crew_size, int) or crew_size < 1:
        raise RuleViolation(
            INVALID_CREW,
            f"crew size must be a whole number >= 1 (got {crew_size!r})",
            field="crew_size",
        )
    return crew_size


def _plan(
    card: RateCard,
    *,
    volume: Decimal,
    weight: Decimal,
    item_minutes: Decimal,
    extra_minutes: Decimal,
    crew_size: int,
    travel: TravelInput,
    standards: LabourStandards,
    items: tuple[SurveyItem, ...],
) -> MovePlan:
    _check_crew(crew_size)
    driving = drive_minutes(card, travel)
    with localcontext(MONEY_CONTEXT):
        hours = ((item_minutes + extra_minutes) / crew_size + driving) / SIXTY
    return MovePlan(
        volume_cuft=volume,
        weight_lb=weight,
        item_minutes=item_minutes,
        site_minutes=extra_minutes,
        crew_size=crew_size,
        drive_minutes=driving,
        hours=hours,
        billed_hours=bill_hours(hours, card.minimum_hours, standards.billing_increment_hours),
        travel=travel,
        travel_mode=card.travel_mode,
        long_distance=card.is_long_distance(travel.distance_km),
        items=items,
    )


def plan_move(
    items: Iterable[SurveyItem],
    *,
    card: RateCard,
    sites: Iterable[Site] = (),
    travel: TravelInput | None = None,
    crew_size: int | None = None,
    standards: LabourStandards | None = None,
    crew_table: CrewTable | None = None,
) -> MovePlan:
    """Survey -> plan: volume, weight, labour, crew (table unless given) and billed hours."""
    standards = standards or LabourStandards()
    items = tuple(items)
    volume, weight, item_minutes = survey_totals(items, card.density_lb_per_cuft, standards)
    extra = sum((site_minutes(s, volume, standards) for s in sites), ZERO)
    crew = (
        crew_size
        if crew_size is not None
        else (crew_table or CrewTable()).crew_for(item_minutes + extra)
    )
    return _plan(
        card,
        volume=volume,
        weight=weight,
        item_minutes=item_minutes,
        extra_minutes=extra,
        crew_size=crew,
        travel=travel or TravelInput(),
        standards=standards,
        items=items,
    )


def plan_from_hours(
    *,
    card: RateCard,
    crew_size: int,
    hours: Decimal | int | str,
    travel: TravelInput | None = None,
    volume_cuft: Decimal | int | str = ZERO,
    weight_lb: Decimal | int | str | None = None,
    standards: LabourStandards | None = None,
) -> MovePlan:
    """A plan without a survey: the estimator gives crew and on-site hours (driving is
    added by the card's travel mode); weight defaults to volume x density."""
    volume = _num(volume_cuft, "volume_cuft")
    weight = (
        _num(weight_lb, "weight_lb")
        if weight_lb is not None
        else (volume * card.density_lb_per_cuft).quantize(QUANTITY_STEP, rounding=ROUND_HALF_UP)
    )
    on_site = _num(hours, "hours") * SIXTY * _check_crew(crew_size)
    return _plan(
        card,
        volume=volume,
        weight=weight,
        item_minutes=on_site,
        extra_minutes=ZERO,
        crew_size=crew_size,
        travel=travel or TravelInput(),
        standards=standards or LabourStandards(),
        items=(),
    )
