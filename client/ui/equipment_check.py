"""Equipment check: the pre-trip inspection of a unit, item by item, offline.

The checklist is the shared one (``shared_models.rules.fleet``); a failed item
needs a note; a failed safety item warns before submitting that the unit goes
out of service. ``FleetService.record_check`` stores it on the database worker.
"""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from client.services.crew import Truck, crew_today, fleet_units, my_journeys
from client.services.fleet import CheckRecorded, FleetService
from client.ui.context import AppContext
from client.ui.field_widgets import FIELD_QSS, big_button, clear_layout, status_chip
from client.ui.fields import Field
from client.ui.format import humanize
from client.ui.journey_panels import show_error
from client.ui.tasks import Op
from client.ui.widgets import Card, PageHeader, label, page_layout
from shared_models.enums import CheckResult
from shared_models.rules.errors import RuleViolation
from shared_models.rules.fleet import ChecklistItem, checklist_for

R = CheckResult
MAX_ODOMETER_KM = 3_000_000


def odometer_error(text: str, *, required: bool) -> str | None:
    text = text.strip().replace(",", "").replace(" ", "")
    if not text:
        return "Enter the odometer reading in km." if required else None
    if not text.isdigit():
        return "Whole kilometres only, e.g. 152340."
    if int(text) > MAX_ODOMETER_KM:
        return "That reading is too high: check the digits."
    return None


class ItemRow(QWidget):
    """One checklist line: Pass / Fail (/ N/A), and a note that a failure requires."""

    changed = Signal()

    def __init__(self, item: ChecklistItem, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 4, 0, 4)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(2)
        title = label(item.label, "EventTitle", wrap=True)
        grid.addWidget(title, 0, 0)
        if item.safety_critical:
            grid.addWidget(status_chip_text("Safety", "REPAIR"), 0, 1)
        self.note = QLineEdit()
        self.note.setPlaceholderText("Note (required if it fails)")
        self.note.setFixedWidth(320)
        grid.addWidget(self.note, 0, 2)
        self.group = QButtonGroup(self)
        self.buttons: dict[CheckResult, QPushButton] = {}
        options = [(R.PASS, "Pass", "pass"), (R.FAIL, "Fail", "fail")]
        if item.optional:
            options.append((R.NOT_APPLICABLE, "N/A", "na"))
        toggles = QHBoxLayout()
        toggles.setSpacing(6)
        for result, text, kind in options:
            toggle = QPushButton(text)
            toggle.setCheckable(True)
            toggle.setProperty("toggle", True)
            toggle.setProperty("kind", kind)
            toggle.setFixedWidth(78)
            toggle.setCursor(Qt.CursorShape.PointingHandCursor)
            self.group.addButton(toggle)
            self.buttons[result] = toggle
            toggles.addWidget(toggle)
        if not item.optional:
            toggles.addSpacing(84)  # keeps the Pass/Fail columns aligned down the list
        grid.addLayout(toggles, 0, 3)
        self.error = label("", "FieldError")
        self.error.hide()
        grid.addWidget(self.error, 1, 2, 1, 2)
        grid.setColumnStretch(0, 1)
        self.group.buttonToggled.connect(lambda *_: self._changed())
        self.note.textChanged.connect(lambda _: self._changed())

    def result(self) -> CheckResult | None:
        for result, toggle in self.buttons.items():
            if toggle.isChecked():
                return result
        return None

    def set_result(self, result: CheckResult, note: str = "") -> None:
        self.buttons[result].setChecked(True)
        if note:
            self.note.setText(note)

    def error_text(self) -> str | None:
        if self.result() is R.FAIL and not self.note.text().strip():
            return "Say what is wrong: a failed item needs a note."
        return None

    def answer(self) -> dict[str, Any]:
        return {
            "code": self.item.code,
            "result": self.result(),
            "note": self.note.text().strip() or None,
        }

    def _changed(self) -> None:
        show_error(self.error, self.error_text())
        self.changed.emit()


def status_chip_text(text: str, status: str) -> QWidget:
    chip = status_chip(status)
    chip.setText(text)
    return chip


