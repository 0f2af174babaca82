"""Maintenance: the fleet's shop jobs, so a grounded truck can be booked, repaired and released.

A list of jobs (open ones first) and a detail pane with the actions the job's
status allows; a disabled action says why in its tooltip. Reads and writes
are ``MaintenanceService`` calls on the database worker; the screen reloads
when jobs or units change, here or by a sync.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from client.services.crew import Truck, fleet_units
from client.services.maintenance import Completed, MaintenanceJob, MaintenanceService
from client.ui import format as fmt
from client.ui import validators
from client.ui.context import AppContext
from client.ui.detail_pane import DetailPane, fields_card
from client.ui.fields import FormDialog, ReasonDialog
from client.ui.invoice_payment import explain
from client.ui.maintenance_forms import BookDialog, CompleteDialog, NewJobDialog
from client.ui.paged_model import RIGHT, Column, ListSource, PagedTableModel
from client.ui.tables import make_table, size_columns
from client.ui.tasks import Op
from client.ui.widgets import (
    Banner,
    Card,
    ChipDelegate,
    ChipLabel,
    PageHeader,
    button,
    label,
    list_and_pane,
    page_layout,
)
from shared_models.rules.maintenance import Action
from shared_models.rules.scheduling.intervals import zone

WATCHED = {"equipment_maintenance", "equipment", "equipment_check"}
#: Chip colours by meaning (the shared palette is keyed by other workflows' statuses).
TONE = {
    "SCHEDULED": "SENT",
    "IN_PROGRESS": "IN_PROGRESS",
    "COMPLETED": "COMPLETED",
    "CANCELLED": "ARCHIVED",
    "OVERDUE": "EXPIRED",
    "REPAIR": "REJECTED",
    "MAINTENANCE": "EXPIRED",
    "ACTIVE": "ACTIVE",
}
SELECT_FIRST = "Select a job first."


def status_text(job: MaintenanceJob) -> str:
    return "Overdue" if job.overdue(job.branch_today()) else fmt.humanize(job.status)


def status_tone(job: MaintenanceJob) -> str:
    overdue = job.overdue(job.branch_today())
    return TONE["OVERDUE"] if overdue else TONE.get(job.status, job.status)


def shop_day(job: MaintenanceJob) -> str:
    """The day the work was done, or is booked, at the unit's branch."""
    if job.performed_at is not None:
        return fmt.date(job.performed_at.astimezone(zone(job.zone)).date())
    if job.scheduled_date is None:
        return "Not booked" if job.open else ""
    return fmt.date(job.scheduled_date)


COLUMNS: list[Column[MaintenanceJob]] = [
    Column("Unit", lambda j: j.unit_number, width=104),
    Column("Type", lambda j: fmt.humanize(j.type), width=105),
    Column("Status", status_text, tag=status_tone, width=118),
    Column("Date", shop_day, width=112),
    Column("What", lambda j: j.description.splitlines()[0] if j.description else ""),
    Column("Cost", lambda j: fmt.money(j.cost, j.currency), align=RIGHT, width=92),
]
STATUS_COLUMN, WHAT_COLUMN = 2, 4


def unit_state(job: MaintenanceJob) -> str:
    """ "T1 in repair", "T1 in service", "T1 retired"."""
    status = job.unit_status
    if status == "ACTIVE":
        return f"{job.unit_number} in service"
    if status in ("REPAIR", "MAINTENANCE"):
        return f"{job.unit_number} in {status.lower()}"
    return f"{job.unit_number} {status.lower()}"


def _readings(job: MaintenanceJob) -> str:
    parts = []
    if job.odometer_km is not None:
        parts.append(f"{job.odometer_km:,} km")
    if job.engine_hours is not None:
        parts.append(f"{job.engine_hours:,} h")
    return " · ".join(parts)


def _summary(jobs: list[MaintenanceJob]) -> str:
    """ "3 open jobs · 1 in the shop · 2 units out of service"."""
    open_jobs = [j for j in jobs if j.open]
    in_shop = sum(1 for j in open_jobs if j.status == "IN_PROGRESS")
    grounded = len({j.unit_number for j in open_jobs if j.unit_status in ("REPAIR", "MAINTENANCE")})
    parts = [
        f"{len(open_jobs)} open job{'s' if len(open_jobs) != 1 else ''}",
        f"{in_shop} in the shop",
    ]
    if grounded:
        parts.append(f"{grounded} unit{'s' if grounded != 1 else ''} out of service")
    return " · ".join(parts)


