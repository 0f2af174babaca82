"""The server skips the contact rules for an edit that touches none of the fields they read.

``contact.CHECKED_FIELDS`` is what makes that skip safe: these tests run the full
``clean_customer`` / ``clean_lead`` on a row where everything is wrong and prove that
no column outside the set can make them refuse an edit.
"""

from __future__ import annotations

from typing import Any

import pytest

from shared_models.models import Customer, Lead
from shared_models.rules import contact
from shared_models.rules.errors import RuleViolation

CLEAN = {"customer": contact.clean_customer, "lead": contact.clean_lead}
MODELS = {"customer": Customer, "lead": Lead}


def worst_row(table: str) -> dict[str, Any]:
    """Every column too long, every contact detail malformed, every required name missing."""
    row: dict[str, Any] = {c.name: "x" * 1000 for c in MODELS[table].__table__.columns}
    row.update(
        email="not an email",
        phone="call me",
        alt_phone="call me",
        postal_code="ZZZ",
        province="QC",
        customer_type="COMMERCIAL",
        company_name=None,
        last_name=None,
        tax_exempt=True,
        tax_exemption_number=None,
        contact_email="not an email",
        contact_phone="call me",
        contact_name=None,
        customer_id=None,
        estimated_value="lots",
    )
    return {k: v for k, v in row.items() if k in MODELS[table].__table__.c}


def refuses(table: str, fields: set[str] | None) -> bool:
    try:
        CLEAN[table](worst_row(table), fields=fields)
    except RuleViolation:
        return True
    return False


@pytest.mark.parametrize("table", ["customer", "lead"])
def test_every_column_whose_edit_the_rules_can_refuse_is_a_checked_field(table: str) -> None:
    columns = [c.name for c in MODELS[table].__table__.columns]
    refused = {name for name in columns if refuses(table, {name})}
    assert len(refused) >= 5  # the worst row really is refused field by field
    assert refused <= contact.CHECKED_FIELDS[table]
    assert all(contact.checks_any(table, {name}) for name in refused)


@pytest.mark.parametrize("table", ["customer", "lead"])
def test_an_edit_of_only_unchecked_columns_passes_even_on_the_worst_row(table: str) -> None:
    unchecked = {c.name for c in MODELS[table].__table__.columns} - contact.CHECKED_FIELDS[table]
    assert "notes" in unchecked
    assert not contact.checks_any(table, unchecked)
    assert not refuses(table, unchecked)
    contact.check_row(table, worst_row(table), fields=unchecked)  # the server's fast exit


def test_a_notes_edit_skips_the_checks_an_email_edit_runs() -> None:
    row = worst_row("customer")
    contact.check_row("customer", row, fields={"notes"})
    with pytest.raises(RuleViolation) as refused:
        contact.check_row("customer", row, fields={"notes", "email"})
    assert refused.value.code == contact.INVALID_EMAIL


def test_a_province_edit_still_checks_the_stored_postal_code() -> None:
    row = {"last_name": "Lee", "province": "QC", "postal_code": "M5V 2T6"}
    assert contact.checks_any("customer", {"province"})
    with pytest.raises(RuleViolation) as refused:
        contact.check_row("customer", row, fields={"province"})
    assert refused.value.code == contact.INVALID_POSTAL_CODE


def test_a_new_row_is_checked_whole_and_other_tables_have_no_checked_fields() -> None:
    with pytest.raises(RuleViolation):
        contact.check_row("customer", worst_row("customer"))
    assert not contact.checks_any("quote", {"email", "notes"})
    contact.check_row("quote", {"email": "not an email"}, fields={"email"})
