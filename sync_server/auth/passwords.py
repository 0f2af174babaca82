"""Password hashing (argon2id) and the password policy for new accounts."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

MIN_LENGTH = 10
#: zxcvbn score 0-4; 3 means "safely unguessable" against offline slow-hash attacks.
MIN_SCORE = 3

_hasher = PasswordHasher()


class WeakPassword(ValueError):
    """The password would be easy to guess; the message says why."""


def check_password_strength(password: str, *, user_inputs: list[str] | None = None) -> None:
    """Refuse short or guessable passwords, naming the reason."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"password must have at least {MIN_LENGTH} characters")
    result = zxcvbn(password, user_inputs=[s for s in (user_inputs or []) if s])
    if result["score"] < MIN_SCORE:
        feedback = result.get("feedback") or {}
        hint = feedback.get("warning") or " ".join(feedback.get("suggestions") or [])
        reason = hint.strip() or "it is too easy to guess"
        raise WeakPassword(f"password is too weak: {reason.rstrip('.')}")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches; False on mismatch or an unreadable hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)
