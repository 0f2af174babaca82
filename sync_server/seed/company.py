"""The tenant, its 43 branches and its 50 people, created the way an administrator would.

``create_tenant`` and ``create_user`` stay the only way accounts are made (they
install the permission matrix, validate and hash). They mint wall-clock ids and
timestamps, so the seed re-keys those rows afterwards to keep a seed reproducible.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared_models.enums import PermissionScope, UserRole
from shared_models.geography import DEFAULT_TIMEZONE
from shared_models.models import Location, RolePermission, User
from shared_models.permissions import default_home_scope
from sync_server.admin.accounts import create_tenant, create_user
from sync_server.auth.passwords import WeakPassword, check_password_strength
from sync_server.seed.branches import BRANCHES, STAFF, Branch, car_licence, truck_licence
from sync_server.seed.context import SeedContext
from sync_server.seed.pools import Address, Pools, ascii_slug
from sync_server.seed.result import DemoAccount

BRAND = "Caribou Movers"
LEGAL_NAME = "Caribou Moving & Storage Inc."
SLUG = "demo"
DOMAIN = "demo.cnc-crm.ca"
#: Well-known sign-ins for people and docs, all at the head office, in this order.
FIXED_ACCOUNTS = (
    ("admin", UserRole.ADMIN),
    ("manager", UserRole.MANAGER),
    ("dispatcher", UserRole.DISPATCHER),
    ("sales", UserRole.SALES),
    ("accountant", UserRole.ACCOUNTANT),
    ("crewlead", UserRole.CREW_LEAD),
)
PASSWORD_WORDS = (
    "anchor",
    "aurora",
    "badger",
    "beacon",
    "birch",
    "bison",
    "boulder",
    "canyon",
    "cedar",
    "comet",
    "copper",
    "coral",
    "cricket",
    "falcon",
    "fjord",
    "glacier",
    "granite",
    "harbour",
    "heron",
    "hickory",
    "island",
    "juniper",
    "kestrel",
    "lantern",
    "lichen",
    "lynx",
    "maple",
    "meadow",
    "mesa",
    "moose",
    "muskeg",
    "narwhal",
    "nebula",
    "oriole",
    "osprey",
    "otter",
    "pebble",
    "pelican",
    "prairie",
    "quartz",
    "raven",
    "ridge",
    "river",
    "saffron",
    "salmon",
    "sequoia",
    "sparrow",
    "spruce",
    "summit",
    "tamarack",
    "thistle",
    "timber",
    "tundra",
    "velvet",
    "walrus",
    "willow",
    "wolverine",
    "yarrow",
    "zephyr",
    "cobalt",
    "ember",
    "fennel",
)
HOURLY_COST = {
    UserRole.ADMIN: ("58", "72"),
    UserRole.MANAGER: ("46", "60"),
    UserRole.DISPATCHER: ("34", "42"),
    UserRole.SALES: ("32", "44"),
    UserRole.ACCOUNTANT: ("40", "52"),
    UserRole.CREW_LEAD: ("34", "40"),
    UserRole.CREW_MEMBER: ("26", "31"),
    UserRole.DRIVER: ("29", "35"),
}
FIELD_ROLES = (UserRole.CREW_LEAD, UserRole.CREW_MEMBER, UserRole.DRIVER)


@dataclass
class Person:
    id: uuid.UUID
    role: UserRole
    full_name: str
    email: str
    site_code: str


@dataclass
class Site:
    """A seeded branch and who works there."""

    id: uuid.UUID
    branch: Branch
    name: str
    tz: str
    address: Address
    phone: str
    staff: list[Person] = field(default_factory=list)
    manager_id: uuid.UUID | None = None

    @property
    def code(self) -> str:
        return self.branch.code

    def with_role(self, *roles: UserRole) -> list[Person]:
        return [p for p in self.staff if p.role in roles]


@dataclass
class Company:
    tenant_id: uuid.UUID
    sites: list[Site]
    people: list[Person]
    accounts: list[DemoAccount]

    @property
    def hq(self) -> Site:
        return self.sites[0]

    def site(self, code: str) -> Site:
        return next(s for s in self.sites if s.code == code)


def demo_password(ctx: SeedContext, email: str, full_name: str) -> str:
    """Three words and two digits, reproducible from the seed, strong for zxcvbn."""
    rng = ctx.rng("password", email)
    while True:
        words = [w.capitalize() for w in rng.sample(PASSWORD_WORDS, 3)]
        password = f"{'-'.join(words)}-{rng.randint(10, 99)}"
        try:
            check_password_strength(password, user_inputs=[email, full_name])
            return password
        except WeakPassword:
            continue


def seed_company(ctx: SeedContext, pools: Pools) -> Company:
    session = ctx.session
    rng = ctx.rng("company")
    founded = ctx.epoch
    tenant = create_tenant(
        session,
        name=BRAND,
        slug=SLUG,
        id=ctx.new_id(founded),
        created_at=founded,
        updated_at=founded,
        legal_name=LEGAL_NAME,
        gst_hst_number=f"{rng.randint(700000000, 899999999)} RT0001",
        qst_number=f"{rng.randint(1200000000, 1299999999)} TQ0001",
        phone="1-888-555-0142",
        email=f"hello@{DOMAIN}",
        website=f"https://{DOMAIN}",
    )
    ctx.tenant_id = tenant.id
    _rekey_permissions(ctx, session)
    sites = _seed_locations(ctx, pools)
    people, accounts = _seed_users(ctx, pools, tenant, sites)
    managers = {}
    for site in sites:
        found = site.with_role(UserRole.MANAGER)
        if found:
            site.manager_id = found[0].id
            managers[site.id] = {
                "manager_id": site.manager_id,
                "updated_at": founded + dt.timedelta(days=3),
            }
    ctx.update(Location, managers)
    ctx.counts["tenant"] += 1
    return Company(tenant.id, sites, people, accounts)


def _rekey_permissions(ctx: SeedContext, session: Session) -> None:
    table = RolePermission.__table__
    rows = (
        session.execute(
            select(table.c.id)
            .where(table.c.tenant_id == ctx.tenant_id)
            .order_by(table.c.role, table.c.resource, table.c.action)
        )
        .scalars()
        .all()
    )
    for obj in [o for o in session.identity_map.values() if isinstance(o, RolePermission)]:
        session.expunge(obj)
    at = ctx.epoch
    ctx.update(
        RolePermission,
        {old: {"id": ctx.new_id(at), "created_at": at, "updated_at": at} for old in rows},
    )
    ctx.counts["role_permission"] += len(rows)


def _seed_locations(ctx: SeedContext, pools: Pools) -> list[Site]:
    rng = ctx.rng("locations")
    sites, rows = [], []
    for index, branch in enumerate(BRANCHES):
        opened = ctx.epoch + dt.timedelta(hours=index)
        address = pools.address(rng, branch, unit_share=0.5)
        site = Site(
            ctx.new_id(opened),
            branch,
            f"{branch.city} Head Office" if index == 0 else branch.city,
            DEFAULT_TIMEZONE[branch.province],
            address,
            pools.phone(rng, branch),
        )
        sites.append(site)
        rows.append(
            {
                "id": site.id,
                "created_at": opened,
                "name": site.name,
                "code": branch.code,
                "address_line1": address.line1,
                "address_line2": address.line2,
                "city": branch.city,
                "province": branch.province,
                "postal_code": address.postal_code,
                "country": "CA",
                "timezone": site.tz,
                "phone": site.phone,
                "email": f"{branch.code.lower()}@{DOMAIN}",
                "is_active": True,
            }
        )
    ctx.insert(Location, rows)
    return sites


def _staff_plan(sites: list[Site]) -> list[tuple[Site, UserRole, str | None]]:
    hq = sites[0]
    plan: list[tuple[Site, UserRole, str | None]] = [
        (hq, role, local) for local, role in FIXED_ACCOUNTS
    ]
    by_code = {s.code: s for s in sites}
    for code, roles in STAFF.items():
        plan.extend((by_code[code], UserRole(role), None) for role in roles)
    return plan


def _seed_users(
    ctx: SeedContext, pools: Pools, tenant: object, sites: list[Site]
) -> tuple[list[Person], list[DemoAccount]]:
    session = ctx.session
    rng = ctx.rng("users")
    people, accounts, changes = [], [], {}
    taken: set[str] = set()
    for index, (site, role, local) in enumerate(_staff_plan(sites)):
        first, last = pools.person(rng)
        full_name = f"{first} {last}"
        base = local or f"{ascii_slug(first)}.{ascii_slug(last)}"
        email, n = f"{base}@{DOMAIN}", 2
        while email in taken:
            email, n = f"{base}{n}@{DOMAIN}", n + 1
        taken.add(email)
        password = demo_password(ctx, email, full_name)
        location = session.get(Location, site.id)
        user = create_user(
            session,
            tenant=tenant,
            location=location,
            email=email,  # type: ignore[arg-type]
            full_name=full_name,
            role=role,
            password=password,
        )
        hired = ctx.epoch + dt.timedelta(days=1, minutes=index)
        person = Person(ctx.new_id(hired), role, full_name, email, site.code)
        low, high = HOURLY_COST[role]
        cost = Decimal(rng.randint(int(low) * 4, int(high) * 4)) / 4
        licence = None
        if role in (UserRole.DRIVER, UserRole.CREW_LEAD):
            licence = truck_licence(site.branch.province)
        elif role == UserRole.CREW_MEMBER and rng.random() < 0.7:
            licence = car_licence(site.branch.province)
        changes[user.id] = {
            "id": person.id,
            "created_at": hired,
            "updated_at": hired,
            "phone": pools.phone(rng, site.branch),
            "has_drivers_license": licence is not None,
            "license_class": licence,
            "hourly_cost": cost.quantize(Decimal("0.01")),
            "last_login_at": ctx.local(
                ctx.today - dt.timedelta(days=rng.randint(1, 6)),
                rng.randint(7, 17),
                rng.randint(0, 59),
                site.tz,
            ),
        }
        session.expunge(user)
        site.staff.append(person)
        people.append(person)
        scope: PermissionScope = default_home_scope(role)
        accounts.append(
            DemoAccount(email, password, role.value, scope.value, site.code, site.name, full_name)
        )
    ctx.update(User, changes)
    ctx.counts["user"] += len(people)
    return people, accounts
