"""Assign a journey's crew and trucks with checkboxes, seeing who is free.

People: one Lead (for the whole crew), Mover or Driver per person. Trucks: tick
the units. The summary under the lists applies the shared rules live (crew
size, a lead, a licensed driver per truck, capacity); problems are shown,
never blocking: a dispatcher may knowingly book a tight day.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from client.services.crew_assignment import CrewChoice
from client.services.dispatch import Board
from client.services.dispatch_free import Candidate, candidates
from client.ui.style import DANGER, MUTED, OK
from client.ui.widgets import label
from shared_models.enums import CrewRole
from shared_models.rules.scheduling import DriverInfo, driver_matching

LEAD_COL, MOVER_COL, DRIVER_COL = 1, 2, 3
ROLE_OF = {LEAD_COL: CrewRole.LEAD, MOVER_COL: CrewRole.MOVER, DRIVER_COL: CrewRole.DRIVER}
ID = Qt.ItemDataRole.UserRole
ON, OFF = Qt.CheckState.Checked, Qt.CheckState.Unchecked


def _tree(headers: list[str]) -> QTreeWidget:
    tree = QTreeWidget()
    tree.setHeaderLabels(headers)
    tree.setRootIsDecorated(False)
    tree.setUniformRowHeights(True)
    tree.setAlternatingRowColors(True)
    tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    tree.header().setStretchLastSection(True)
    return tree


class AssignDialog(QDialog):
    def __init__(self, board: Board, journey_id: uuid.UUID, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.board, self.journey_id = board, journey_id
        card = board.journeys[journey_id]
        self.card = card
        self.setWindowTitle(f"Assign {card.row.label}")
        self.resize(760, 640)
        people, trucks = candidates(board, journey_id)
        self.candidates = {c.id: c for c in people + trucks}
        box = QVBoxLayout(self)
        box.setContentsMargins(20, 18, 20, 16)
        box.setSpacing(10)
        box.addWidget(label(f"Assign {card.row.label} — {card.row.customer}", "DetailTitle"))
        volume = f" · {card.row.volume_cuft:,.0f} cu ft" if card.row.volume_cuft else ""
        box.addWidget(
            label(
                f"{card.row.day:%A %b} {card.row.day.day} · {card.time_label(board.tz)} · "
                f"needs {card.row.crew_size_required} people, {card.row.truck_count} truck"
                f"{'s' if card.row.truck_count != 1 else ''}{volume}",
                "PageSubtitle",
            )
        )
        box.addWidget(label("CREW", "SectionTitle"))
        self.people = _tree(["Person", "Lead", "Mover", "Driver", "Availability"])
        for c in people:
            self.people.addTopLevelItem(self._person_item(c))
        self.people.itemChanged.connect(self._person_changed)
        box.addWidget(self.people, 3)
        box.addWidget(label("TRUCKS", "SectionTitle"))
        self.trucks = _tree(["Unit", "Size and licence", "Availability"])
        for c in trucks:
            self.trucks.addTopLevelItem(self._truck_item(c))
        self.trucks.setColumnWidth(1, 210)
        self.trucks.itemChanged.connect(lambda *_: self._summarise())
        box.addWidget(self.trucks, 2)
        self.summary = label("", wrap=True)
        box.addWidget(self.summary)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("Save assignment")
        self.save_button.setProperty("primary", True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box.addWidget(buttons)
        self._summarise()

    # -- rows ----------------------------------------------------------------------------

    def _person_item(self, c: Candidate) -> QTreeWidgetItem:
        item = QTreeWidgetItem([f"{c.name}\n{c.detail}", "", "", "", c.status])
        item.setData(0, ID, c.id)
        role = self.card.row.crew.get(c.id)
        for col, wanted in ROLE_OF.items():
            item.setCheckState(col, ON if role is wanted else OFF)
        if role is CrewRole.HELPER:
            item.setCheckState(MOVER_COL, ON)
        item.setForeground(4, QColor(OK if c.free else DANGER))
        item.setToolTip(4, c.status)
        return item

    def _truck_item(self, c: Candidate) -> QTreeWidgetItem:
        item = QTreeWidgetItem([c.name, c.detail, c.status])
        item.setData(0, ID, c.id)
        item.setCheckState(0, ON if c.id in self.card.row.truck_ids else OFF)
        item.setForeground(2, QColor(OK if c.free else DANGER))
        item.setToolTip(2, c.status)
        return item

    def person_item(self, user_id: uuid.UUID) -> QTreeWidgetItem:
        for i in range(self.people.topLevelItemCount()):
            if self.people.topLevelItem(i).data(0, ID) == user_id:
                return self.people.topLevelItem(i)
        raise LookupError(f"no person {user_id} in the dialog")

    def truck_item(self, truck_id: uuid.UUID) -> QTreeWidgetItem:
        for i in range(self.trucks.topLevelItemCount()):
            if self.trucks.topLevelItem(i).data(0, ID) == truck_id:
                return self.trucks.topLevelItem(i)
        raise LookupError(f"no truck {truck_id} in the dialog")

    def _person_changed(self, item: QTreeWidgetItem, column: int) -> None:
        """One role per person and one lead per crew: ticking a box clears its rivals."""
        if column not in ROLE_OF or item.checkState(column) != ON:
            self._summarise()
            return
        self.people.blockSignals(True)
        for col in ROLE_OF:
            if col != column:
                item.setCheckState(col, OFF)
        if column == LEAD_COL:
            for i in range(self.people.topLevelItemCount()):
                other = self.people.topLevelItem(i)
                if other is not item and other.checkState(LEAD_COL) == ON:
                    other.setCheckState(LEAD_COL, OFF)
                    other.setCheckState(MOVER_COL, ON)
        self.people.blockSignals(False)
        self._summarise()

    # -- answer --------------------------------------------------------------------------

    def choice(self) -> CrewChoice:
        roles: dict[uuid.UUID, CrewRole] = {}
        for i in range(self.people.topLevelItemCount()):
            item = self.people.topLevelItem(i)
            for col, role in ROLE_OF.items():
                if item.checkState(col) == ON:
                    roles[item.data(0, ID)] = role
        lead = next((u for u, r in roles.items() if r is CrewRole.LEAD), None)
        trucks = tuple(
            self.trucks.topLevelItem(i).data(0, ID)
            for i in range(self.trucks.topLevelItemCount())
            if self.trucks.topLevelItem(i).checkState(0) == ON
        )
        return CrewChoice(roles, lead, trucks)

    def problems(self) -> list[str]:
        """What the shared rules would flag about the current ticks."""
        choice, row, board = self.choice(), self.card.row, self.board
        found = []
        if len(choice.roles) < row.crew_size_required:
            found.append(f"Needs {row.crew_size_required} people, {len(choice.roles)} chosen")
        if choice.crew_lead_id is None:
            found.append("No crew lead")
        persons = [board.persons[u] for u in choice.roles if u in board.persons]
        drivers = [
            DriverInfo(p.id, p.name, p.has_drivers_license, p.license_class) for p in persons
        ]
        trucks = [board.truck_info[t] for t in choice.truck_ids if t in board.truck_info]
        matched = driver_matching(trucks, drivers)
        found += [f"Nobody chosen may drive {t.unit_number}" for t in trucks if t.id not in matched]
        capacity = sum(t.capacity_cuft or 0 for t in trucks)
        if row.volume_cuft and trucks and capacity < row.volume_cuft:
            found.append(f"Trucks hold {capacity:,.0f} cu ft for {row.volume_cuft:,.0f}")
        for rid in (*choice.roles, *choice.truck_ids):
            c = self.candidates.get(rid)
            if c is not None and not c.free:
                found.append(f"{c.name}: {c.status}")
        return found

    def _summarise(self) -> None:
        choice, problems = self.choice(), self.problems()
        people = len(choice.roles)
        head = (
            f"<b>{people} {'person' if people == 1 else 'people'}, "
            f"{len(choice.truck_ids)} truck{'s' if len(choice.truck_ids) != 1 else ''}</b>"
        )
        if problems:
            items = "".join(f"<br>⚠ {p}" for p in problems)
            self.summary.setText(f"{head}<span style='color:{DANGER}'>{items}</span>")
        else:
            self.summary.setText(f"{head}<span style='color:{MUTED}'> — no conflicts</span>")
