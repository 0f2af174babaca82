"""The field timeline: next sensible steps, order and time checks, completion."""

from __future__ import annotations

import datetime as dt

import pytest

from shared_models.enums import JourneyEventType
from shared_models.rules.errors import RuleViolation
from shared_models.rules.invoicing import TimelineEvent, worked_hours
from shared_models.rules.timeline import (
    Phase,
    check_step,
    completion_blocker,
    next_events,
    state_of,
)

E = JourneyEventType
T0 = dt.datetime(2026, 6, 2, 8, tzinfo=dt.UTC)


def ev(kind: JourneyEventType, minutes: int) -> TimelineEvent:
    return TimelineEvent(kind, T0 + dt.timedelta(minutes=minutes))


def test_the_sequence_offers_only_sensible_steps() -> None:
    events: list[TimelineEvent] = []
    assert next_events(events) == (E.ARRIVED_ORIGIN,)
    events.append(ev(E.ARRIVED_ORIGIN, 0))
    assert next_events(events) == (E.LOADING_STARTED,)
    events.append(ev(E.LOADING_STARTED, 10))
    assert next_events(events) == (E.BREAK_START, E.UNLOADING_FINISHED)
    events.append(ev(E.BREAK_START, 60))
    assert next_events(events) == (E.BREAK_END,)
    events.append(ev(E.BREAK_END, 90))
    assert next_events(events) == (E.BREAK_START, E.UNLOADING_FINISHED)
    events.append(ev(E.UNLOADING_FINISHED, 240))
    assert next_events(events) == ()
    assert state_of(events).phase is Phase.FINISHED
    # What this sequence records is what the invoice bills: 4 h minus a 30 min break.
    assert worked_hours(events) == pytest.approx(3.5)


def test_side_events_and_order_of_input_do_not_matter() -> None:
    events = [ev(E.LOADING_STARTED, 10), ev(E.NOTE, 99), ev(E.ARRIVED_ORIGIN, 0), ev(E.DAMAGE, 5)]
    state = state_of(events)
    assert state.phase is Phase.WORKING and state.last_at == T0 + dt.timedelta(minutes=10)


def test_the_long_form_keeps_the_crew_working() -> None:
    events = [ev(E.ARRIVED_ORIGIN, 0), ev(E.ARRIVED_DESTINATION, 60)]
    assert state_of(events).phase is Phase.WORKING


def test_a_step_out_of_order_or_back_in_time_is_refused() -> None:
    events = [ev(E.ARRIVED_ORIGIN, 0)]
    with pytest.raises(RuleViolation, match="does not follow") as refused:
        check_step(events, E.BREAK_START, T0 + dt.timedelta(minutes=5))
    assert refused.value.field == "event_type"
    with pytest.raises(RuleViolation, match="before the previous step") as early:
        check_step(events, E.LOADING_STARTED, T0 - dt.timedelta(minutes=1))
    assert early.value.field == "occurred_at"
    check_step(events, E.LOADING_STARTED, T0)  # the same minute is fine
    check_step(events, E.NOTE, T0 - dt.timedelta(hours=1))  # side events are free


def test_completion_needs_finished_work_and_a_signature() -> None:
    working = [ev(E.ARRIVED_ORIGIN, 0), ev(E.LOADING_STARTED, 5)]
    assert "Finished" in (completion_blocker(working, signed=True) or "")
    finished = [*working, ev(E.UNLOADING_FINISHED, 100)]
    assert "signature" in (completion_blocker(finished, signed=False) or "")
    assert completion_blocker(finished, signed=True) is None
    done = [*finished, ev(E.COMPLETED, 110)]
    assert "already completed" in (completion_blocker(done, signed=True) or "")
