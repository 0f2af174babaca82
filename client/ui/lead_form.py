"""New / edit lead: who, the move, the money and the next step, each field explained as typed.

A lead that is not a customer yet offers "Make customer": the customer form
opens prefilled from the lead, and saving it links the lead in the same write.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from PySide6.QtWidgets import QPlainTextEdit, QWidget

from client.services.contacts import Contacts, load_lead
from client.ui import format as fmt
from client.ui import validators as check
from client.ui.context import AppContext
from client.ui.customer_form import CustomerForm, grid_card, normalise_on_leave
from client.ui.fields import ChoiceField, DateField, Field, FormDialog, field_title
from client.ui.tasks import Op
from client.ui.widgets import button
from shared_models.enums import Currency, LeadPriority, LeadSource, LeadStatus
from shared_models.rules import contact

TEXT_FIELDS = (
    "contact_name",
    "contact_email",
    "contact_phone",
    "source_detail",
    "move_size",
    "origin_summary",
    "destination_summary",
    "lost_reason",
)
CHOICES = ("status", "priority", "source", "currency")
DATES = ("move_date", "expected_close_date", "next_follow_up_at")


def _choices(values: type[Any], *, codes: bool = False) -> list[tuple[str, Any]]:
    return [(v.value if codes else fmt.humanize(v.value), v.value) for v in values]


def _minute(value: Any) -> Any:
    return value.replace(second=0, microsecond=0) if isinstance(value, dt.datetime) else value


class LeadForm(FormDialog):
    """``lead_id`` None: a new lead; else edit that one (and maybe make it a customer)."""

    def __init__(
        self, ctx: AppContext, lead_id: uuid.UUID | None = None, *, parent: QWidget | None = None
    ) -> None:
        new = lead_id is None
        super().__init__(
            "New lead" if new else "Edit lead",
            "Who called, what they are moving and when to get back to them.",
            parent,
        )
        self.ctx, self.lead_id = ctx, lead_id
        self.contacts = Contacts(ctx.workspace.writes)
        self.loaded: dict[str, Any] = {}
        self.save_button.setText("Create lead" if new else "Save changes")
        self.convert_button = button("Make customer…")
        self.convert_button.setToolTip("Create the customer from this lead and link them")
        self.convert_button.hide()
        self.footer.insertWidget(0, self.convert_button)
        self.convert_button.clicked.connect(self.open_conversion)
        self._build()
        self.resize(1080, 700)
        if new:
            self.fill({"status": "NEW", "priority": "MEDIUM", "source": "PHONE", "currency": "CAD"})
        else:
            store = ctx.workspace.store
            Op(parent=self, op=lambda: load_lead(store, lead_id)).success(
                self.fill
            ).run_in_background()

    def _build(self) -> None:
        add = self.add
        name = add("contact_name", Field("Contact name", self._name_check, placeholder="Sam Roy"))
        email = add(
            "contact_email", Field("Email", check.contact_email(), placeholder="name@example.com")
        )
        phone = add(
            "contact_phone", Field("Phone", check.phone(), placeholder=contact.PHONE_EXAMPLE)
        )
        normalise_on_leave(email, contact.parse_email)  # type: ignore[arg-type]
        normalise_on_leave(phone, contact.parse_phone)  # type: ignore[arg-type]
        self.status = add("status", ChoiceField("Status", _choices(LeadStatus)))
        priority = add("priority", ChoiceField("Priority", _choices(LeadPriority)))
        source = add("source", ChoiceField("Source", _choices(LeadSource)))
        detail = add(
            "source_detail",
            Field("Source detail", check.text("source_detail"), placeholder="Referred by…"),
        )
        move_date = add("move_date", DateField("Move date", add_text="Add the move date"))
        size = add(
            "move_size",
            Field("Move size", check.text("move_size"), placeholder="2-bedroom apartment"),
        )
        origin = add("origin_summary", Field("From", check.text("origin_summary")))
        destination = add("destination_summary", Field("To", check.text("destination_summary")))
        value = add(
            "estimated_value",
            Field(
                "Estimated value",
                check.amount("estimated_value", "The estimated value"),
                placeholder="0.00",
            ),
        )
        currency = add("currency", ChoiceField("Currency", _choices(Currency, codes=True)))
        close = add(
            "expected_close_date", DateField("Expected to close", add_text="Add a close date")
        )
        self._follow_up_check = check.not_past("The follow-up")
        follow_up = add(
            "next_follow_up_at",
            DateField(
                "Next follow-up", self._follow_up, with_time=True, add_text="Plan a follow-up"
            ),
        )
        self.lost = add("lost_reason", Field("Why was it lost?", self._lost_check))
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText("What they asked for, special items, access")
        self.notes.setFixedHeight(72)
        left, right = self.columns
        left.addWidget(grid_card("Contact", [[name], [email, phone]]))
        left.addWidget(
            grid_card("Pipeline", [[self.status, priority], [source, detail], [self.lost]])
        )
        right.addWidget(
            grid_card("Move", [[move_date, size], [origin, destination], [value, currency]])
        )
        next_step = grid_card("Next step", [[close, follow_up]])
        next_step.body.addWidget(field_title("Notes"))
        next_step.body.addWidget(self.notes)
        right.addWidget(next_step)
        self.finish_columns()
        self.status.edited.connect(self._status_changed)

    def _status_changed(self) -> None:
        lost = self.status.value() == LeadStatus.LOST.value
        self.lost.setVisible(lost)
        if lost:
            self.lost.touched = True
        self.revalidate()

    # -- checks --------------------------------------------------------------------

    def _name_check(self, text: str) -> str | None:
        if not text.strip() and not self.loaded.get("customer_id"):
            return "Enter who the lead is."
        return check.text("contact_name")(text)

    def _lost_check(self, text: str) -> str | None:
        if self.status.value() == LeadStatus.LOST.value and not text.strip():
            return "Say why, so the team learns from it."
        return check.text("lost_reason")(text)

    def _follow_up(self, value: Any) -> str | None:
        """Only a newly planned follow-up must be ahead; one already stored may have passed."""
        if _minute(value) == _minute(self.loaded.get("next_follow_up_at")):
            return None
        return self._follow_up_check(value)

    # -- values --------------------------------------------------------------------

    def fill(self, row: dict[str, Any]) -> None:
        self.loaded = dict(row)
        for name in TEXT_FIELDS:
            self.fields[name].set_text(str(row.get(name) or ""))  # type: ignore[attr-defined]
        amount = row.get("estimated_value")
        self.fields["estimated_value"].set_text("" if amount is None else f"{amount:.2f}")  # type: ignore[attr-defined]
        for name in CHOICES:
            self.fields[name].set_value(str(getattr(row.get(name), "value", row.get(name))))  # type: ignore[attr-defined]
        for name in DATES:
            self.fields[name].set_value(row.get(name))  # type: ignore[attr-defined]
        self.notes.setPlainText(str(row.get("notes") or ""))
        self.lost.setVisible(self.status.value() == LeadStatus.LOST.value)
        self.convert_button.setVisible(self.lead_id is not None and not row.get("customer_id"))
        for field in self.fields.values():
            field.touched = self.lead_id is not None and bool(field.raw())
            field.refresh()
        self.revalidate()

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            name: self.fields[name].raw().strip() or None for name in TEXT_FIELDS
        }
        amount = self.fields["estimated_value"].raw().strip()
        out["estimated_value"] = (
            contact.parse_amount(amount, field="estimated_value") if amount else None
        )
        for name in (*CHOICES, *DATES):
            out[name] = self.fields[name].raw()
        if out["status"] != LeadStatus.LOST.value:
            out["lost_reason"] = None
        out["notes"] = self.notes.toPlainText().strip() or None
        if self.lead_id is None:
            return out
        return {
            k: v
            for k, v in out.items()
            if _minute(v) != _minute(getattr(self.loaded.get(k), "value", self.loaded.get(k)))
        }

    def write(self, values: dict[str, Any]) -> Any:
        if self.lead_id is None:
            return self.contacts.create_lead(values)
        self.contacts.update_lead(self.lead_id, values)
        return self.lead_id

    # -- conversion ----------------------------------------------------------------

    def open_conversion(self) -> None:
        """The customer form, prefilled from the lead; saving it links the lead too."""
        lead_id = self.lead_id
        if lead_id is None:
            return
        form = CustomerForm(
            self.ctx,
            initial=contact.customer_from_lead({**self.loaded, **self._typed()}),
            writer=lambda values: self.contacts.convert_lead(lead_id, values),
            parent=self,
        )
        form.setWindowTitle("Make customer")
        form.heading.setText("Make customer")
        form.saved.connect(self._converted)
        self.conversion = form
        form.open()

    def _typed(self) -> dict[str, Any]:
        return {
            name: self.fields[name].raw().strip() or None
            for name in ("contact_name", "contact_email", "contact_phone")
        }

    def _converted(self, customer_id: object) -> None:
        self.saved.emit(customer_id)
        self.accept()
