"""Estimate from survey: count the household, note each stop's access and the travel,
watch the figures move, then apply them to the quote. Works offline.

The figures come from ``QuotingService.preview`` on the database worker (the
shared rules, the replica's rate card and taxes), a moment after the last
keystroke; a stale answer is dropped. Apply writes through ``apply_survey``
(lines, figures and stops in one transaction). A locked quote, or a user
without the permission, opens read-only with the reason.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QScrollArea, QVBoxLayout, QWidget

from client.services.quoting import QuotingService, SurveyRequest, SurveySheet
from client.ui import format as fmt
from client.ui.context import AppContext
from client.ui.survey_catalogue import CatalogueList
from client.ui.survey_inputs import FiguresCard, StopEditor, TravelEditor
from client.ui.tasks import Op
from client.ui.widgets import Banner, Card, ChipLabel, button, label
from shared_models.rules.errors import RuleViolation
from shared_models.rules.estimate import Estimate

#: Typing pauses this long before the figures are recomputed.
PREVIEW_DELAY_MS = 120


def _message(exc: BaseException) -> str:
    return exc.message if isinstance(exc, RuleViolation) else str(exc)


class SurveyDialog(QDialog):
    """``loaded`` once the sheet is shown, ``previewed`` after each figure update,
    ``applied(Estimate)`` once the quote holds the new survey."""

    loaded = Signal()
    previewed = Signal()
    applied = Signal(object)

    def __init__(self, ctx: AppContext, quote_id: uuid.UUID, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("Estimate from survey — C&C CRM")
        self.resize(1240, 820)
        self.service = QuotingService(ctx.workspace.writes)
        self.quote_id = quote_id
        self.sheet: SurveySheet | None = None
        self.estimate: Estimate | None = None
        self.stops: list[StopEditor] = []
        self._generation = 0
        self._timer = QTimer(self, singleShot=True, interval=PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        self._build()
        Op(parent=self, op=lambda: self.service.survey_sheet(quote_id)).success(
            self.show_sheet
        ).failure(self._load_failed).run_in_background()

    def _build(self) -> None:
        self.title = label("Survey", "PageTitle")
        self.chip = QHBoxLayout()
        self.subtitle = label("Loading the catalogue…", "PageSubtitle")
        self.banner = Banner()
        self.catalogue = CatalogueList()
        self.access = Card("Site access")
        self.stop_box = QVBoxLayout()
        self.access.body.addLayout(self.stop_box)
        self.travel = TravelEditor()
        travel_card = Card("Travel and crew")
        travel_card.body.addWidget(self.travel)
        self.figures = FiguresCard()
        self.problem = label("", "FieldError", wrap=True)
        self.problem.hide()
        self.cancel = button("Cancel")
        self.apply_button = button("Apply to quote", primary=True)
        self.apply_button.setEnabled(False)

        middle = QWidget()
        mid = QVBoxLayout(middle)
        mid.setContentsMargins(0, 0, 6, 0)
        mid.setSpacing(12)
        mid.addWidget(self.access)
        mid.addWidget(travel_card)
        mid.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.viewport().setAutoFillBackground(False)
        middle.setStyleSheet("QWidget#SurveyMiddle { background: transparent; }")
        middle.setObjectName("SurveyMiddle")
        scroll.setWidget(middle)
        right = QVBoxLayout()
        right.addWidget(self.figures)
        right.addWidget(self.problem)
        right.addStretch(1)
        right_holder = QWidget()
        right_holder.setLayout(right)
        right_holder.setFixedWidth(300)
        body = QHBoxLayout()
        body.setSpacing(14)
        body.addWidget(self.catalogue, 5)
        body.addWidget(scroll, 5)
        body.addWidget(right_holder)

        heading = QHBoxLayout()
        heading.addWidget(self.title)
        heading.addLayout(self.chip)
        heading.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.apply_button)
        root = QVBoxLayout(self)
        root.setContentsMargins(24, 18, 24, 18)
        root.setSpacing(12)
        root.addLayout(heading)
        root.addWidget(self.subtitle)
        root.addWidget(self.banner)
        root.addLayout(body, 1)
        root.addLayout(buttons)

        self.catalogue.changed.connect(self.schedule)
        self.travel.changed.connect(self.schedule)
        self.cancel.clicked.connect(self.reject)
        self.apply_button.clicked.connect(self.apply)

    # -- loading -------------------------------------------------------------------------

    def show_sheet(self, sheet: SurveySheet) -> None:
        self.sheet = sheet
        self.title.setText(f"Survey · {sheet.title}")
        self.chip.addWidget(ChipLabel(sheet.status, fmt.humanize(sheet.status)))
        now = sheet.current
        self.subtitle.setText(
            "Read only: this survey cannot change here."
            if sheet.blocked
            else "Count what moves, note each stop's access and the driving; the estimate follows."
        )
        parts = [
            f"{now['volume_cuft']:,.0f} cu ft" if now.get("volume_cuft") else "",
            f"{now['crew_size']} movers" if now.get("crew_size") else "",
            f"{now['estimated_hours'].normalize():f} h" if now.get("estimated_hours") else "",
            fmt.money(now["total"], sheet.currency) if now.get("total") else "",
        ]
        if any(parts):
            self.figures.now.setText("On the quote now: " + " · ".join(p for p in parts if p))
        self.catalogue.set_entries(sheet.catalogue)
        for stop in sheet.stops:
            editor = StopEditor(stop)
            editor.changed.connect(self.schedule)
            self.stops.append(editor)
            self.stop_box.addWidget(editor)
        self.travel.distance.set_text(
            f"{sheet.distance_km.normalize():f}" if sheet.distance_km else ""
        )
        locked = sheet.blocked is not None
        if locked:
            self.banner.show_message(sheet.blocked or "", kind="warning")
            self.catalogue.set_read_only(True)
            for widget in (*self.stops, self.travel):
                widget.setEnabled(False)
            self.apply_button.hide()
            self.cancel.setText("Close")
            self.figures.show_problem("This quote cannot be re-surveyed here.")
        else:
            self.refresh()
        self.loaded.emit()

    def _load_failed(self, exc: BaseException) -> None:
        self.banner.show_message(f"The survey cannot open: {_message(exc)}", kind="error")
        self.apply_button.hide()

    # -- live figures --------------------------------------------------------------------

    def problems(self) -> list[str]:
        out = list(self.catalogue.errors())
        for editor in (*self.stops, self.travel):
            for field in editor.fields():
                field.refresh()
                if field.error():
                    out.append(f"{field.title.text()}: {field.error()}")
        return out

    def request(self) -> SurveyRequest:
        sheet = self.sheet
        assert sheet is not None
        return SurveyRequest(
            counts=self.catalogue.counts(),  # type: ignore[arg-type]
            travel=self.travel.travel(),
            crew_size=self.travel.crew_size(),
            sites=tuple(editor.site() for editor in self.stops),
            valuation=sheet.valuation,
            deposit=sheet.deposit,
        )

    def schedule(self) -> None:
        if self.sheet is not None and self.sheet.blocked is None:
            self._generation += 1  # an answer already under way is now stale
            self.apply_button.setEnabled(False)
            self._timer.start()

    def refresh(self) -> None:
        """Price what is on screen now, off the UI thread."""
        self._timer.stop()
        problems = self.problems()
        self._generation += 1
        if problems:
            self.estimate = None
            self.figures.show_problem("Fix the fields marked in red to see the estimate.")
            self._set_problem(None)
            self.apply_button.setEnabled(False)
            self.previewed.emit()
            return
        generation, request = self._generation, self.request()
        Op(parent=self, op=lambda: self.service.preview(self.quote_id, request)).success(
            lambda estimate: self._previewed(generation, estimate)
        ).failure(lambda exc: self._preview_failed(generation, exc)).run_in_background()

    def _previewed(self, generation: int, estimate: Estimate) -> None:
        if generation != self._generation or self.sheet is None:
            return
        self.estimate = estimate
        self.figures.show_estimate(estimate, self.sheet.currency)
        self._set_problem(None)
        self.apply_button.setEnabled(bool(self.catalogue.counts()))
        self.apply_button.setToolTip("" if self.catalogue.counts() else "Count at least one item.")
        self.previewed.emit()

    def _preview_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self.estimate = None
        self.figures.show_problem(_message(exc))
        self.apply_button.setEnabled(False)
        self.previewed.emit()

    def _set_problem(self, text: str | None) -> None:
        self.problem.setText(text or "")
        self.problem.setVisible(bool(text))

    # -- applying ------------------------------------------------------------------------

    def apply(self) -> None:
        if self.sheet is None or self.sheet.blocked is not None or self.problems():
            return
        request = self.request()
        self.apply_button.setEnabled(False)
        Op(parent=self, op=lambda: self.service.apply_survey(self.quote_id, request)).success(
            self._applied
        ).failure(self._apply_failed).run_in_background()

    def _applied(self, estimate: Estimate) -> None:
        self.applied.emit(estimate)
        self.accept()

    def _apply_failed(self, exc: BaseException) -> None:
        self._set_problem(f"Not applied: {_message(exc)}")
        self.apply_button.setEnabled(True)


def open_survey_dialog(
    ctx: AppContext, quote_id: uuid.UUID, parent: QWidget | None = None
) -> SurveyDialog:
    """The survey window on ``quote_id``, loading in the background."""
    dialog = SurveyDialog(ctx, quote_id, parent)
    dialog.show()
    return dialog
