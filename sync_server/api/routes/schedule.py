"""``POST /v1/schedule/auto-assign``: a proposed crew and truck per journey of a location-day.

Writes nothing: the dispatcher reviews the proposal and accepts it as ordinary
mutations. Who may ask: a DISPATCHER, MANAGER or ADMIN whose permission to
update journeys reaches the location.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from shared_models.enums import PermissionAction, PermissionScope, UserRole
from shared_models.rules.errors import RuleViolation
from sync_server.api.auth_deps import CurrentPrincipal, Principal
from sync_server.api.deps import SessionDep
from sync_server.api.errors import ErrorPublic
from sync_server.core.errors import ApiError, ErrorCode
from sync_server.scheduling import (
    AssignmentInfeasible,
    AssignmentTimeout,
    AssignResult,
    SolverSettings,
    solve,
)
from sync_server.scheduling.load import LocationNotFound, Pin, load_request
from sync_server.sync.scope import load_grants

router = APIRouter(prefix="/schedule", tags=["schedule"])

PLANNERS = (UserRole.DISPATCHER, UserRole.MANAGER, UserRole.ADMIN)
MAX_PINS = 500

_ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorPublic, "description": "permission_denied"},
    404: {"model": ErrorPublic, "description": "no such location in your tenant"},
    422: {"model": ErrorPublic, "description": "schedule_infeasible (details.reasons)"},
    503: {"model": ErrorPublic, "description": "solver_timeout"},
}


class PinIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    journey_id: uuid.UUID
    user_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    truck_ids: list[uuid.UUID] = Field(default_factory=list, max_length=10)
    crew_lead_id: uuid.UUID | None = None


class TravelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    from_journey_id: uuid.UUID
    to_journey_id: uuid.UUID
    minutes: int = Field(ge=0, le=24 * 60)


class AutoAssignRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    location_id: uuid.UUID
    date: dt.date
    #: Keep the crews, leads and trucks already set on the day's journeys.
    keep_existing: bool = True
    pins: list[PinIn] = Field(default_factory=list, max_length=MAX_PINS)
    travel: list[TravelIn] = Field(default_factory=list, max_length=10_000)
    time_limit_s: float = Field(default=10.0, gt=0, le=60)


class DriverPublic(BaseModel):
    truck_id: uuid.UUID
    user_id: uuid.UUID


class JourneyProposal(BaseModel):
    journey_id: uuid.UUID
    journey_number: str
    user_ids: list[uuid.UUID]
    truck_ids: list[uuid.UUID]
    crew_lead_id: uuid.UUID | None
    drivers: list[DriverPublic]


class AutoAssignPublic(BaseModel):
    status: str
    solve_ms: int
    travel_minutes: int
    overtime_minutes: int
    warnings: list[str]
    data: list[JourneyProposal]
    count: int


def _require_planner(session: SessionDep, principal: Principal, location_id: uuid.UUID) -> None:
    user = principal.user
    if user.role not in PLANNERS:
        raise ApiError(
            ErrorCode.PERMISSION_DENIED, "automatic assignment is for dispatchers and managers"
        )
    scope = load_grants(session, user).get(("journey", PermissionAction.UPDATE))
    if scope is None or (scope is PermissionScope.LOCATION and user.location_id != location_id):
        raise ApiError(
            ErrorCode.PERMISSION_DENIED, "your permission to plan journeys does not reach it"
        )
    if scope is PermissionScope.OWN:
        raise ApiError(ErrorCode.PERMISSION_DENIED, "planning a branch needs LOCATION scope")


def _public(result: AssignResult, labels: dict[uuid.UUID, str]) -> AutoAssignPublic:
    data = [
        JourneyProposal(
            journey_id=a.journey_id,
            journey_number=labels[a.journey_id],
            user_ids=list(a.people),
            truck_ids=list(a.trucks),
            crew_lead_id=a.crew_lead_id,
            drivers=[DriverPublic(truck_id=t, user_id=u) for t, u in a.drivers],
        )
        for a in result.assignments
    ]
    return AutoAssignPublic(
        status=result.status,
        solve_ms=result.solve_ms,
        travel_minutes=result.travel_minutes,
        overtime_minutes=result.overtime_minutes,
        warnings=list(result.warnings),
        data=data,
        count=len(data),
    )


@router.post("/auto-assign", response_model=AutoAssignPublic, responses=_ERRORS)
def auto_assign(
    body: AutoAssignRequest, principal: CurrentPrincipal, session: SessionDep
) -> AutoAssignPublic:
    """Propose people, a crew lead and trucks for every journey of the location-day."""
    _require_planner(session, principal, body.location_id)
    pins = [
        Pin(p.journey_id, frozenset(p.user_ids), frozenset(p.truck_ids), p.crew_lead_id)
        for p in body.pins
    ]
    travel = {(t.from_journey_id, t.to_journey_id): t.minutes for t in body.travel}
    try:
        request = load_request(
            session.connection(),
            tenant_id=principal.tenant_id,
            location_id=body.location_id,
            day=body.date,
            pins=pins,
            keep_existing=body.keep_existing,
            travel=travel,
            settings=SolverSettings(time_limit_s=body.time_limit_s),
        )
        session.rollback()  # read-only: end the transaction before the long solve
        result = solve(request)
    except LocationNotFound as exc:
        raise ApiError(ErrorCode.NOT_FOUND, str(exc)) from None
    except AssignmentInfeasible as exc:
        reasons = [
            {"code": r.code, "message": r.message, "journey_id": r.journey_id and str(r.journey_id)}
            for r in exc.reasons
        ]
        raise ApiError(
            ErrorCode.SCHEDULE_INFEASIBLE, exc.message, details={"reasons": reasons}
        ) from None
    except AssignmentTimeout as exc:
        raise ApiError(ErrorCode.SOLVER_TIMEOUT, str(exc)) from None
    except RuleViolation as exc:
        raise ApiError(ErrorCode.VALIDATION_FAILED, exc.message, details=exc.to_dict()) from None
    return _public(result, {j.id: j.label for j in request.journeys})
