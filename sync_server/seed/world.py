"""Everything later steps look up: the company, its reference data, and per-branch state.

Per-branch state is what keeps the data plausible across batches: who is
already booked on a day, which truck is out, what stock crews drew.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from shared_models.enums import UserRole
from sync_server.seed.company import Company, Person, Site
from sync_server.seed.context import SeedContext
from sync_server.seed.pools import Pools
from sync_server.seed.reference import Reference

#: Local wall-clock time the seed treats as "now" at every branch on ``today``.
NOW_LOCAL = (10, 45)


@dataclass
class Truck:
    id: uuid.UUID
    unit_number: str
    capacity_cuft: Decimal
    odometer_km: int


@dataclass
class StockDraw:
    """Supplies a crew took for (or a customer returned from) one job."""

    sku: str
    quantity: Decimal
    journey_id: uuid.UUID
    at: dt.datetime
    user_id: uuid.UUID


@dataclass
class SiteState:
    site: Site
    trucks: list[Truck] = field(default_factory=list)
    #: (person or truck id, day) -> slots taken (0 = morning, 1 = afternoon).
    booked: dict[tuple[uuid.UUID, dt.date], set[int]] = field(default_factory=dict)
    #: (person id) -> days they are off (vacation, sick).
    off: dict[uuid.UUID, set[dt.date]] = field(default_factory=dict)
    draws: list[StockDraw] = field(default_factory=list)
    converted_seen: int = 0
    quotes_seen: int = 0
    #: Cash collected by crews, banked in one transfer at the end.
    cash: Decimal = Decimal(0)

    @property
    def crewed(self) -> bool:
        return bool(self.site.with_role(UserRole.CREW_LEAD))

    def free(self, who: uuid.UUID, day: dt.date, slot: int) -> bool:
        return slot not in self.booked.get((who, day), set()) and day not in self.off.get(
            who, set()
        )

    def book(self, who: uuid.UUID, day: dt.date, slot: int) -> None:
        self.booked.setdefault((who, day), set()).add(slot)

    def load(self, who: uuid.UUID, day: dt.date) -> int:
        return len(self.booked.get((who, day), set()))


@dataclass
class World:
    ctx: SeedContext
    company: Company
    ref: Reference
    pools: Pools
    states: dict[str, SiteState] = field(default_factory=dict)
    numbers: Counter[str] = field(default_factory=Counter)
    #: Supplier ids by role ("packaging", "repair:<site code>").
    suppliers: dict[str, uuid.UUID] = field(default_factory=dict)
    #: Costs other steps incurred, booked to the ledger by finance.
    expenses: list[dict[str, object]] = field(default_factory=list)
    #: Inventory ids by site code and SKU.
    stock_ids: dict[str, dict[str, uuid.UUID]] = field(default_factory=dict)

    def state(self, site: Site) -> SiteState:
        return self.states.setdefault(site.code, SiteState(site))

    def next_number(self, prefix: str, width: int = 6) -> str:
        self.numbers[prefix] += 1
        return f"{prefix}-{self.numbers[prefix]:0{width}d}"

    def site_now(self, site: Site) -> dt.datetime:
        return self.ctx.local(self.ctx.today, *NOW_LOCAL, site.tz)

    def sellers(self, site: Site) -> list[Person]:
        """Who writes quotes for a branch: its sales staff, else its manager, else head office sales."""
        return (
            site.with_role(UserRole.SALES)
            or site.with_role(UserRole.MANAGER)
            or self.company.hq.with_role(UserRole.SALES)
        )

    def approver(self, site: Site) -> Person:
        return (site.with_role(UserRole.MANAGER) or self.company.hq.with_role(UserRole.MANAGER))[0]

    def dispatcher(self, site: Site) -> Person:
        return (
            site.with_role(UserRole.DISPATCHER)
            or site.with_role(UserRole.MANAGER)
            or self.company.hq.with_role(UserRole.DISPATCHER)
        )[0]
