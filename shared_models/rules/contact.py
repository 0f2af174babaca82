"""Contact details both sides agree on: email, North American phone, Canadian postal code.

The client checks and normalises as the user types and again in its write
service; the server refuses the same bad values on push (``check_customer``,
``check_lead``). Every ``parse_*`` returns the one stored form or raises a
``RuleViolation`` whose message a form shows next to the field as it is.

"Not in the past" is an entry rule only (``check_not_past``): an offline
laptop may push tomorrow's follow-up three days late, and refusing it then
would lose the lead's notes with it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from email_validator import EmailNotValidError, validate_email

from shared_models.enums import Province
from shared_models.geography import PROVINCE_NAMES
from shared_models.rules.errors import NEGATIVE_AMOUNT, RuleViolation

INVALID_EMAIL: Final = "invalid_email"
INVALID_PHONE: Final = "invalid_phone"
INVALID_POSTAL_CODE: Final = "invalid_postal_code"
REQUIRED: Final = "required"
TOO_LONG: Final = "too_long"
DATE_IN_PAST: Final = "date_in_past"

#: First letter of the postal codes of each province and territory (Canada Post).
POSTAL_FIRST_LETTERS: Mapping[Province, str] = {
    Province.NL: "A",
    Province.NS: "B",
    Province.PE: "C",
    Province.NB: "E",
    Province.QC: "GHJ",
    Province.ON: "KLMNP",
    Province.MB: "R",
    Province.SK: "S",
    Province.AB: "T",
    Province.BC: "V",
    Province.NT: "X",
    Province.NU: "X",
    Province.YT: "Y",
}
#: Column widths of the text fields people type (shared_models.models.sales).
TEXT_LIMITS: Mapping[str, int] = {
    "first_name": 100,
    "last_name": 100,
    "company_name": 200,
    "address_line1": 200,
    "address_line2": 200,
    "city": 100,
    "tax_exemption_number": 64,
    "contact_name": 200,
    "source_detail": 200,
    "move_size": 64,
    "origin_summary": 200,
    "destination_summary": 200,
    "lost_reason": 500,
}
PHONE_EXAMPLE = "416-555-0199"
ENTRY_GRACE = dt.timedelta(minutes=10)
_EXTENSION = re.compile(r"\s*(?:ext\.?|extension|x|#)\s*(\d{1,6})\s*$", re.IGNORECASE)
_PHONE_CHARS = re.compile(r"^\+?[\d\s().\-]+$")
_POSTAL = re.compile(r"^([A-Z]\d[A-Z])[\s-]?(\d[A-Z]\d)$")


def parse_email(text: str, *, field: str = "email") -> str:
    """``name@Company.COM`` -> ``name@company.com``; refuses anything that is not an address."""
    try:
        return validate_email(text.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise RuleViolation(
            INVALID_EMAIL, "That is not an email address, e.g. name@company.com", field=field
        ) from exc


def parse_phone(text: str, *, field: str = "phone") -> str:
    """Any way people write a NANP number -> ``416-555-0199`` (`` ext. 12`` kept)."""

    def bad(message: str) -> RuleViolation:
        return RuleViolation(INVALID_PHONE, message, field=field)

    number, extension = text.strip(), ""
    if found := _EXTENSION.search(number):
        number, extension = number[: found.start()], f" ext. {found.group(1)}"
    if not _PHONE_CHARS.match(number):
        raise bad(f"Use digits only, e.g. {PHONE_EXAMPLE} (ext. 12 for an extension).")
    digits = re.sub(r"\D", "", number)
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    elif number.startswith("+"):
        raise bad("Only North American numbers (+1) can be stored.")
    if len(digits) != 10:
        raise bad(f"A phone number has 10 digits with the area code, e.g. {PHONE_EXAMPLE}.")
    area, exchange = digits[:3], digits[3:6]
    if area[0] in "01" or area[1:] == "11":
        raise bad(f"{area} is not an area code.")
    if exchange[0] in "01":
        raise bad("The three digits after the area code cannot start with 0 or 1.")
    return f"{area}-{exchange}-{digits[6:]}{extension}"


def parse_postal_code(
    text: str, province: Province | str | None = None, *, field: str = "postal_code"
) -> str:
    """``m5v2t6`` -> ``M5V 2T6``; refuses codes Canada Post never issues or of another province."""
    found = _POSTAL.match(text.strip().upper())
    if not found:
        raise RuleViolation(
            INVALID_POSTAL_CODE, "A postal code looks like A1A 1A1, e.g. M5V 2T6.", field=field
        )
    code = f"{found.group(1)} {found.group(2)}"
    if any(letter in "DFIOQU" for letter in code[0] + code[2] + code[5]):
        raise RuleViolation(
            INVALID_POSTAL_CODE, "Postal codes never use D, F, I, O, Q or U.", field=field
        )
    if province:
        where = Province(str(getattr(province, "value", province)))
        letters = POSTAL_FIRST_LETTERS[where]
        if code[0] not in letters:
            start = (
                " or ".join(letters)
                if len(letters) < 3
                else f"{', '.join(letters[:-1])} or {letters[-1]}"
            )
            raise RuleViolation(
                INVALID_POSTAL_CODE,
                f"{PROVINCE_NAMES[where]} postal codes start with {start}.",
                field=field,
            )
    elif code[0] in "WZ":
        raise RuleViolation(INVALID_POSTAL_CODE, "No postal code starts with W or Z.", field=field)
    return code


def parse_amount(value: Any, *, field: str, what: str = "The amount") -> Decimal:
    """A money amount of at least zero (typed text or a Decimal)."""
    try:
        amount = Decimal(str(value).replace(",", "").replace("$", "").strip())
    except InvalidOperation as exc:
        raise RuleViolation(
            NEGATIVE_AMOUNT, f"{what} is a number, e.g. 4500.00", field=field
        ) from exc
    if not amount.is_finite():
        raise RuleViolation(NEGATIVE_AMOUNT, f"{what} is a number, e.g. 4500.00", field=field)
    if amount < 0:
        raise RuleViolation(NEGATIVE_AMOUNT, f"{what} cannot be negative.", field=field)
    return amount


def check_text(value: str, field: str) -> None:
    limit = TEXT_LIMITS.get(field)
    if limit is not None and len(value) > limit:
        raise RuleViolation(TOO_LONG, f"Use at most {limit} characters.", field=field)


def check_not_past(
    value: dt.date | dt.datetime, now: dt.datetime, *, field: str, what: str
) -> None:
    """Entry rule for dates people plan (a follow-up): today or later.

    A time gets ``ENTRY_GRACE``: the minute picked when the form opened is still fine on save.
    """
    if isinstance(value, dt.datetime):
        past = value < now - ENTRY_GRACE
    else:
        past = value < now.date()
    if past:
        raise RuleViolation(DATE_IN_PAST, f"{what} cannot be in the past.", field=field)


def _text(row: Mapping[str, Any], name: str) -> str | None:
    value = row.get(name)
    return None if value is None else (str(value).strip() or None)


def _clean(
    row: Mapping[str, Any], formats: Mapping[str, Any], fields: Collection[str] | None
) -> dict[str, Any]:
    out = dict(row)
    for name in (*TEXT_LIMITS, *formats):
        if name not in row or (fields is not None and name not in fields):
            continue
        value = _text(row, name)
        if value is not None:
            check_text(value, name)
            if name in formats:
                value = formats[name](value)
        out[name] = value
    return out


def clean_customer(
    row: Mapping[str, Any], *, fields: Collection[str] | None = None
) -> dict[str, Any]:
    """The customer with text trimmed and contact details normalised; raises on the first problem.

    ``fields`` limits the checks to the columns a change touches (the server
    checks a pushed update, not what an older client stored before).
    """
    province = row.get("province")
    formats = {
        "email": lambda v: parse_email(v),
        "phone": lambda v: parse_phone(v),
        "alt_phone": lambda v: parse_phone(v, field="alt_phone"),
        "postal_code": lambda v: parse_postal_code(v, province),
    }
    wide = (
        None if fields is None else {*fields, *(("postal_code",) if "province" in fields else ())}
    )
    out = _clean(row, formats, wide)
    names = {"first_name", "last_name", "company_name", "customer_type"}
    if fields is None or names & set(fields):
        if str(out.get("customer_type") or "") == "COMMERCIAL" and not out.get("company_name"):
            raise RuleViolation(REQUIRED, "Enter the company's name.", field="company_name")
        if not out.get("last_name") and not out.get("company_name"):
            raise RuleViolation(REQUIRED, "Enter a last name or a company name.", field="last_name")
    if (fields is None or {"tax_exempt", "tax_exemption_number"} & set(fields)) and (
        out.get("tax_exempt") and not out.get("tax_exemption_number")
    ):
        raise RuleViolation(
            REQUIRED,
            "A tax-exempt customer needs an exemption number.",
            field="tax_exemption_number",
        )
    return out


def clean_lead(row: Mapping[str, Any], *, fields: Collection[str] | None = None) -> dict[str, Any]:
    """The lead with text trimmed and contact details normalised; raises on the first problem."""
    formats = {
        "contact_email": lambda v: parse_email(v, field="contact_email"),
        "contact_phone": lambda v: parse_phone(v, field="contact_phone"),
    }
    out = _clean(row, formats, fields)
    if (fields is None or {"contact_name", "customer_id"} & set(fields)) and not (
        out.get("contact_name") or out.get("customer_id")
    ):
        raise RuleViolation(REQUIRED, "Enter who the lead is.", field="contact_name")
    if (fields is None or "estimated_value" in fields) and out.get("estimated_value") is not None:
        out["estimated_value"] = parse_amount(
            out["estimated_value"], field="estimated_value", what="The estimated value"
        )
    return out


def check_customer(row: Mapping[str, Any], *, fields: Collection[str] | None = None) -> None:
    """What the server holds a pushed customer to (RuleViolation when refused)."""
    clean_customer(row, fields=fields)


def check_lead(row: Mapping[str, Any], *, fields: Collection[str] | None = None) -> None:
    """What the server holds a pushed lead to (RuleViolation when refused)."""
    clean_lead(row, fields=fields)


#: Tables whose pushed rows the server holds to these rules.
CHECKED_TABLES = frozenset({"customer", "lead"})
#: Every column ``clean_customer`` / ``clean_lead`` looks at when limited to ``fields``.
CHECKED_FIELDS: Mapping[str, frozenset[str]] = {
    "customer": frozenset(TEXT_LIMITS).union(
        {"email", "phone", "alt_phone", "postal_code", "province", "customer_type"},
        {"first_name", "last_name", "company_name", "tax_exempt", "tax_exemption_number"},
    ),
    "lead": frozenset(TEXT_LIMITS).union(
        {"contact_email", "contact_phone", "contact_name", "customer_id", "estimated_value"}
    ),
}


def checks_any(table: str, fields: Collection[str]) -> bool:
    """Whether ``check_row(table, ..., fields=fields)`` has anything to check.

    A pushed edit of a customer's notes touches no contact rule: the server skips
    building the merged row for it (half of a 1,000-mutation push are such edits).
    """
    checked = CHECKED_FIELDS.get(table)
    return checked is not None and not checked.isdisjoint(fields)


def check_row(table: str, row: Mapping[str, Any], *, fields: Collection[str] | None = None) -> None:
    """The server's hook: refuse a customer or lead row (other tables pass)."""
    if fields is not None and not checks_any(table, fields):
        return
    if table == "customer":
        check_customer(row, fields=fields)
    elif table == "lead":
        check_lead(row, fields=fields)


def customer_from_lead(lead: Mapping[str, Any]) -> dict[str, Any]:
    """A new customer's values from a lead's contact fields (the user completes the rest)."""
    name = (_text(lead, "contact_name") or "").rsplit(" ", 1)
    first, last = (name[0], name[1]) if len(name) == 2 else (None, name[0] or None)
    return {
        "first_name": first,
        "last_name": last,
        "email": _text(lead, "contact_email"),
        "phone": _text(lead, "contact_phone"),
        "source": lead.get("source"),
        "location_id": lead.get("location_id"),
        "notes": _text(lead, "notes"),
    }
