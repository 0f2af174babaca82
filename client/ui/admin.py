"""Admin: the tenant's users (from the replica), roles, and devices (from the server).

Users read offline and are edited offline (synced updates); creating one,
resetting a password and a person's permission overrides need the server
(``admin_user_form``, ``admin_roles``). Devices need the server: they load through
``AdminService`` on the network pool, and an unreachable server shows an
inline message instead of blocking anything. Revoking asks first.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMessageBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from client.services.admin import AdminService, DevicePublic, UserRow, list_users
from client.ui import format as fmt
from client.ui.admin_roles import RolesPanel, UserPermissionsDialog
from client.ui.admin_user_form import PasswordResetDialog, UserCreateDialog, UserEditDialog
from client.ui.context import AppContext
from client.ui.paged_model import Column, ListSource, PagedTableModel
from client.ui.tables import make_table, size_columns
from client.ui.tasks import Op, net_pool
from client.ui.widgets import Banner, ChipDelegate, PageHeader, button, label, page_layout

#: What a user's data scope covers, in the admin's words.
SCOPE_TEXT = {"OWN": "Own", "LOCATION": "Location", "CLIENT": "Company", "ALL": "All"}
USER_COLUMNS: list[Column[UserRow]] = [
    Column("Name", lambda u: u.name, width=200),
    Column("Email", lambda u: u.email, width=260),
    Column("Role", lambda u: fmt.humanize(u.role), width=130),
    Column("Location", lambda u: u.location, width=200),
    Column("Scope", lambda u: SCOPE_TEXT.get(u.scope, fmt.humanize(u.scope)), width=110),
    Column(
        "Status",
        lambda u: "Active" if u.active else fmt.humanize(u.status),
        tag=lambda u: "ACTIVE" if u.active else "INACTIVE",
        width=110,
    ),
]
DEVICE_COLUMNS: list[Column[DevicePublic]] = [
    Column("Device", lambda d: d.name, width=260),
    Column("User", lambda d: d.user_email, width=280),
    Column("Platform", lambda d: _platform(d), width=150),
    Column("Last sync", lambda d: fmt.ago(d.last_contact), width=120),
    Column("Registered", lambda d: fmt.date(d.registered_at.date()), width=120),
    Column(
        "Status",
        lambda d: "Revoked" if d.revoked else "Active",
        tag=lambda d: "REVOKED" if d.revoked else "ACTIVE",
        width=110,
    ),
]
WATCHED = {"user", "location"}


def _platform(device: DevicePublic) -> str:
    system = {"linux": "Linux", "darwin": "macOS", "win32": "Windows"}.get(
        (device.platform or "").lower(), device.platform or ""
    )
    return " · ".join(
        p for p in (system, f"v{device.app_version}" if device.app_version else "") if p
    )


def _table(
    columns: list[Column[object]], model: PagedTableModel[object], stretch: int
) -> QTableView:
    table = make_table(columns)
    table.setModel(model)
    table.setItemDelegateForColumn(len(columns) - 1, ChipDelegate(table))
    size_columns(table, columns, stretch=stretch)
    return table


class AdminView(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.store = ctx.workspace.store
        self.service = AdminService(ctx.workspace)
        self.devices: list[DevicePublic] = []
        self.revoke_box: QMessageBox | None = None
        self.header = PageHeader("Administration", "People and computers of your company")

        self.users_model: PagedTableModel[UserRow] = PagedTableModel(USER_COLUMNS, parent=self)
        self.users_table = _table(USER_COLUMNS, self.users_model, stretch=1)  # type: ignore[arg-type]
        self.devices_model: PagedTableModel[DevicePublic] = PagedTableModel(
            DEVICE_COLUMNS, parent=self
        )
        self.devices_table = _table(DEVICE_COLUMNS, self.devices_model, stretch=0)  # type: ignore[arg-type]
        self.banner = Banner()
        self.devices_note = label("", "Muted")
        self.refresh_button = button("Refresh")
        self.revoke_button = button("Revoke access…", primary=True)
        self.revoke_button.setEnabled(False)
        self.users_banner = Banner()
        self.users_note = label("Double-click a person to edit them.", "Muted")
        self.new_user_button = button("New user…", primary=True)
        self.edit_button = button("Edit…")
        self.permissions_button = button("Permissions…")
        self.password_button = button("Reset password…")
        self.user_buttons = (self.edit_button, self.permissions_button, self.password_button)
        for b in self.user_buttons:
            b.setEnabled(False)
        self.roles = RolesPanel(ctx)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        users_bar = QHBoxLayout()
        users_bar.addWidget(self.users_note, 1)
        for b in (*self.user_buttons, self.new_user_button):
            users_bar.addWidget(b)
        self.tabs.addTab(self._page(self.users_banner, users_bar, self.users_table), "Users")
        bar = QHBoxLayout()
        bar.addWidget(self.devices_note, 1)
        bar.addWidget(self.refresh_button)
        bar.addWidget(self.revoke_button)
        self.tabs.addTab(self._page(self.banner, bar, self.devices_table), "Devices")
        self.devices_tab = self.tabs.count() - 1
        self.tabs.addTab(self.roles, "Roles and scopes")

        page_layout(self, self.header, body=self.tabs)

        self.refresh_button.clicked.connect(self.load_devices)
        self.revoke_button.clicked.connect(self.revoke_selected)
        self.devices_table.selectionModel().selectionChanged.connect(self._device_selected)
        self.users_table.selectionModel().selectionChanged.connect(self._user_selected)
        self.users_table.doubleClicked.connect(lambda *_: self.edit_selected())
        self.new_user_button.clicked.connect(self.new_user)
        self.edit_button.clicked.connect(self.edit_selected)
        self.permissions_button.clicked.connect(self.permissions_selected)
        self.password_button.clicked.connect(self.reset_selected)
        ctx.hub.changed.connect(self.on_tables_changed)
        self.load_users()
        self.load_devices()

    @staticmethod
    def _page(*parts: QWidget | QHBoxLayout) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 12, 0, 0)
        box.setSpacing(10)
        for part in parts:
            if isinstance(part, QHBoxLayout):
                box.addLayout(part)
            else:
                box.addWidget(part, 1 if isinstance(part, QTableView) else 0)
        return page

    # -- users ---------------------------------------------------------------------------

    def on_tables_changed(self, tables: set[str]) -> None:
        if tables & WATCHED:
            self.load_users()

    def load_users(self) -> None:
        Op(parent=self, op=lambda: list_users(self.store)).success(
            self._show_users
        ).run_in_background()

    def _show_users(self, users: list[UserRow]) -> None:
        self.users_model.set_source(ListSource(users))
        active = sum(u.active for u in users)
        self.tabs.setTabText(0, f"Users ({len(users)})")
        self.header.subtitle.setText(f"{len(users)} people, {active} active")

    def selected_user(self) -> UserRow | None:
        rows = self.users_table.selectionModel().selectedRows()
        return self.users_model.row(rows[0]) if rows else None

    def _user_selected(self, *_: QItemSelection) -> None:
        for b in self.user_buttons:
            b.setEnabled(self.selected_user() is not None)

    def edit_selected(self) -> UserEditDialog | None:
        user = self.selected_user()
        if user is None:
            return None
        dialog = UserEditDialog(self.ctx, user.id, parent=self)
        dialog.saved.connect(lambda changes: self._user_saved(user, changes))
        dialog.open()
        return dialog

    def _user_saved(self, user: UserRow, changes: dict[str, object]) -> None:
        if changes:
            self.ctx.hub.announce({"user"})
            self.users_banner.show_message(
                f"{user.name}: saved. Their computer follows on its next sync.", kind="info"
            )

    def new_user(self) -> UserCreateDialog:
        dialog = UserCreateDialog(self.ctx, parent=self)
        dialog.saved.connect(
            lambda created: self.users_banner.show_message(
                f"{created.full_name} ({created.email}) was created: they appear in this "
                "list after the next sync.",
                kind="info",
            )
        )
        dialog.open()
        return dialog

    def permissions_selected(self) -> UserPermissionsDialog | None:
        user = self.selected_user()
        if user is None:
            return None
        dialog = UserPermissionsDialog(self.ctx, user, parent=self)
        dialog.open()
        return dialog

    def reset_selected(self) -> PasswordResetDialog | None:
        user = self.selected_user()
        if user is None:
            return None
        dialog = PasswordResetDialog(self.ctx, user.id, f"{user.name} ({user.email})", parent=self)
        dialog.saved.connect(
            lambda done: self.users_banner.show_message(
                f"{user.name} has a new password; {done.sessions_ended} session(s) ended.",
                kind="info",
            )
        )
        dialog.open()
        return dialog

    # -- devices -------------------------------------------------------------------------

    def load_devices(self) -> None:
        self.refresh_button.setEnabled(False)
        self.devices_note.setText("Loading devices from the server…")
        Op(parent=self, op=self.service.list_devices).success(self._show_devices).failure(
            self._devices_failed
        ).run_in_background(net_pool())

    def _show_devices(self, devices: list[DevicePublic]) -> None:
        self.devices = devices
        self.banner.hide()
        self.refresh_button.setEnabled(True)
        self.devices_model.set_source(ListSource(devices))
        active = sum(not d.revoked for d in devices)
        self.tabs.setTabText(self.devices_tab, f"Devices ({active})")
        self.devices_note.setText(
            f"{active} active, {len(devices) - active} revoked. A revoked computer erases "
            "its local data the next time it connects."
        )
        self._device_selected(QItemSelection(), QItemSelection())

    def _devices_failed(self, exc: BaseException) -> None:
        self.refresh_button.setEnabled(True)
        self.devices_note.setText("")
        self.banner.show_message(
            str(exc), kind="warning", action="Retry", callback=self.load_devices
        )

    def selected_device(self) -> DevicePublic | None:
        rows = self.devices_table.selectionModel().selectedRows()
        return self.devices_model.row(rows[0]) if rows else None

    def _device_selected(self, *_: QItemSelection) -> None:
        device = self.selected_device()
        self.revoke_button.setEnabled(device is not None and not device.revoked)

    def confirm_revoke(self, device: DevicePublic) -> QMessageBox:
        """Ask before revoking (window-modal, no nested event loop); "Revoke access" revokes."""
        mine = str(device.id) == str(self.service.this_device_id)
        warning = (
            "\n\nThis is the computer you are using: you will be signed out and its "
            "local data erased."
            if mine
            else ""
        )
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Revoke device")
        box.setText(f"Revoke access for “{device.name}” ({device.user_email})?")
        box.setInformativeText(
            "It can no longer sync, and it erases the data stored on it the next time it "
            f"connects. Changes it has not synced yet are lost.{warning}"
        )
        revoke = box.addButton("Revoke access", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(lambda chosen: self._revoke(device) if chosen is revoke else None)
        box.finished.connect(box.deleteLater)
        self.revoke_box = box
        box.open()
        return box

    def revoke_selected(self) -> None:
        device = self.selected_device()
        if device is not None and not device.revoked:
            self.confirm_revoke(device)

    def _revoke(self, device: DevicePublic) -> None:
        self.revoke_button.setEnabled(False)
        Op(parent=self, op=lambda: self.service.revoke_device(device.id)).success(
            self._revoked
        ).failure(self._revoke_failed).run_in_background(net_pool())

    def _revoked(self, device: DevicePublic) -> None:
        self.banner.show_message(f"“{device.name}” was revoked.", kind="info")
        self.load_devices()

    def _revoke_failed(self, exc: BaseException) -> None:
        self._device_selected()
        self.banner.show_message(f"Could not revoke: {exc}", kind="warning")
