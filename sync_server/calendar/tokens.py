"""Feed tokens: a 256-bit secret shown once; only its SHA-256 is stored.

The token is the whole credential of a feed URL (calendar apps cannot send
headers), so it is long and random (``secrets.token_urlsafe(32)``, 43
URL-safe characters). A lookup hashes what came in, finds the row by its
unique hash and compares in constant time. Rotating gives the same feed (id,
subject, name) a new secret, and the old URL stops working at once;
revoking ends the feed for good.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import uuid

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shared_models.models import CalendarFeed
from shared_models.types import utcnow

TOKEN_BYTES = 32
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")
#: ``last_accessed_at`` is written at most this often (calendar apps poll).
ACCESS_RESOLUTION = dt.timedelta(minutes=5)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def well_formed(token: str) -> bool:
    return bool(_TOKEN.match(token))


def create_feed(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    created_by: uuid.UUID | None,
    user_id: uuid.UUID | None = None,
    location_id: uuid.UUID | None = None,
    name: str | None = None,
) -> tuple[CalendarFeed, str]:
    """A new feed of one user's or one branch's schedule; returns it and its token (once)."""
    if (user_id is None) == (location_id is None):
        raise ValueError("a feed is of exactly one user or one location")
    token = new_token()
    feed = CalendarFeed(
        tenant_id=tenant_id,
        token_hash=hash_token(token),
        name=name,
        user_id=user_id,
        location_id=location_id,
        created_by=created_by,
    )
    session.add(feed)
    session.flush()
    return feed, token


def rotate_feed(session: Session, feed: CalendarFeed) -> str:
    """A new secret for a live feed; the previous URL is dead from the commit on."""
    if feed.revoked_at is not None:
        raise ValueError("a revoked feed cannot be rotated")
    token = new_token()
    feed.token_hash = hash_token(token)
    session.flush()
    return token


def revoke_feed(session: Session, feed: CalendarFeed) -> None:
    """End the feed (idempotent); the row stays for the audit trail."""
    if feed.revoked_at is None:
        feed.revoked_at = utcnow()
        session.flush()


def resolve(session: Session, token: str) -> CalendarFeed | None:
    """The live feed whose token this is, or None (malformed, unknown or revoked alike)."""
    if not well_formed(token):
        return None
    digest = hash_token(token)
    feed = session.scalars(
        select(CalendarFeed).where(CalendarFeed.token_hash == digest)
    ).one_or_none()
    if feed is None or not hmac.compare_digest(feed.token_hash, digest):
        return None
    return None if feed.revoked_at is not None else feed


def touch(session: Session, feed: CalendarFeed) -> None:
    """Record the fetch (at most every few minutes; a conditional update, several workers safe)."""
    now = utcnow()
    if feed.last_accessed_at is not None and now - feed.last_accessed_at < ACCESS_RESOLUTION:
        return
    session.execute(
        update(CalendarFeed)
        .where(CalendarFeed.id == feed.id)
        .values(last_accessed_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
