"""Field checks for the sign-in forms: each returns the message to show, or None."""

from __future__ import annotations

from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

MIN_PASSPHRASE = 8


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


def email(text: str) -> str | None:
    if not text.strip():
        return "Enter your work email."
    try:
        validate_email(text.strip(), check_deliverability=False)
    except EmailNotValidError:
        return "That is not an email address, e.g. name@company.com"
    return None


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
