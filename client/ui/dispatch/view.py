"""The Dispatch screen: a day or a week of a branch, journeys to assign, flagged conflicts.

Reads and writes run on the database worker, auto-assignment on the network
pool; the screen reloads after its own writes and when a sync brings changes.
Keys: Left/Right move a day, Ctrl+Enter assigns the selected journey.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from client.services.conflicts import OpenConflict, resolve_conflict
from client.services.dispatch import Board, branches, load_board
from client.services.dispatch_ops import drop_on_row, remove_from_journey, save_crew
from client.services.invoice_dates import branch_today
from client.ui import validators
from client.ui.context import AppContext
from client.ui.dispatch.assign_dialog import AssignDialog
from client.ui.dispatch.auto_assign import AutoAssign
from client.ui.dispatch.canvas import BoardCanvas
from client.ui.dispatch.header import BoardHeader
from client.ui.dispatch.mime import DraggedJourney
from client.ui.dispatch.side_panel import ConflictList, UnassignedList
from client.ui.fields import ReasonDialog
from client.ui.tasks import Op
from client.ui.widgets import Banner, PageHeader, button, label, page_layout

WATCHED = {
    "journey",
    "journey_crew",
    "equipment",
    "equipment_assignment",
    "equipment_check",
    "equipment_maintenance",
    "user",
    "schedule",
    "schedule_conflict",
    "availability",
    "working_hours",
    "location",
}


class DispatchView(QWidget):
    """``loaded`` fires when a board is on screen, ``message`` after each action."""

    loaded = Signal(object)  # Board
    message = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.store = ctx.workspace.store
        self.week = False
        self.location_id = uuid.UUID(str(ctx.workspace.user["location_id"]))
        self.day = branch_today(self.store, self.location_id)
        self.board: Board | None = None
        self.dialog: AssignDialog | None = None
        self.resolve_dialog: ReasonDialog | None = None
        self._generation = 0
        self._build()
        self.auto = AutoAssign(self)
        self._wire()
        self._reload_timer = QTimer(self, singleShot=True, interval=120)
        self._reload_timer.timeout.connect(self.reload)
        ctx.hub.changed.connect(self._on_tables_changed)
        self._load_branches()

    # -- layout --------------------------------------------------------------------------

    def _build(self) -> None:
        self.header = PageHeader("Dispatch", "")
        self.branch = QComboBox()
        self.branch.setMinimumWidth(180)
        self.day_button, self.week_button = button("Day"), button("Week")
        self.modes = QButtonGroup(self)
        for number, mode in enumerate((self.day_button, self.week_button)):
            mode.setCheckable(True)
            self.modes.addButton(mode, number)
        self.day_button.setChecked(True)
        self.prev_button, self.today_button = button("‹"), button("Today")
        self.next_button = button("›")
        self.auto_button = button("Auto-assign", primary=True)
        self.auto_button.setToolTip("Ask the server's solver for a plan of this day (online)")
        for w in (self.branch, self.day_button, self.week_button, self.prev_button):
            self.header.actions.addWidget(w)
        for w in (self.today_button, self.next_button, self.auto_button):
            self.header.actions.addWidget(w)
        self.banner = Banner()
        self.note = label("", "Muted")
        self.canvas = BoardCanvas()
        self.strip = BoardHeader(self.canvas)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self.canvas)
        board_card = QFrame()
        board_card.setObjectName("Card")
        inside = QVBoxLayout(board_card)
        inside.setContentsMargins(1, 1, 1, 1)
        inside.setSpacing(0)
        inside.addWidget(self.strip)
        inside.addWidget(self.scroll, 1)

        self.unassigned = UnassignedList()
        self.conflicts = ConflictList()
        self.to_assign_title = label("TO ASSIGN", "SectionTitle")
        self.conflicts_title = label("FLAGGED CONFLICTS", "SectionTitle")
        side = QFrame()
        side.setFixedWidth(300)
        column = QVBoxLayout(side)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        column.addWidget(self.to_assign_title)
        column.addWidget(self.unassigned, 3)
        column.addWidget(self.conflicts_title)
        self.conflicts_holder = QScrollArea()
        self.conflicts_holder.setWidgetResizable(True)
        self.conflicts_holder.setWidget(self.conflicts)
        column.addWidget(self.conflicts_holder, 2)

        body = QWidget()
        row = QHBoxLayout(body)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(16)
        row.addWidget(board_card, 1)
        row.addWidget(side)
        page_layout(self, self.header, self.banner, self.note, body=body, spacing=10)

    def _wire(self) -> None:
        self.prev_button.clicked.connect(lambda: self.go_to(self.day - dt.timedelta(days=1)))
        self.next_button.clicked.connect(lambda: self.go_to(self.day + dt.timedelta(days=1)))
        self.today_button.clicked.connect(
            lambda: self.go_to(branch_today(self.store, self.location_id))
        )
        self.modes.idClicked.connect(lambda mode: self.set_week(mode == 1))
        self.branch.activated.connect(self._branch_chosen)
        self.auto_button.clicked.connect(self.auto.start)
        self.canvas.dropped.connect(self.drop)
        self.canvas.open_requested.connect(self.open_assign)
        self.canvas.remove_requested.connect(self.remove)
        self.unassigned.open_requested.connect(self.open_assign)
        self.unassigned.currentItemChanged.connect(
            lambda *_: self.canvas.select(self.unassigned.current_id())
        )
        self.conflicts.resolve_requested.connect(self.ask_resolution)
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, slot in (
            ("Left", lambda: self.go_to(self.day - dt.timedelta(days=1))),
            ("Right", lambda: self.go_to(self.day + dt.timedelta(days=1))),
            ("Ctrl+Return", self.open_selected),
            ("Ctrl+Enter", self.open_selected),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(context)
            shortcut.activated.connect(slot)

    # -- loading -------------------------------------------------------------------------

    def _load_branches(self) -> None:
        Op(parent=self, op=lambda: branches(self.store)).success(
            self._show_branches
        ).run_in_background()

    def _show_branches(self, found: list[tuple[uuid.UUID, str]]) -> None:
        self.branch.clear()
        for branch_id, name in found:
            self.branch.addItem(name, branch_id)
        # By value: findData compares Python objects (UUIDs) by identity, so it never
        # found the dispatcher's own branch and the board opened on the first by name.
        ids = [branch_id for branch_id, _ in found]
        index = ids.index(self.location_id) if self.location_id in ids else -1
        if index < 0 and found:
            self.location_id, index = found[0][0], 0
        self.branch.setCurrentIndex(index)
        self.branch.setVisible(len(found) > 1)
        self.reload()

    def _branch_chosen(self, index: int) -> None:
        self.location_id = self.branch.itemData(index)
        self.reload()

    @property
    def first_day(self) -> dt.date:
        return self.day - dt.timedelta(days=self.day.weekday()) if self.week else self.day

    def go_to(self, day: dt.date) -> None:
        self.day = day
        self.reload()

    def set_week(self, week: bool) -> None:
        self.week = week
        (self.week_button if week else self.day_button).setChecked(True)
        self.reload()

    def _on_tables_changed(self, tables: set[str]) -> None:
        if tables & WATCHED:
            self._reload_timer.start()

    def reload(self) -> None:
        if self.store.closed:
            return  # the window is closing: its replica went first
        self._generation += 1
        generation, location, first = self._generation, self.location_id, self.first_day
        days = 7 if self.week else 1
        Op(parent=self, op=lambda: load_board(self.store, location, first, days)).success(
            lambda board: self._show(generation, board)
        ).run_in_background()

    def _show(self, generation: int, board: Board) -> None:
        if generation != self._generation:
            return  # a newer reload is on its way
        self.board = board
        self.canvas.show_board(board)
        self.strip.update()
        waiting = board.unassigned()
        self.unassigned.show_cards(waiting, board.tz)
        self.conflicts.show_conflicts(board)
        self.to_assign_title.setText(f"TO ASSIGN  ·  {len(waiting)}")
        self.conflicts_title.setText(f"FLAGGED CONFLICTS  ·  {len(board.recorded)}")
        self.conflicts_title.setVisible(bool(board.recorded))
        self.conflicts_holder.setVisible(bool(board.recorded))
        days = board.days
        when = (
            f"{days[0]:%a %b} {days[0].day} – {days[-1]:%a %b} {days[-1].day}, {days[-1].year}"
            if len(days) > 1
            else f"{days[0]:%A, %B} {days[0].day}, {days[0].year}"
        )
        red = len({b.journey_id for b in board.blocks if b.problems})
        parts = [board.location_name, when, f"{len(board.journeys)} journeys"]
        parts.append(f"{red} with conflicts" if red else "no conflicts")
        self.header.subtitle.setText("  ·  ".join(parts))
        self.auto_button.setToolTip(f"Propose crews and trucks for {self.day:%A %B} {self.day.day}")
        self.loaded.emit(board)

    # -- actions -------------------------------------------------------------------------

    def selected_journey(self) -> uuid.UUID | None:
        return self.canvas.selected or self.unassigned.current_id()

    def open_selected(self) -> None:
        journey_id = self.selected_journey()
        if journey_id is None:
            self.show_note("Select a journey first (click a block or a card), then Ctrl+Enter")
            return
        self.open_assign(journey_id)

    def open_assign(self, journey_id: uuid.UUID) -> AssignDialog | None:
        if self.board is None or journey_id not in self.board.journeys:
            return None
        dialog = AssignDialog(self.board, journey_id, self)
        dialog.accepted.connect(lambda: self._save_dialog(dialog))
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _save_dialog(self, dialog: AssignDialog) -> None:
        choice, journey_id = dialog.choice(), dialog.journey_id
        self.run(lambda: save_crew(self.ctx.workspace.writes, journey_id, choice))

    def drop(self, dragged: DraggedJourney, kind: str, resource_id: uuid.UUID) -> None:
        writes = self.ctx.workspace.writes
        self.run(
            lambda: drop_on_row(
                writes,
                dragged.journey_id,
                kind,
                resource_id,
                from_kind=dragged.from_kind,
                from_id=dragged.from_id,
            )
        )

    def remove(self, journey_id: uuid.UUID, kind: str, resource_id: uuid.UUID) -> None:
        writes = self.ctx.workspace.writes
        self.run(lambda: remove_from_journey(writes, journey_id, kind, resource_id))

    def ask_resolution(self, conflict: OpenConflict) -> ReasonDialog:
        """Ask how the conflict was resolved (required); the note is kept with it for everyone.

        ``open()``, not ``exec()``: a sync reloading the board meanwhile runs no nested loop.
        """
        writes = self.ctx.workspace.writes
        dialog = ReasonDialog(
            "Resolve conflict",
            "Say how it was settled: the note is kept with the conflict, for everyone.",
            caption="How was it resolved?",
            check=validators.required_text("Say how the conflict was resolved.", 1000),
            write=lambda note: resolve_conflict(writes, conflict.id, note),
            name="note",
            placeholder="e.g. Moved Sam to the afternoon crew",
            save_text="Resolve",
            parent=self,
        )
        dialog.saved.connect(lambda _: self._done("Conflict resolved"))
        dialog.finished.connect(dialog.deleteLater)
        self.resolve_dialog = dialog
        dialog.open()
        return dialog

    def run(self, op: Callable[[], str]) -> None:
        """A write on the database worker; its sentence or its refusal shown, then a reload."""
        Op(parent=self, op=op).success(self._done).failure(self._refused).run_in_background()

    def _done(self, text: str) -> None:
        self.banner.hide()
        self.show_note(text)
        self.reload()

    def _refused(self, exc: BaseException) -> None:
        self.show_banner(str(exc) or type(exc).__name__, "error")
        self.reload()

    def show_note(self, text: str) -> None:
        self.note.setText(text)
        self.message.emit(text)

    def show_banner(self, text: str, kind: str = "warning") -> None:
        self.banner.show_message(text, kind=kind)
        self.message.emit(text)
