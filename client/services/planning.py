"""Automatic assignment from the dispatcher's laptop: ask the server, accept as local edits.

``propose`` is an online call (the solver runs on the server, which sees every
branch's bookings). ``accept`` turns a proposal into ordinary mutations in one
``LocalWriteService.batch()`` through ``crew_assignment.assign_journey`` (the
dispatch board's write path too), so it syncs, conflicts and is audited like
any hand edit. Pinned people are left exactly as they are.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from client.services.crew_assignment import CrewChoice, assign_journey
from client.services.writes import LocalWriteService, WriteBatch
from client.sync.errors import (
    DeviceRevoked,
    PermissionDeniedError,
    ServerUnavailable,
    SessionExpired,
    SyncError,
)
from shared_models.enums import CrewRole

AUTO_ASSIGN_PATH = "/v1/schedule/auto-assign"
NEEDS_CONNECTION = "Automatic assignment needs a connection to the server. Try again once online."


class PlanningError(Exception):
    """A planning call that failed; ``str()`` is the sentence to show."""


class NeedsConnection(PlanningError):
    """The server cannot be reached: the solver runs there."""


@dataclass(frozen=True)
class InfeasibleReason:
    code: str
    message: str
    journey_id: uuid.UUID | None = None


class ScheduleInfeasible(PlanningError):
    """No plan meets every constraint; ``reasons`` is the server's explanation."""

    def __init__(self, message: str, reasons: Iterable[InfeasibleReason]) -> None:
        super().__init__(message)
        self.reasons = tuple(reasons)


@dataclass(frozen=True)
class Pin:
    """What the dispatcher fixed on a journey; the solver keeps it and ``accept`` leaves it."""

    journey_id: uuid.UUID
    user_ids: frozenset[uuid.UUID] = frozenset()
    truck_ids: frozenset[uuid.UUID] = frozenset()
    crew_lead_id: uuid.UUID | None = None


@dataclass(frozen=True)
class JourneyPlan:
    journey_id: uuid.UUID
    journey_number: str
    user_ids: tuple[uuid.UUID, ...]
    truck_ids: tuple[uuid.UUID, ...]
    crew_lead_id: uuid.UUID | None
    drivers: tuple[tuple[uuid.UUID, uuid.UUID], ...]  # (truck, driver)


@dataclass(frozen=True)
class Proposal:
    location_id: uuid.UUID
    day: dt.date
    status: str
    solve_ms: int
    travel_minutes: int
    overtime_minutes: int
    warnings: tuple[str, ...]
    journeys: tuple[JourneyPlan, ...]
    pins: tuple[Pin, ...] = field(default=())


class _DriverIn(BaseModel):
    truck_id: uuid.UUID
    user_id: uuid.UUID


class _JourneyIn(BaseModel):
    journey_id: uuid.UUID
    journey_number: str
    user_ids: list[uuid.UUID]
    truck_ids: list[uuid.UUID]
    crew_lead_id: uuid.UUID | None
    drivers: list[_DriverIn]


class _AnswerIn(BaseModel):
    """The server's ``AutoAssignPublic`` (``sync_server/api/routes/schedule.py``)."""

    status: str
    solve_ms: int
    travel_minutes: int
    overtime_minutes: int
    warnings: list[str]
    data: list[_JourneyIn]
    count: int


