"""The main window: role-based sidebar, one stacked page per section, shared status bar.

Owns the sync worker of its workspace and routes its outcome: progress and
status to the status bar, downloads to the one change signal, failures to
non-blocking messages. A revoked device or an ended session is handed to
the app (``signed_out`` / ``reauth_requested``), which owns the sign-in flow.
"""

from __future__ import annotations

import logging
import uuid

from PySide6.QtCore import QByteArray, QSettings, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from client.sync.errors import DeviceRevoked, SchemaOutdated, ServerUnavailable, SessionExpired
from client.ui import tasks
from client.ui.context import AppContext
from client.ui.format import humanize
from client.ui.navigation import NavList, screens, visible_sections
from client.ui.status_bar import SyncStatusBar
from client.ui.sync_worker import SyncWorker
from client.ui.widgets import Banner, label

log = logging.getLogger(__name__)
#: Local writes are batched: a sync follows this long after the last one.
WRITE_SYNC_DELAY_MS = 3000
REVOKED_TEXT = (
    "An administrator revoked this computer's access. For safety, the data stored on it "
    "was erased. Sign in again to start afresh."
)


class MainWindow(QMainWindow):
    signed_out = Signal(str)  # why, shown on the sign-in screen
    reauth_requested = Signal()

    def __init__(
        self,
        ctx: AppContext,
        *,
        settings: QSettings | None = None,
        sync: bool = True,
        live: bool = True,
        write_sync_delay_ms: int = WRITE_SYNC_DELAY_MS,
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.settings = settings or QSettings()
        workspace = ctx.workspace
        self.setWindowTitle(f"C&C CRM — {workspace.display_name}")
        self.setMinimumSize(1100, 680)
        self.sections = visible_sections(workspace.role)
        self.pages: dict[str, QWidget] = {}

        self.nav = NavList(self.sections)
        self.stack = QStackedWidget()
        self.banner = Banner()
        self.status = SyncStatusBar()
        self.setStatusBar(self.status)
        self._build(workspace.display_name)

        self.worker = SyncWorker(workspace)
        self._wire_sync()
        self._write_timer = QTimer(self, singleShot=True, interval=write_sync_delay_ms)
        self._write_timer.timeout.connect(self.worker.sync_now)
        workspace.on_write(self._local_write)
        self._shortcuts()
        self.nav.currentRowChanged.connect(self._show_section)
        self._restore()
        self.refresh_status()
        if sync:
            self.worker.start(live=live)

    # -- layout --------------------------------------------------------------------------

    def _build(self, name: str) -> None:
        sidebar = QFrame()
        sidebar.setObjectName("Sidebar")
        sidebar.setFixedWidth(232)
        side = QVBoxLayout(sidebar)
        side.setContentsMargins(0, 20, 0, 16)
        side.setSpacing(4)
        brand = QVBoxLayout()
        brand.setContentsMargins(22, 0, 16, 14)
        brand.addWidget(label("C&C CRM", "Brand"))
        brand.addWidget(label("Moving & logistics", "BrandSub"))
        side.addLayout(brand)
        side.addWidget(self.nav, 1)
        user = QVBoxLayout()
        user.setContentsMargins(22, 8, 16, 0)
        user.addWidget(label(name, "UserName"))
        role = self.ctx.workspace.role
        user.addWidget(label(humanize(role.value if role else ""), "UserRole"))
        user.addWidget(label(self.ctx.workspace.profile.email, "UserRole"))
        side.addLayout(user)

        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        holder = QHBoxLayout()
        holder.setContentsMargins(24, 12, 24, 0)
        holder.addWidget(self.banner)
        column.addLayout(holder)
        column.addWidget(self.stack, 1)

        root = QWidget()
        row = QHBoxLayout(root)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(sidebar)
        row.addWidget(content, 1)
        self.setCentralWidget(root)

    def _shortcuts(self) -> None:
        for number in range(1, min(9, len(self.sections)) + 1):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{number}"), self)
            shortcut.activated.connect(lambda n=number: self.nav.setCurrentRow(n - 1))
        for keys in ("F5", "Ctrl+R"):
            QShortcut(QKeySequence(keys), self).activated.connect(self.sync_now)
        QShortcut(QKeySequence("Ctrl+F"), self).activated.connect(self.focus_search)

    # -- sections ------------------------------------------------------------------------

    def show_section(self, key: str) -> QWidget:
        keys = self.nav.keys()
        if key not in keys:
            raise KeyError(f"section {key!r} is not available to this user")
        self.nav.setCurrentRow(keys.index(key))
        return self.pages[key]

    def current_page(self) -> QWidget | None:
        return self.stack.currentWidget()

    def _show_section(self, row: int) -> None:
        if not 0 <= row < len(self.sections):
            return
        key = self.sections[row].key
        if key not in self.pages:  # screens are built on first visit
            self.pages[key] = screens()[key](self.ctx)
            self.stack.addWidget(self.pages[key])
        self.stack.setCurrentWidget(self.pages[key])

    def focus_search(self) -> None:
        focus = getattr(self.current_page(), "focus_search", None)
        if callable(focus):
            focus()

    # -- sync ----------------------------------------------------------------------------

    def _wire_sync(self) -> None:
        w, bar = self.worker, self.status
        w.status.connect(bar.apply)
        w.started.connect(bar.sync_started)
        w.progress.connect(bar.sync_progress)
        w.finished.connect(self._sync_finished)
        w.failed.connect(self._sync_failed)
        w.changed.connect(self.ctx.hub.announce)
        bar.sync_requested.connect(self.sync_now)
        bar.issues_requested.connect(self._open_sync_issues)

    def sync_now(self) -> None:
        self._write_timer.stop()
        self.worker.sync_now()

    def refresh_status(self) -> None:
        """Read the replica's sync status off the UI thread and show it."""
        if self.worker.engine.wiped or self.ctx.workspace.store.closed:
            return
        tasks.Op(parent=self, op=self.worker.read_status).success(
            self.status.apply
        ).run_in_background()

    def _local_write(self, table: str, row_id: uuid.UUID) -> None:
        """Any thread: the write service calls back from where the write ran."""
        QTimer.singleShot(0, self, lambda: self._after_write(table))

    def _after_write(self, table: str) -> None:
        self.ctx.hub.announce({table})
        self.refresh_status()
        self._write_timer.start()

    def _open_sync_issues(self) -> None:
        if "sync_issues" in list(self.nav.keys()):
            self.show_section("sync_issues")

    def _sync_finished(self, report: object) -> None:
        self.status.sync_ended()
        self.ctx.hub.announce({"sync_rejection"})  # refusals are recorded by the push
        self.banner.hide()  # whatever it warned about, the server took our changes
        self.refresh_status()

    def _sync_failed(self, exc: BaseException) -> None:
        self.status.sync_ended()
        if isinstance(exc, DeviceRevoked):
            self.signed_out.emit(REVOKED_TEXT)
            return
        if isinstance(exc, SessionExpired):
            self.banner.show_message(
                "Your session has ended. Everything you changed is kept on this computer "
                "and will sync once you sign in again.",
                kind="warning",
                action="Sign in again",
                callback=self.reauth_requested.emit,
            )
        elif isinstance(exc, SchemaOutdated):
            self.banner.show_message(
                "The server was upgraded and needs a newer version of C&C CRM. Keep "
                "working: your changes are saved here and will sync after you update.",
                kind="warning",
            )
        elif isinstance(exc, ServerUnavailable):
            self.status.showMessage("Can't reach the server: working offline, retrying", 15_000)
        else:
            log.warning("sync failed: %s", exc)
            self.status.showMessage(f"Sync failed: {exc}", 15_000)
        self.refresh_status()

    def notify_error(self, text: str) -> None:
        self.status.showMessage(text, 15_000)

    # -- lifetime ------------------------------------------------------------------------

    def _restore(self) -> None:
        geometry = self.settings.value("main/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1360, 840)
        state = self.settings.value("main/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        keys = self.nav.keys()
        last = self.settings.value("main/section")
        self.nav.setCurrentRow(keys.index(last) if last in keys else 0)

    def save_layout(self) -> None:
        self.settings.setValue("main/geometry", self.saveGeometry())
        self.settings.setValue("main/state", self.saveState())
        row = self.nav.currentRow()
        if 0 <= row < len(self.sections):
            self.settings.setValue("main/section", self.sections[row].key)
        self.settings.sync()

    def shutdown(self) -> None:
        """Stop syncing and let queued reads finish; the workspace is the app's to close."""
        self._write_timer.stop()
        self.worker.shutdown()
        tasks.wait_idle()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_layout()
        self.shutdown()
        super().closeEvent(event)
