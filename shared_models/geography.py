"""Canadian provinces and territories: names and the time zone a new branch defaults to.

A branch can override its zone (north-western Ontario runs on Central time,
most of Saskatchewan never changes its clocks); these are only defaults.
"""

from __future__ import annotations

from collections.abc import Mapping

from shared_models.enums import Province

PROVINCE_NAMES: Mapping[Province, str] = {
    Province.AB: "Alberta",
    Province.BC: "British Columbia",
    Province.MB: "Manitoba",
    Province.NB: "New Brunswick",
    Province.NL: "Newfoundland and Labrador",
    Province.NS: "Nova Scotia",
    Province.NT: "Northwest Territories",
    Province.NU: "Nunavut",
    Province.ON: "Ontario",
    Province.PE: "Prince Edward Island",
    Province.QC: "Quebec",
    Province.SK: "Saskatchewan",
    Province.YT: "Yukon",
}

DEFAULT_TIMEZONE: Mapping[Province, str] = {
    Province.AB: "America/Edmonton",
    Province.BC: "America/Vancouver",
    Province.MB: "America/Winnipeg",
    Province.NB: "America/Moncton",
    Province.NL: "America/St_Johns",
    Province.NS: "America/Halifax",
    Province.NT: "America/Yellowknife",
    Province.NU: "America/Iqaluit",
    Province.ON: "America/Toronto",
    Province.PE: "America/Halifax",
    Province.QC: "America/Toronto",
    Province.SK: "America/Regina",
    Province.YT: "America/Whitehorse",
}


def parse_province(value: str) -> Province:
    """Accept a two-letter code or a full name, case-insensitively."""
    text = value.strip()
    try:
        return Province(text.upper())
    except ValueError:
        for province, name in PROVINCE_NAMES.items():
            if name.lower() == text.lower():
                return province
    raise ValueError(f"unknown province {value!r}; use a two-letter code such as ON or QC")
