"""The editor's right column: live totals in the quote's currency, and the workflow buttons."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from client.services.quote_actions import Offer
from client.ui import format as fmt
from client.ui.detail_pane import line
from client.ui.widgets import Card, button, label
from shared_models.rules.totals import Totals

#: Why an action is greyed out, in the user's words (``Offer.blocked`` codes).
BLOCKED = {
    "approval_required": "The discount is above your company's limit: a manager must approve it "
    "before the quote is sent.",
    "quote_expired": "This quote has expired: mark it expired or revise it.",
    "quote_locked": "This quote is accepted and locked.",
}
UNSAVED = "Save your changes first."
#: Actions that move the quote forward are drawn as the primary button.
PRIMARY = {"send", "accept", "convert", "approve"}


class TotalsCard(Card):
    """Subtotal, discount, one line per tax and the total; rebuilt on every ``show``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Totals", parent)
        self.rows = QVBoxLayout()
        self.rows.setSpacing(6)
        self.body.addLayout(self.rows)
        self.texts: dict[str, str] = {}

    def show_totals(self, totals: Totals | None, currency: str, problem: str = "") -> None:
        while self.rows.count():
            item = self.rows.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.texts = {}
        if totals is None:
            self.rows.addWidget(
                label(problem or "Totals appear once the lines are valid.", "FieldError", wrap=True)
            )
            return
        entries = [("Subtotal", totals.subtotal)]
        if totals.discount:
            entries.append(("Discount", -totals.discount))
        entries += [(t.label, t.amount) for t in totals.taxes]
        if not totals.taxes:
            entries.append(("Tax", totals.tax_total))
        for name, amount in entries:
            text = fmt.money(amount, currency)
            self.texts[name] = text
            self.rows.addWidget(line(label(name, "Muted"), label(text)))
        total = fmt.money(totals.total, currency)
        self.texts["Total"] = total
        big = label(total, "DetailTitle")
        self.rows.addWidget(line(label("Total", "DetailTitle"), big))
        self.rows.addWidget(label(f"Amounts in {currency}", "Muted"))


class WorkflowCard(Card):
    """One button per ``Offer``; ``chosen`` carries the offer's name."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Status", parent)
        self.status = label("", wrap=True)
        self.body.addWidget(self.status)
        self.box = QVBoxLayout()
        self.box.setSpacing(6)
        self.body.addLayout(self.box)
        self.buttons: dict[str, QPushButton] = {}

    def show_offers(self, offers: Sequence[Offer], *, unsaved: bool, note: str = "") -> None:
        while self.box.count():
            item = self.box.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.buttons = {}
        self.status.setText(note)
        self.status.setVisible(bool(note))
        for offer in offers:
            widget = button(offer.label, primary=offer.name in PRIMARY)
            reason = BLOCKED.get(offer.blocked or "", offer.blocked or "")
            if unsaved:
                reason = UNSAVED
            widget.setEnabled(not reason)
            widget.setToolTip(reason)
            widget.clicked.connect(lambda _=False, n=offer.name: self.chosen.emit(n))
            self.box.addWidget(widget)
            self.buttons[offer.name] = widget
        if not offers:
            self.box.addWidget(label("Nothing to do on this quote for now.", "Muted", wrap=True))
