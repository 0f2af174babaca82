"""Contact rules both sides hold customers and leads to: email, phone, postal code, records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shared_models.enums import Province
from shared_models.rules import contact
from shared_models.rules.contact import (
    check_customer,
    check_not_past,
    clean_customer,
    clean_lead,
    customer_from_lead,
    parse_email,
    parse_phone,
    parse_postal_code,
)
from shared_models.rules.errors import NEGATIVE_AMOUNT, RuleViolation


@pytest.mark.parametrize(
    "typed",
    [
        "416-555-0199",
        "(416) 555-0199",
        "416.555.0199",
        "4165550199",
        "+1 416 555 0199",
        "1-416-555-0199",
    ],
)
def test_every_way_of_writing_a_number_is_stored_one_way(typed: str) -> None:
    assert parse_phone(typed) == "416-555-0199"


def test_a_phone_extension_is_kept_in_one_form() -> None:
    assert parse_phone("(514) 555-0100 x 42") == "514-555-0100 ext. 42"
    assert parse_phone("514 555 0100 ext. 7") == "514-555-0100 ext. 7"


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("416-555-019", "10 digits"),
        ("416-555-01999", "10 digits"),
        ("+44 20 7946 0958", "North American"),
        ("call me", "digits only"),
        ("116-555-0199", "not an area code"),
        ("911-555-0199", "not an area code"),
        ("416-155-0199", "cannot start with 0 or 1"),
    ],
)
def test_a_bad_phone_number_is_refused_with_the_reason(typed: str, says: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        parse_phone(typed, field="alt_phone")
    assert refused.value.code == contact.INVALID_PHONE
    assert refused.value.field == "alt_phone"
    assert says in refused.value.message


def test_an_email_is_normalised_and_a_bad_one_refused() -> None:
    assert parse_email("  Dana.Roy@Movers.EXAMPLE ") == "Dana.Roy@movers.example"
    for bad in ("dana", "dana@", "@movers.ca", "dana@@movers.ca", "dana roy@movers.ca"):
        with pytest.raises(RuleViolation) as refused:
            parse_email(bad)
        assert refused.value.code == contact.INVALID_EMAIL and refused.value.field == "email"


def test_postal_codes_are_normalised_to_a1a_1a1() -> None:
    assert parse_postal_code("m5v2t6") == "M5V 2T6"
    assert parse_postal_code(" h2x-1y4 ", Province.QC) == "H2X 1Y4"
    assert parse_postal_code("X0A 0H0", "NU") == "X0A 0H0"


@pytest.mark.parametrize(
    ("typed", "province", "says"),
    [
        ("M5V", None, "A1A 1A1"),
        ("123 456", None, "A1A 1A1"),
        ("M5V 2T6 7", None, "A1A 1A1"),
        ("D5V 2T6", None, "never use"),
        ("M5O 2T6", None, "never use"),
        ("W1A 1A1", None, "W or Z"),
        ("M5V 2T6", Province.BC, "British Columbia postal codes start with V"),
        ("V6B 1A1", Province.ON, "Ontario postal codes start with K, L, M, N or P"),
        ("M5V 2T6", Province.QC, "start with G, H or J"),
    ],
)
def test_a_postal_code_must_exist_and_match_its_province(
    typed: str, province: Province | None, says: str
) -> None:
    with pytest.raises(RuleViolation) as refused:
        parse_postal_code(typed, province)
    assert refused.value.code == contact.INVALID_POSTAL_CODE
    assert says in refused.value.message


def test_a_customer_is_cleaned_as_a_whole() -> None:
    row = {
        "first_name": "  Zoë ",
        "last_name": "Tremblay",
        "company_name": "",
        "email": "ZOE@Example.CA",
        "phone": "(613) 555 0142",
        "alt_phone": None,
        "province": "ON",
        "postal_code": "k1p5g4",
        "city": " Ottawa ",
    }
    clean = clean_customer(row)
    assert clean["first_name"] == "Zoë" and clean["company_name"] is None
    assert clean["email"] == "ZOE@example.ca" and clean["phone"] == "613-555-0142"
    assert clean["postal_code"] == "K1P 5G4" and clean["city"] == "Ottawa"


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"last_name": " ", "company_name": None}, "last_name", contact.REQUIRED),
        ({"customer_type": "COMMERCIAL", "company_name": ""}, "company_name", contact.REQUIRED),
        ({"email": "zoe@"}, "email", contact.INVALID_EMAIL),
        ({"alt_phone": "555-0142"}, "alt_phone", contact.INVALID_PHONE),
        ({"province": "BC"}, "postal_code", contact.INVALID_POSTAL_CODE),
        ({"city": "x" * 101}, "city", contact.TOO_LONG),
        ({"tax_exempt": True}, "tax_exemption_number", contact.REQUIRED),
    ],
)
def test_a_bad_customer_is_refused_naming_the_field(
    changes: dict[str, object], field: str, code: str
) -> None:
    row = {"last_name": "Tremblay", "province": "ON", "postal_code": "K1P 5G4", **changes}
    with pytest.raises(RuleViolation) as refused:
        check_customer(row)
    assert (refused.value.field, refused.value.code) == (field, code)


def test_the_server_checks_only_the_fields_a_change_touches() -> None:
    stored = {"last_name": "Tremblay", "phone": "555-0142", "email": "a@b.ca"}  # older data
    check_customer({**stored, "email": "new@b.ca"}, fields={"email"})
    with pytest.raises(RuleViolation):
        check_customer({**stored, "phone": "555-0143"}, fields={"phone"})
    # A new province re-checks the postal code that was valid before.
    with pytest.raises(RuleViolation) as refused:
        check_customer(
            {"last_name": "T", "province": "AB", "postal_code": "K1P 5G4"}, fields={"province"}
        )
    assert refused.value.field == "postal_code"


def test_a_lead_needs_a_contact_a_valid_email_and_a_value_of_at_least_zero() -> None:
    clean = clean_lead(
        {"contact_name": " Sam Roy ", "contact_phone": "4165550199", "estimated_value": "4,500.50"}
    )
    assert clean["contact_name"] == "Sam Roy" and clean["contact_phone"] == "416-555-0199"
    assert clean["estimated_value"] == Decimal("4500.50")
    assert clean_lead({"customer_id": "c1", "contact_name": None})["contact_name"] is None
    cases = [
        ({"contact_name": ""}, "contact_name", contact.REQUIRED),
        ({"contact_name": "Sam", "contact_email": "sam@"}, "contact_email", contact.INVALID_EMAIL),
        (
            {"contact_name": "Sam", "estimated_value": Decimal(-1)},
            "estimated_value",
            NEGATIVE_AMOUNT,
        ),
        ({"contact_name": "Sam", "estimated_value": "lots"}, "estimated_value", NEGATIVE_AMOUNT),
    ]
    for row, field, code in cases:
        with pytest.raises(RuleViolation) as refused:
            clean_lead(row)
        assert (refused.value.field, refused.value.code) == (field, code)


def test_a_follow_up_cannot_be_planned_in_the_past() -> None:
    now = dt.datetime(2026, 5, 4, 12, tzinfo=dt.UTC)
    check_not_past(now + dt.timedelta(minutes=1), now, field="f", what="The follow-up")
    check_not_past(now.date(), now, field="f", what="The move date")  # today is fine
    with pytest.raises(RuleViolation) as refused:
        check_not_past(now - dt.timedelta(hours=1), now, field="f", what="The follow-up")
    assert refused.value.code == contact.DATE_IN_PAST
    assert refused.value.message == "The follow-up cannot be in the past."


def test_a_lead_becomes_a_customer_with_its_contact_details() -> None:
    lead = {"contact_name": "Marie-Ève Gagnon", "contact_email": "meg@x.ca", "source": "WEBSITE"}
    values = customer_from_lead(lead)
    assert (values["first_name"], values["last_name"]) == ("Marie-Ève", "Gagnon")
    assert values["email"] == "meg@x.ca" and values["source"] == "WEBSITE"
    assert customer_from_lead({"contact_name": "Acme"})["last_name"] == "Acme"


def test_the_server_hook_checks_customers_and_leads_only() -> None:
    contact.check_row("quote", {"email": "not checked"})
    contact.check_row("lead", {"contact_name": "Sam"}, fields={"contact_name"})
    with pytest.raises(RuleViolation) as refused:
        contact.check_row("customer", {"last_name": "T", "phone": "12"}, fields={"phone"})
    assert refused.value.code == contact.INVALID_PHONE
    with pytest.raises(RuleViolation):
        contact.check_row("lead", {"contact_name": "Sam", "contact_email": "x@"})