class MaintenanceView(QWidget):
    """``loaded`` after each list load; ``acted`` once a write committed (tests wait on both)."""

    loaded = Signal(object)  # list[MaintenanceJob]
    acted = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.store = ctx.workspace.store
        self.service = MaintenanceService(ctx.workspace.writes)
        self.jobs: list[MaintenanceJob] = []  # listed (the filter's)
        self.all_jobs: list[MaintenanceJob] = []
        self.shown: MaintenanceJob | None = None
        self.may_update = self.may_create = False
        self.permissions_known = False
        self.dialog: FormDialog | None = None
        self._select_next: uuid.UUID | None = None
        self._build()
        ctx.hub.changed.connect(self.on_tables_changed)
        Op(parent=self, op=self._permissions_read).success(self._permissions).run_in_background()
        self.reload()

    # -- layout --------------------------------------------------------------------------

    def _build(self) -> None:
        self.header = PageHeader("Maintenance", "")
        self.scope = QComboBox()
        self.scope.addItem("Open jobs", True)
        self.scope.addItem("All jobs", False)
        self.scope.setMinimumWidth(150)
        self.new_button = button("New job…", primary=True)
        self.header.actions.addWidget(self.scope)
        self.header.actions.addWidget(self.new_button)
        self.banner = Banner()

        self.model: PagedTableModel[MaintenanceJob] = PagedTableModel(COLUMNS, parent=self)
        self.table = make_table(COLUMNS, self)  # type: ignore[arg-type]
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(STATUS_COLUMN, ChipDelegate(self.table))
        size_columns(self.table, COLUMNS, stretch=WHAT_COLUMN)  # type: ignore[arg-type]

        self.book_button = button("Book date…")
        self.start_button = button("Start")
        self.complete_button = button("Complete…", primary=True)
        self.cancel_button = button("Cancel…")
        self.buttons: dict[Action, QPushButton] = {
            Action.BOOK: self.book_button,
            Action.START: self.start_button,
            Action.COMPLETE: self.complete_button,
            Action.CANCEL: self.cancel_button,
        }
        bar = QHBoxLayout()
        bar.setSpacing(8)
        for widget in self.buttons.values():
            bar.addWidget(widget)
        bar.addStretch(1)
        self.pane = DetailPane("Select a job to see its unit, readings and shop bill.")
        side = QWidget()
        side.setMinimumWidth(440)
        column = QVBoxLayout(side)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(10)
        column.addLayout(bar)
        column.addWidget(self.pane, 1)
        self.splitter = list_and_pane(self.table, side, (700, 460))
        page_layout(self, self.header, self.banner, body=self.splitter)

        self.scope.currentIndexChanged.connect(lambda _: self._loaded(self.all_jobs))
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.new_button.clicked.connect(self.new_job)
        self.book_button.clicked.connect(self.book)
        self.start_button.clicked.connect(self.start)
        self.complete_button.clicked.connect(self.complete)
        self.cancel_button.clicked.connect(self.cancel)
        self._update_buttons()

    # -- loading -------------------------------------------------------------------------

    def _permissions_read(self) -> tuple[bool, bool]:
        return self.service.may_update(), self.service.may_create()

    def _permissions(self, granted: tuple[bool, bool]) -> None:
        self.may_update, self.may_create = granted
        self.permissions_known = True
        self._update_buttons()

    def on_tables_changed(self, tables: set[str]) -> None:
        if tables & WATCHED:
            self.reload()

    def reload(self) -> None:
        service = self.service
        Op(parent=self, op=service.jobs).success(self._loaded).run_in_background()

    def _loaded(self, jobs: list[MaintenanceJob]) -> None:
        """List the filter's jobs; the pane keeps its job even when it left the filter."""
        self.all_jobs = jobs
        self.jobs = [j for j in jobs if j.open] if self.scope.currentData() else jobs
        self.model.set_source(ListSource(self.jobs))
        self.header.subtitle.setText(_summary(jobs))
        shown = self._select_next or (self.shown.id if self.shown is not None else None)
        if self._select_next in {j.id for j in jobs}:
            self._select_next = None
        self.shown = next((j for j in jobs if j.id == shown), None)
        if self.shown is None:
            self.pane.clear(self._empty_text())
        else:
            self._select_row(self.shown.id)
            self._render(self.shown)
        self._update_buttons()
        self.loaded.emit(self.jobs)

    def _empty_text(self) -> str:
        if not self.jobs:
            if self.scope.currentData():
                return "No open maintenance jobs: every unit is on the road."
            return "No maintenance jobs on this computer yet; they arrive with the next sync."
        return "Select a job to see its unit, readings and shop bill."

    # -- selection and detail ------------------------------------------------------------

    def select_job(self, job_id: uuid.UUID) -> None:
        self.shown = next((j for j in self.all_jobs if j.id == job_id), None)
        if self.shown is not None:
            self._select_row(job_id)
            self._render(self.shown)
        self._update_buttons()

    def _select_row(self, job_id: uuid.UUID) -> None:
        number = next((n for n, j in enumerate(self.jobs) if j.id == job_id), None)
        if number is None:
            return
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | (
            QItemSelectionModel.SelectionFlag.Rows
        )
        selection = self.table.selectionModel()
        selection.blockSignals(True)
        selection.select(self.model.index(number, 0), flags)
        selection.blockSignals(False)

    def _selected(self, selected: QItemSelection, _: QItemSelection) -> None:
        rows = selected.indexes()
        job = self.model.row(rows[0]) if rows else None
        if job is not None:
            self.select_job(job.id)

    def _render(self, job: MaintenanceJob) -> None:
        title = label(f"{job.unit_number} · {job.unit_name}", "DetailTitle", wrap=True)
        chips = QHBoxLayout()
        chips.setSpacing(6)
        chips.addWidget(ChipLabel(status_tone(job), status_text(job)))
        chips.addWidget(ChipLabel("DRAFT", fmt.humanize(job.type)))
        chips.addWidget(ChipLabel(TONE.get(job.unit_status, "DRAFT"), unit_state(job)))
        chips.addStretch(1)
        head = Card()
        head.body.addWidget(title)
        head.body.addLayout(chips)
        head.body.addWidget(label(job.description, wrap=True))
        when = job.found_at
        found = f"Inspection failed {fmt.datetime_local(when, job.zone)}" if when else ""
        plan = fields_card(
            "Job",
            [
                ("Shop day", fmt.date(job.scheduled_date) or ("Not booked" if job.open else "")),
                ("Opened by", found),
                ("Done", fmt.datetime_local(job.performed_at, job.zone)),
                ("Readings", _readings(job)),
            ],
        )
        bill = fields_card(
            "Shop",
            [
                ("Shop", job.vendor_name or ""),
                ("Work order", job.vendor_reference or ""),
                ("Cost", fmt.money(job.cost, job.currency)),
                ("Notes", job.notes or ""),
            ],
        )
        self.pane.show_widgets([head, plan, bill])

    def _update_buttons(self) -> None:
        job = self.shown
        for action, widget in self.buttons.items():
            if job is None:
                why: str | None = SELECT_FIRST
            else:
                why = self.service.refusal(job, action, may_update=self.may_update)
            widget.setEnabled(why is None)
            widget.setToolTip(why or "")
        self.new_button.setEnabled(self.may_create)
        self.new_button.setToolTip(
            "" if self.may_create else "Your role may read maintenance jobs but not open them."
        )

    # -- actions -------------------------------------------------------------------------

    def book(self) -> BookDialog | None:
        if self.shown is None:
            return None
        return self._open(BookDialog(self.service, self.shown, self), self._booked)

    def complete(self) -> CompleteDialog | None:
        if self.shown is None:
            return None
        return self._open(CompleteDialog(self.service, self.shown, self), self._completed)

    def new_job(self) -> None:
        """List the serviceable units on the worker, then ask (``dialog`` holds the form)."""
        if not self.may_create:
            return
        store, service = self.store, self.service
        Op(parent=self, op=lambda: (fleet_units(store), service.unit_zones())).success(
            self._ask_new_job
        ).failure(self._failed).run_in_background()

    def _ask_new_job(self, found: tuple[list[Truck], dict[uuid.UUID, str]]) -> None:
        units, zones = found
        self._open(NewJobDialog(self.service, units, self, zones=zones), self._created)

    def cancel(self) -> ReasonDialog | None:
        job, service = self.shown, self.service
        if job is None:
            return None
        dialog = ReasonDialog(
            "Cancel maintenance job",
            f"{job.unit_number}: {job.description}",
            caption="Why is it cancelled?",
            check=validators.required_text("Say why the job is cancelled.", 500),
            write=lambda reason: service.cancel(job.id, reason),
            placeholder="e.g. Done by the dealer under warranty",
            save_text="Cancel job",
            cancel_text="Keep it",
            parent=self,
        )
        return self._open(dialog, lambda _: self._after("cancelled", "The job is cancelled."))

    def start(self) -> None:
        job, service = self.shown, self.service
        if job is None:
            return
        Op(parent=self, op=lambda: service.start(job.id)).success(
            lambda _: self._after("started", f"{job.unit_number} is in the shop.")
        ).failure(self._failed).run_in_background()

    def _open(self, dialog: Any, done: Callable[[Any], None]) -> Any:
        """``open()``, not ``exec()``: a sync may reload the screen while the dialog is up."""
        dialog.saved.connect(done)
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _booked(self, day: dt.date | None) -> None:
        text = f"Booked for {fmt.date(day)}." if day else "The shop day is cleared."
        self._after("booked", text)

    def _completed(self, done: Completed) -> None:
        unit = self.shown.unit_number if self.shown is not None else "The unit"
        if done.unit_status == "ACTIVE":
            text = f"Job completed: {unit} is back in service."
        elif done.still_open:
            text = f"Job completed. {unit} stays out of service: {done.still_open[0]}."
        else:
            text = "Job completed."
        self._after("completed", text)

    def _created(self, job_id: uuid.UUID) -> None:
        self._select_next = job_id  # shown once the reload the write triggers lists it
        self._after("opened", "Job opened: book its shop day when the shop confirms.")

    def _after(self, what: str, text: str) -> None:
        self.banner.show_message(text, kind="info")
        self.acted.emit(what)

    def _failed(self, exc: BaseException) -> None:
        self.banner.show_message(f"Not done: {explain(exc)}", kind="error")
