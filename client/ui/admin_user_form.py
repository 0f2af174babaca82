"""Edit a user's profile (offline, synced) and create a user (online), as the admin types.

Both dialogs are ``FormDialog``s: every field explains itself under the
input. The role and status checks are the shared account rules
(``shared_models.rules.accounts``), so "you cannot demote yourself" and
"keep one active admin" show next to the field before anything is saved,
and the server refuses the same changes if a stale replica lets one past.
"""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QWidget

from client.services.admin_users import (
    AccountAdmin,
    LocationChoice,
    NewUser,
    UserEdits,
    list_locations,
    load_profile,
    other_active_admins,
)
from client.ui import format as fmt
from client.ui import validators as check
from client.ui.context import AppContext
from client.ui.customer_form import grid_card, normalise_on_leave
from client.ui.fields import ChoiceField, Field, FormDialog
from client.ui.tasks import Op, net_pool
from shared_models.enums import PermissionScope, UserRole, UserStatus
from shared_models.rules import contact
from shared_models.rules.errors import RuleViolation

ROLES = [(fmt.humanize(r.value), r.value) for r in UserRole]
SCOPES = [
    ("Own work only", PermissionScope.OWN.value),
    ("Their location", PermissionScope.LOCATION.value),
    ("Whole company", PermissionScope.CLIENT.value),
]
STATUSES = [
    ("Active", UserStatus.ACTIVE.value),
    ("Inactive (cannot sign in)", UserStatus.INACTIVE.value),
    ("Suspended (cannot sign in)", UserStatus.SUSPENDED.value),
]
MIN_PASSWORD = 10


def _limit(field: str, what: str, *, required: str | None = None) -> check.Check:
    """Required text (when ``required``) that fits its ``user`` column."""
    limit = {"full_name": 200, "phone": 32, "license_class": 8}[field]

    def run(text: str) -> str | None:
        if not text.strip():
            return required
        return f"{what} has at most {limit} characters." if len(text.strip()) > limit else None

    return run


def password(text: str) -> str | None:
    if not text:
        return "Choose a first password; they can change it later."
    if len(text) < MIN_PASSWORD:
        return f"Use at least {MIN_PASSWORD} characters (a short phrase is best)."
    return None


def _profile_fields(form: FormDialog) -> tuple[Field, Field, Field]:
    name = form.add(
        "full_name",
        Field("Full name", _limit("full_name", "A name", required="Enter the person's name.")),
    )
    phone = form.add("phone", Field("Phone", check.phone(), placeholder=contact.PHONE_EXAMPLE))
    licence = form.add(
        "license_class",
        Field(
            "Driver's licence class",
            _limit("license_class", "A licence class"),
            placeholder="e.g. D, AZ",
        ),
    )
    normalise_on_leave(phone, contact.parse_phone)  # type: ignore[arg-type]
    return name, phone, licence  # type: ignore[return-value]


def _fill_locations(field: ChoiceField, locations: list[LocationChoice]) -> None:
    field.combo.clear()
    for loc in locations:
        field.combo.addItem(loc.label, str(loc.id))  # str: Qt compares it in findData


class UserEditDialog(FormDialog):
    """Edit one user; the change is a synced update, saved offline and sent on the next sync."""

    def __init__(self, ctx: AppContext, user_id: uuid.UUID, parent: QWidget | None = None) -> None:
        super().__init__(
            "Edit user",
            "Role, scope and location decide what this person sees: their computer follows "
            "the change on its next sync. Email and password are changed online.",
            parent,
        )
        self.ctx, self.user_id = ctx, user_id
        self.edits = UserEdits(ctx.workspace)
        self.before: dict[str, Any] = {}
        self.others = 1
        self.save_button.setText("Save changes")
        name, phone, licence = _profile_fields(self)
        self.role = self.add("role", ChoiceField("Role", ROLES, self._rule_check("role")))
        self.scope = self.add("scope", ChoiceField("Default reach", SCOPES))
        self.location = self.add("location_id", ChoiceField("Location", []))
        self.status = self.add(
            "status", ChoiceField("Account", STATUSES, self._rule_check("status"))
        )
        self.columns[0].addWidget(grid_card("Person", [[name], [phone, licence]]))
        self.columns[1].addWidget(
            grid_card("Access", [[self.role, self.scope], [self.location], [self.status]])
        )
        self.finish_columns()
        self.resize(860, 520)
        store = ctx.workspace.store
        self.save_button.setEnabled(False)
        Op(
            parent=self,
            op=lambda: (
                load_profile(store, user_id),
                list_locations(store),
                other_active_admins(store, user_id),
            ),
        ).success(self.fill).run_in_background()

    def fill(self, loaded: tuple[dict[str, Any], list[LocationChoice], int]) -> None:
        self.before, locations, self.others = loaded
        _fill_locations(self.location, locations)  # type: ignore[arg-type]
        self.heading.setText(f"Edit {self.before['full_name']}")
        self.subtitle.setText(f"{self.before['email']} · " + self.subtitle.text())
        for name, field in self.fields.items():
            value = self.before.get(name)
            if isinstance(field, Field):
                field.set_text(str(value or ""))
            elif isinstance(field, ChoiceField):
                field.set_value(str(value) if isinstance(value, uuid.UUID) else value)
        self.revalidate()

    def _after(self) -> dict[str, Any]:
        return {**self.before, **self.values()}

    def _rule_check(self, name: str) -> Any:
        """The shared role/status rules, shown under ``name`` when they refuse it."""

        def run(_: Any) -> str | None:
            if not self.before:
                return None
            try:
                self.edits.check(self.before, self._after(), self.others)
            except RuleViolation as exc:
                return exc.message if exc.field == name else None
            return None

        return run

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, field in self.fields.items():
            if isinstance(field, Field):
                out[name] = field.text.strip() or None
            elif isinstance(field, ChoiceField):
                out[name] = field.value()
        if out.get("location_id"):
            out["location_id"] = uuid.UUID(out["location_id"])
        return out

    def write(self, values: dict[str, Any]) -> dict[str, Any]:
        return self.edits.update_user(self.user_id, values)


