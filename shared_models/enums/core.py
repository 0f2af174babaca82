"""Tenancy, people, access and moving jobs: the core the spec takes for granted.

Values are the spec's, verbatim; a value is its own name so the wire, the
database and the UI all read the same text.
"""

from __future__ import annotations

import enum


class PermissionScope(enum.StrEnum):
    OWN = "OWN"
    LOCATION = "LOCATION"
    CLIENT = "CLIENT"
    ALL = "ALL"


class UserRole(enum.StrEnum):
    ADMIN = "ADMIN"
    MANAGER = "MANAGER"
    DISPATCHER = "DISPATCHER"
    SALES = "SALES"
    ACCOUNTANT = "ACCOUNTANT"
    CREW_LEAD = "CREW_LEAD"
    CREW_MEMBER = "CREW_MEMBER"
    DRIVER = "DRIVER"


class UserStatus(enum.StrEnum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    SUSPENDED = "SUSPENDED"


class PermissionAction(enum.StrEnum):
    READ = "READ"
    CREATE = "CREATE"
    UPDATE = "UPDATE"
    DELETE = "DELETE"
    APPROVE = "APPROVE"
    EXPORT = "EXPORT"


class JourneyStatus(enum.StrEnum):
    PLANNED = "PLANNED"
    CONFIRMED = "CONFIRMED"
    DISPATCHED = "DISPATCHED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


class JourneyEventType(enum.StrEnum):
    DEPARTED_DEPOT = "DEPARTED_DEPOT"
    ARRIVED_ORIGIN = "ARRIVED_ORIGIN"
    LOADING_STARTED = "LOADING_STARTED"
    LOADING_FINISHED = "LOADING_FINISHED"
    DEPARTED_ORIGIN = "DEPARTED_ORIGIN"
    ARRIVED_DESTINATION = "ARRIVED_DESTINATION"
    UNLOADING_STARTED = "UNLOADING_STARTED"
    UNLOADING_FINISHED = "UNLOADING_FINISHED"
    BREAK_START = "BREAK_START"
    BREAK_END = "BREAK_END"
    SIGNATURE = "SIGNATURE"
    NOTE = "NOTE"
    DAMAGE = "DAMAGE"
    PHOTO = "PHOTO"
    COMPLETED = "COMPLETED"


class CrewRole(enum.StrEnum):
    LEAD = "LEAD"
    DRIVER = "DRIVER"
    MOVER = "MOVER"
    HELPER = "HELPER"


class Province(enum.StrEnum):
    AB = "AB"
    BC = "BC"
    MB = "MB"
    NB = "NB"
    NL = "NL"
    NS = "NS"
    NT = "NT"
    NU = "NU"
    ON = "ON"
    PE = "PE"
    QC = "QC"
    SK = "SK"
    YT = "YT"
