"""New / edit customer: name, contact, address and tax, each field explained as the user types.

Checks are ``client.ui.validators`` over the shared contact rules; the write
goes through ``Contacts`` (which checks again) off the UI thread. Phone
numbers, emails and postal codes take their one stored form when the user
leaves the field, so what they see is what is saved.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QGridLayout, QPlainTextEdit, QWidget

from client.services.contacts import Contacts, load_customer
from client.ui import format as fmt
from client.ui import validators as check
from client.ui.context import AppContext
from client.ui.fields import ChoiceField, Field, FormDialog, field_title
from client.ui.tasks import Op
from client.ui.widgets import Card
from shared_models.enums import CustomerType, LeadSource, Province
from shared_models.geography import PROVINCE_NAMES
from shared_models.rules import contact
from shared_models.rules.errors import RuleViolation

TEXT_FIELDS = (
    "first_name",
    "last_name",
    "company_name",
    "email",
    "phone",
    "alt_phone",
    "address_line1",
    "address_line2",
    "city",
    "postal_code",
    "tax_exemption_number",
)
PROVINCES = [("—", None)] + [(f"{PROVINCE_NAMES[p]} ({p.value})", p.value) for p in Province]
NORMALISE: dict[str, Callable[[str], str]] = {
    "email": contact.parse_email,
    "phone": contact.parse_phone,
    "alt_phone": contact.parse_phone,
}

Writer = Callable[[dict[str, Any]], Any]


def grid_card(title: str, rows: list[list[QWidget]]) -> Card:
    """A card of fields laid out in rows (one widget spans the row when alone)."""
    card = Card(title)
    grid = QGridLayout()
    grid.setHorizontalSpacing(14)
    grid.setVerticalSpacing(8)
    for r, row in enumerate(rows):
        span = 2 // len(row)
        for c, widget in enumerate(row):
            grid.addWidget(widget, r, c * span, 1, span, Qt.AlignmentFlag.AlignTop)
    grid.setColumnStretch(0, 1)
    grid.setColumnStretch(1, 1)
    card.body.addLayout(grid)
    return card


def normalise_on_leave(field: Field, parse: Callable[[str], str]) -> None:
    """Rewrite a valid entry to its stored form when the user leaves the field."""

    def tidy() -> None:
        text = field.text.strip()
        try:
            tidy_text = parse(text) if text else ""
        except RuleViolation:
            return
        if tidy_text != field.text:
            field.set_text(tidy_text)

    field.edit.editingFinished.connect(tidy)


class CustomerForm(FormDialog):
    """``customer_id`` None: a new customer (``initial`` prefills it); else edit that one."""

    def __init__(
        self,
        ctx: AppContext,
        customer_id: uuid.UUID | None = None,
        *,
        initial: dict[str, Any] | None = None,
        writer: Writer | None = None,
        parent: QWidget | None = None,
    ) -> None:
        new = customer_id is None
        super().__init__(
            "New customer" if new else "Edit customer",
            "A last name or a company name is required; everything else helps the crew and"
            " the invoices. Changes sync when the laptop is online.",
            parent,
        )
        self.ctx, self.customer_id = ctx, customer_id
        self.contacts = Contacts(ctx.workspace.writes)
        self._writer = writer
        self.loaded: dict[str, Any] = {}
        self.save_button.setText("Create customer" if new else "Save changes")
        self._build()
        self.resize(1080, 700)
        if new:
            self.fill(initial or {})
        else:
            store = ctx.workspace.store
            Op(parent=self, op=lambda: load_customer(store, customer_id)).success(
                self.fill
            ).run_in_background()

    # -- layout --------------------------------------------------------------------

    def _build(self) -> None:
        add = self.add
        kinds = [(fmt.humanize(k.value), k.value) for k in CustomerType]
        self.kind = add("customer_type", ChoiceField("Customer type", kinds))
        first = add("first_name", Field("First name", check.text("first_name")))
        last = add("last_name", Field("Last name", self._last_name_check))
        company = add("company_name", Field("Company", self._company_check))
        language = add(
            "preferred_language",
            ChoiceField("Language for quotes and invoices", [("English", "en"), ("French", "fr")]),
        )
        sources = [("Not recorded", None)] + [(fmt.humanize(s.value), s.value) for s in LeadSource]
        source = add("source", ChoiceField("How they found us", sources))
        email = add("email", Field("Email", check.contact_email(), placeholder="name@example.com"))
        phone = add("phone", Field("Phone", check.phone(), placeholder=contact.PHONE_EXAMPLE))
        alt = add("alt_phone", Field("Other phone", check.phone(), placeholder="Work or cell"))
        line1 = add(
            "address_line1", Field("Street", check.text("address_line1"), placeholder="123 Main St")
        )
        line2 = add(
            "address_line2",
            Field("Unit, floor, buzzer", check.text("address_line2"), placeholder="Apt 4B"),
        )
        city = add("city", Field("City", check.text("city")))
        self.province = add("province", ChoiceField("Province", PROVINCES))
        postal = add(
            "postal_code",
            Field("Postal code", check.postal_code(self.province.value), placeholder="M5V 2T6"),
        )
        self.tax_exempt = QCheckBox("Tax exempt (status card, diplomat, ...)")
        exemption = add("tax_exemption_number", Field("Exemption number", self._exemption_check))
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText("Access, parking, anything the office should know")
        self.notes.setFixedHeight(72)
        for name, parse in NORMALISE.items():
            normalise_on_leave(self.fields[name], parse)  # type: ignore[arg-type]
        normalise_on_leave(
            postal, lambda text: contact.parse_postal_code(text, self.province.value())
        )
        left, right = self.columns
        left.addWidget(
            grid_card("Customer", [[self.kind, language], [first, last], [company, source]])
        )
        left.addWidget(grid_card("Contact", [[email], [phone, alt]]))
        right.addWidget(grid_card("Address", [[line1], [line2, city], [self.province, postal]]))
        tax = grid_card("Tax and notes", [[self.tax_exempt], [exemption]])
        tax.body.addWidget(field_title("Notes"))
        tax.body.addWidget(self.notes)
        right.addWidget(tax)
        self.finish_columns()
        # Checks that read another field: a change there re-checks (and shows) this one.
        self.kind.edited.connect(lambda: self._touch(company, last))
        self.province.edited.connect(lambda: self._touch(postal))
        self.tax_exempt.toggled.connect(self._exempt_toggled)
        company.edited.connect(lambda: self._touch(last))

    def _touch(self, *fields: Field) -> None:
        for field in fields:
            if field.text or field.touched:
                field.touched = True
        self.revalidate()

    def _exempt_toggled(self, on: bool) -> None:
        self.fields["tax_exemption_number"].setVisible(on)
        self.revalidate()

    # -- cross-field checks --------------------------------------------------------

    def _company(self) -> str:
        return self.fields["company_name"].raw().strip()  # type: ignore[no-any-return]

    def _last_name_check(self, text: str) -> str | None:
        if not text.strip() and not self._company():
            return "Enter a last name or a company name."
        return check.text("last_name")(text)

    def _company_check(self, text: str) -> str | None:
        if not text.strip() and self.kind.value() == CustomerType.COMMERCIAL.value:
            return "Enter the company's name."
        return check.text("company_name")(text)

    def _exemption_check(self, text: str) -> str | None:
        if self.tax_exempt.isChecked() and not text.strip():
            return "A tax-exempt customer needs an exemption number."
        return check.text("tax_exemption_number")(text)

    # -- values --------------------------------------------------------------------

    def fill(self, row: dict[str, Any]) -> None:
        """Show ``row``; values already stored that no longer pass are flagged at once."""
        self.loaded = dict(row)
        for name in TEXT_FIELDS:
            self.fields[name].set_text(str(row.get(name) or ""))  # type: ignore[attr-defined]
        self.kind.set_value(str(row.get("customer_type") or CustomerType.RESIDENTIAL.value))
        self.fields["preferred_language"].set_value(row.get("preferred_language") or "en")  # type: ignore[attr-defined]
        self.fields["source"].set_value(_plain(row.get("source")))  # type: ignore[attr-defined]
        self.province.set_value(_plain(row.get("province")))
        self.tax_exempt.setChecked(bool(row.get("tax_exempt")))
        self.fields["tax_exemption_number"].setVisible(bool(row.get("tax_exempt")))
        self.notes.setPlainText(str(row.get("notes") or ""))
        for name in TEXT_FIELDS:
            field = self.fields[name]
            field.touched = bool(self.customer_id) and bool(row.get(name))
            field.refresh()
        self.revalidate()

    def values(self) -> dict[str, Any]:
        """What the form shows, as the customer row stores it (only changes, when editing)."""
        out: dict[str, Any] = {
            name: self.fields[name].raw().strip() or None for name in TEXT_FIELDS
        }
        for name in ("customer_type", "preferred_language", "source", "province"):
            out[name] = self.fields[name].raw()
        out["tax_exempt"] = self.tax_exempt.isChecked()
        if not out["tax_exempt"]:
            out["tax_exemption_number"] = None
        out["notes"] = self.notes.toPlainText().strip() or None
        if self.customer_id is None:
            return out
        return {k: v for k, v in out.items() if v != _plain(self.loaded.get(k))}

    def write(self, values: dict[str, Any]) -> Any:
        if self._writer is not None:
            return self._writer(values)
        if self.customer_id is None:
            return self.contacts.create_customer(values)
        self.contacts.update_customer(self.customer_id, values)
        return self.customer_id


def _plain(value: Any) -> Any:
    """Enum members as their stored text, so the form compares like with like."""
    return getattr(value, "value", value)