class OnlineForm(FormDialog):
    """A form whose ``write`` is a server call: it runs on the network pool."""

    busy_text = "Sending to the server…"

    def pool(self) -> QThreadPool | None:
        return net_pool()


class UserCreateDialog(OnlineForm):
    """A new account, created on the server (online only); it arrives here by the next sync."""

    busy_text = "Creating the account on the server…"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(
            "New user",
            "The account is created on the server, which protects the password: this needs "
            "a connection. Give the person their first password in person.",
            parent,
        )
        self.ctx = ctx
        self.service = AccountAdmin(ctx.workspace)
        self.save_button.setText("Create user")
        email = self.add(
            "email", Field("Work email", check.contact_email("Enter their work email."))
        )
        name, phone, licence = _profile_fields(self)
        secret = self.add("password", Field("First password", password, secret=True))
        self.role = self.add("role", ChoiceField("Role", ROLES))
        self.role.set_value(UserRole.DISPATCHER.value)  # type: ignore[attr-defined]
        self.location = self.add("location_id", ChoiceField("Location", []))
        self.columns[0].addWidget(grid_card("Person", [[name], [email], [phone, licence]]))
        self.columns[1].addWidget(grid_card("Access", [[self.role], [self.location], [secret]]))
        self.finish_columns()
        self.resize(860, 520)
        store = ctx.workspace.store
        Op(parent=self, op=lambda: list_locations(store)).success(
            lambda locs: _fill_locations(self.location, locs)  # type: ignore[arg-type]
        ).run_in_background()

    def values(self) -> dict[str, Any]:
        text = {n: f.text.strip() for n, f in self.fields.items() if isinstance(f, Field)}
        return {
            **text,
            "password": self.fields["password"].raw(),
            "role": self.role.value(),  # type: ignore[attr-defined]
            "location_id": self.location.value(),  # type: ignore[attr-defined]
        }

    def write(self, values: dict[str, Any]) -> Any:
        new = NewUser(
            email=values["email"],
            full_name=values["full_name"],
            role=UserRole(values["role"]),
            password=values["password"],
            location_id=uuid.UUID(values["location_id"]) if values["location_id"] else None,
            phone=values["phone"] or None,
            license_class=values["license_class"] or None,
        )
        return self.service.create_user(new)


class PasswordResetDialog(OnlineForm):
    """A new password for someone (online); every session of theirs ends."""

    def __init__(
        self, ctx: AppContext, user_id: uuid.UUID, who: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            "Reset password",
            f"A new password for {who}. They are signed out on every computer and sign in "
            "again with it; changes their computers have not synced yet are kept.",
            parent,
        )
        self.user_id = user_id
        self.service = AccountAdmin(ctx.workspace)
        self.save_button.setText("Set password and sign out")
        field = self.add("password", Field("New password", password, secret=True))
        self.columns[0].addWidget(grid_card("Password", [[field]]))
        self.finish_columns()
        self.resize(520, 320)

    def values(self) -> dict[str, Any]:
        return {"password": self.fields["password"].raw()}

    def write(self, values: dict[str, Any]) -> Any:
        return self.service.reset_password(self.user_id, values["password"])
