"""What day it is at each branch: invoices fall due by their location's calendar, not UTC's."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared_models.rules.invoice_workflow import FALLBACK_ZONE, zone_date
from shared_models.sync.codec import synced_table
from shared_models.types import utcnow

__all__ = ["FALLBACK_ZONE", "location_dates", "location_timezones", "zone_date"]

#: session.info key: location id -> zone, read once per session (a push recomputes many
#: invoices of the same few branches).
_CACHE = "cnc_location_zones"


def location_timezones(session: Session, location_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    cache: dict[uuid.UUID, str] = session.info.setdefault(_CACHE, {})
    ids = set(location_ids)
    missing = ids - cache.keys()
    if missing:
        t = synced_table("location")
        cache.update(session.execute(select(t.c.id, t.c.timezone).where(t.c.id.in_(missing))).all())
    return {i: cache[i] for i in ids if i in cache}


def location_dates(
    session: Session, location_ids: Iterable[uuid.UUID], now: dt.datetime | None = None
) -> dict[uuid.UUID, dt.date]:
    """location id -> today's date there."""
    at = now or utcnow()
    return {lid: zone_date(tz, at) for lid, tz in location_timezones(session, location_ids).items()}
