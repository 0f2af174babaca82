"""Field checks of every form: each returns the message to show under the field, or None.

Contact details, amounts and planned dates wrap the shared rules
(``shared_models.rules.contact``), so a form refuses exactly what the write
service and the server refuse, with the same words.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from shared_models.rules import contact
from shared_models.rules.errors import RuleViolation

MIN_PASSPHRASE = 8
Check = Callable[[str], str | None]


def server_url(text: str) -> str | None:
    text = text.strip()
    if not text:
        return "Enter your company's server address."
    parts = urlsplit(text if "://" in text else f"https://{text}")
    if parts.scheme not in ("http", "https"):
        return "The address starts with https:// (or http:// on a local network)."
    try:
        port = parts.port
    except ValueError:
        return "The port after ':' must be a number."
    if not parts.hostname or " " in text or (port is not None and not 0 < port < 65536):
        return "That is not a web address, e.g. https://crm.example.com"
    return None


def full_url(text: str) -> str:
    """What the user typed, with https:// when they left the scheme out."""
    text = text.strip()
    return text if "://" in text else f"https://{text}"


def rule(parse: Callable[[str], object], *, required: str | None = None) -> Check:
    """A field check from a shared parse rule; empty text passes unless ``required`` says why."""

    def check(text: str) -> str | None:
        if not text.strip():
            return required
        try:
            parse(text)
        except RuleViolation as exc:
            return exc.message
        return None

    return check


def email(text: str) -> str | None:
    return rule(contact.parse_email, required="Enter your work email.")(text)


def contact_email(required: str | None = None) -> Check:
    return rule(contact.parse_email, required=required)


def phone(required: str | None = None) -> Check:
    return rule(contact.parse_phone, required=required)


def postal_code(province: Callable[[], Any]) -> Check:
    """Canadian A1A 1A1, of the province chosen beside it (when one is)."""
    return rule(lambda text: contact.parse_postal_code(text, province()))


def text(field: str, required: str | None = None) -> Check:
    """Free text that fits its column (``contact.TEXT_LIMITS``)."""
    return rule(lambda value: contact.check_text(value.strip(), field), required=required)


def amount(field: str, what: str) -> Check:
    """An optional money amount of at least zero."""
    return rule(lambda value: contact.parse_amount(value, field=field, what=what))


def not_past(
    what: str, now: Callable[[], dt.datetime] | None = None
) -> Callable[[Any], str | None]:
    """A planned date or time (a follow-up): empty, today or later."""

    def check(value: dt.date | dt.datetime | None) -> str | None:
        if value is None:
            return None
        moment = now() if now else dt.datetime.now(dt.UTC).astimezone()
        try:
            contact.check_not_past(value, moment, field="", what=what)
        except RuleViolation as exc:
            return exc.message
        return None

    return check


def required(text: str, what: str) -> str | None:
    return None if text else f"Enter your {what}."


def new_passphrase(text: str) -> str | None:
    if not text:
        return "Choose a passphrase to protect the data on this computer."
    if len(text) < MIN_PASSPHRASE:
        return f"Use at least {MIN_PASSPHRASE} characters."
    return None


def same(first: str, second: str) -> str | None:
    return None if first == second else "The two passphrases differ."


# -- time windows ("8:00-10:00") -----------------------------------------------------------
_WINDOW_SPLIT = re.compile(r"\s*(?:-|–|—|\bto\b)\s*", re.IGNORECASE)
_CLOCK = re.compile(r"^(\d{1,2})(?:[:h.](\d{2}))?\s*([ap])?\.?\s*(?:m\.?)?$", re.IGNORECASE)
WINDOW_EXAMPLE = "8:00-10:00"


def _clock(text: str) -> tuple[int, int, str | None] | None:
    found = _CLOCK.match(text.strip())
    if not found:
        return None
    hour, minute = int(found.group(1)), int(found.group(2) or 0)
    half = (found.group(3) or "").lower() or None
    if minute > 59 or hour > (12 if half else 24) or (half and hour == 0):
        return None
    return hour, minute, half


def _minutes(hour: int, minute: int, half: str | None) -> int:
    if half:
        hour = hour % 12 + (12 if half == "p" else 0)
    return hour * 60 + minute


def parse_time_window(text: str) -> tuple[int, int]:
    """``"8:00-10:00"`` (or ``8-10am``, ``1 pm to 3 pm``) -> minutes after midnight of start, end.

    Raises ``ValueError`` with the message a form shows.
    """
    parts = _WINDOW_SPLIT.split(text.strip())
    if len(parts) != 2 or not all(parts):
        raise ValueError(f"Write the window as a start and an end time, e.g. {WINDOW_EXAMPLE}.")
    start, end = _clock(parts[0]), _clock(parts[1])
    if start is None or end is None:
        raise ValueError(f"Use times of day, e.g. {WINDOW_EXAMPLE} or 1 pm to 3 pm.")
    end_at = _minutes(*end)
    start_at = _minutes(*start)
    if start[2] is None and end[2] is not None:  # "1-3 pm": the start shares the end's half
        shared = _minutes(start[0], start[1], end[2])
        start_at = shared if shared < end_at else start_at
    if end_at <= start_at:
        raise ValueError("The window must end after it starts, e.g. 8:00-10:00.")
    return start_at, end_at


def time_window(text: str) -> str | None:
    """An optional arrival window: empty, or a start and a later end."""
    if not text.strip():
        return None
    if len(text) > 32:
        return "Use at most 32 characters."
    try:
        parse_time_window(text)
    except ValueError as exc:
        return str(exc)
    return None


def required_text(message: str, limit: int) -> Check:
    """Required free text of at most ``limit`` characters (a reason, a note, a name)."""

    def check(value: str) -> str | None:
        if not value.strip():
            return message
        if len(value.strip()) > limit:
            return f"Use at most {limit} characters ({len(value.strip())} now)."
        return None

    return check


#: Under an empty signature pad, so a disabled "Save" or "Accept" always says why.
SIGN_PROMPT = "Ask the customer to sign in the box."
SIGNER_LIMIT = 200
#: The signer's name (the ``signer_name`` column of a quote and of a journey: 200).
signer_name = required_text("Type the name of the person signing.", SIGNER_LIMIT)
