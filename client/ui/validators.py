"""Field checks of every form: each returns the message to show under the field, or None.

Contact details, amounts and planned dates wrap the shared rules
(``shared_models.rules.contact``), so a form refuses exactly what the write
service and the server refuse, with the same words.
"""

from __future__ import annotations

import datetime as dt
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
