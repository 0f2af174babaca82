"""Widgets for the crew's field laptop: big touch targets, status chips, tap-to-copy phone, time stepper.

The crew screens set ``FIELD_QSS`` on their page: it only enlarges and colours
what the app's style sheet already defines, so the look stays one product.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, QTime, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLayout, QPushButton, QTimeEdit, QWidget

from client.services.crew import JourneyCard
from client.ui.format import humanize
from client.ui.style import CHIP_COLOURS, DANGER, LINE, MUTED, OK, PRIMARY
from client.ui.widgets import ChipLabel, button
from shared_models.rules.scheduling.intervals import local_to_utc, zone

#: Journey and equipment statuses, next to the quote and lead ones.
FIELD_CHIPS: dict[str, tuple[str, str]] = {
    "PLANNED": ("#e6e9ee", "#3e4c59"),
    "CONFIRMED": ("#dbeafe", "#1e40af"),
    "DISPATCHED": ("#e0e7ff", "#3730a3"),
    "IN_PROGRESS": ("#fef3c7", "#92400e"),
    "COMPLETED": ("#dcfce7", "#166534"),
    "CANCELLED": ("#fee2e2", "#991b1b"),
    "ACTIVE": ("#dcfce7", "#166534"),
    "MAINTENANCE": ("#fef3c7", "#92400e"),
    "REPAIR": ("#fee2e2", "#991b1b"),
}
for _status, _colours in FIELD_CHIPS.items():
    CHIP_COLOURS.setdefault(_status, _colours)

FIELD_QSS = f"""
QPushButton[big="true"] {{ min-height: 54px; font-size: 16px; font-weight: 600;
    border-radius: 10px; padding: 6px 22px; }}
QPushButton[toggle="true"] {{ min-height: 40px; min-width: 64px; font-weight: 600;
    border-radius: 8px; }}
QPushButton[toggle="true"][kind="pass"]:checked {{ background: #dcfce7; color: #166534;
    border: 2px solid {OK}; }}
QPushButton[toggle="true"][kind="fail"]:checked {{ background: #fee2e2; color: #991b1b;
    border: 2px solid {DANGER}; }}
