"""Automatic crew and truck assignment for a location-day (CP-SAT), server side only.

``load`` reads a location-day from PostgreSQL into an ``AssignRequest``;
``assign.solve`` returns a proposal or raises ``AssignmentInfeasible`` with
the reasons; nothing here writes: the dispatcher accepts a proposal as
ordinary mutations.
"""

from __future__ import annotations

from sync_server.scheduling.assign import solve
from sync_server.scheduling.model import (
    AssignmentInfeasible,
    AssignmentTimeout,
    AssignRequest,
    AssignResult,
    GeoPoint,
    Infeasibility,
    JourneyAssignment,
    JourneyInput,
    PersonInput,
    SolverSettings,
    TruckInput,
)
from sync_server.scheduling.verify import plan_violations

__all__ = [
    "AssignRequest",
    "AssignResult",
    "AssignmentInfeasible",
    "AssignmentTimeout",
    "GeoPoint",
    "Infeasibility",
    "JourneyAssignment",
    "JourneyInput",
    "PersonInput",
    "SolverSettings",
    "TruckInput",
    "plan_violations",
    "solve",
]
