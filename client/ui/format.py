"""How values read on screen: money with its currency, dates, "2 min ago"."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from shared_models.rules.scheduling.intervals import zone

_SYMBOLS = {"CAD": "$", "USD": "US$", "EUR": "€"}


def money(amount: Decimal | float | None, currency: str = "CAD") -> str:
    """``$1,234.50`` (CAD), ``US$1,234.50``, ``€1,234.50``; blank for no amount."""
    if amount is None:
        return ""
    symbol = _SYMBOLS.get(currency, f"{currency} ")
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    sign = "-" if value < 0 else ""
    return f"{sign}{symbol}{abs(value):,.2f}"


def date(value: dt.date | None) -> str:
    return "" if value is None else f"{value:%b} {value.day}, {value.year}"


def datetime_local(value: dt.datetime | None, tz: str | None = None) -> str:
    """Date and ``HH:MM`` on the clock of ``tz`` (a branch's IANA zone; None: the laptop's)."""
    if value is None:
        return ""
    local = value.astimezone(zone(tz) if tz else None)
    return f"{date(local.date())} {local:%H:%M}"


def zone_caption(tz: str) -> str:
    """``Times in Toronto time``: which clock a screen's times are on (a branch's zone)."""
    return f"Times in {tz.split('/')[-1].replace('_', ' ')} time"


def humanize(text: str | None) -> str:
    """``PROPOSAL_SENT`` -> ``Proposal sent``."""
    return text.replace("_", " ").capitalize() if text else ""


def ago(when: dt.datetime | str | None, now: dt.datetime | None = None) -> str:
    """``just now``, ``5 min ago``, ``3 h ago``, ``yesterday``, or the date."""
    if when is None:
        return "never"
    if isinstance(when, str):
        try:
            when = dt.datetime.fromisoformat(when)
        except ValueError:
            return when
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    now = now or dt.datetime.now(dt.UTC)
    seconds = max(0.0, (now - when).total_seconds())
    if seconds < 45:
        return "just now"
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    if seconds < 2 * 86400:
        return "yesterday"
    return date(when.astimezone().date())
