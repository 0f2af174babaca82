"""The default permission matrix: what each role may do to each resource, and how far.

Both sides read it: the server seeds RolePermission rows from it and checks
every read and write against the stored rows; the client uses the same rows
to decide which screens and actions to offer. Scopes widen in the order
OWN < LOCATION < CLIENT (whole tenant) < ALL.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from shared_models.enums import PermissionAction, PermissionScope, UserRole

A = PermissionAction
S = PermissionScope

SCOPE_RANK: Mapping[PermissionScope, int] = {S.OWN: 0, S.LOCATION: 1, S.CLIENT: 2, S.ALL: 3}

#: Resources are wire table names (DESIGN 5), grouped the way people think of them.
SALES = ("customer", "lead", "sales_activity", "quote", "quote_item")
FINANCE = ("invoice", "invoice_item", "payment", "financial_transaction")
OPERATIONS = (
    "journey",
    "journey_crew",
    "journey_event",
    "schedule",
    "availability",
    "working_hours",
)
FLEET = ("equipment", "equipment_check", "equipment_maintenance", "equipment_assignment")
STOCK = ("inventory", "inventory_transaction", "supplier")
REFERENCE = ("price_list", "tax_rate", "exchange_rate", "catalogue_item", "template")
ADMIN = (
    "user",
    "location",
    "device",
    "role_permission",
    "user_permission",
    "webhook",
    "integration",
)
INSIGHT = ("report", "dashboard", "communication")
#: Flagged by the server's detector (DESIGN 6.5); planners read and resolve them.
FLAGS = ("schedule_conflict",)

READ_WRITE = (A.READ, A.CREATE, A.UPDATE)
EVERYTHING = tuple(PermissionAction)


@dataclass(frozen=True)
class Grant:
    role: UserRole
    resource: str
    action: PermissionAction
    scope: PermissionScope


def _grants(
    role: UserRole, resources: tuple[str, ...], actions: tuple[PermissionAction, ...], scope: S
) -> Iterator[Grant]:
    for resource in resources:
        for action in actions:
            yield Grant(role, resource, action, scope)


def _matrix() -> Iterator[Grant]:
    everything = SALES + FINANCE + OPERATIONS + FLEET + STOCK + REFERENCE + ADMIN + INSIGHT + FLAGS
    yield from _grants(UserRole.ADMIN, everything, EVERYTHING, S.CLIENT)

    yield from _grants(UserRole.MANAGER, everything, EVERYTHING, S.LOCATION)
    yield from _grants(UserRole.MANAGER, REFERENCE, (A.READ,), S.CLIENT)

    yield from _grants(
        UserRole.DISPATCHER, SALES + OPERATIONS, READ_WRITE + (A.DELETE,), S.LOCATION
    )
    yield from _grants(UserRole.DISPATCHER, FLEET + STOCK, READ_WRITE, S.LOCATION)
    yield from _grants(UserRole.DISPATCHER, FLAGS, (A.READ, A.UPDATE), S.LOCATION)
    # Read-only billing (has this customer paid its deposit?): the whole finance bucket,
    # ledger rows included, or the bucket never reaches a dispatcher's laptop.
    yield from _grants(UserRole.DISPATCHER, FINANCE, (A.READ,), S.LOCATION)
    yield from _grants(UserRole.DISPATCHER, REFERENCE + ("user", "location"), (A.READ,), S.CLIENT)
    yield from _grants(UserRole.DISPATCHER, ("quote",), (A.EXPORT,), S.LOCATION)

    yield from _grants(UserRole.SALES, SALES, READ_WRITE, S.OWN)
    yield from _grants(UserRole.SALES, ("customer", "lead"), (A.READ,), S.LOCATION)
    yield from _grants(UserRole.SALES, ("quote",), (A.EXPORT,), S.OWN)
    yield from _grants(UserRole.SALES, REFERENCE + ("user", "location"), (A.READ,), S.CLIENT)

    yield from _grants(UserRole.ACCOUNTANT, FINANCE, EVERYTHING, S.CLIENT)
    yield from _grants(UserRole.ACCOUNTANT, SALES + ("journey",), (A.READ, A.EXPORT), S.CLIENT)
    yield from _grants(
        UserRole.ACCOUNTANT, REFERENCE + ("user", "location", "report"), (A.READ,), S.CLIENT
    )
    yield from _grants(UserRole.ACCOUNTANT, ("report",), (A.CREATE, A.EXPORT), S.CLIENT)

    # Field roles work on their own jobs; the fleet and stock of their branch
    # are theirs to check and draw from (DESIGN 4: crew_jobs + location_fleet).
    for role in (UserRole.CREW_LEAD, UserRole.CREW_MEMBER, UserRole.DRIVER):
        yield from _grants(role, ("journey", "journey_crew"), (A.READ,), S.OWN)
        yield from _grants(role, ("journey_event",), (A.READ, A.CREATE), S.OWN)
        yield from _grants(role, ("customer", "quote", "quote_item"), (A.READ,), S.OWN)
        yield from _grants(role, ("schedule", "availability"), READ_WRITE, S.OWN)
        yield from _grants(role, ("working_hours",), (A.READ,), S.OWN)  # the roster is set for them
        yield from _grants(role, ("equipment", "inventory", "supplier"), (A.READ,), S.LOCATION)
        yield from _grants(
            role, ("equipment_check", "inventory_transaction"), (A.READ, A.CREATE), S.LOCATION
        )
        yield from _grants(role, REFERENCE + ("user", "location"), (A.READ,), S.CLIENT)
    # The crew lead runs the job on site: actuals, and re-quoting a survey offline
    # (a redone survey replaces the quote's lines: it inserts and tombstones items).
    yield from _grants(UserRole.CREW_LEAD, ("journey",), (A.UPDATE,), S.OWN)
    yield from _grants(UserRole.CREW_LEAD, ("quote", "quote_item"), (A.UPDATE,), S.OWN)
    yield from _grants(UserRole.CREW_LEAD, ("quote_item",), (A.CREATE, A.DELETE), S.OWN)
    yield from _grants(UserRole.CREW_LEAD, ("equipment",), (A.UPDATE,), S.LOCATION)


def _widest(grants: Iterator[Grant]) -> tuple[Grant, ...]:
    """One grant per (role, resource, action): the widest scope any rule gives."""
    best: dict[tuple[UserRole, str, PermissionAction], Grant] = {}
    for grant in grants:
        key = (grant.role, grant.resource, grant.action)
        if key not in best or SCOPE_RANK[grant.scope] > SCOPE_RANK[best[key].scope]:
            best[key] = grant
    return tuple(best.values())


#: One row per (role, resource, action), as RolePermission stores them.
DEFAULT_GRANTS: tuple[Grant, ...] = _widest(_matrix())
_BY_KEY = {(g.role, g.resource, g.action): g.scope for g in DEFAULT_GRANTS}


def default_scope(
    role: UserRole, resource: str, action: PermissionAction
) -> PermissionScope | None:
    """The scope the default matrix gives ``role`` for ``action`` on ``resource``, if any."""
    return _BY_KEY.get((role, resource, action))


def default_home_scope(role: UserRole) -> PermissionScope:
    """The scope shown on a user's profile: how far their main work reaches."""
    return {
        UserRole.ADMIN: S.CLIENT,
        UserRole.ACCOUNTANT: S.CLIENT,
        UserRole.MANAGER: S.LOCATION,
        UserRole.DISPATCHER: S.LOCATION,
    }.get(role, S.OWN)
