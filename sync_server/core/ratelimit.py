"""Fixed-window rate limits kept in PostgreSQL (DESIGN 7, 8).

Counters live in ``rate_limit_counter`` rather than in process memory, so every
server process behind a load balancer shares one count: a password guesser
gains nothing by spreading attempts over workers. Each hit is one upsert in
its own short transaction, never part of the request's unit of work (a
refused request must still count, and a rolled-back one too).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, text

from shared_models.types import utcnow
from sync_server.core.errors import ApiError, ErrorCode

#: Share of new windows that also sweep expired ones (cheap, and no cron job needed).
PRUNE_PROBABILITY = 0.05
#: Windows older than this are deleted by the sweep; longer than any window below.
PRUNE_AFTER = dt.timedelta(hours=2)
_MAX_KEY_LENGTH = 200

_UPSERT = text(
    "INSERT INTO rate_limit_counter (key, window_start, count) VALUES (:key, :start, GREATEST(:n, 0)) "
    "ON CONFLICT (key, window_start) DO UPDATE "
    "SET count = GREATEST(rate_limit_counter.count + :n, 0) RETURNING count"
)
_READ = text("SELECT count FROM rate_limit_counter WHERE key = :key AND window_start = :start")
_PRUNE = text("DELETE FROM rate_limit_counter WHERE window_start < :before")


@dataclass(frozen=True)
class Limit:
    """At most ``max_hits`` per ``window_s`` seconds for one subject."""

    name: str
    max_hits: int
    window_s: int


@dataclass(frozen=True)
class RateLimits:
    """The limits an app enforces; tests put smaller ones on ``app.state.rate_limits``."""

    login_failures_per_email: Limit = field(default=Limit("login_email", 5, 15 * 60))
    login_failures_per_ip: Limit = field(default=Limit("login_ip", 30, 15 * 60))
    sync_per_user: Limit = field(default=Limit("sync_user", 600, 60))
    #: Anonymous calendar fetches: bad tokens per IP, and fetches per feed (apps poll hourly).
    calendar_failures_per_ip: Limit = field(default=Limit("calendar_ip", 30, 15 * 60))
    calendar_per_feed: Limit = field(default=Limit("calendar_feed", 120, 60 * 60))


@dataclass(frozen=True)
class Hit:
    """One counted hit: the count in its window, and when that window ends."""

    limit: Limit
    key: str
    window_start: dt.datetime
    count: int

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit.max_hits

    def retry_after_s(self, now: dt.datetime | None = None) -> int:
        end = self.window_start + dt.timedelta(seconds=self.limit.window_s)
        return max(1, math.ceil((end - (now or utcnow())).total_seconds()))


def rate_limited(hit: Hit) -> ApiError:
    """``429 rate_limited`` with ``Retry-After`` (seconds) for ``hit``'s window."""
    retry = hit.retry_after_s()
    return ApiError(
        ErrorCode.RATE_LIMITED,
        f"too many requests; try again in {retry} s",
        details={"retry_after_s": retry},
        headers={"Retry-After": str(retry)},
    )


def _key(limit: Limit, subject: str) -> str:
    key = f"{limit.name}:{subject}"
    if len(key) <= _MAX_KEY_LENGTH:
        return key
    return f"{limit.name}:sha256:{hashlib.sha256(subject.encode()).hexdigest()}"


def _window_start(limit: Limit, now: dt.datetime) -> dt.datetime:
    epoch = int(now.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % limit.window_s, dt.UTC)


class RateLimiter:
    """Counts hits per (limit, subject) in the database behind ``engine``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def hit(self, limit: Limit, subject: str, *, now: dt.datetime | None = None) -> Hit:
        """Count one hit and return the new count (it may exceed the limit)."""
        now = now or utcnow()
        key, start = _key(limit, subject), _window_start(limit, now)
        # Autocommit: the upsert is its own transaction in one round trip (every sync
        # request pays for it; BEGIN and COMMIT would be two more).
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            count = conn.execute(_UPSERT, {"key": key, "start": start, "n": 1}).scalar_one()
            if count == 1 and random.random() < PRUNE_PROBABILITY:
                conn.execute(_PRUNE, {"before": now - PRUNE_AFTER})
        return Hit(limit, key, start, count)

    def refund(self, hit: Hit, *, connection: Connection | None = None) -> None:
        """Take back ``hit`` (a login that turned out to succeed is not a failure).

        Pass the request's ``connection`` to make the refund part of its
        transaction (and not hold a second pooled connection meanwhile).
        """
        params = {"key": hit.key, "start": hit.window_start, "n": -1}
        if connection is not None:
            connection.execute(_UPSERT, params)
            return
        with self.engine.begin() as conn:
            conn.execute(_UPSERT, params)

    def current(self, limit: Limit, subject: str, *, now: dt.datetime | None = None) -> Hit:
        """The count so far in the current window, without counting."""
        now = now or utcnow()
        key, start = _key(limit, subject), _window_start(limit, now)
        with self.engine.connect() as conn:
            count = conn.execute(_READ, {"key": key, "start": start}).scalar() or 0
        return Hit(limit, key, start, count)

    def enforce(self, limit: Limit, subject: str) -> Hit:
        """Count one hit; raise ``429 rate_limited`` when it goes over the limit."""
        hit = self.hit(limit, subject)
        if hit.exceeded:
            raise rate_limited(hit)
        return hit

    def prune(self, *, now: dt.datetime | None = None) -> int:
        """Delete expired windows now; returns how many rows went."""
        with self.engine.begin() as conn:
            result = conn.execute(_PRUNE, {"before": (now or utcnow()) - PRUNE_AFTER})
        return result.rowcount or 0
