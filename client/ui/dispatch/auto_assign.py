"""Auto-assign from the board: propose on the network pool, confirm, accept on the DB worker.

Offline (or refused, or infeasible) the screen shows why in its banner and the
dispatcher keeps planning by hand; nothing is written until they accept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from client.services.planning import (
    NeedsConnection,
    PlanningService,
    Proposal,
    ScheduleInfeasible,
)
from client.ui.tasks import Op, net_pool

if TYPE_CHECKING:
    from client.ui.dispatch.view import DispatchView


class AutoAssign:
    def __init__(self, view: DispatchView) -> None:
        self.view = view
        self.confirm: QMessageBox | None = None

    def start(self) -> None:
        view = self.view
        planning = PlanningService(view.ctx.workspace)
        location, day = view.location_id, view.day
        view.auto_button.setEnabled(False)
        view.show_note(f"Asking the server for a plan of {day:%A %b} {day.day}…")
        Op(parent=view, op=lambda: planning.propose(location, day)).success(
            lambda proposal: self._proposed(planning, proposal)
        ).failure(self._failed).run_in_background(net_pool())

    def _failed(self, exc: BaseException) -> None:
        view = self.view
        view.auto_button.setEnabled(True)
        view.show_note("")
        if isinstance(exc, NeedsConnection):
            view.show_banner(f"{exc} Assigning by hand works offline.", "warning")
        elif isinstance(exc, ScheduleInfeasible):
            reasons = "; ".join(r.message for r in exc.reasons[:4])
            view.show_banner(f"No plan meets every rule: {reasons or exc}", "error")
        else:
            view.show_banner(str(exc) or type(exc).__name__, "error")

    def _proposed(self, planning: PlanningService, proposal: Proposal) -> None:
        view = self.view
        view.auto_button.setEnabled(True)
        view.show_note("")
        if not proposal.journeys:
            view.show_banner(f"Nothing to plan on {proposal.day:%A %b} {proposal.day.day}.", "info")
            return
        lines = [
            f"{len(proposal.journeys)} journeys planned in {proposal.solve_ms / 1000:.1f} s",
            (
                f"Travel between jobs: {proposal.travel_minutes} min;"
                f" overtime: {proposal.overtime_minutes} min"
            ),
            *proposal.warnings,
        ]
        box = QMessageBox(view)
        box.setWindowTitle("Auto-assignment")
        box.setText(f"Plan for {proposal.day:%A %B} {proposal.day.day}")
        box.setInformativeText("\n".join(lines))
        box.setStandardButtons(QMessageBox.StandardButton.Discard)
        accept = box.addButton("Accept plan", QMessageBox.ButtonRole.AcceptRole)
        box.buttonClicked.connect(
            lambda clicked: self._accept(planning, proposal) if clicked is accept else None
        )
        box.finished.connect(box.deleteLater)
        self.confirm = box
        box.open()

    def _accept(self, planning: PlanningService, proposal: Proposal) -> None:
        def op() -> str:
            planning.accept(proposal)
            return f"Auto-assignment accepted: {len(proposal.journeys)} journeys assigned"

        self.view.run(op)