class PlanningService:
    """Propose (online) and accept (offline) a location-day's crews and trucks."""

    def __init__(
        self,
        workspace: Any = None,
        *,
        store: Any = None,
        session: Any = None,
        protocol: Any = None,
        writes: LocalWriteService | None = None,
    ) -> None:
        # A Workspace, or anything with the same four attributes (a test laptop).
        self.store = store or workspace.store
        self.session = session or workspace.session
        self.protocol = protocol or workspace.protocol
        self.writes = writes or workspace.writes

    # -- propose (online) -----------------------------------------------------------------

    def propose(
        self,
        location_id: uuid.UUID,
        day: dt.date,
        *,
        pins: Iterable[Pin] = (),
        keep_existing: bool = True,
        time_limit_s: float = 10.0,
    ) -> Proposal:
        """The server's plan for every journey of the location-day (blocking: off the UI thread)."""
        pins = tuple(pins)
        body = {
            "location_id": str(location_id),
            "date": day.isoformat(),
            "keep_existing": keep_existing,
            "time_limit_s": time_limit_s,
            "pins": [
                {
                    "journey_id": str(p.journey_id),
                    "user_ids": sorted(str(u) for u in p.user_ids),
                    "truck_ids": sorted(str(t) for t in p.truck_ids),
                    "crew_lead_id": p.crew_lead_id and str(p.crew_lead_id),
                }
                for p in pins
            ],
        }
        answer = self._authorised(body)
        return Proposal(
            location_id=location_id,
            day=day,
            status=answer.status,
            solve_ms=answer.solve_ms,
            travel_minutes=answer.travel_minutes,
            overtime_minutes=answer.overtime_minutes,
            warnings=tuple(answer.warnings),
            journeys=tuple(
                JourneyPlan(
                    journey_id=j.journey_id,
                    journey_number=j.journey_number,
                    user_ids=tuple(j.user_ids),
                    truck_ids=tuple(j.truck_ids),
                    crew_lead_id=j.crew_lead_id,
                    drivers=tuple((d.truck_id, d.user_id) for d in j.drivers),
                )
                for j in answer.data
            ),
            pins=pins,
        )

    def _authorised(self, body: dict[str, Any]) -> _AnswerIn:
        def call(token: str) -> _AnswerIn:
            return self.protocol.request(
                "POST", AUTO_ASSIGN_PATH, _AnswerIn, body=body, token=token
            )  # type: ignore[no-any-return]

        try:
            return self.session.call(call)
        except ServerUnavailable as exc:
            if exc.status is not None:  # an answer: the solver gave up, the server is there
                raise PlanningError(f"The server could not finish the plan: {exc.message}") from exc
            raise NeedsConnection(NEEDS_CONNECTION) from exc
        except PermissionDeniedError as exc:
            raise PlanningError(f"Not allowed: {exc.message}") from exc
        except (SessionExpired, DeviceRevoked) as exc:
            raise PlanningError("Your session has ended: sign in again to plan the day.") from exc
        except SyncError as exc:
            reasons = exc.details.get("reasons")
            if isinstance(reasons, list):
                raise ScheduleInfeasible(
                    exc.message,
                    [
                        InfeasibleReason(
                            str(r.get("code", "")),
                            str(r.get("message", "")),
                            uuid.UUID(r["journey_id"]) if r.get("journey_id") else None,
                        )
                        for r in reasons
                    ],
                ) from exc
            raise PlanningError(f"The server refused: {exc.message}") from exc

    # -- accept (offline) -----------------------------------------------------------------

    def accept(self, proposal: Proposal) -> None:
        """Apply the proposal as local edits, all in one transaction (and one sync batch)."""
        pins = {p.journey_id: p for p in proposal.pins}
        with self.writes.batch() as batch:
            tz = self._timezone(batch, proposal.location_id)
            for plan in proposal.journeys:
                _apply(batch, plan, pins.get(plan.journey_id), tz)

    def _timezone(self, batch: WriteBatch, location_id: uuid.UUID) -> str:
        location = batch.read("location", location_id)
        return str(location["timezone"]) if location else "UTC"


def _apply(batch: WriteBatch, plan: JourneyPlan, pin: Pin | None, tz: str) -> None:
    journey = batch.read("journey", plan.journey_id)
    if journey is None or journey.get("deleted_at") is not None:
        raise PlanningError(f"journey {plan.journey_number} is no longer in this replica")
    keep: set[uuid.UUID] = set(pin.user_ids) if pin else set()
    if pin and pin.crew_lead_id:
        keep.add(pin.crew_lead_id)
    choice = CrewChoice(
        roles={u: _role(plan, u) for u in plan.user_ids},
        crew_lead_id=plan.crew_lead_id,
        truck_ids=plan.truck_ids,
        drivers=dict(plan.drivers),
    )
    assign_journey(batch, plan.journey_id, choice, tz, keep=keep)


def _role(plan: JourneyPlan, user_id: uuid.UUID) -> CrewRole:
    if user_id == plan.crew_lead_id:
        return CrewRole.LEAD
    if any(driver == user_id for _, driver in plan.drivers):
        return CrewRole.DRIVER
    return CrewRole.MOVER
