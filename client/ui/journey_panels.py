"""The action cards of the Journey screen: next step, damage, signature, completion.

Each card validates as the user types, keeps its button disabled while the
input is wrong, and only emits a request; the screen runs it off the UI thread.
The damage card also takes photos (file dialog or drag and drop), prepared on
the photo thread before they can be saved with the note.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QFont, QFontMetrics, QPixmap
from PySide6.QtWidgets import QCheckBox, QFileDialog, QHBoxLayout, QLabel, QLineEdit, QWidget

from client.services.crew import JourneyDetail
from client.services.journey_log import MAX_PHOTOS_PER_DAMAGE, DamagePhoto
from client.ui import validators
from client.ui.field_widgets import TimeStepper, big_button, clear_layout, local_time
from client.ui.fields import Field
from client.ui.photo_prep import file_filter, photo_pool, prepare_photo
from client.ui.photos import PendingPhotos
from client.ui.signature_pad import SignaturePad
from client.ui.tasks import Op
from client.ui.widgets import Card, button, label
from shared_models.enums import JourneyEventType
from shared_models.rules.timeline import LABELS, Phase, completion_blocker, state_of

PHASE_TEXT = {
    Phase.NOT_ARRIVED: "Not arrived yet",
    Phase.ARRIVED: "On site: start when the crew begins work",
    Phase.WORKING: "Working",
    Phase.ON_BREAK: "On a break",
    Phase.FINISHED: "Work finished: get the signature, then complete",
    Phase.COMPLETED: "Completed",
}


def _required(what: str) -> Field:
    return Field(what, lambda text: None if text.strip() else f"Enter the {what.lower()}.")


def show_error(widget: QLabel, text: str | None) -> None:
    widget.setText(text or "")
    widget.setVisible(bool(text))


class StepPanel(Card):
    """Big buttons for the steps that make sense now, each at a chosen time with a note."""

    step_requested = Signal(object, object, str)  # JourneyEventType, datetime, note

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Next step", parent)
        self.phase = label("", "DetailTitle")
        self.buttons_row = QHBoxLayout()
        self.buttons_row.setSpacing(10)
        self.buttons: dict[JourneyEventType, QWidget] = {}
        self.time = TimeStepper()
        self.note = QLineEdit()
        self.note.setPlaceholderText("Note for this step (optional)")
        self.error = label("", "FieldError", wrap=True)
        self.error.hide()
        for widget in (self.phase, self.time, self.note, self.error):
            self.body.addWidget(widget)
        self.body.insertLayout(2, self.buttons_row)
        self.last_at: dt.datetime | None = None
        self.day: dt.date | None = None
        self.time.edit.timeChanged.connect(lambda _: self.validate())

    def set_detail(self, detail: JourneyDetail) -> None:
        state = state_of(detail.timeline)
        self.time.set_zone(detail.card.zone)  # the crew's watch reads the branch's time
        self.day, self.last_at = self.time.now().date(), state.last_at
        self.phase.setText(PHASE_TEXT[state.phase])
        clear_layout(self.buttons_row)
        self.buttons = {}
        for kind in state.next_events:
            widget = big_button(LABELS[kind], primary=kind is state.next_events[-1])
            widget.setMinimumWidth(170)
            widget.clicked.connect(lambda _=False, k=kind: self._request(k))
            self.buttons[kind] = widget
            self.buttons_row.addWidget(widget)
        self.buttons_row.addStretch(1)
        open_ = bool(state.next_events)
        self.time.setVisible(open_)
        self.note.setVisible(open_)
        self.time.reset()
        self.note.clear()
        self.validate()

    def error_text(self) -> str | None:
        if self.last_at is not None and self.time.value(self.day) < self.last_at:
            previous = local_time(self.last_at, self.time.tz)
            return f"The time is before the previous step ({previous})."
        if self.time.value(self.day) > dt.datetime.now(dt.UTC) + dt.timedelta(minutes=15):
            return "That time is still to come: record steps as they happen."
        return None

    def validate(self) -> bool:
        text = self.error_text()
        show_error(self.error, text)
        for widget in self.buttons.values():
            widget.setEnabled(text is None)
        return text is None

    def _request(self, kind: JourneyEventType) -> None:
        if self.validate():
            self.step_requested.emit(kind, self.time.value(self.day), self.note.text().strip())


class DamagePanel(Card):
    """A damage note: the item, what happened, whether the customer saw it, and photos.

    Photos come from "Add photos…" or are dropped on the card; each is
    downscaled on the photo thread, and a file that cannot be used is named
    under the photos with the reason, without losing the others.
    """

    damage_requested = Signal(str, str, bool, object)  # item, description, seen, [DamagePhoto]
    photos_ready = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Damage", parent)
        self.setAcceptDrops(True)
        self.item = _required("Item")
        self.item.edit.setPlaceholderText("e.g. Dining table")
        self.description = _required("Description")
        self.description.edit.setPlaceholderText("e.g. Scratch on the left leg, 5 cm")
        self.acknowledged = QCheckBox("The customer saw the damage")
        self.photos = PendingPhotos()
        self.photo_button = button("Add photos…")
        self.photo_hint = label(
            f"Or drop pictures here · up to {MAX_PHOTOS_PER_DAMAGE} per note", "Muted"
        )
        self.photo_message = label("", "FieldError", wrap=True)
        self.photo_message.hide()
        self.error = label("", "FieldError", wrap=True)
        self.error.hide()
        self.add_button = big_button("Add damage note")
        photo_row = QHBoxLayout()
        photo_row.addWidget(self.photo_button)
        photo_row.addWidget(self.photo_hint, 1)
        for widget in (self.item, self.description, self.acknowledged):
            self.body.addWidget(widget)
        self.body.addLayout(photo_row)
        for widget in (self.photos, self.photo_message, self.error):
            self.body.addWidget(widget)
        self.body.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        for field in (self.item, self.description):
            field.edit.textChanged.connect(lambda _: self.validate())
        self.photo_button.clicked.connect(self.choose_photos)
        self.photos.changed.connect(self.validate)
        self.add_button.clicked.connect(self._request)
        self.preparing = 0
        self._problems: list[str] = []
        self.validate()

    # -- photos --------------------------------------------------------------------------

    def choose_photos(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Add photos of the damage", str(Path.home()), f"{file_filter()};;All files (*)"
        )
        self.add_files(paths)

    def add_files(self, paths: Sequence[str | Path]) -> None:
        """Prepare each file off the UI thread; refused files are listed with the reason."""
        room = MAX_PHOTOS_PER_DAMAGE - len(self.photos.tiles) - self.preparing
        problems = [
            f"“{Path(p).name}”: a note holds {MAX_PHOTOS_PER_DAMAGE} photos at most."
            for p in paths[max(room, 0) :]
        ]
        self._show_problems(problems)
        for path in paths[: max(room, 0)]:
            self.preparing += 1
            Op(parent=self, op=lambda p=path: prepare_photo(p)).success(self._prepared).failure(
                self._refused
            ).run_in_background(photo_pool())
        self.validate()

    def _prepared(self, photo: DamagePhoto) -> None:
        self.preparing -= 1
        self.photos.add(photo)
        self._settled()

    def _refused(self, exc: BaseException) -> None:
        self.preparing -= 1
        self._show_problems([*self._problems, str(exc)])
        self._settled()

    def _settled(self) -> None:
        self.validate()
        if not self.preparing:
            self.photos_ready.emit()

    def _show_problems(self, problems: list[str]) -> None:
        self._problems = problems
        text = "\n".join(f"Not added: {p}" for p in problems) if problems else None
        show_error(self.photo_message, text)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.add_files(paths)

    # -- the note ------------------------------------------------------------------------

    def validate(self) -> bool:
        ok = self.item.error() is None and self.description.error() is None
        self.add_button.setEnabled(ok and not self.preparing)
        self.photo_button.setEnabled(
            len(self.photos.tiles) + self.preparing < MAX_PHOTOS_PER_DAMAGE
        )
        count = len(self.photos.tiles)
        text = f"Add damage note with {count} photo{'s' if count > 1 else ''}"
        self.add_button.setText(text if count else "Add damage note")
        bold = QFont(self.add_button.font())
        bold.setBold(True)  # the big buttons' style: size hints measure the plain font
        self.add_button.setMinimumWidth(QFontMetrics(bold).horizontalAdvance(text) + 72)
        return ok and not self.preparing

    def reset(self) -> None:
        for field in (self.item, self.description):
            field.set_text("")
            field.touched = False
            field.refresh()
        self.acknowledged.setChecked(False)
        self.photos.clear()
        self._show_problems([])

    def _request(self) -> None:
        for field in (self.item, self.description):
            field.refresh(force=True)
        if self.validate():
            self.damage_requested.emit(
                self.item.text.strip(),
                self.description.text.strip(),
                self.acknowledged.isChecked(),
                self.photos.photos(),
            )


class SignaturePanel(Card):
    """The customer signs on the pad; once saved, the signature is shown instead.

    While the pad is empty the prompt under it says so, and the name's message
    sits under the name as it is typed: a disabled Save always explains itself.
    """

    sign_requested = Signal(str, bytes)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Customer signature", parent)
        self.signer = Field(
            "Customer's name",
            validators.signer_name,
        )
        self.pad = SignaturePad()
        self.pad_message = label(validators.SIGN_PROMPT, "FieldError", wrap=True)
        self.clear_button = button("Clear", flat=True)
        self.save_button = big_button("Save signature", primary=True)
        self.error = label("", "FieldError", wrap=True)
        self.error.hide()
        self.signed = label("", "Big", wrap=True)
        self.image = QLabel()
        actions = QHBoxLayout()
        actions.addWidget(self.clear_button)
        actions.addStretch(1)
        actions.addWidget(self.save_button)
        for widget in (self.signer, self.pad, self.pad_message, self.error):
            self.body.addWidget(widget)
        for widget in (self.signed, self.image):
            self.body.addWidget(widget)
        self.body.addLayout(actions)
        self.signer.edit.textChanged.connect(lambda _: self.validate())
        self.pad.changed.connect(self.validate)
        self.clear_button.clicked.connect(self.pad.clear)
        self.save_button.clicked.connect(self._request)
        self.validate()

    def set_detail(self, detail: JourneyDetail) -> None:
        events = [e for e in detail.events if e.event_type is JourneyEventType.SIGNATURE]
        done = bool(events)
        open_ = not done and detail.card.status != "COMPLETED"
        for widget in (self.signer, self.pad, self.clear_button, self.save_button):
            widget.setVisible(open_)
        self.pad_message.setVisible(open_ and self.pad.is_empty())
        self.signed.setVisible(done)
        self.image.setVisible(done)
        if done:
            last = events[-1]
            name = last.payload.get("signer_name") or detail.card.signer_name or ""
            self.signed.setText(
                f"Signed by {name} at {local_time(last.occurred_at, detail.card.zone)}"
            )
            pixmap = QPixmap()
            pixmap.loadFromData(base64.b64decode(last.payload.get("png_base64", "")))
            self.image.setPixmap(
                pixmap.scaledToHeight(110, Qt.TransformationMode.SmoothTransformation)
            )
        elif not self.signer.text and detail.card.customer_name:
            self.signer.set_text(detail.card.customer_name[: validators.SIGNER_LIMIT])

    def error_text(self) -> str | None:
        if self.signer.error():
            return self.signer.error()
        if self.pad.is_empty():
            return validators.SIGN_PROMPT
        return None

    def validate(self) -> bool:
        ok = self.error_text() is None
        self.save_button.setEnabled(ok)
        self.pad_message.setVisible(self.pad.isVisibleTo(self) and self.pad.is_empty())
        if ok:
            show_error(self.error, None)
        return ok

    def _request(self) -> None:
        text = self.error_text()
        show_error(self.error, None if text == validators.SIGN_PROMPT else text)
        if text is None:
            self.sign_requested.emit(self.signer.text.strip(), self.pad.to_png())


class CompletePanel(Card):
    """Close the job once the work is finished and the customer signed."""

    complete_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Finish the job", parent)
        self.reason = label("", "Muted", wrap=True)
        self.done = label("", wrap=True)
        self.done.setObjectName("OkBox")
        self.done.setContentsMargins(12, 10, 12, 10)
        self.done.hide()
        self.button = big_button("✓  Complete journey", primary=True)
        self.body.addWidget(self.reason)
        self.body.addWidget(self.done)
        self.body.addWidget(self.button)
        self.button.clicked.connect(self.complete_requested.emit)

    def set_detail(self, detail: JourneyDetail) -> None:
        if detail.card.status == "COMPLETED":
            completed = [e for e in detail.events if e.event_type is JourneyEventType.COMPLETED]
            last = completed[-1].occurred_at if completed else None
            at = local_time(last, detail.card.zone)
            self.done.setText(
                f"Completed at {at}. Dispatch sees the journey, its timeline and the "
                "signature after the next sync."
            )
            self.done.show()
            self.reason.hide()
            self.button.hide()
            return
        blocker = completion_blocker(detail.timeline, signed=detail.signed)
        self.reason.setText(blocker or "Everything is recorded: close the job.")
        self.button.setEnabled(blocker is None)
