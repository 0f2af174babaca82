"""Journey: header, the field timeline, and the crew lead's actions (steps, damage, signature, completion).

Everything is written offline through ``JourneyLog`` on the database worker;
the screen re-reads the journey (and decodes its photo thumbnails) after each
write and on every change signal. "Redo survey" opens the cube sheet on the
journey's quote.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from client.replica.store import LocalStore
from client.services.crew import JourneyDetail, journey_detail
from client.services.journey_log import DamagePhoto, JourneyLog
from client.services.quoting import journey_quote_id
from client.ui.context import AppContext
from client.ui.field_widgets import (
    FIELD_QSS,
    PhoneButton,
    clear_layout,
    crew_text,
    route_text,
    status_chip,
    time_window,
    truck_text,
)
from client.ui.journey_panels import (
    CompletePanel,
    DamagePanel,
    SignaturePanel,
    StepPanel,
    show_error,
)
from client.ui.photos import StoredPhoto, thumbnails
from client.ui.survey_dialog import SurveyDialog, open_survey_dialog
from client.ui.tasks import Op
from client.ui.timeline import Timeline
from client.ui.widgets import Card, button, label
from shared_models.enums import JourneyEventType
from shared_models.rules.errors import RuleViolation

E = JourneyEventType
WATCHED = {"journey", "journey_event", "journey_crew", "customer", "equipment"}


@dataclass(frozen=True)
class Loaded:
    """One background read: the journey and its decoded photo thumbnails."""

    detail: JourneyDetail | None
    photos: dict[str, StoredPhoto]
    quote_id: uuid.UUID | None


def _load(store: LocalStore, journey_id: uuid.UUID) -> Loaded:
    detail = journey_detail(store, journey_id)
    if detail is None:
        return Loaded(None, {}, None)
    return Loaded(detail, thumbnails(detail.events), journey_quote_id(store, journey_id))


class JourneyHeader(Card):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(None, parent)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(18)
        self.grid.setVerticalSpacing(6)
        self.body.addLayout(self.grid)

    def set_detail(self, detail: JourneyDetail) -> PhoneButton:
        clear_layout(self.grid)
        card = detail.card
        title = QHBoxLayout()
        title.addWidget(label(card.customer_name, "PageTitle"))
        title.addWidget(status_chip(card.status))
        title.addStretch(1)
        holder = QWidget()
        holder.setLayout(title)
        self.grid.addWidget(holder, 0, 0, 1, 2)
        phone = PhoneButton(card.customer_phone)
        self.grid.addWidget(phone, 0, 2, Qt.AlignmentFlag.AlignRight)
        number = card.number or "Number assigned on sync"
        pairs = [
            ("Journey", f"{number}  ·  {time_window(card.start, card.end, card.zone)}"),
            ("Route", route_text(card)),
            ("Crew", crew_text(card)),
            ("Truck", truck_text(card)),
        ]
        if card.instructions:
            pairs.append(("Instructions", card.instructions))
        for row, (name, value) in enumerate(pairs, start=1):
            self.grid.addWidget(label(name, "Muted"), row, 0, Qt.AlignmentFlag.AlignTop)
            self.grid.addWidget(label(value, "Big", wrap=True), row, 1, 1, 2)
        self.grid.setColumnStretch(1, 1)
        return phone


class JourneyView(QWidget):
    """``loaded`` after each read; ``failed`` carries a refused action's message."""

    back_requested = Signal()
    loaded = Signal(object)  # JourneyDetail | None
    failed = Signal(str)

    def __init__(
        self, ctx: AppContext, journey_id: uuid.UUID, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.store = ctx.workspace.store
        self.journey_id = journey_id
        self.log = JourneyLog(ctx.workspace.writes)
        self.detail: JourneyDetail | None = None
        self.photos: dict[str, StoredPhoto] = {}
        self.quote_id: uuid.UUID | None = None
        self.survey: SurveyDialog | None = None
        self.setStyleSheet(FIELD_QSS)

        self.back = button("‹  Back to today", flat=True)
        self.back.setProperty("big", True)
        self.back.clicked.connect(self.back_requested.emit)
        self.survey_button = button("Redo survey…")
        self.survey_button.setProperty("big", True)
        self.survey_button.setToolTip("Recount the household on site and re-price the quote")
        self.survey_button.clicked.connect(self.redo_survey)
        self.survey_button.hide()
        self.header = JourneyHeader()
        self.timeline = Timeline()
        self.step = StepPanel()
        self.damage = DamagePanel()
        self.signature = SignaturePanel()
        self.complete = CompletePanel()
        self.message = label("", "FieldError", wrap=True)
        self.message.hide()

        content = QWidget()
        grid = QGridLayout(content)
        grid.setContentsMargins(0, 0, 8, 8)
        grid.setSpacing(14)
        grid.addWidget(self.header, 0, 0, 1, 2)
        left = QVBoxLayout()
        left.setSpacing(14)
        for card in (self.step, self.timeline):
            left.addWidget(card)
        left.addStretch(1)
        right = QVBoxLayout()
        right.setSpacing(14)
        for panel in (self.signature, self.complete, self.damage):
            right.addWidget(panel)
        right.addStretch(1)
        grid.addLayout(left, 1, 0)
        grid.addLayout(right, 1, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 12, 24, 12)
        layout.setSpacing(8)
        top = QHBoxLayout()
        top.addWidget(self.back)
        top.addStretch(1)
        top.addWidget(self.survey_button)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(scroll, 1)

        self.step.step_requested.connect(self.record_step)
        self.damage.damage_requested.connect(self.record_damage)
        self.signature.sign_requested.connect(self.sign)
        self.complete.complete_requested.connect(self.complete_journey)
        ctx.hub.changed.connect(self.on_tables_changed)
        self.reload()

    # -- reading -------------------------------------------------------------------------

    def on_tables_changed(self, tables: set[str]) -> None:
        if tables & WATCHED:
            self.reload()

    def reload(self) -> None:
        Op(parent=self, op=lambda: _load(self.store, self.journey_id)).success(
            self._show
        ).run_in_background()

    def _show(self, loaded: Loaded) -> None:
        detail = loaded.detail
        self.detail, self.photos, self.quote_id = detail, loaded.photos, loaded.quote_id
        if detail is None:
            show_error(self.message, "This journey is no longer on this device.")
        else:
            phone = self.header.set_detail(detail)
            phone.copied.connect(self._copied)
            self.timeline.set_events(detail.events, loaded.photos, detail.card.zone)
            self.step.set_detail(detail)
            self.signature.set_detail(detail)
            self.complete.set_detail(detail)
            closed = detail.card.status in ("COMPLETED", "CANCELLED")
            self.step.setVisible(not closed)
            self.damage.setVisible(not closed)
            self.survey_button.setVisible(loaded.quote_id is not None and not closed)
        self.loaded.emit(detail)

    # -- writing -------------------------------------------------------------------------

    def record_step(self, kind: JourneyEventType, at: dt.datetime, note: str) -> None:
        self._run(
            lambda: self.log.record_step(self.journey_id, kind, at=at, note=note or None),
            self.step.error,
        )

    def record_damage(
        self,
        item: str,
        description: str,
        acknowledged: bool,
        photos: Sequence[DamagePhoto] = (),
    ) -> None:
        self._run(
            lambda: self.log.record_damage(
                self.journey_id,
                item=item,
                description=description,
                acknowledged=acknowledged,
                photos=photos,
            ),
            self.damage.error,
            then=self.damage.reset,
        )

    def sign(self, signer_name: str, png: bytes) -> None:
        self._run(
            lambda: self.log.sign(self.journey_id, signer_name=signer_name, png=png),
            self.signature.error,
        )

    def complete_journey(self) -> None:
        self._run(lambda: self.log.complete(self.journey_id), self.complete.reason)

    def _run(
        self, op: Callable[[], object], where: QLabel, *, then: Callable[[], None] | None = None
    ) -> None:
        show_error(where, None)

        def done(_: object) -> None:
            if then is not None:
                then()
            self.reload()

        def refused(exc: BaseException) -> None:
            text = exc.message if isinstance(exc, RuleViolation) else str(exc)
            show_error(where, text)
            self.failed.emit(text)

        Op(parent=self, op=op).success(done).failure(refused).run_in_background()

    def redo_survey(self) -> None:
        """The cube sheet on this journey's quote; locked quotes open with the reason."""
        if self.quote_id is not None:
            self.survey = open_survey_dialog(self.ctx, self.quote_id, self)

    def _copied(self, phone: str) -> None:
        bar = getattr(self.window(), "statusBar", None)
        if callable(bar):
            bar().showMessage(f"Copied {phone} to the clipboard", 4_000)
