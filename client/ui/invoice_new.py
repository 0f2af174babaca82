"""Bill a completed journey or an accepted fixed-price quote, offline.

The candidates (jobs and quotes without an invoice) and the journey's rate
card are read on the database worker; the rates arrive prefilled and stay
editable, checked as they are typed. The invoice is written by
``BillingService`` with a provisional number until the server numbers it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from client.services.billing import BillingService
from client.services.invoice_billable import Billable, billable_journeys, billable_quotes
from client.ui import format as fmt
from client.ui.fields import Field
from client.ui.invoice_payment import explain, parse_amount
from client.ui.tasks import Op
from client.ui.widgets import button, label
from shared_models.rules.invoicing import LabourRates

TERMS = (("Net 15 days", "NET_15"), ("Net 30 days", "NET_30"), ("Due on receipt", "DUE_ON_RECEIPT"))
#: (field name, title, LabourRates attribute)
RATE_FIELDS = (
    ("hourly_rate", "Hourly rate"),
    ("minimum_hours", "Minimum hours"),
    ("truck_fee", "Truck fee"),
    ("travel_fee", "Travel fee"),
)


def _money_check(what: str, *, required: bool = False) -> Callable[[str], str | None]:
    def check(text: str) -> str | None:
        if not text.strip() and not required:
            return None
        value = parse_amount(text)
        if isinstance(value, str):
            return value.replace("The amount", f"The {what}").replace("the amount", f"the {what}")
        if required and value == 0:
            return f"The {what} must be more than zero."
        return None

    return check


class NewInvoiceDialog(QDialog):
    """``kind`` "journey" bills the job's hours and materials, "quote" the quote as sold."""

    created = Signal(object)  # the new invoice's id

    def __init__(self, billing: BillingService, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.billing, self.kind = billing, kind
        self.loaded = False
        self.busy = False
        title = "New invoice from a journey" if kind == "journey" else "New invoice from a quote"
        self.setWindowTitle(title)
        self.setMinimumSize(580, 660)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        box = QVBoxLayout(self)
        box.setContentsMargins(22, 20, 22, 18)
        box.setSpacing(12)
        box.addWidget(label(title, "DetailTitle"))
        intro = (
            "Completed jobs without an invoice. Labour is billed from the crew's timeline "
            "(breaks taken out, rounded up to 15 minutes), materials from what was sold on the job."
            if kind == "journey"
            else "Accepted flat-rate and binding quotes without an invoice, billed as sold."
        )
        box.addWidget(label(intro, "Muted", wrap=True))
        self.candidates = QListWidget()
        self.candidates.setObjectName("CandidateList")
        self.candidates.setMinimumHeight(150)
        self.candidates.setAlternatingRowColors(True)
        self.candidates.setStyleSheet(
            "QListWidget { background: white; border: 1px solid #dde3ea; border-radius: 8px; }"
            "QListWidget::item { padding: 8px 10px; }"
            "QListWidget::item:selected { background: #e8f1fe; color: #1f2933; }"
        )
        box.addWidget(self.candidates, 1)
        self.empty = label("", "Muted", wrap=True)
        box.addWidget(self.empty)
        self.empty.hide()

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setVerticalSpacing(8)
        self.issue = QDateEdit(QDate.currentDate())
        self.issue.setCalendarPopup(True)
        self.issue.setDisplayFormat("MMM d, yyyy")
        self.terms = QComboBox()
        for text, value in TERMS:
            self.terms.addItem(text, value)
        form.addRow("Issue date", self.issue)
        form.addRow("Payment terms", self.terms)
        self.rates: dict[str, Field] = {}
        if kind == "journey":
            for name, text in RATE_FIELDS:
                what = text.lower()
                field = Field("", _money_check(what, required=name == "hourly_rate"))
                field.title.hide()
                self.rates[name] = field
                form.addRow(text, field)
            self.rate_note = label("", "Muted", wrap=True)
            form.addRow("", self.rate_note)
        box.addLayout(form)
        self.error = label("", "FieldError", wrap=True)
        self.error.hide()
        box.addWidget(self.error)

        self.filler = QWidget()
        box.addWidget(self.filler, 1)  # takes the list's room when there is nothing to bill
        self.filler.hide()
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = button("Cancel", flat=True)
        self.ok_button = button("Create invoice", primary=True)
        self.ok_button.setEnabled(False)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.ok_button)
        box.addLayout(buttons)
        self.cancel_button.clicked.connect(self.reject)
        self.ok_button.clicked.connect(self.submit)
        self.candidates.currentRowChanged.connect(self._chosen)

        store = billing.store
        read = billable_journeys if kind == "journey" else billable_quotes
        Op(parent=self, op=lambda: read(store)).success(self._show).run_in_background()

    # -- loading -------------------------------------------------------------------------

    def _show(self, rows: list[Billable]) -> None:
        self.items = rows
        for row in rows:
            when = fmt.date(row.day) if row.day else "No date"
            item = QListWidgetItem(f"{row.number}  ·  {row.customer_name}\n{when}  ·  {row.detail}")
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            self.candidates.addItem(item)
        what = "completed job" if self.kind == "journey" else "accepted fixed-price quote"
        self.empty.setText("" if rows else f"Every {what} on this computer is already invoiced.")
        self.empty.setVisible(not rows)
        self.candidates.setVisible(bool(rows))
        self.filler.setVisible(not rows)
        self.loaded = True
        if rows:
            self.candidates.setCurrentRow(0)

    def chosen_id(self) -> uuid.UUID | None:
        item = self.candidates.currentItem()
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def _chosen(self, _: int) -> None:
        self.ok_button.setEnabled(self.chosen_id() is not None)
        self.error.hide()
        journey_id = self.chosen_id()
        if self.kind != "journey" or journey_id is None:
            return
        billing = self.billing
        self.rate_note.setText("Reading the rate card…")
        Op(parent=self, op=lambda: billing.rates_for_journey(journey_id)).success(
            lambda rates: self._fill(journey_id, rates)
        ).failure(lambda exc: self._no_rates(journey_id, exc)).run_in_background()

    def _fill(self, journey_id: uuid.UUID, rates: LabourRates) -> None:
        if journey_id != self.chosen_id():
            return
        for name, field in self.rates.items():
            field.set_text(f"{getattr(rates, name):.2f}")
            field.refresh()
        self.rate_note.setText("From the job's rate card; change them for this invoice if agreed.")

    def _no_rates(self, journey_id: uuid.UUID, exc: BaseException) -> None:
        if journey_id != self.chosen_id():
            return
        self.rate_note.setText(f"{explain(exc)} Enter the rates for this job.")

    # -- creating ------------------------------------------------------------------------

    def labour_rates(self) -> LabourRates:
        values: dict[str, Any] = {}
        for name, field in self.rates.items():
            value = parse_amount(field.text) if field.text.strip() else Decimal(0)
            assert isinstance(value, Decimal)
            values[name] = value
        return LabourRates(**values)

    def submit(self) -> None:
        source_id = self.chosen_id()
        if self.busy or source_id is None:
            return
        for field in self.rates.values():
            field.refresh(force=True)
        if not all(field.valid() for field in self.rates.values()):
            return
        issue = self.issue.date()
        day = dt.date(issue.year(), issue.month(), issue.day())
        terms = str(self.terms.currentData())
        billing = self.billing
        if self.kind == "journey":
            rates = self.labour_rates()
            write: Callable[[], uuid.UUID] = lambda: billing.create_invoice_from_journey(
                journey_id=source_id, rates=rates, issue_date=day, terms=terms
            )
        else:
            write = lambda: billing.create_invoice_from_quote(
                quote_id=source_id, issue_date=day, terms=terms
            )
        self.busy = True
        self.ok_button.setEnabled(False)
        Op(parent=self, op=write).success(self._created).failure(self._refused).run_in_background()

    def _created(self, invoice_id: uuid.UUID) -> None:
        self.busy = False
        self.created.emit(invoice_id)
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self.busy = False
        self.ok_button.setEnabled(True)
        self.error.setText(f"Not created: {explain(exc)}")
        self.error.show()
