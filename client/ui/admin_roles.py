"""Roles and scopes: the read-only matrix of a role, and one person's overrides.

The matrix reads the replica (offline). Overrides live in the person's own
bucket, so the dialog loads and changes them online through
``PermissionAdmin``; an unreachable server is a message in the dialog, not
a blocked window.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QComboBox, QDialog, QHBoxLayout, QVBoxLayout, QWidget

from client.services.admin import UserRow
from client.services.admin_permissions import (
    ACTIONS,
    MatrixRow,
    NewOverride,
    Override,
    PermissionAdmin,
    known_resources,
    role_matrix,
)
from client.ui import format as fmt
from client.ui.context import AppContext
from client.ui.fields import FORM_QSS, ChoiceField, DateField, Field
from client.ui.paged_model import Column, ListSource, PagedTableModel
from client.ui.tables import make_table, size_columns
from client.ui.tasks import Op, net_pool
from client.ui.widgets import Banner, ChipDelegate, button, label
from shared_models.enums import PermissionAction, PermissionScope, UserRole

SCOPE_WORDS = {"OWN": "Own", "LOCATION": "Location", "CLIENT": "Company", "ALL": "All"}


def _scope_text(scope: str | None) -> str:
    return SCOPE_WORDS.get(scope or "", "—") if scope else "—"


MATRIX_COLUMNS: list[Column[MatrixRow]] = [
    Column("Resource", lambda r: fmt.humanize(r.resource), width=200),
    *(
        Column(
            fmt.humanize(a.value),
            lambda r, a=a: _scope_text(r.scopes.get(a.value)),  # type: ignore[misc]
            width=100,
        )
        for a in ACTIONS
    ),
]
OVERRIDE_COLUMNS: list[Column[Override]] = [
    Column("Resource", lambda o: fmt.humanize(o.resource), width=170),
    Column("Action", lambda o: fmt.humanize(o.action.value), width=90),
    Column(
        "Effect",
        lambda o: "Grant" if o.granted else "Deny",
        tag=lambda o: "ACTIVE" if o.granted else "REVOKED",
        width=90,
    ),
    Column("Scope", lambda o: _scope_text(o.scope.value if o.scope else None), width=100),
    Column(
        "Expires", lambda o: fmt.date(o.expires_at.date()) if o.expires_at else "Never", width=110
    ),
    Column("Reason", lambda o: o.reason or "", width=200),
]


class RolesPanel(QWidget):
    """Pick a role, see what it may do to each resource and how far (read-only)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = ctx.workspace.store
        self.role = QComboBox()
        for role in UserRole:
            self.role.addItem(fmt.humanize(role.value), role.value)
        self.note = label("", "Muted", wrap=True)
        self.model: PagedTableModel[MatrixRow] = PagedTableModel(MATRIX_COLUMNS, parent=self)
        self.table = make_table(MATRIX_COLUMNS)  # type: ignore[arg-type]
        self.table.setModel(self.model)
        size_columns(self.table, MATRIX_COLUMNS, stretch=0)  # type: ignore[arg-type]
        bar = QHBoxLayout()
        bar.addWidget(label("Role"))
        bar.addWidget(self.role)
        bar.addWidget(self.note, 1)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 12, 0, 0)
        box.setSpacing(10)
        box.addLayout(bar)
        box.addWidget(self.table, 1)
        self.role.currentIndexChanged.connect(self.load)
        self.load()

    def load(self) -> None:
        role = str(self.role.currentData())
        Op(parent=self, op=lambda: role_matrix(self.store, role)).success(
            self._show
        ).run_in_background()

    def _show(self, loaded: tuple[list[MatrixRow], bool]) -> None:
        rows, from_tenant = loaded
        self.model.set_source(ListSource(rows))
        source = "your company's permission matrix" if from_tenant else "the default matrix"
        self.note.setText(
            f"{len(rows)} resources, from {source}. “Own”: their own records; “Location”: "
            "their branch; “Company”: every branch. Per-person exceptions: Users › Permissions."
        )