QPushButton[toggle="true"][kind="na"]:checked {{ background: #e6e9ee; color: #3e4c59;
    border: 2px solid #9aa5b1; }}
QLineEdit, QComboBox, QSpinBox, QTimeEdit {{ min-height: 30px; font-size: 14px; }}
QTimeEdit {{ background: white; border: 1px solid #cbd2d9; border-radius: 7px;
    padding: 2px 6px; font-size: 17px; font-weight: 600; min-height: 34px; }}
QTimeEdit QLineEdit {{ border: none; padding: 0; min-height: 0; background: transparent; }}
QTimeEdit::up-button, QTimeEdit::down-button {{ subcontrol-origin: border; width: 0px;
    height: 0px; border: none; }}
#JourneyCard {{ background: white; border: 1px solid {LINE}; border-radius: 12px; }}
#JourneyCard:hover {{ border: 1px solid {PRIMARY}; }}
#TimeWindow {{ font-size: 20px; font-weight: 700; }}
#Route {{ font-size: 15px; }}
#Big {{ font-size: 15px; }}
#DateTitle {{ font-size: 18px; font-weight: 700; }}
#Phone {{ border: 1px solid #cbd2d9; border-radius: 8px; padding: 6px 12px;
    background: #f7f9fb; font-weight: 600; }}
#WarnBox {{ background: #fff7e0; border: 1px solid #f3d58a; border-radius: 8px; }}
#DangerBox {{ background: #fdecea; border: 1px solid #f5c2c0; border-radius: 8px; }}
#OkBox {{ background: #e8f7ee; border: 1px solid #b7e3c6; border-radius: 8px; }}
#EmptyState {{ color: {MUTED}; font-size: 16px; }}
#EventTime {{ font-weight: 700; font-size: 15px; min-width: 54px; }}
#EventTitle {{ font-weight: 600; font-size: 15px; }}
#Dot {{ color: {PRIMARY}; font-size: 16px; }}
"""


def crew_text(card: JourneyCard) -> str:
    if not card.crew:
        return "Crew not assigned yet"
    return "  ·  ".join(f"{m.name} ({humanize(m.role)})" for m in card.crew)


def truck_text(card: JourneyCard) -> str:
    return f"{card.truck.unit_number} · {card.truck.name}" if card.truck else "No truck assigned"


def route_text(card: JourneyCard) -> str:
    return (
        f"{card.origin or 'Origin to confirm'}   →   {card.destination or 'Destination to confirm'}"
    )


def clear_layout(layout: QLayout) -> None:
    """Empty a layout now: widgets vanish at once and are deleted later."""
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            widget.hide()
            widget.deleteLater()


def big_button(text: str, *, primary: bool = False) -> QPushButton:
    widget = button(text, primary=primary)
    widget.setProperty("big", True)
    return widget


def status_chip(status: str) -> ChipLabel:
    chip = ChipLabel(status, humanize(status))
    return chip


def local_time(value: dt.datetime | None, tz: str) -> str:
    """``HH:MM`` on the clock of ``tz``, the journey's branch: a crew reads the times
    the dispatcher planned, whatever zone the laptop's own clock is set to."""
    if value is None:
        return ""
    return value.astimezone(zone(tz)).strftime("%H:%M")


def time_window(start: dt.datetime | None, end: dt.datetime | None, tz: str) -> str:
    """``08:00 – 11:30`` on the clock of ``tz`` (see ``local_time``)."""
    if start is None:
        return "Time to be confirmed"
    first = local_time(start, tz)
    return f"{first} – {local_time(end, tz)}" if end else f"From {first}"


class PhoneButton(QPushButton):
    """A phone number that copies itself to the clipboard on a tap (``copied`` says so)."""

    copied = Signal(str)

    def __init__(self, phone: str | None, parent: QWidget | None = None) -> None:
        super().__init__(f"☎  {phone}" if phone else "No phone on file", parent)
        self.phone = phone or ""
        self.setObjectName("Phone")
        self.setEnabled(bool(phone))
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Tap to copy the number")
        self.clicked.connect(self.copy)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.phone)
        self.setText(f"✓  {self.phone} copied")
        self.copied.emit(self.phone)


class TimeStepper(QWidget):
    """The time of a step on the branch's clock: now by default, ±5 minutes, or typed.

    ``tz`` is the IANA zone the crew reads its watch in (the journey's branch),
    so "09:15" means 09:15 there even when the laptop's clock zone is elsewhere.
    """

    STEP_MIN = 5

    def __init__(self, tz: str = "UTC", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tz = zone(tz).key
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        self.minus = button(f"−{self.STEP_MIN}")
        self.plus = button(f"+{self.STEP_MIN}")
        self.now_button = button("Now", flat=True)
        self.edit = QTimeEdit()
        self.edit.setDisplayFormat("HH:mm")
        self.edit.setButtonSymbols(QTimeEdit.ButtonSymbols.NoButtons)
        self.edit.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.edit.setMinimumWidth(110)
        for widget in (self.minus, self.plus):
            widget.setProperty("toggle", True)
            widget.setMinimumWidth(64)
        row.addWidget(QLabel("Time"))
        row.addWidget(self.minus)
        row.addWidget(self.edit)
        row.addWidget(self.plus)
        row.addWidget(self.now_button)
        row.addStretch(1)
        self.minus.clicked.connect(lambda: self.shift(-self.STEP_MIN))
        self.plus.clicked.connect(lambda: self.shift(self.STEP_MIN))
        self.now_button.clicked.connect(self.reset)
        self.reset()

    def set_zone(self, tz: str) -> None:
        """Read the time on ``tz``'s clock from now on; an unknown zone is refused."""
        self.tz = zone(tz).key

    def now(self) -> dt.datetime:
        return dt.datetime.now(zone(self.tz))

    def reset(self) -> None:
        now = self.now()
        self.edit.setTime(QTime(now.hour, now.minute))

    def shift(self, minutes: int) -> None:
        self.edit.setTime(self.edit.time().addSecs(minutes * 60))

    def value(self, day: dt.date | None = None) -> dt.datetime:
        """``day`` (today at the branch if None) at the chosen time there, as aware UTC.

        On daylight-saving days nothing is refused: a time the clocks skip is
        read with the offset before the jump (02:30 is 03:30 daylight time), and
        a time that happens twice is the first one, as the scheduling rules do.
        """
        day = day or self.now().date()
        t = self.edit.time()
        return local_to_utc(day, dt.time(t.hour(), t.minute()), self.tz, shift_gap=True)
