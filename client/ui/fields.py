"""Labelled inputs that explain themselves: each message sits right under its input.

``Field`` (a line edit), ``ChoiceField`` (a drop-down) and ``DateField`` (an
optional date, or date and time) share one behaviour: checked on every edit,
the message shown once the user touched the field (or on submit), and one
``edited`` signal a form listens to for its Save button.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QDate, QDateTime, QThreadPool, QTime, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from client.ui.style import DANGER
from client.ui.tasks import Op
from client.ui.widgets import Banner, button, label
from shared_models.rules.invoice_workflow import zone_date
from shared_models.rules.scheduling.intervals import local_to_utc, zone

Check = Callable[[str], str | None]
ValueCheck = Callable[[Any], str | None]

#: Red borders for the inputs the app style sheet does not cover (set on a form).
FORM_QSS = f"""
QComboBox[invalid="true"], QDateTimeEdit[invalid="true"] {{ border: 1px solid {DANGER}; }}
QDateTimeEdit {{ background: white; border: 1px solid #cbd2d9; border-radius: 7px;
    padding: 6px 9px; min-height: 20px; }}
QDateTimeEdit::drop-down {{ border: none; width: 22px; }}
"""


def field_title(text: str) -> QLabel:
    """The bold caption every input of a form carries."""
    caption = label(text)
    caption.setStyleSheet("font-weight: 600;")
    return caption


class LabelledInput(QWidget):
    """Title, input, message; subclasses say what the raw value is (``raw``)."""

    edited = Signal()

    def __init__(
        self, title: str, check: Any, input_widget: QWidget, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.check = check
        self.touched = False
        self.input = input_widget
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(4)
        self.title = field_title(title)
        self.message = label("", "FieldError", wrap=True)
        self.message.hide()
        self.box.addWidget(self.title)

    def _finish(self, row: QWidget | QHBoxLayout | None = None) -> None:
        if isinstance(row, QHBoxLayout):
            self.box.addLayout(row)
        else:
            self.box.addWidget(row or self.input)
        self.box.addWidget(self.message)

    def raw(self) -> Any:
        raise NotImplementedError

    def error(self) -> str | None:
        return self.check(self.raw())

    def valid(self) -> bool:
        return self.isHidden() or self.error() is None

    def _edited(self, *_: object) -> None:
        self.touched = True
        self.refresh()
        self.edited.emit()

    def refresh(self, *, force: bool = False) -> None:
        """Show the current error (if touched, or ``force`` on submit)."""
        if force:
            self.touched = True
        self.show_error(self.error() if self.touched else None)

    def show_error(self, text: str | None) -> None:
        self.message.setText(text or "")
        self.message.setVisible(bool(text))
        self.input.setProperty("invalid", bool(text))
        self.input.style().unpolish(self.input)
        self.input.style().polish(self.input)


class Field(LabelledInput):
    """A line edit checked on every keystroke."""

    def __init__(
        self,
        title: str,
        check: Check,
        *,
        placeholder: str = "",
        secret: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, check, QLineEdit(), parent)
        self.edit: QLineEdit = self.input  # type: ignore[assignment]
        self.edit.setPlaceholderText(placeholder)
        if secret:
            self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self._finish()
        self.edit.textEdited.connect(self._edited)

    @property
    def text(self) -> str:
        return self.edit.text()

    def set_text(self, text: str) -> None:
        self.edit.setText(text)

    def raw(self) -> str:
        return self.edit.text()


class ChoiceField(LabelledInput):
    """A drop-down of ``(text, value)`` choices; ``check`` gets the chosen value."""

    def __init__(
        self,
        title: str,
        choices: Iterable[tuple[str, Any]],
        check: ValueCheck | None = None,
        *,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, check or (lambda _: None), QComboBox(), parent)
        self.combo: QComboBox = self.input  # type: ignore[assignment]
        for text, value in choices:
            self.combo.addItem(text, value)
        self._finish()
        self.combo.activated.connect(self._edited)

    def value(self) -> Any:
        return self.combo.currentData()

    def set_value(self, value: Any) -> None:
        # By equality: QComboBox.findData compares Python objects (a UUID) by identity.
        found = (i for i in range(self.combo.count()) if self.combo.itemData(i) == value)
        self.combo.setCurrentIndex(next(found, 0))

    def raw(self) -> Any:
        return self.value()


class DateField(LabelledInput):
    """An optional date (``with_time``: date and time); "Add" fills in ``default()``.

    ``tz`` is the IANA zone of the record's branch: a time is shown and typed on
    that clock (None: the laptop's), as the dispatch board and the PDFs show it.
    """

    def __init__(
        self,
        title: str,
        check: ValueCheck | None = None,
        *,
        with_time: bool = False,
        default: Callable[[], dt.date | dt.datetime] | None = None,
        add_text: str = "Add a date",
        tz: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, check or (lambda _: None), QDateTimeEdit(), parent)
        self.edit: QDateTimeEdit = self.input  # type: ignore[assignment]
        self.with_time = with_time
        self.tz = tz
        self._default = default or (lambda: _tomorrow_nine(tz))
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("MMM d, yyyy  h:mm AP" if with_time else "MMM d, yyyy")
        self.add_button = button(f"+ {add_text}", flat=True)
        self.clear_button = button("Clear", flat=True)
        row = QHBoxLayout()
        row.setSpacing(6)
        row.addWidget(self.edit, 1)
        row.addWidget(self.add_button)
        row.addWidget(self.clear_button)
        row.addStretch(0)
        self._finish(row)
        self.edit.dateTimeChanged.connect(self._edited)
        self.add_button.clicked.connect(lambda: self.set_value(self._default(), user=True))
        self.clear_button.clicked.connect(lambda: self.set_value(None, user=True))
        self.set_value(None)

    def value(self) -> dt.date | dt.datetime | None:
        """None, a date, or (``with_time``) an aware UTC datetime of the local time shown."""
        if not self._has_value:
            return None
        stamp = self.edit.dateTime()
        day = stamp.date()
        date = dt.date(day.year(), day.month(), day.day())
        if not self.with_time:
            return date
        t = stamp.time()
        at = dt.time(t.hour(), t.minute())
        if self.tz:
            # A time in the spring-forward gap reads as the hour after, as RFC 5545 does.
            return local_to_utc(date, at, self.tz, shift_gap=True)
        return dt.datetime.combine(date, at).astimezone().astimezone(dt.UTC)

    def set_value(self, value: dt.date | dt.datetime | None, *, user: bool = False) -> None:
        self._has_value = value is not None
        self.edit.setVisible(value is not None)
        self.clear_button.setVisible(value is not None)
        self.add_button.setVisible(value is None)
        if value is not None:
            self.edit.blockSignals(True)
            self.edit.setDateTime(_qt(value, self.tz))
            self.edit.blockSignals(False)
        if user:
            self._edited()

    def raw(self) -> dt.date | dt.datetime | None:
        return self.value()


def _tomorrow_nine(tz: str | None = None) -> dt.datetime:
    """09:00 tomorrow on the clock of ``tz`` (None: the laptop's)."""
    now = dt.datetime.now(dt.UTC)
    if tz:
        return local_to_utc(zone_date(tz, now) + dt.timedelta(days=1), dt.time(9), tz)
    local = dt.datetime.combine(now.astimezone().date() + dt.timedelta(days=1), dt.time(9))
    return local.astimezone()


def _qt(value: dt.date | dt.datetime, tz: str | None = None) -> QDateTime:
    if isinstance(value, dt.datetime):
        local = value.astimezone(zone(tz) if tz else None) if value.tzinfo else value
        return QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute))
    return QDateTime(QDate(value.year, value.month, value.day), QTime(0, 0))


