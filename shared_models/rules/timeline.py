"""A journey's field timeline: which step comes next, and when a job may be closed.

The crew lead's screen offers only sensible next steps: arrived at the origin,
work started, breaks while working, work finished. The steps are the events
``invoicing.worked_hours`` bills from (ARRIVED_ORIGIN/LOADING_STARTED start the
work, UNLOADING_FINISHED ends it, BREAK_START/BREAK_END pause it), so a
timeline built here can always be billed. Notes, damage, photos and the
signature may be added at any time and do not move the job along.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from shared_models.enums import JourneyEventType
from shared_models.rules.errors import INVALID_TIMELINE, RuleViolation
from shared_models.rules.invoicing import TimelineEvent

E = JourneyEventType

#: Events that never move the job along.
SIDE_EVENTS = frozenset({E.NOTE, E.DAMAGE, E.PHOTO, E.SIGNATURE})


class Phase(StrEnum):
    NOT_ARRIVED = "NOT_ARRIVED"
    ARRIVED = "ARRIVED"
    WORKING = "WORKING"
    ON_BREAK = "ON_BREAK"
    FINISHED = "FINISHED"
    COMPLETED = "COMPLETED"


#: The buttons each phase offers, in the order shown.
NEXT: dict[Phase, tuple[JourneyEventType, ...]] = {
    Phase.NOT_ARRIVED: (E.ARRIVED_ORIGIN,),
    Phase.ARRIVED: (E.LOADING_STARTED,),
    Phase.WORKING: (E.BREAK_START, E.UNLOADING_FINISHED),
    Phase.ON_BREAK: (E.BREAK_END,),
    Phase.FINISHED: (),
    Phase.COMPLETED: (),
}

#: What the crew reads on the buttons and in the timeline.
LABELS: dict[JourneyEventType, str] = {
    E.DEPARTED_DEPOT: "Left the depot",
    E.ARRIVED_ORIGIN: "Arrived",
    E.LOADING_STARTED: "Started",
    E.LOADING_FINISHED: "Loading finished",
    E.DEPARTED_ORIGIN: "Left the origin",
    E.ARRIVED_DESTINATION: "Arrived at destination",
    E.UNLOADING_STARTED: "Unloading started",
    E.UNLOADING_FINISHED: "Finished",
    E.BREAK_START: "Break start",
    E.BREAK_END: "Break end",
    E.SIGNATURE: "Customer signed",
    E.NOTE: "Note",
    E.DAMAGE: "Damage noted",
    E.PHOTO: "Photo",
    E.COMPLETED: "Journey completed",
}

_AFTER: dict[JourneyEventType, Phase] = {
    E.ARRIVED_ORIGIN: Phase.ARRIVED,
    E.LOADING_STARTED: Phase.WORKING,
    E.BREAK_END: Phase.WORKING,
    E.BREAK_START: Phase.ON_BREAK,
    E.UNLOADING_FINISHED: Phase.FINISHED,
    E.COMPLETED: Phase.COMPLETED,
}
#: Steps of the long form (depot, destination) keep the crew working.
_WORKING_STEPS = frozenset(
    {
        E.LOADING_FINISHED,
        E.DEPARTED_ORIGIN,
        E.ARRIVED_DESTINATION,
        E.UNLOADING_STARTED,
    }
)


@dataclass(frozen=True, slots=True)
class TimelineState:
    phase: Phase
    #: When the last step happened: a new step may not be earlier.
    last_at: dt.datetime | None

    @property
    def next_events(self) -> tuple[JourneyEventType, ...]:
        return NEXT[self.phase]


def _steps(events: Iterable[TimelineEvent]) -> list[TimelineEvent]:
    return sorted(
        (e for e in events if E(e.event_type) not in SIDE_EVENTS), key=lambda e: e.occurred_at
    )


def state_of(events: Iterable[TimelineEvent]) -> TimelineState:
    """Where the job stands after ``events`` (any order; side events ignored)."""
    phase, last = Phase.NOT_ARRIVED, None
    for event in _steps(events):
        kind = E(event.event_type)
        last = event.occurred_at
        if kind in _AFTER:
            phase = _AFTER[kind]
        elif kind in _WORKING_STEPS and phase is Phase.ARRIVED:
            phase = Phase.WORKING
    return TimelineState(phase, last)


def next_events(events: Iterable[TimelineEvent]) -> tuple[JourneyEventType, ...]:
    """The steps that make sense now, for the crew lead's big buttons."""
    return state_of(events).next_events


def check_step(
    events: Iterable[TimelineEvent], event_type: JourneyEventType, at: dt.datetime
) -> None:
    """Refuse a step that is not offered now or that is earlier than the last one."""
    kind = E(event_type)
    if kind in SIDE_EVENTS:
        return
    state = state_of(events)
    if kind not in state.next_events:
        offered = ", ".join(LABELS[e] for e in state.next_events) or "nothing"
        raise RuleViolation(
            INVALID_TIMELINE,
            f"“{LABELS[kind]}” does not follow now (next: {offered})",
            field="event_type",
        )
    if state.last_at is not None and at < state.last_at:
        raise RuleViolation(
            INVALID_TIMELINE,
            f"the time is before the previous step ({state.last_at:%H:%M})",
            field="occurred_at",
        )


def completion_blocker(events: Iterable[TimelineEvent], *, signed: bool) -> str | None:
    """Why the job cannot be closed yet, or None once work finished and the customer signed."""
    phase = state_of(events).phase
    if phase is Phase.COMPLETED:
        return "This journey is already completed."
    if phase is not Phase.FINISHED:
        return "Record “Finished” before completing the journey."
    if not signed:
        return "The customer's signature is needed to complete the journey."
    return None
