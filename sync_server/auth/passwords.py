"""Password hashing (argon2id) and the password policy for new accounts."""

from __future__ import annotations

import os

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

MIN_LENGTH = 10
#: zxcvbn score 0-4; 3 means "safely unguessable" against offline slow-hash attacks.
MIN_SCORE = 3

#: Which argon2 parameters hash new passwords. Unset (or "production") means argon2's
#: defaults; only test suites set "fast-test-only", so that the thousands of accounts
#: they create and sign in do not each spend a tenth of a second hashing.
HASHER_ENV = "CNC_PASSWORD_HASHER"
PRODUCTION = "production"
FAST_TEST_ONLY = "fast-test-only"

_HASHERS = {
    PRODUCTION: PasswordHasher(),
    # argon2's minimums (1 pass, 8 KiB); salt and hash keep their production lengths.
    FAST_TEST_ONLY: PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
}


def current_hasher() -> PasswordHasher:
    """The hasher ``CNC_PASSWORD_HASHER`` selects; read per call so a test can switch it."""
    name = os.environ.get(HASHER_ENV, "").strip() or PRODUCTION
    hasher = _HASHERS.get(name)
    if hasher is None:
        known = ", ".join(sorted(_HASHERS))
        raise ValueError(f"{HASHER_ENV}={name!r} is not a known hasher; expected one of: {known}")
    if name != PRODUCTION and os.environ.get("CNC_ENVIRONMENT", "").strip() == "production":
        raise RuntimeError(f"{HASHER_ENV}={name!r} is for test suites only; unset it in production")
    return hasher


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
    return current_hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches; False on mismatch or an unreadable hash."""
    try:
        return current_hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return current_hasher().check_needs_rehash(password_hash)