class FormDialog(QDialog):
    """A form of fields: Save stays disabled until every field passes, the write runs off the UI.

    Subclasses fill the two ``columns`` with cards of fields registered by ``add(name, field)``, and give ``values()``
    and ``write(values)`` (run on the database worker). ``saved`` carries what
    ``write`` returned; a refusal names its field under that field.
    """

    saved = Signal(object)
    #: Shown beside Save while ``write`` runs (None: nothing).
    busy_text: str | None = None

    def __init__(self, title: str, subtitle: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setStyleSheet(FORM_QSS)
        self.fields: dict[str, LabelledInput] = {}
        self.busy = False
        self.heading = label(title, "DetailTitle")
        self.subtitle = label(subtitle, "Muted", wrap=True)
        self.banner = Banner()
        self.body = QHBoxLayout()
        self.body.setSpacing(14)
        self.columns = (QVBoxLayout(), QVBoxLayout())
        for column in self.columns:
            column.setSpacing(12)
            self.body.addLayout(column, 1)
        holder = QWidget()
        holder.setLayout(self.body)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(holder)
        self.hint = label("", "Muted")
        self.cancel_button = button("Cancel")
        self.save_button = button("Save", primary=True)
        self.save_button.setDefault(True)
        footer = self.footer = QHBoxLayout()
        footer.addWidget(self.hint, 1)
        footer.addWidget(self.cancel_button)
        footer.addWidget(self.save_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(22, 18, 22, 16)
        box.setSpacing(10)
        box.addWidget(self.heading)
        box.addWidget(self.subtitle)
        box.addWidget(self.banner)
        box.addWidget(scroll, 1)
        box.addLayout(footer)
        self.cancel_button.clicked.connect(self.reject)
        self.save_button.clicked.connect(self.submit)

    def add(self, name: str, field: LabelledInput) -> LabelledInput:
        self.fields[name] = field
        field.edited.connect(self.revalidate)
        return field

    def finish_columns(self) -> None:
        for column in self.columns:
            column.addStretch(1)

    def problems(self) -> list[str]:
        return [name for name, field in self.fields.items() if not field.valid()]

    def revalidate(self) -> None:
        """After any edit: messages of touched fields (checks read each other), the Save button."""
        for field in self.fields.values():
            if field.touched:
                field.refresh()
        bad = self.problems()
        self.save_button.setEnabled(not bad and not self.busy)
        count = len(bad)
        self.hint.setText(
            "" if not count else f"{count} field{'s' if count > 1 else ''} to complete or correct"
        )

    def values(self) -> dict[str, Any]:
        raise NotImplementedError

    def write(self, values: dict[str, Any]) -> Any:
        raise NotImplementedError

    def submit(self) -> bool:
        """Save in the background; False (every message shown) when a field does not pass."""
        if self.busy:
            return False
        if self.problems():
            for field in self.fields.values():
                field.refresh(force=True)
            self.revalidate()
            return False
        values = self.values()
        self.busy = True
        self.save_button.setEnabled(False)
        if self.busy_text:
            self.hint.setText(self.busy_text)
        Op(parent=self, op=lambda: self.write(values)).success(self._written).failure(
            self._refused
        ).run_in_background(self.pool())
        return True

    def pool(self) -> QThreadPool | None:
        """Where ``write`` runs: the database pool unless a form talks to the server."""
        return None

    def _written(self, result: object) -> None:
        self.busy = False
        self.saved.emit(result)
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self.busy = False
        message = str(getattr(exc, "message", None) or exc)
        field = self.fields.get(str(getattr(exc, "field", None) or ""))
        if field is not None:
            field.show_error(message)
        self.banner.show_message(f"Nothing was saved: {message}", kind="error")
        self.save_button.setEnabled(True)


class ReasonDialog(FormDialog):
    """One required line of text (a reason, a note) and the write that keeps it.

    Opened with ``open()``, never ``exec()``: a sync that reloads the screen
    behind it must not run inside a nested event loop. ``write(text)`` runs on
    the database worker; ``saved`` carries what it returned.
    """

    def __init__(
        self,
        title: str,
        subtitle: str,
        *,
        caption: str,
        check: Check,
        write: Callable[[str], Any],
        name: str = "reason",
        placeholder: str = "",
        save_text: str = "Save",
        cancel_text: str = "Cancel",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, subtitle, parent)
        self._write = write
        self.name = name
        self.field: Field = self.add(name, Field(caption, check, placeholder=placeholder))  # type: ignore[assignment]
        self.columns[0].addWidget(self.field)
        self.body.setStretch(1, 0)
        self.finish_columns()
        self.save_button.setText(save_text)
        self.cancel_button.setText(cancel_text)
        self.setMinimumWidth(480)
        self.resize(520, 270)
        self.revalidate()
        self.field.edit.setFocus()

    def values(self) -> dict[str, Any]:
        return {self.name: self.field.text.strip()}

    def write(self, values: dict[str, Any]) -> Any:
        return self._write(values[self.name])
