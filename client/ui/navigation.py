"""Which sections a user sees: permission rules for every section, and the screens built so far.

The nav is data: ``SECTIONS`` says what each section needs (from the shared
permission matrix, the same rows the server enforces) and ``SCREENS`` maps a
section to the widget that shows it. A section appears only when the user's
role allows it *and* its screen exists, so later screens plug in by adding
one ``SCREENS`` entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from client.ui.context import AppContext
from shared_models.enums import PermissionAction, PermissionScope, UserRole
from shared_models.permissions import SCOPE_RANK, default_scope

A, S = PermissionAction, PermissionScope
ScreenFactory = Callable[[AppContext], QWidget]


@dataclass(frozen=True)
class Need:
    """One permission: ``action`` on ``resource`` with at least ``scope``."""

    resource: str
    action: PermissionAction = A.READ
    scope: PermissionScope = S.OWN

    def met_by(self, role: UserRole) -> bool:
        granted = default_scope(role, self.resource, self.action)
        return granted is not None and SCOPE_RANK[granted] >= SCOPE_RANK[self.scope]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    needs: tuple[Need, ...] = ()
    #: Only these roles, when a section is a way of working rather than a permission
    #: (an office dispatcher may log journey events, but "my day" is the crew's screen).
    roles: frozenset[UserRole] | None = None

    def allowed(self, role: UserRole | None) -> bool:
        if role is None or (self.roles is not None and role not in self.roles):
            return False
        return all(need.met_by(role) for need in self.needs)


FIELD_ROLES = frozenset({UserRole.CREW_LEAD, UserRole.CREW_MEMBER, UserRole.DRIVER})


#: Every section of the product, in nav order (DESIGN 10, issue 6).
SECTIONS: tuple[Section, ...] = (
    Section("today", "Today", (Need("journey"), Need("journey_event", A.CREATE)), FIELD_ROLES),
    Section("journeys", "Journeys", (Need("journey", scope=S.LOCATION),)),
    Section("customers", "Customers & Leads", (Need("customer"), Need("lead"))),
    Section("quotes", "Quotes", (Need("quote"),)),
    Section("dispatch", "Dispatch", (Need("journey_crew", A.UPDATE, S.LOCATION),)),
    Section("equipment", "Equipment", (Need("equipment"), Need("equipment_check", A.CREATE))),
    Section("maintenance", "Maintenance", (Need("equipment_maintenance"),)),
    Section("inventory", "Inventory", (Need("inventory"),)),
    Section("invoices", "Invoices", (Need("invoice"),)),
    Section("sync_issues", "Sync issues"),
    Section("admin", "Admin", (Need("user", A.UPDATE), Need("device", A.UPDATE))),
)


def _screens() -> dict[str, ScreenFactory]:
    from client.ui.admin import AdminView
    from client.ui.customers import CustomersView
    from client.ui.dispatch import DispatchView
    from client.ui.equipment_check import EquipmentCheckView
    from client.ui.inventory import InventoryView
    from client.ui.invoices import InvoicesView
    from client.ui.journeys import JourneysView
    from client.ui.maintenance import MaintenanceView
    from client.ui.quotes import QuotesView
    from client.ui.sync_issues import SyncIssuesView
    from client.ui.today import TodayView

    return {
        "today": TodayView,
        "equipment": EquipmentCheckView,
        "inventory": InventoryView,
        "customers": CustomersView,
        "quotes": QuotesView,
        "sync_issues": SyncIssuesView,
        "journeys": JourneysView,
        "admin": AdminView,
        "dispatch": DispatchView,
        "invoices": InvoicesView,
        "maintenance": MaintenanceView,
    }


SCREENS: dict[str, ScreenFactory] = {}


def screens() -> dict[str, ScreenFactory]:
    if not SCREENS:
        SCREENS.update(_screens())
    return SCREENS


def allowed_sections(role: UserRole | None) -> list[Section]:
    """Sections the role may use, built or not (what the nav will grow into)."""
    return [s for s in SECTIONS if s.allowed(role)]


def visible_sections(role: UserRole | None) -> list[Section]:
    """Sections listed in the nav: allowed and with a screen."""
    built = screens()
    return [s for s in allowed_sections(role) if s.key in built]


class NavList(QListWidget):
    """The sidebar list; item data is the section key."""

    def __init__(self, sections: list[Section], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("NavList")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for number, section in enumerate(sections, start=1):
            item = QListWidgetItem(section.title)
            item.setData(Qt.ItemDataRole.UserRole, section.key)
            if number <= 9:
                item.setToolTip(f"{section.title}  (Ctrl+{number})")
            item.setSizeHint(QSize(200, 40))
            self.addItem(item)

    def keys(self) -> list[str]:
        return [self.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.count())]
