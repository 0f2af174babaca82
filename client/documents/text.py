"""Printing helpers: money, quantities, dates and text safe for the PDF's font.

Why Windows-1252 and not a TrueType font: no installed package ships a TTF
(PySide6 wheels carry none, matplotlib is not a dependency) and the clients
run on Windows and macOS as well, so a system font path cannot be relied on.
The PDF core fonts with WinAnsi (cp1252) encoding cover every French letter
(é è ê ë à â ç î ï ô û ù ü ÿ œ æ and their capitals, Œ and Ÿ included), €,
typographic quotes and dashes, which is what a Québec document needs. Other
characters are folded to their base letter (ł -> l, ő -> o) and anything left
becomes "?", so an unusual name never stops a document from printing.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
import zoneinfo
from decimal import Decimal

from shared_models.enums import Currency, PaymentMethod, QuoteItemCategory
from shared_models.rules.money import quantize_money

#: The encoding fpdf2 uses for the core fonts (set on every document).
PDF_ENCODING = "windows-1252"

_SYMBOLS: dict[Currency, str] = {Currency.CAD: "$", Currency.USD: "$", Currency.EUR: "€"}
#: Letters NFKD does not decompose, and spaces/dashes outside cp1252.
_FOLD = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ı": "i",
        "ß": "ss",
        "\u2212": "-",
        "\u2010": "-",
        "\u2011": "-",
        "\u202f": " ",
        "\u2009": " ",
        "\u2007": " ",
        "\u2192": "->",
    }
)
CATEGORY_TITLES: dict[QuoteItemCategory, str] = {
    QuoteItemCategory.MOVING_SERVICES: "Moving services",
    QuoteItemCategory.PACKING_SERVICES: "Packing services and materials",
    QuoteItemCategory.STORAGE_SERVICES: "Storage",
    QuoteItemCategory.SPECIALTY_SERVICES: "Specialty services",
    QuoteItemCategory.EQUIPMENT_RENTAL: "Equipment rental",
    QuoteItemCategory.INSURANCE: "Valuation and protection",
    QuoteItemCategory.OTHER: "Other charges",
}

PAYMENT_METHOD_TITLES: dict[PaymentMethod, str] = {
    PaymentMethod.CASH: "Cash",
    PaymentMethod.CHECK: "Cheque",
    PaymentMethod.BANK_TRANSFER: "Bank transfer",
    PaymentMethod.CREDIT_CARD: "Credit card",
    PaymentMethod.DEBIT_CARD: "Debit card",
    PaymentMethod.PAYPAL: "PayPal",
    PaymentMethod.STRIPE: "Card (Stripe)",
    PaymentMethod.SQUARE: "Card (Square)",
    PaymentMethod.OTHER: "Other",
}


def pdf_safe(text: str) -> str:
    """``text`` with every character the core fonts can print (see module docstring)."""
    text = unicodedata.normalize("NFC", text).translate(_FOLD)
    out: list[str] = []
    for char in text:
        try:
            char.encode(PDF_ENCODING)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char)
            base = "".join(c for c in base if not unicodedata.combining(c))
            try:
                base.encode(PDF_ENCODING)
            except UnicodeEncodeError:
                base = "?"
            out.append(base or "?")
        else:
            out.append(char)
    return "".join(out)


def money(amount: Decimal, currency: Currency, *, code: bool = False) -> str:
    """English grouping with the currency's symbol: ``$1,234.50`` or ``-€12.00 EUR``.

    English formatting everywhere (CAD and USD share "$", so totals carry the
    ISO code); French number formatting waits for French documents.
    """
    value = quantize_money(amount, currency)
    sign = "-" if value < 0 else ""
    text = f"{sign}{_SYMBOLS[currency]}{abs(value):,.2f}"
    return f"{text} {currency.value}" if code else text


def number(value: Decimal) -> str:
    """A quantity without trailing zeros: 3.50 -> "3.5", 100 -> "100"."""
    return format(value.normalize(), "f")


def percent(value: Decimal) -> str:
    return f"{number(value)}%"


def date(value: dt.date) -> str:
    """``Mar 4, 2026``: month spelled out, so 04/03 can't be read two ways."""
    return f"{value:%b} {value.day}, {value.year}"


def local_datetime(value: dt.datetime, timezone: str) -> str:
    """A UTC instant in the branch's zone: ``Mar 4, 2026 10:32 EST``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    try:
        local = value.astimezone(zoneinfo.ZoneInfo(timezone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        local = value.astimezone(dt.UTC)
    return f"{date(local.date())} {local:%H:%M %Z}"
