"""Create and edit customers and leads offline, and turn a lead into a customer.

Every value passes ``shared_models.rules.contact`` here again, whatever the
form checked: a ``RuleViolation`` (naming the field) leaves the replica and
the outbox untouched. Writes go through ``LocalWriteService``; a conversion
writes the customer and links the lead in one batch.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from client.services.errors import InvalidWrite, RowNotFound
from client.services.permissions import require, signed_in_user, user_grants
from client.services.queries import get_row, list_rows
from client.services.writes import LocalWriteService
from shared_models.enums import LeadStatus, PermissionAction
from shared_models.rules.contact import check_not_past, clean_customer, clean_lead

A = PermissionAction

#: What the customer form edits (the rest of the row is the server's or the sync's).
CUSTOMER_FIELDS = frozenset(
    {
        "customer_type",
        "first_name",
        "last_name",
        "company_name",
        "email",
        "phone",
        "alt_phone",
        "address_line1",
        "address_line2",
        "city",
        "province",
        "postal_code",
        "preferred_language",
        "tax_exempt",
        "tax_exemption_number",
        "notes",
        "source",
    }
)
LEAD_FIELDS = frozenset(
    {
        "contact_name",
        "contact_email",
        "contact_phone",
        "status",
        "priority",
        "source",
        "source_detail",
        "move_date",
        "move_size",
        "origin_summary",
        "destination_summary",
        "estimated_value",
        "currency",
        "expected_close_date",
        "next_follow_up_at",
        "lost_reason",
        "notes",
    }
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).astimezone()


def _only(values: Mapping[str, Any], allowed: frozenset[str], what: str) -> dict[str, Any]:
    unknown = set(values) - allowed
    if unknown:
        raise InvalidWrite(f"a {what} form cannot set {', '.join(sorted(unknown))}")
    return dict(values)


class Contacts:
    """Customers and leads as the dispatcher edits them, each write through LocalWriteService."""

    def __init__(self, writes: LocalWriteService, *, now: Callable[[], dt.datetime] = _now) -> None:
        self.writes = writes
        self.store = writes.store
        self.now = now

    # -- customers -------------------------------------------------------------------

    def create_customer(self, values: Mapping[str, Any]) -> uuid.UUID:
        row = self._new_customer(values)
        return self.writes.insert("customer", row)

    def update_customer(self, customer_id: uuid.UUID, values: Mapping[str, Any]) -> int | None:
        """Change what the form shows; None when nothing changed."""
        changes = _only(values, CUSTOMER_FIELDS, "customer")
        self._require("customer", A.UPDATE)
        old = self._live("customer", customer_id)
        merged = clean_customer({**old, **changes}, fields=changes.keys())
        return self.writes.update("customer", customer_id, {k: merged[k] for k in changes})

    # -- leads -----------------------------------------------------------------------

    def create_lead(self, values: Mapping[str, Any]) -> uuid.UUID:
        row = _only(values, LEAD_FIELDS | {"customer_id"}, "lead")
        self._require("lead", A.CREATE)
        self._check_dates(row, {})
        clean = clean_lead(row)
        clean.setdefault("location_id", self._location())
        clean.setdefault("assigned_to", self.writes.user_id)
        return self.writes.insert("lead", clean)

    def update_lead(self, lead_id: uuid.UUID, values: Mapping[str, Any]) -> int | None:
        changes = _only(values, LEAD_FIELDS, "lead")
        self._require("lead", A.UPDATE)
        old = self._live("lead", lead_id)
        self._check_dates(changes, old)
        merged = clean_lead({**old, **changes}, fields=changes.keys())
        return self.writes.update("lead", lead_id, {k: merged[k] for k in changes})

    def convert_lead(self, lead_id: uuid.UUID, customer: Mapping[str, Any]) -> uuid.UUID:
        """The lead's new customer, written with the lead's link to it (QUALIFIED) in one batch."""
        self._require("lead", A.UPDATE)
        lead = self._live("lead", lead_id)
        if lead.get("customer_id") is not None:
            raise InvalidWrite("this lead is already a customer", field="customer_id")
        row = self._new_customer({**customer}, location_id=lead["location_id"])
        with self.writes.batch() as batch:
            customer_id = batch.insert("customer", row)
            batch.update("lead", lead_id, self._link(lead, customer_id))
        return customer_id

    # -- helpers ---------------------------------------------------------------------

    def _new_customer(
        self, values: Mapping[str, Any], *, location_id: uuid.UUID | None = None
    ) -> dict[str, Any]:
        row = _only(values, CUSTOMER_FIELDS, "customer")
        self._require("customer", A.CREATE)
        clean = clean_customer(row)
        clean["location_id"] = location_id or self._location()
        clean.setdefault("sales_rep_id", self.writes.user_id)
        return clean

    @staticmethod
    def _link(lead: Mapping[str, Any], customer_id: uuid.UUID) -> dict[str, Any]:
        changes: dict[str, Any] = {"customer_id": customer_id}
        if lead["status"] in (LeadStatus.NEW, LeadStatus.CONTACTED):
            changes["status"] = LeadStatus.QUALIFIED
        return changes

    def _check_dates(self, changes: Mapping[str, Any], old: Mapping[str, Any]) -> None:
        """A newly planned follow-up is today or later; one already stored may have passed."""
        at = changes.get("next_follow_up_at")
        if at is not None and at != old.get("next_follow_up_at"):
            check_not_past(at, self.now(), field="next_follow_up_at", what="The follow-up")

    def _require(self, resource: str, action: PermissionAction) -> None:
        require(user_grants(self.store, self._user()), resource, action)

    def _user(self) -> dict[str, Any]:
        return signed_in_user(self.store, self.writes.user_id)

    def _location(self) -> uuid.UUID:
        """The user's branch, else the first branch this replica holds."""
        home = self._user().get("location_id")
        if home is not None:
            return uuid.UUID(str(home))
        branches = list_rows(self.store, "location", order_by="name", limit=1)
        if not branches:
            raise InvalidWrite("no branch on this device yet: sync once first")
        return uuid.UUID(str(branches[0]["id"]))

    def _live(self, table: str, row_id: uuid.UUID) -> dict[str, Any]:
        row = get_row(self.store, table, row_id)
        if row is None:
            raise RowNotFound(f"this {table} is no longer on this device")
        return row


def load_customer(store: Any, customer_id: uuid.UUID) -> dict[str, Any]:
    """The customer as the form edits it."""
    row = get_row(store, "customer", customer_id)
    if row is None:
        raise RowNotFound("this customer is no longer on this device")
    return {k: row.get(k) for k in CUSTOMER_FIELDS}


def load_lead(store: Any, lead_id: uuid.UUID) -> dict[str, Any]:
    """The lead as the form edits it, with its customer link and branch."""
    row = get_row(store, "lead", lead_id)
    if row is None:
        raise RowNotFound("this lead is no longer on this device")
    return {k: row.get(k) for k in (*LEAD_FIELDS, "customer_id", "location_id")}


__all__ = ["CUSTOMER_FIELDS", "LEAD_FIELDS", "Contacts", "load_customer", "load_lead"]
