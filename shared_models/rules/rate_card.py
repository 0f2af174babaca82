"""A PriceList row parsed once into a typed, validated RateCard.

The PriceList keeps its prices in JSON documents of decimal strings; every
pricing rule reads them through this module so a bad card fails here, with the
field named, instead of as a wrong total later. Money fields (rates, fees,
item prices) must be whole cents because they become a line's ``unit_price``;
factors (per km, per lb, per $1,000) may carry the 6 decimals of a Rate column.

Travel is priced one of two ways, chosen per card (PriceList has no column for
it, so it is derived unless the record carries ``travel_mode``):
- TRIP_FEE when the card sets a travel flat fee or a per-km rate: the fee
  covers the trip to and from the depot, only origin -> destination driving
  is billed by the hour;
- PORT_TO_PORT otherwise: the clock runs from leaving the depot to returning.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from shared_models.enums import Currency
from shared_models.rules.errors import INVALID_NUMBER, RuleViolation
from shared_models.rules.money import HUNDRED, MONEY_CONTEXT, non_negative, parse_currency

NO_HOURLY_RATE: Final = "no_hourly_rate"
UNKNOWN_OPTION: Final = "unknown_option"
NO_LONG_DISTANCE_RATE: Final = "no_long_distance_rate"
INVALID_RATE_CARD: Final = "invalid_rate_card"
NO_RATE_CARD: Final = "no_rate_card"

CENT = Decimal("0.01")
#: Distance past which a move is priced by weight when the card has long-distance rates.
DEFAULT_LONG_DISTANCE_FROM_KM = Decimal(160)


class TravelMode(enum.StrEnum):
    PORT_TO_PORT = "PORT_TO_PORT"
    TRIP_FEE = "TRIP_FEE"


class OptionKind(enum.StrEnum):
    """The rate card documents a quote can pick priced options from."""

    PACKING = "packing_materials"
    STORAGE = "storage_rates"
    SPECIALTY = "specialty_services"
    EQUIPMENT = "equipment_rental"


def _money(value: Any, name: str) -> Decimal:
    """A non-negative price in whole cents (it becomes a line's unit_price)."""
    amount = _factor(value, name)
    if amount != amount.quantize(CENT):
        raise RuleViolation(
            INVALID_NUMBER, f"{name} must be in whole cents (got {amount})", field=name
        )
    return amount


def _factor(value: Any, name: str) -> Decimal:
    if value is None:
        raise RuleViolation(INVALID_RATE_CARD, f"{name} is missing", field=name)
    if not isinstance(value, Decimal | int | str) or isinstance(value, bool):
        # JSON numbers must be stored as decimal strings: a float has already lost cents
        raise RuleViolation(
            INVALID_NUMBER, f"{name}: {value!r} is not a decimal string", field=name
        )
    return non_negative(value, field=name)


@dataclass(frozen=True, slots=True)
class PricedOption:
    """One thing a quote can add from the card: a box, a storage vault, a piano move."""

    code: str
    label: str
    price: Decimal
    unit: str


@dataclass(frozen=True, slots=True)
class DistanceTier:
    """Long-distance price per lb for moves up to ``max_km``."""

    max_km: Decimal
    rate_per_lb: Decimal


@dataclass(frozen=True, slots=True)
class RateCard:
    """What a branch charges, validated; built by ``parse_rate_card``."""

    currency: Currency
    hourly_rates: Mapping[int, Decimal]
    additional_mover_rate: Decimal | None
    minimum_hours: Decimal
    truck_fee: Decimal
    travel_flat_fee: Decimal
    travel_rate_per_km: Decimal
    travel_free_km: Decimal
    fuel_surcharge_pct: Decimal
    options: Mapping[OptionKind, Mapping[str, PricedOption]]
    long_distance_rates: tuple[DistanceTier, ...]
    released_value_rate_per_lb: Decimal
    full_value_rate_per_lb_min: Decimal
    full_value_min_amount: Decimal
    #: deductible -> charge per $1,000 of declared value
    full_value_rates: Mapping[Decimal, Decimal]
    density_lb_per_cuft: Decimal
    travel_mode: TravelMode
    long_distance_from_km: Decimal = DEFAULT_LONG_DISTANCE_FROM_KM
    id: uuid.UUID | None = field(default=None, compare=False)

    def hourly_rate(self, crew_size: int) -> Decimal:
        """Per hour for the crew and truck; movers beyond the largest listed crew add
        ``additional_mover_rate`` each."""
        if crew_size in self.hourly_rates:
            return self.hourly_rates[crew_size]
        listed = sorted(self.hourly_rates)
        if listed and crew_size > listed[-1] and self.additional_mover_rate is not None:
            extra = MONEY_CONTEXT.multiply(
                Decimal(crew_size - listed[-1]), self.additional_mover_rate
            )
            return self.hourly_rates[listed[-1]] + extra
        raise RuleViolation(
            NO_HOURLY_RATE,
            f"the rate card has no hourly rate for a crew of {crew_size} "
            f"(crews priced: {', '.join(map(str, listed)) or 'none'})",
            field="crew_size",
        )

    def option(self, kind: OptionKind, code: str) -> PricedOption:
        try:
            return self.options[kind][code]
        except KeyError:
            known = ", ".join(sorted(self.options.get(kind, {}))) or "none"
            raise RuleViolation(
                UNKNOWN_OPTION,
                f"{kind.value} has no {code!r} on this rate card (known: {known})",
                field=kind.value,
            ) from None

    def is_long_distance(self, distance_km: Decimal) -> bool:
        return bool(self.long_distance_rates) and distance_km > self.long_distance_from_km

    def long_distance_rate(self, distance_km: Decimal) -> Decimal:
        """Per lb for the first tier that reaches ``distance_km``."""
        for tier in self.long_distance_rates:
            if distance_km <= tier.max_km:
                return tier.rate_per_lb
        raise RuleViolation(
            NO_LONG_DISTANCE_RATE,
            f"no long-distance rate for {distance_km} km on this rate card",
            field="distance_km",
        )


def _get(record: Mapping[str, Any] | object, name: str, default: Any = None) -> Any:
    if isinstance(record, Mapping):
        value = record.get(name, default)
    else:
        value = getattr(record, name, default)
    return default if value is None else value


def _hourly(doc: Mapping[str, Any]) -> dict[int, Decimal]:
    out: dict[int, Decimal] = {}
    for key, value in doc.items():
        name = f"hourly_rates.{key}"
        try:
            crew = int(str(key))
        except ValueError:
            raise RuleViolation(
                INVALID_RATE_CARD, f"{name}: crew size {key!r} is not a number", field=name
            ) from None
        if crew < 1:
            raise RuleViolation(INVALID_RATE_CARD, f"{name}: crew size must be >= 1", field=name)
        out[crew] = _money(value, name)
    return out


def _options(kind: OptionKind, doc: Mapping[str, Any]) -> dict[str, PricedOption]:
    """``{code: {label, price, unit}}``; a bare price (storage) is per month."""
    out: dict[str, PricedOption] = {}
    for code, entry in doc.items():
        name = f"{kind.value}.{code}"
        if isinstance(entry, Mapping):
            label = str(entry.get("label") or code)
            price = _money(entry.get("price"), f"{name}.price")
            unit = str(entry.get("unit") or ("month" if kind is OptionKind.STORAGE else "ea"))
        else:
            label, price, unit = f"Storage: {code.replace('_', ' ')}", _money(entry, name), "month"
        out[code] = PricedOption(code, label, price, unit)
    return out


def _tiers(doc: Iterable[Any]) -> tuple[DistanceTier, ...]:
    tiers = []
    for i, entry in enumerate(doc):
        name = f"long_distance_rates[{i}]"
        if not isinstance(entry, Mapping):
            raise RuleViolation(INVALID_RATE_CARD, f"{name} is not an object", field=name)
        tiers.append(
            DistanceTier(
                _factor(entry.get("max_km"), f"{name}.max_km"),
                _factor(entry.get("rate_per_lb"), f"{name}.rate_per_lb"),
            )
        )
    return tuple(sorted(tiers, key=lambda t: t.max_km))


def _full_value(doc: Mapping[str, Any]) -> dict[Decimal, Decimal]:
    return {
        _money(key, "full_value_rates (deductible)"): _factor(value, f"full_value_rates.{key}")
        for key, value in doc.items()
    }


def parse_rate_card(record: Mapping[str, Any] | object) -> RateCard:
    """Build a RateCard from a PriceList ORM row, a replica row or a plain mapping.

    Missing scalar fields take the PriceList column defaults, so a card typed
    by hand prices exactly like the stored one.
    """
    money = {
        name: _money(_get(record, name, default), name)
        for name, default in (
            ("truck_fee", 0),
            ("travel_flat_fee", 0),
            ("full_value_min_amount", 6000),
        )
    }
    factors = {
        name: _factor(_get(record, name, default), name)
        for name, default in (
            ("minimum_hours", 3),
            ("travel_rate_per_km", 0),
            ("travel_free_km", 0),
            ("fuel_surcharge_pct", 0),
            ("released_value_rate_per_lb", Decimal("0.60")),
            ("full_value_rate_per_lb_min", Decimal("6.00")),
            ("density_lb_per_cuft", 7),
            ("long_distance_from_km", DEFAULT_LONG_DISTANCE_FROM_KM),
        )
    }
    if factors["fuel_surcharge_pct"] > HUNDRED:
        raise RuleViolation(
            INVALID_RATE_CARD, "fuel_surcharge_pct must be at most 100", field="fuel_surcharge_pct"
        )
    if not factors["density_lb_per_cuft"]:
        raise RuleViolation(
            INVALID_RATE_CARD, "density_lb_per_cuft must be positive", field="density_lb_per_cuft"
        )
    extra = _get(record, "additional_mover_rate")
    mode = _get(record, "travel_mode")
    if mode is None:
        charged = money["travel_flat_fee"] or factors["travel_rate_per_km"]
        mode = TravelMode.TRIP_FEE if charged else TravelMode.PORT_TO_PORT
    raw_id = _get(record, "id")
    return RateCard(
        currency=parse_currency(_get(record, "currency", Currency.CAD)),
        hourly_rates=_hourly(_get(record, "hourly_rates", {})),
        additional_mover_rate=None if extra is None else _money(extra, "additional_mover_rate"),
        options={kind: _options(kind, _get(record, kind.value, {})) for kind in OptionKind},
        long_distance_rates=_tiers(_get(record, "long_distance_rates", [])),
        full_value_rates=_full_value(_get(record, "full_value_rates", {})),
        travel_mode=TravelMode(mode),
        id=None if raw_id is None else uuid.UUID(str(raw_id)),
        **money,
        **factors,
    )


def _on(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def select_rate_card(
    records: Iterable[Mapping[str, Any] | object],
    *,
    location_id: uuid.UUID | None,
    on_date: dt.date,
) -> Mapping[str, Any] | object:
    """The card in force for a branch on a date: the branch's own card before the
    tenant-wide one, then the default card, then the latest start date."""
    best: tuple[tuple[bool, bool, dt.date], Mapping[str, Any] | object] | None = None
    for record in records:
        start, end = _on(_get(record, "effective_from")), _on(_get(record, "effective_to"))
        where = _get(record, "location_id")
        if (
            not _get(record, "is_active", True)
            or _get(record, "deleted_at") is not None
            or start is None
            or start > on_date
            or (end is not None and end < on_date)
            or (where is not None and str(where) != str(location_id))
        ):
            continue
        rank = (where is not None, bool(_get(record, "is_default", False)), start)
        if best is None or rank > best[0]:
            best = (rank, record)
    if best is None:
        raise RuleViolation(
            NO_RATE_CARD, f"no active rate card in force on {on_date}", field="price_list_id"
        )
    return best[1]
