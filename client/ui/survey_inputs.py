"""The survey dialog's inputs beside the catalogue: each stop's access, travel and crew,
and the live figures card.

Every field validates as the user types and says what is wrong beside itself;
the dialog reads ``site()`` and ``travel()`` only once no field has an error.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QVBoxLayout,
    QWidget,
)

from client.services.quoting import SurveyStop
from client.ui import format as fmt
from client.ui.detail_pane import line
from client.ui.fields import Field
from client.ui.widgets import Card, label
from shared_models.rules.cube_sheet import Site, TravelInput
from shared_models.rules.estimate import Estimate


def number_check(
    what: str, *, whole: bool = False, most: int = 10_000
) -> Callable[[str], str | None]:
    """A field check: empty means 0; otherwise a number >= 0 (whole when asked), <= most."""

    def check(text: str) -> str | None:
        text = text.strip().replace(",", ".")
        if not text:
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            return f"Enter the {what} as a number."
        if not value.is_finite() or value < 0:
            return f"The {what} cannot be negative."
        if whole and value != value.to_integral_value():
            return f"Enter the {what} as a whole number."
        if value > most:
            return f"The {what} looks too large (at most {most:,})."
        return None

    return check


def number(field: Field) -> Decimal:
    text = field.text.strip().replace(",", ".")
    return Decimal(text) if text else Decimal(0)


def small_field(title: str, check: Callable[[str], str | None], value: object = "") -> Field:
    field = Field(title, check)
    field.edit.setText("" if value in (None, 0, Decimal(0)) else str(value))
    field.edit.setPlaceholderText("0")
    field.edit.setMaximumWidth(120)
    return field


class StopEditor(QWidget):
    """One stop's access: flights of stairs, elevator, long carry and parking distance."""

    changed = Signal()

    def __init__(self, stop: SurveyStop, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        site = stop.site
        title = label(f"{stop.label}" + (f" · {stop.address}" if stop.address else ""), "Big")
        self.stairs = small_field(
            "Flights of stairs",
            number_check("number of flights", whole=True, most=50),
            site.stairs_flights,
        )
        self.elevator = QCheckBox("Elevator")
        self.elevator.setChecked(site.elevator)
        self.carry = small_field(
            "Long carry (ft)", number_check("long carry", most=5000), site.long_carry_ft
        )
        self.parking = small_field(
            "Parking distance (ft)",
            number_check("parking distance", most=5000),
            site.parking_distance_ft,
        )
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 4, 0, 10)
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(6)
        grid.addWidget(title, 0, 0, 1, 2)
        grid.addWidget(self.stairs, 1, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.elevator, 1, 1, Qt.AlignmentFlag.AlignBottom)
        grid.addWidget(self.carry, 2, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.parking, 2, 1, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(2, 1)
        for field in self.fields():
            field.edit.textChanged.connect(lambda _: self.changed.emit())
        self.elevator.toggled.connect(lambda _: self.changed.emit())

    def fields(self) -> tuple[Field, ...]:
        return (self.stairs, self.carry, self.parking)

    def site(self) -> Site:
        return Site(
            stairs_flights=int(number(self.stairs)),
            elevator=self.elevator.isChecked(),
            long_carry_ft=number(self.carry),
            parking_distance_ft=number(self.parking),
        )


class TravelEditor(QWidget):
    """Distance and driving minutes per leg, and the crew (automatic unless chosen)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        minutes = number_check("driving time", most=1440)
        self.distance = small_field("Distance (km)", number_check("distance", most=10_000))
        self.to_origin = small_field("Depot → pickup (min)", minutes)
        self.between = small_field("Pickup → delivery (min)", minutes)
        self.back = small_field("Delivery → depot (min)", minutes)
        self.crew = QComboBox()
        self.crew.setMinimumWidth(150)
        self.crew.addItem("Automatic", None)
        for size in range(1, 9):
            self.crew.addItem(f"{size} mover{'s' if size > 1 else ''}", size)
        crew_box = QVBoxLayout()
        crew_box.setSpacing(4)
        crew_title = label("Crew")
        crew_title.setStyleSheet("font-weight: 600;")
        crew_box.addWidget(crew_title)
        crew_box.addWidget(self.crew)
        crew_box.addStretch(1)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(6)
        grid.addWidget(self.distance, 0, 0, Qt.AlignmentFlag.AlignTop)
        grid.addLayout(crew_box, 0, 1)
        grid.addWidget(self.to_origin, 1, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.between, 1, 1, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.back, 2, 0, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(2, 1)
        for field in self.fields():
            field.edit.textChanged.connect(lambda _: self.changed.emit())
        self.crew.currentIndexChanged.connect(lambda _: self.changed.emit())

    def fields(self) -> tuple[Field, ...]:
        return (self.distance, self.to_origin, self.between, self.back)

    def travel(self) -> TravelInput:
        return TravelInput(
            depot_to_origin_minutes=number(self.to_origin),
            origin_to_destination_minutes=number(self.between),
            destination_to_depot_minutes=number(self.back),
            distance_km=number(self.distance),
        )

    def crew_size(self) -> int | None:
        return self.crew.currentData()


class FiguresCard(Card):
    """The live result: the move's figures, then the money in the quote's currency."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Estimate", parent)
        self.rows = QVBoxLayout()
        self.rows.setSpacing(6)
        self.body.addLayout(self.rows)
        self.now = label("", "Muted", wrap=True)
        self.body.addWidget(self.now)
        self.texts: dict[str, str] = {}
        self.problem_text = ""

    def _clear(self) -> None:
        while self.rows.count():
            item = self.rows.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.texts = {}
        self.problem_text = ""

    def show_problem(self, text: str) -> None:
        self._clear()
        self.problem_text = text
        self.rows.addWidget(label(text, "FieldError", wrap=True))

    def show_estimate(self, estimate: Estimate, currency: str) -> None:
        self._clear()
        plan, totals = estimate.plan, estimate.totals
        labour = plan.labour_minutes / 60
        entries = [
            ("Volume", f"{plan.volume_cuft:,.0f} cu ft"),
            ("Weight", f"{plan.weight_lb:,.0f} lb"),
            ("Labour", f"{labour:,.1f} mover-hours"),
            ("Crew", f"{plan.crew_size} movers"),
            ("Hours", f"{plan.billed_hours} h billed"),
            ("Subtotal", fmt.money(totals.subtotal, currency)),
        ]
        if totals.discount:
            entries.append(("Discount", fmt.money(-totals.discount, currency)))
        entries += [(t.label, fmt.money(t.amount, currency)) for t in totals.taxes]
        for index, (name, text) in enumerate(entries):
            self.texts[name] = text
            if index == 5:
                self.rows.addSpacing(6)
            self.rows.addWidget(line(label(name, "Muted"), label(text)))
        total = fmt.money(totals.total, currency)
        self.texts["Total"] = total
        self.rows.addSpacing(4)
        self.rows.addWidget(line(label("Total", "DetailTitle"), label(total, "DetailTitle")))
        self.rows.addWidget(label(f"Amounts in {currency}, taxes included", "Muted"))
