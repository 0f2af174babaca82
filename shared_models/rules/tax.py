"""Canadian sales taxes: which TaxRate rows apply on a date, and what they charge.

- A row applies from `effective_from` to `effective_to`, both inclusive
  (`None` = still in force), so a rate change is a new row plus an end date
  on the old one and older documents keep the rate of their own tax date.
- `rate` is a fraction (0.13 for 13 %), as stored in the TaxRate table.
- Every tax is computed on the same taxable base, never on base + another
  tax: QST has not been charged on GST since 2013-01-01, and no province
  compounds today. Each tax line is rounded half-up to the cent on its own.
- A row with `province=None` is a non-Canadian tax (e.g. a US sales tax the
  tenant enters itself); it applies only to documents outside Canada.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shared_models.enums import Currency, Province, TaxKind
from shared_models.rules.errors import (
    AMBIGUOUS_TAX_RATE,
    INVALID_RATE,
    NO_TAX_RATE,
    UNKNOWN_PROVINCE,
    RuleViolation,
)
from shared_models.rules.money import (
    MONEY_CONTEXT,
    ZERO,
    non_negative,
    quantize_money,
    to_decimal,
)

#: Order of tax lines on a document: federal part first, then provincial.
_KIND_ORDER = {TaxKind.GST: 0, TaxKind.HST: 1, TaxKind.PST: 2, TaxKind.QST: 3}


def _date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


@dataclass(frozen=True, slots=True)
class TaxRateRow:
    """One TaxRate row: a tax kind at a rate in a province for a date range."""

    province: Province | None
    kind: TaxKind
    rate: Decimal
    effective_from: dt.date
    effective_to: dt.date | None = None
    label: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "province", parse_province(self.province))
        object.__setattr__(self, "kind", TaxKind(self.kind))
        if isinstance(self.rate, float) or not isinstance(self.rate, Decimal):
            raise TypeError(f"tax rate must be a Decimal, got {self.rate!r}")
        if not ZERO <= self.rate < 1:
            raise RuleViolation(INVALID_RATE, f"tax rate {self.rate} is not a fraction in [0, 1)")
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise RuleViolation(INVALID_RATE, f"{self.label or self.kind}: ends before it starts")
        # 0.130000 from a Numeric(12, 6) column and 0.13 from the table print alike
        object.__setattr__(self, "rate", self.rate.normalize())

    @classmethod
    def from_record(cls, record: object) -> TaxRateRow:
        """Build from anything with the TaxRate columns (an ORM row, a pull record dict)."""

        def get(name: str) -> Any:
            return record[name] if isinstance(record, Mapping) else getattr(record, name)

        end = get("effective_to")
        return cls(
            province=get("province"),
            kind=get("kind"),
            rate=to_decimal(get("rate"), field="rate"),
            effective_from=_date(get("effective_from")),
            effective_to=_date(end) if end else None,
            label=get("label") or "",
        )

    def in_effect(self, on_date: dt.date) -> bool:
        return self.effective_from <= on_date and (
            self.effective_to is None or on_date <= self.effective_to
        )

    @property
    def percent(self) -> Decimal:
        return (self.rate * 100).normalize()


@dataclass(frozen=True, slots=True)
class TaxLine:
    """One tax charged on a document, rounded to the cent."""

    kind: TaxKind
    label: str
    rate: Decimal
    base: Decimal
    amount: Decimal


def parse_province(value: Province | str | None) -> Province | None:
    """The Province for a code (None stays None: not a Canadian document)."""
    if value is None or isinstance(value, Province):
        return value
    try:
        return Province(value.strip().upper())
    except ValueError:
        raise RuleViolation(
            UNKNOWN_PROVINCE, f"unknown province {value!r}", field="province"
        ) from None


def rates_in_effect(
    rows: Iterable[TaxRateRow], province: Province | str | None, on_date: dt.date
) -> list[TaxRateRow]:
    """The rows that apply in `province` on `on_date`, GST/HST before PST/QST.

    A Canadian province with no row refuses (`no_tax_rate`) rather than
    silently charging no tax; two rows of one kind on one date refuse too.
    """
    where = parse_province(province)
    found = sorted(
        (r for r in rows if r.province == where and r.in_effect(on_date)),
        key=lambda r: _KIND_ORDER[r.kind],
    )
    kinds = [r.kind for r in found]
    if len(set(kinds)) != len(kinds) or (TaxKind.HST in kinds and len(kinds) > 1):
        raise RuleViolation(
            AMBIGUOUS_TAX_RATE, f"conflicting tax rates for {where} on {on_date}: {kinds}"
        )
    if where is not None and not found:
        raise RuleViolation(
            NO_TAX_RATE, f"no tax rate for province {where} on {on_date}", field="province"
        )
    return found


def compute_taxes(
    taxable_base: Decimal,
    rows_in_effect: Sequence[TaxRateRow],
    *,
    exempt: bool = False,
    currency: Currency = Currency.CAD,
) -> list[TaxLine]:
    """Each tax on the same base (never compounded), each rounded half-up alone."""
    base = non_negative(taxable_base, field="taxable_base")
    if exempt:
        return []
    return [
        TaxLine(
            kind=row.kind,
            label=row.label or f"{row.kind} {row.percent:f}%",
            rate=row.rate,
            base=base,
            amount=quantize_money(MONEY_CONTEXT.multiply(base, row.rate), currency),
        )
        for row in rows_in_effect
    ]


def validate_tax_table(rows: Iterable[TaxRateRow]) -> None:
    """Refuse a table where one province has two conflicting rates on some date."""
    rows = list(rows)
    for row in rows:
        for date in (row.effective_from, row.effective_to):
            if date is not None:
                rates_in_effect(rows, row.province, date)


def _rows(
    provinces: str,
    kind: TaxKind,
    pct: str,
    start: str,
    end: str | None = None,
    name: str | None = None,
) -> tuple[TaxRateRow, ...]:
    rate = Decimal(pct) / 100
    label = f"{name or kind.value} {pct}%"
    return tuple(
        TaxRateRow(
            Province(p),
            kind,
            rate,
            dt.date.fromisoformat(start),
            dt.date.fromisoformat(end) if end else None,
            label,
        )
        for p in provinces.split()
    )


_G, _H, _P, _Q = TaxKind.GST, TaxKind.HST, TaxKind.PST, TaxKind.QST

#: Default TaxRate rows for seeding. History starts 2010-07-01 (HST in ON and
#: BC); QC starts 2013-01-01 (QST stopped compounding on GST) and PE starts
#: 2013-04-01 (HST replaced a PST that compounded on GST). Earlier dates are
#: refused with `no_tax_rate` instead of being taxed by a rule we do not model.
CANADIAN_TAX_RATES_2026: tuple[TaxRateRow, ...] = (
    *_rows("AB NT NU YT MB SK", _G, "5", "2010-07-01"),
    *_rows("QC", _G, "5", "2013-01-01"),
    *_rows("BC", _G, "5", "2013-04-01"),
    *_rows("ON", _H, "13", "2010-07-01"),
    *_rows("NB NL", _H, "13", "2010-07-01", "2016-06-30"),
    *_rows("NB NL", _H, "15", "2016-07-01"),
    *_rows("NS", _H, "15", "2010-07-01", "2025-03-31"),
    *_rows("NS", _H, "14", "2025-04-01"),
    *_rows("PE", _H, "14", "2013-04-01", "2016-09-30"),
    *_rows("PE", _H, "15", "2016-10-01"),
    *_rows("BC", _H, "12", "2010-07-01", "2013-03-31"),
    *_rows("BC", _P, "7", "2013-04-01"),
    *_rows("SK", _P, "5", "2010-07-01", "2017-03-22"),
    *_rows("SK", _P, "6", "2017-03-23"),
    *_rows("MB", _P, "7", "2010-07-01", "2013-06-30", name="RST"),
    *_rows("MB", _P, "8", "2013-07-01", "2019-06-30", name="RST"),
    *_rows("MB", _P, "7", "2019-07-01", name="RST"),
    *_rows("QC", _Q, "9.975", "2013-01-01"),
)