class EquipmentCheckView(QWidget):
    """``loaded`` once the units are listed; ``recorded`` after a check is stored."""

    loaded = Signal()
    recorded = Signal(object)  # CheckRecorded

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.store = ctx.workspace.store
        self.user_id = uuid.UUID(str(ctx.workspace.user["id"]))
        self.units: list[Truck] = []
        self.journey_for: dict[uuid.UUID, uuid.UUID] = {}
        self.rows: list[ItemRow] = []
        self.setStyleSheet(FIELD_QSS)

        self.header = PageHeader("Equipment check", "Pre-trip inspection before the truck leaves")
        self.unit = QComboBox()
        self.unit.setMinimumWidth(380)
        self.unit_status = QWidget()
        self.odometer = Field(
            "Odometer (km)", lambda t: odometer_error(t, required=self._needs_km())
        )
        self.odometer.edit.setPlaceholderText("e.g. 152340")
        top = Card()
        row = QHBoxLayout()
        row.setSpacing(18)
        unit_box = QVBoxLayout()
        self.status_holder = QHBoxLayout()
        self.status_holder.setSpacing(8)
        unit_title = QHBoxLayout()
        unit_title.addWidget(label("Unit", "EventTitle"))
        unit_title.addLayout(self.status_holder)
        unit_title.addStretch(1)
        unit_box.addLayout(unit_title)
        unit_box.addWidget(self.unit)
        row.addLayout(unit_box)
        row.addWidget(self.odometer)
        row.addStretch(1)
        top.body.addLayout(row)

        self.checklist = Card()
        self.checklist_title = label("CHECKLIST", "SectionTitle")
        self.checklist.body.addWidget(self.checklist_title)
        self.items_box = QVBoxLayout()
        self.items_box.setSpacing(2)
        self.checklist.body.addLayout(self.items_box)

        self.warning = label("", "DangerBox", wrap=True)
        self.warning.setContentsMargins(14, 10, 14, 10)
        self.warning.hide()
        self.result = label("", wrap=True)
        self.result.setContentsMargins(14, 10, 14, 10)
        self.result.hide()
        self.progress = label("", "Muted")
        self.submit = big_button("Submit check", primary=True)
        footer = QHBoxLayout()
        footer.addWidget(self.progress, 1)
        footer.addWidget(self.submit)

        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 8, 8)
        column.setSpacing(12)
        for widget in (top, self.result, self.checklist):
            column.addWidget(widget)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)
        layout = page_layout(self, self.header, body=scroll, spacing=12)
        layout.addWidget(self.warning)  # the footer stays in view below the scrolling form
        layout.addLayout(footer)

        self.unit.currentIndexChanged.connect(self._unit_chosen)
        self.odometer.edit.textChanged.connect(lambda _: self.validate())
        self.submit.clicked.connect(self.submit_check)
        self.reload()

    # -- loading -------------------------------------------------------------------------

    def reload(self) -> None:
        def read() -> tuple[list[Truck], list[Any]]:
            today = crew_today(self.store, self.user_id)  # at the branch, not the laptop
            return fleet_units(self.store), my_journeys(self.store, self.user_id, today)

        Op(parent=self, op=read).success(lambda out: self._units(*out)).run_in_background()

    def _units(self, units: list[Truck], journeys: list[Any]) -> None:
        self.units = units
        self.journey_for = {j.truck.id: j.id for j in journeys if j.truck is not None}
        todays = next((j.truck.id for j in journeys if j.truck is not None), None)
        self.unit.blockSignals(True)
        self.unit.clear()
        for unit in units:
            mark = "  — today's truck" if unit.id == todays else ""
            self.unit.addItem(f"{unit.unit_number} · {unit.name}{mark}", unit.id)
        self.unit.blockSignals(False)
        ids = [u.id for u in units]
        self.unit.setCurrentIndex(ids.index(todays) if todays in ids else 0)
        self._unit_chosen()
        self.loaded.emit()

    def current_unit(self) -> Truck | None:
        index = self.unit.currentIndex()
        return self.units[index] if 0 <= index < len(self.units) else None

    def select_unit(self, unit_id: uuid.UUID) -> None:
        self.unit.setCurrentIndex([u.id for u in self.units].index(unit_id))

    def _unit_chosen(self) -> None:
        unit = self.current_unit()
        clear_layout(self.status_holder)
        for row in self.rows:
            row.hide()
            row.deleteLater()
        self.rows = []
        if unit is None:
            self.progress.setText("No equipment on this device yet: sync once.")
            self.validate()
            return
        self.status_holder.addWidget(status_chip(unit.status))
        self.checklist_title.setText(f"{humanize(unit.type).upper()} CHECKLIST")
        for item in checklist_for(unit.type):
            row = ItemRow(item)
            row.changed.connect(self.validate)
            self.rows.append(row)
            self.items_box.addWidget(row)
        self.odometer.refresh()
        self.validate()

    # -- validation ----------------------------------------------------------------------

    def _needs_km(self) -> bool:
        unit = self.current_unit()
        return unit is not None and unit.type == "TRUCK"

    def validate(self) -> bool:
        left = sum(1 for r in self.rows if r.result() is None)
        notes = sum(1 for r in self.rows if r.error_text())
        km = self.odometer.error()
        parts = []
        if left:
            parts.append(f"{left} item{'s' if left != 1 else ''} left to check")
        if notes:
            parts.append(f"{notes} failed item{'s' if notes != 1 else ''} without a note")
        if km:
            parts.append("odometer reading missing" if not self.odometer.text.strip() else km)
        self.progress.setText(" · ".join(parts) or "Ready to submit")
        failed = [r.item for r in self.rows if r.result() is R.FAIL and r.item.safety_critical]
        unit = self.current_unit()
        if failed and unit is not None:
            worst = "REPAIR" if any(i.on_fail == "REPAIR" for i in failed) else "MAINTENANCE"
            names = ", ".join(i.label for i in failed)
            self.warning.setText(
                f"⚠  Safety item failed: {names}. Submitting takes {unit.unit_number} out of "
                f"service ({humanize(worst)}) and opens a repair job. Do not drive it. "
                "Dispatch will see it after the next sync."
            )
        self.warning.setVisible(bool(failed))
        ok = unit is not None and not parts
        self.submit.setEnabled(ok)
        return ok

    # -- submitting ----------------------------------------------------------------------

    def submit_check(self) -> None:
        self.odometer.refresh(force=True)
        unit = self.current_unit()
        if unit is None or not self.validate():
            return
        text = self.odometer.text.strip().replace(",", "").replace(" ", "")
        items = [r.answer() for r in self.rows]
        service = FleetService(self.ctx.workspace.writes)
        journey = self.journey_for.get(unit.id)
        self.submit.setEnabled(False)
        Op(
            parent=self,
            op=lambda: service.record_check(
                equipment_id=unit.id,
                items=items,
                odometer_km=int(text) if text else None,
                journey_id=journey,
            ),
        ).success(lambda done: self._recorded(unit, done)).failure(
            self._refused
        ).run_in_background()

    def _recorded(self, unit: Truck, done: CheckRecorded) -> None:
        outcome = done.outcome
        if outcome.status is not None:
            self.result.setObjectName("DangerBox")
            self.result.setText(
                f"{unit.unit_number} is out of service ({humanize(outcome.status)}): "
                f"{outcome.defects_summary}. A repair job opens when this check reaches the "
                "office; dispatch will see it after the next sync."
            )
        elif outcome.failed:
            self.result.setObjectName("WarnBox")
            self.result.setText(f"Check saved with defects: {outcome.defects_summary}.")
        else:
            self.result.setObjectName("OkBox")
            self.result.setText(f"✓  {unit.unit_number} passed its check. Safe trip!")
        self.result.style().unpolish(self.result)
        self.result.style().polish(self.result)
        self.result.show()
        self.warning.hide()
        self.recorded.emit(done)
        self.reload()

    def _refused(self, exc: BaseException) -> None:
        text = exc.message if isinstance(exc, RuleViolation) else str(exc)
        self.progress.setText(text)
        self.submit.setEnabled(True)
