"""The status bar every screen shares: online/offline, waiting changes, sync issues, last sync.

It only renders ``SyncStatus`` values and the worker's progress; it never
reads the replica itself. A 30 s tick keeps "synced 2 min ago" honest.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QStatusBar, QWidget

from client.sync.status import SyncStatus
from client.ui import format as fmt
from client.ui.widgets import button

TICK_MS = 30_000


def _restyle(widget: QWidget, name: str, value: bool) -> None:
    widget.setProperty(name, value)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class _ClickableLabel(QLabel):
    clicked = Signal()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.clicked.emit()
        super().mousePressEvent(event)


class SyncStatusBar(QStatusBar):
    sync_requested = Signal()
    issues_requested = Signal()  # the issues count was clicked: open "Sync issues"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeGripEnabled(False)
        self.status: SyncStatus | None = None
        self.syncing = False
        self.pill = QLabel("● Starting…")
        self.pill.setObjectName("StatusPill")
        self.pending = QLabel()
        self.pending.setObjectName("PendingLabel")
        self.issues = _ClickableLabel()
        self.issues.setObjectName("IssuesLabel")
        self.issues.setCursor(Qt.CursorShape.PointingHandCursor)
        self.issues.setToolTip("Open Sync issues")
        self.issues.clicked.connect(self.issues_requested.emit)
        self.last_sync = QLabel()
        self.progress = QProgressBar()
        self.progress.setFixedWidth(170)
        self.progress.setMaximumHeight(14)
        self.progress.hide()
        self.sync_button: QPushButton = button("Sync now")
        self.sync_button.setToolTip("Send your changes and fetch new ones (F5)")
        self.sync_button.clicked.connect(self.sync_requested.emit)
        for widget in (self.pill, self.pending, self.issues, self.last_sync):
            self.addPermanentWidget(widget)
        self.addPermanentWidget(self.progress)
        self.addPermanentWidget(self.sync_button)
        self._tick = QTimer(self, interval=TICK_MS)
        self._tick.timeout.connect(self._render)
        self._tick.start()
        self._render()

    # -- inputs --------------------------------------------------------------------------

    def apply(self, status: SyncStatus) -> None:
        self.status = status
        self._render()

    def sync_started(self) -> None:
        self.syncing = True
        self.progress.setRange(0, 0)  # busy until pages tell us more
        self.progress.show()
        self.sync_button.setEnabled(False)
        self._render()

    def sync_progress(self, received: int, expected: int) -> None:
        if expected:
            self.progress.setRange(0, expected)
            self.progress.setValue(min(received, expected))
            self.progress.setFormat(f"Downloading {received:,} / {expected:,}")
            self.progress.setTextVisible(True)
        else:
            self.progress.setRange(0, 0)
        self.progress.show()

    def sync_ended(self) -> None:
        self.syncing = False
        self.progress.hide()
        self.sync_button.setEnabled(True)
        self._render()

    # -- rendering -----------------------------------------------------------------------

    def _render(self) -> None:
        s = self.status
        online = bool(s and s.online)
        if self.syncing:
            self.pill.setText("● Syncing…")
            online = True
        elif s is None:
            self.pill.setText("● Connecting…")
        else:
            self.pill.setText("● Online" if s.online else "● Offline")
        _restyle(self.pill, "online", online)
        pending = s.pending if s else 0
        if pending:
            plural = "change" if pending == 1 else "changes"
            self.pending.setText(f"{pending:,} {plural} waiting to sync")
        else:
            self.pending.setText("All changes synced")
        _restyle(self.pending, "waiting", bool(pending))
        issues = s.rejections if s else 0
        self.issues.setText(
            f"{issues:,} sync issue{'s' if issues != 1 else ''}" if issues else "No sync issues"
        )
        _restyle(self.issues, "issues", bool(issues))
        last = s.last_synced_at if s else None
        self.last_sync.setText(f"Synced {fmt.ago(last)}" if last else "Never synced")
        if s is not None and s.stalled:
            self.pending.setToolTip("The oldest change keeps failing; see Sync issues")