class UserPermissionsDialog(QDialog):
    """One person's overrides of their role: grant or deny, scope, expiry, reason."""

    def __init__(self, ctx: AppContext, user: UserRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.user = user
        self.service = PermissionAdmin(ctx.workspace)
        self.setWindowTitle("Permissions")
        self.setStyleSheet(FORM_QSS)
        self.banner = Banner()
        self.model: PagedTableModel[Override] = PagedTableModel(OVERRIDE_COLUMNS, parent=self)
        self.table = make_table(OVERRIDE_COLUMNS)  # type: ignore[arg-type]
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(2, ChipDelegate(self.table))
        size_columns(self.table, OVERRIDE_COLUMNS, stretch=5)  # type: ignore[arg-type]
        self.remove_button = button("Remove")
        self.resource = ChoiceField("Resource", [(fmt.humanize(r), r) for r in known_resources()])
        self.action = ChoiceField("Action", [(fmt.humanize(a.value), a.value) for a in ACTIONS])
        self.effect = ChoiceField("Effect", [("Grant", True), ("Deny", False)])
        self.scope = ChoiceField(
            "Scope",
            [
                (SCOPE_WORDS[s.value], s.value)
                for s in PermissionScope
                if s is not PermissionScope.ALL
            ],
        )
        self.expires = DateField("Expires", self._future, add_text="Add an expiry")
        self.reason = Field(
            "Reason", lambda t: None if len(t) <= 500 else "At most 500 characters."
        )
        self.add_button = button("Add override", primary=True)
        form = QHBoxLayout()
        form.setSpacing(10)
        for w in (self.resource, self.action, self.effect, self.scope, self.expires):
            form.addWidget(w)
        form.addWidget(self.reason, 1)
        actions = QHBoxLayout()
        self.note = label("", "Muted", wrap=True)
        actions.addWidget(self.note, 1)
        actions.addWidget(self.remove_button)
        actions.addWidget(self.add_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(22, 18, 22, 16)
        box.setSpacing(10)
        box.addWidget(label(f"Permissions of {user.name}", "DetailTitle"))
        box.addWidget(
            label(
                f"{fmt.humanize(user.role)} · exceptions to the role for this person only. "
                "A deny always wins; their computer follows on its next sync.",
                "Muted",
                wrap=True,
            )
        )
        box.addWidget(self.banner)
        box.addWidget(self.table, 1)
        box.addLayout(form)
        box.addLayout(actions)
        self.resize(1000, 520)
        self.effect.combo.currentIndexChanged.connect(
            lambda: self.scope.setEnabled(bool(self.effect.value()))
        )
        self.add_button.clicked.connect(self.add_override)
        self.remove_button.clicked.connect(self.remove_selected)
        self.load()

    @staticmethod
    def _future(value: dt.date | None) -> str | None:
        """As the server checks it: the expiry is 00:00 UTC of that day, so after UTC's today."""
        if value is not None and value <= dt.datetime.now(dt.UTC).date():
            return "An expiry is a day after today."
        return None

    def load(self) -> None:
        self.note.setText("Loading from the server…")
        Op(parent=self, op=lambda: self.service.list_overrides(self.user.id)).success(
            self._show
        ).failure(self._failed).run_in_background(net_pool())

    def _show(self, overrides: list[Override]) -> None:
        self.model.set_source(ListSource(overrides))
        self.note.setText(
            f"{len(overrides)} override{'s' if len(overrides) != 1 else ''}."
            if overrides
            else "No overrides: this person has exactly their role's permissions."
        )

    def _failed(self, exc: BaseException) -> None:
        self.note.setText("")
        self.banner.show_message(str(exc), kind="warning", action="Retry", callback=self.load)

    def new_override(self) -> NewOverride | None:
        for field in (self.expires, self.reason):
            field.refresh(force=True)
        if not (self.expires.valid() and self.reason.valid()):
            return None
        granted = bool(self.effect.value())
        day = self.expires.value()
        expires = (
            dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)
            if isinstance(day, dt.date)
            else None
        )
        return NewOverride(
            resource=str(self.resource.value()),
            action=PermissionAction(self.action.value()),
            granted=granted,
            scope=PermissionScope(self.scope.value()) if granted else None,
            expires_at=expires,
            reason=self.reason.text.strip() or None,
        )

    def add_override(self) -> None:
        new = self.new_override()
        if new is None:
            return
        user_id = self.user.id
        Op(parent=self, op=lambda: self.service.add_override(user_id, new)).success(
            lambda _: self._changed("Override added.")
        ).failure(self._failed).run_in_background(net_pool())

    def remove_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        chosen = self.model.row(rows[0]) if rows else None
        if chosen is None:
            self.banner.show_message("Select an override to remove.", kind="info")
            return
        user_id, override_id = self.user.id, chosen.id
        Op(parent=self, op=lambda: self.service.remove_override(user_id, override_id)).success(
            lambda _: self._changed("Override removed.")
        ).failure(self._failed).run_in_background(net_pool())

    def _changed(self, text: str) -> None:
        self.banner.show_message(text, kind="info")
        self.load()
