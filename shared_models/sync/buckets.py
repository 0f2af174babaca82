"""Who sees what (DESIGN 4): bucket definitions and the permission-to-bucket mapping.

Declared once here, pure: the server evaluates these rules in SQL
(``sync_server.sync.membership``) and checks pushes with the same reach
(``sync_server.sync.scope``); the client only needs names and kinds.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from shared_models.enums import PermissionAction, PermissionScope
from shared_models.permissions import SCOPE_RANK


class BucketKind(enum.StrEnum):
    TENANT_REF = "tenant_ref"
    LOCATION_SALES = "location_sales"
    LOCATION_OPS = "location_ops"
    LOCATION_FLEET = "location_fleet"
    LOCATION_FINANCE = "location_finance"
    CREW_JOBS = "crew_jobs"
    OWN = "own"


K = BucketKind
LOCATION_KINDS = (K.LOCATION_SALES, K.LOCATION_OPS, K.LOCATION_FLEET, K.LOCATION_FINANCE)
USER_KINDS = (K.CREW_JOBS, K.OWN)

#: Which tables each kind holds. A table may sit in several kinds.
BUCKET_TABLES: Mapping[BucketKind, tuple[str, ...]] = {
    K.TENANT_REF: (
        "tenant",
        "location",
        "user",
        "role_permission",
        "price_list",
        "tax_rate",
        "exchange_rate",
        "catalogue_item",
        "template",
        "supplier",
        "dashboard",
    ),
    K.LOCATION_SALES: (
        "customer",
        "lead",
        "sales_activity",
        "quote",
        "quote_item",
        "communication",
    ),
    K.LOCATION_OPS: (
        "journey",
        "journey_crew",
        "journey_event",
        "schedule",
        "schedule_conflict",
        "availability",
        "working_hours",
    ),
    K.LOCATION_FLEET: (
        "equipment",
        "equipment_check",
        "equipment_maintenance",
        "equipment_assignment",
        "inventory",
        "inventory_transaction",
        "supplier",
    ),
    K.LOCATION_FINANCE: ("invoice", "invoice_item", "payment", "financial_transaction"),
    K.CREW_JOBS: (
        "journey",
        "journey_crew",
        "journey_event",
        "customer",
        "quote",
        "quote_item",
        "equipment",
        "equipment_check",
    ),
    K.OWN: (
        "schedule",
        "availability",
        "working_hours",
        "notification",
        "dashboard",
        "user_permission",
        "quote",
        "quote_item",
        "customer",
        "lead",
        "sales_activity",
    ),
}

#: How a row finds its place, in words; membership.py implements each line in SQL.
PLACEMENT_RULES: tuple[str, ...] = (
    (
        "tenant_ref: every live reference row of the tenant; supplier only when tenant-wide"
        " (location_id NULL); dashboard only when tenant-wide or shared"
    ),
    (
        "location_*: rows with location_id go to that location; quote_item follows its quote,"
        " journey_crew/journey_event their journey, availability/working_hours their user,"
        " equipment children their equipment, inventory_transaction its item,"
        " invoice_item its invoice"
    ),
    (
        "crew_jobs:<u>: every live journey u crews (live journey_crew row) or leads"
        " (crew_lead_id), with its crew rows, events, customer, quote and quote items,"
        " truck and that truck's checks"
    ),
    (
        "own:<u>: schedules/availability/working hours/notifications/dashboards/user"
        " permissions of u, quotes u created with their items and customer, customers u"
        " represents, leads assigned to u, sales activities u logged"
    ),
    "a tombstoned row, or a child of a tombstoned parent, is in no bucket (removed everywhere)",
)

#: Children whose buckets follow a parent row: parent table -> ((child table, FK column), ...).
#: Changing the parent re-evaluates these children.
CHILDREN: Mapping[str, tuple[tuple[str, str], ...]] = {
    "quote": (("quote_item", "quote_id"),),
    "journey": (("journey_crew", "journey_id"), ("journey_event", "journey_id")),
    "user": (("availability", "user_id"), ("working_hours", "user_id")),
    "equipment": (
        ("equipment_check", "equipment_id"),
        ("equipment_maintenance", "equipment_id"),
        ("equipment_assignment", "equipment_id"),
    ),
    "inventory": (("inventory_transaction", "inventory_id"),),
    "invoice": (("invoice_item", "invoice_id"),),
}

#: Where a child's location comes from: table -> (parent table, FK column).
LOCATION_VIA: Mapping[str, tuple[str, str]] = {
    child: (parent, fk) for parent, kids in CHILDREN.items() for child, fk in kids
}

#: Tables whose change can pull *other* rows into or out of a user bucket (journey -> its
#: customer, quote, truck; crew rows -> the crew's buckets; quote -> its customer in own).
CARRIERS: frozenset[str] = frozenset({"journey", "journey_crew", "quote"})

#: Columns naming the user a row belongs to, for OWN reach on writes.
OWNER_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "customer": ("sales_rep_id",),
    "lead": ("assigned_to",),
    "sales_activity": ("user_id",),
    "quote": ("created_by",),
    "journey": ("crew_lead_id",),
    "schedule": ("user_id", "created_by"),
    "availability": ("user_id",),
    "working_hours": ("user_id",),
    "notification": ("user_id",),
    "dashboard": ("user_id",),
    "user_permission": ("user_id",),
    "equipment_check": ("performed_by",),
    "inventory_transaction": ("performed_by",),
}

#: READ on every resource listed is needed for the kind; its reach is the narrowest one.
#: Location buckets are gated by all the resources they hold that the matrix knows, so a
#: bucket never carries a row its holder may not read (fleet: children follow their unit).
GATES: Mapping[BucketKind, tuple[str, ...]] = {
    K.LOCATION_SALES: ("customer", "lead", "sales_activity", "quote", "quote_item"),
    K.LOCATION_OPS: ("journey", "journey_crew", "journey_event", "schedule", "availability"),
    K.LOCATION_FLEET: ("equipment", "inventory"),
    # Finance and a crew's jobs are gated by every table they hold.
    K.LOCATION_FINANCE: BUCKET_TABLES[K.LOCATION_FINANCE],
    K.CREW_JOBS: BUCKET_TABLES[K.CREW_JOBS],
}

#: (resource, action) -> scope: a user's effective grants.
Grants = Mapping[tuple[str, PermissionAction], PermissionScope]


@dataclass(frozen=True)
class ScopeUser:
    """What bucket mapping needs to know about a user."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    role: str
    location_id: uuid.UUID
    scope: PermissionScope = PermissionScope.OWN


