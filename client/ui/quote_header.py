"""The quote editor's header: move date, estimate type, currency, discount and the two addresses.

Every field is checked as the user types by the same rules as the customer
form (``client.ui.validators``): a postal code must be one of its stop's
province, the arrival window must end after it starts.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QGridLayout,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from client.ui import format as fmt
from client.ui import validators as check
from client.ui.fields import Field
from client.ui.quote_lines import amount_check, parse_amount
from client.ui.widgets import Card, label
from shared_models.enums import Currency, EstimateType, Province
from shared_models.rules import contact
from shared_models.rules.errors import RuleViolation

ADDRESS_PARTS = ("line1", "city", "postal_code")
#: Grid cells hug the top: a field's message below it must not push its neighbour down.
TOP = Qt.AlignmentFlag.AlignTop


def _optional(limit: int) -> Any:
    return lambda text: f"Use at most {limit} characters." if len(text) > limit else None


def _titled(title: str, widget: QWidget) -> QWidget:
    holder = QWidget()
    box = QVBoxLayout(holder)
    box.setContentsMargins(0, 0, 0, 0)
    box.setSpacing(4)
    caption = label(title)
    caption.setStyleSheet("font-weight: 600;")
    box.addWidget(caption)
    box.addWidget(widget)
    return holder


def _combo(values: list[str], *, blank: str | None = None) -> QComboBox:
    combo = QComboBox()
    if blank is not None:
        combo.addItem(blank, None)
    for value in values:
        combo.addItem(fmt.humanize(value) if len(value) > 3 else value, value)
    return combo


class QuoteHeaderForm(QWidget):
    """``changed`` fires on every edit; ``values()`` are the header fields that pass."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self.move_date = QDateEdit()
        self.move_date.setCalendarPopup(True)
        self.move_date.setDisplayFormat("MMM d, yyyy")
        self.arrival = Field("Arrival window", check.time_window, placeholder="8:00-10:00")
        self.estimate_type = _combo([e.value for e in EstimateType])
        self.currency = _combo([c.value for c in Currency])
        self.discount = Field(
            "Quote discount %", amount_check("discount", maximum=Decimal(100), required=False)
        )
        self.address: dict[str, dict[str, Any]] = {}
        move = Card("Move")
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.addWidget(_titled("Move date", self.move_date), 0, 0, TOP)
        grid.addWidget(self.arrival, 0, 1, TOP)
        grid.addWidget(_titled("Estimate type", self.estimate_type), 1, 0, TOP)
        grid.addWidget(_titled("Currency", self.currency), 1, 1, TOP)
        grid.addWidget(self.discount, 2, 0, TOP)
        move.body.addLayout(grid)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(12)
        box.addWidget(move)
        for prefix, title in (("origin", "From"), ("destination", "To")):
            box.addWidget(self._address_card(prefix, title))
        notes = Card("Notes for the customer")
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText("Printed on the quote")
        self.notes.setFixedHeight(70)
        notes.body.addWidget(self.notes)
        box.addWidget(notes)
        box.addStretch(1)
        for signal in (
            self.move_date.dateChanged,
            self.estimate_type.currentIndexChanged,
            self.currency.currentIndexChanged,
            self.notes.textChanged,
            self.arrival.edit.textEdited,
            self.discount.edit.textEdited,
        ):
            signal.connect(self._changed)

    def _address_card(self, prefix: str, title: str) -> Card:
        card = Card(title)
        province = _combo([p.value for p in Province], blank="—")
        postal = Field(
            "Postal code", check.postal_code(province.currentData), placeholder="M5V 2T6"
        )
        fields = {
            "line1": Field("Street", _optional(200), placeholder="123 Main St"),
            "city": Field("City", _optional(100)),
            "postal_code": postal,
        }
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.addWidget(fields["line1"], 0, 0, 1, 2, TOP)
        grid.addWidget(fields["city"], 1, 0, 1, 2, TOP)
        grid.addWidget(_titled("Province", province), 2, 0, TOP)
        grid.addWidget(fields["postal_code"], 2, 1, TOP)
        card.body.addLayout(grid)
        for field in fields.values():
            field.edit.textEdited.connect(self._changed)
        province.currentIndexChanged.connect(lambda _: self._province_changed(postal))
        self.address[prefix] = {**fields, "province": province}
        return card

    # -- values ----------------------------------------------------------------------

    def load(self, header: dict[str, Any], *, currency_locked: bool, today: dt.date) -> None:
        """Show ``header``; an undated quote shows ``today`` (the branch's, from the draft)."""
        self._loading = True
        day = header.get("move_date") or today
        self.move_date.setDate(QDate(day.year, day.month, day.day))
        self.arrival.set_text(header.get("arrival_window") or "")
        self.estimate_type.setCurrentIndex(self.estimate_type.findData(header["estimate_type"]))
        self.currency.setCurrentIndex(self.currency.findData(str(header["currency"])))
        self.currency.setEnabled(not currency_locked)
        self.currency.setToolTip(
            "Remove the lines to quote in another currency" if currency_locked else ""
        )
        pct = header.get("discount_pct") or Decimal(0)
        self.discount.set_text("" if not pct else f"{Decimal(pct).normalize():f}")
        for prefix, widgets in self.address.items():
            for part in ADDRESS_PARTS:
                widgets[part].set_text(header.get(f"{prefix}_{part}") or "")
            combo = widgets["province"]
            combo.setCurrentIndex(max(0, combo.findData(header.get(f"{prefix}_province"))))
        self.notes.setPlainText(header.get("notes") or "")
        self._loading = False

    def fields(self) -> list[Field]:
        parts = [w[p] for w in self.address.values() for p in ADDRESS_PARTS]
        return [self.arrival, self.discount, *parts]

    def errors(self) -> list[str]:
        return [e for e in (f.error() for f in self.fields()) if e]

    def reveal_errors(self) -> None:
        for field in self.fields():
            field.refresh(force=True)

    def values(self) -> dict[str, Any]:
        """The header fields as the quote stores them (call when ``errors()`` is empty)."""
        day = self.move_date.date()
        out: dict[str, Any] = {
            "move_date": dt.date(day.year(), day.month(), day.day()),
            "arrival_window": self.arrival.text.strip() or None,
            "estimate_type": self.estimate_type.currentData(),
            "currency": self.currency.currentData(),
            "discount_pct": parse_amount(self.discount.text) or Decimal(0),
            "notes": self.notes.toPlainText().strip() or None,
        }
        for prefix, widgets in self.address.items():
            for part in ADDRESS_PARTS:
                out[f"{prefix}_{part}"] = widgets[part].text.strip() or None
            out[f"{prefix}_province"] = widgets["province"].currentData()
            out[f"{prefix}_postal_code"] = _stored_postal_code(
                out[f"{prefix}_postal_code"], out[f"{prefix}_province"]
            )
        return out

    def set_read_only(self, read_only: bool) -> None:
        for widget in (self.move_date, self.estimate_type, self.notes):
            widget.setEnabled(not read_only)
        if read_only:
            self.currency.setEnabled(False)
        for field in self.fields():
            field.edit.setReadOnly(read_only)
        for widgets in self.address.values():
            widgets["province"].setEnabled(not read_only)

    def _province_changed(self, postal: Field) -> None:
        """A typed postal code is re-checked (and its message shown) against the new province."""
        if not self._loading and postal.text.strip():
            postal.touched = True
        self._changed()

    def _changed(self, *_: object) -> None:
        if not self._loading:
            for field in self.fields():
                if field.touched:
                    field.refresh()
            self.changed.emit()


def _stored_postal_code(text: str | None, province: str | None) -> str | None:
    """The one stored form (``M5V 2T6``) of a code that passed its check."""
    if not text:
        return None
    try:
        return contact.parse_postal_code(text, province)
    except RuleViolation:
        return text
