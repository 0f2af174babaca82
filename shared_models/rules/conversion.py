"""Converting an accepted quote into its Journey (issue 4.4), the same on both sides.

``journey_from_quote`` builds the new journey's values from the quote: the
client writes them with the quote's move to CONVERTED in one batch. The job
number stays empty: the server numbers journeys on first sync.

``check_conversion`` is what the server holds a CONVERTED quote to: it names a
live journey of the same tenant and customer, made from this quote (or from no
quote). ``require_journey_link`` is the part of it a status move can check
without reading another row.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from typing import Any

from shared_models.enums import JourneyStatus, QuoteStatus
from shared_models.rules.errors import (
    CONVERSION_INCOMPLETE,
    INVALID_TRANSITION,
    JOURNEY_MISMATCH,
    JOURNEY_REQUIRED,
    RuleViolation,
)
from shared_models.rules.quote_workflow import check_transition, parse_quote_status

#: Quote columns the journey takes over unchanged (same names, same shapes).
COPIED_COLUMNS: tuple[str, ...] = (
    "tenant_id",
    "location_id",
    "customer_id",
    "estimated_hours",
    "origin_line1",
    "origin_line2",
    "origin_city",
    "origin_province",
    "origin_postal_code",
    "origin_site",
    "destination_line1",
    "destination_line2",
    "destination_city",
    "destination_province",
    "destination_postal_code",
    "destination_site",
    "extra_stops",
    "volume_cuft",
    "weight_lb",
)
#: Journey.crew_size_required's default when the quote was not surveyed.
DEFAULT_CREW = 2


def journey_from_quote(
    quote: Mapping[str, Any],
    *,
    scheduled_date: dt.date | None = None,
    dispatcher_id: Any = None,
) -> dict[str, Any]:
    """The new Journey's values for an ACCEPTED quote (no id, no number: assigned later)."""
    check_transition(quote["status"], QuoteStatus.CONVERTED)
    if quote.get("journey_id") is not None:
        raise RuleViolation(
            INVALID_TRANSITION,
            f"the quote is already linked to journey {quote['journey_id']}",
            field="journey_id",
        )
    day = scheduled_date or quote.get("move_date")
    missing = [
        label
        for label, value in (
            ("a move date", day),
            ("an origin street address", quote.get("origin_line1")),
            ("an origin city", quote.get("origin_city")),
        )
        if not value
    ]
    if missing:
        raise RuleViolation(
            CONVERSION_INCOMPLETE,
            f"the quote needs {' and '.join(missing)} before it becomes a job",
        )
    values = {name: copy.deepcopy(quote.get(name)) for name in COPIED_COLUMNS}
    values.update(
        quote_id=quote["id"],
        status=JourneyStatus.PLANNED,
        scheduled_date=day,
        crew_size_required=quote.get("crew_size") or DEFAULT_CREW,
        truck_count=1 if quote.get("truck_count") is None else quote["truck_count"],
        origin_site=values["origin_site"] or {},
        destination_site=values["destination_site"] or {},
        extra_stops=values["extra_stops"] or [],
        crew_instructions=_instructions(quote),
        dispatcher_id=dispatcher_id,
    )
    return values


def _instructions(quote: Mapping[str, Any]) -> str | None:
    """What the crew reads on the day: the promised arrival window and the quote's notes."""
    parts = []
    if quote.get("arrival_window"):
        parts.append(f"Arrival window promised: {quote['arrival_window']}")
    if quote.get("notes"):
        parts.append(str(quote["notes"]))
    return "\n".join(parts) or None


def require_journey_link(target: QuoteStatus | str, quote: Mapping[str, Any]) -> None:
    """A move to CONVERTED carries the journey it was converted into."""
    if parse_quote_status(target) == QuoteStatus.CONVERTED and quote.get("journey_id") is None:
        raise RuleViolation(
            JOURNEY_REQUIRED,
            "a quote becomes CONVERTED only with the journey it was converted into",
            field="journey_id",
        )


def check_conversion(quote: Mapping[str, Any], journey: Mapping[str, Any] | None) -> None:
    """Refuse a CONVERTED quote whose journey is missing, deleted or another customer's."""
    require_journey_link(QuoteStatus.CONVERTED, quote)
    if journey is None or journey.get("deleted_at") is not None:
        raise RuleViolation(
            JOURNEY_REQUIRED,
            f"journey {quote['journey_id']} does not exist or was deleted",
            field="journey_id",
        )
    if journey["id"] != quote["journey_id"]:
        raise RuleViolation(JOURNEY_MISMATCH, "the journey is not the quote's", field="journey_id")
    if journey.get("tenant_id") != quote.get("tenant_id"):
        raise RuleViolation(
            JOURNEY_MISMATCH, "the journey belongs to another company", field="journey_id"
        )
    if journey.get("customer_id") != quote.get("customer_id"):
        raise RuleViolation(
            JOURNEY_MISMATCH,
            "the journey is for another customer than the quote",
            field="journey_id",
        )
    if journey.get("quote_id") not in (None, quote["id"]):
        raise RuleViolation(
            JOURNEY_MISMATCH,
            f"journey {journey['id']} was made from another quote",
            field="journey_id",
        )