def bucket_name(kind: BucketKind | str, param: uuid.UUID | str) -> str:
    return f"{BucketKind(kind).value}:{str(param).lower()}"


def parse_bucket(name: str) -> tuple[BucketKind, uuid.UUID]:
    """``"crew_jobs:<uuid>"`` -> ``(BucketKind.CREW_JOBS, UUID)``; ValueError if malformed."""
    kind, sep, param = name.partition(":")
    if not sep:
        raise ValueError(f"bucket name without parameter: {name!r}")
    try:
        return BucketKind(kind), uuid.UUID(param)
    except ValueError:
        raise ValueError(f"malformed bucket name: {name!r}") from None


def kinds_of_table(table: str) -> tuple[BucketKind, ...]:
    return tuple(kind for kind, tables in BUCKET_TABLES.items() if table in tables)


def bucketed_tables() -> frozenset[str]:
    return frozenset(t for tables in BUCKET_TABLES.values() for t in tables)


def effective_grants(
    role_grants: Iterable[tuple[str, PermissionAction, PermissionScope]],
    overrides: Iterable[tuple[str, PermissionAction, PermissionScope | None, bool]],
    fallback: PermissionScope = PermissionScope.OWN,
) -> dict[tuple[str, PermissionAction], PermissionScope]:
    """Role grants refined by user overrides: a deny removes, a grant sets (or keeps) the scope."""
    grants: dict[tuple[str, PermissionAction], PermissionScope] = {}
    for resource, action, scope in role_grants:
        key = (resource, PermissionAction(action))
        scope = PermissionScope(scope)
        if key not in grants or SCOPE_RANK[scope] > SCOPE_RANK[grants[key]]:
            grants[key] = scope
    for resource, action, scope, granted in overrides:
        key = (resource, PermissionAction(action))
        if not granted:
            grants.pop(key, None)
        else:
            grants[key] = PermissionScope(scope) if scope else grants.get(key, fallback)
    return grants


def narrowest_read(grants: Grants, resources: Iterable[str]) -> PermissionScope | None:
    """The narrowest READ scope over ``resources``; None when one of them is not readable."""
    narrowest: PermissionScope | None = None
    for resource in resources:
        scope = grants.get((resource, PermissionAction.READ))
        if scope is None:
            return None
        if narrowest is None or SCOPE_RANK[scope] < SCOPE_RANK[narrowest]:
            narrowest = scope
    return narrowest


def compute_buckets(
    user: ScopeUser, grants: Grants, tenant_locations: Iterable[uuid.UUID]
) -> list[str]:
    """The bucket set a user subscribes to, sorted; every user gets tenant_ref and own."""
    locations = sorted({str(loc) for loc in tenant_locations})
    names = {bucket_name(K.TENANT_REF, user.tenant_id), bucket_name(K.OWN, user.id)}
    for kind in LOCATION_KINDS:
        reach = narrowest_read(grants, GATES[kind])
        if reach is None or reach is PermissionScope.OWN:
            continue
        if reach is PermissionScope.LOCATION:
            names.add(bucket_name(kind, user.location_id))
        else:  # CLIENT and ALL: every branch of the tenant, never beyond it
            names.update(bucket_name(kind, loc) for loc in locations)
    journey_read = grants.get(("journey", PermissionAction.READ))
    if journey_read is PermissionScope.OWN and narrowest_read(grants, GATES[K.CREW_JOBS]):
        names.add(bucket_name(K.CREW_JOBS, user.id))
    return sorted(names)
