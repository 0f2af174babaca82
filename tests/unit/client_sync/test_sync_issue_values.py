"""Edit-and-retry of a refused change: a corrected value is checked before it is queued again."""

from __future__ import annotations

from client.services.sync_issues import check_value


def test_a_retried_phone_or_email_is_held_to_the_contact_rules() -> None:
    assert check_value("customer", "phone", "555-01")[1] is not None
    assert check_value("customer", "email", "not-an-address")[1] is not None
    assert check_value("lead", "contact_phone", "12")[1] is not None


def test_a_valid_retried_value_passes_as_typed() -> None:
    assert check_value("customer", "phone", "(416) 555-0199") == ("(416) 555-0199", None)
    assert check_value("customer", "email", "ana@example.ca") == ("ana@example.ca", None)


def test_a_negative_amount_and_a_bad_number_are_still_refused() -> None:
    assert check_value("quote", "deposit_amount", "-5")[1] == "The amount cannot be negative."
    assert check_value("quote", "crew_size", "two")[1] == "Use a whole number."
