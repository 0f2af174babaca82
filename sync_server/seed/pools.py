"""Names, streets and companies drawn once from Faker, then combined with a seeded rng.

Calling Faker per row costs ~60 us a call; 20,000 customers with addresses would
spend most of the seed there. Pools of a few hundred values each, mixed by a
seeded ``random.Random``, read just as real and cost nothing per row.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

from faker import Faker

from shared_models.enums import Province
from shared_models.rules.contact import POSTAL_FIRST_LETTERS
from sync_server.seed.branches import POSTAL_DISTRICT, Branch

STREET_TYPES = (
    "Street",
    "Avenue",
    "Road",
    "Drive",
    "Crescent",
    "Boulevard",
    "Court",
    "Way",
    "Lane",
    "Place",
    "Trail",
    "Circle",
)
QC_STREET_TYPES = ("rue", "avenue", "boulevard", "chemin", "place")
COMMON_STREETS = (
    "King",
    "Queen",
    "Church",
    "Victoria",
    "Maple",
    "Oak",
    "Elm",
    "Main",
    "Park",
    "Lakeshore",
    "Bay",
    "College",
    "Dundas",
    "Wellington",
    "Albert",
    "Elgin",
    "Bloor",
    "Pine",
    "Cedar",
    "Birch",
    "Highland",
    "Riverside",
    "Hillcrest",
)
UNIT_FORMATS = ("Unit {n}", "Apt {n}", "Suite {n}", "#{n}")
EMAIL_DOMAINS = (
    "gmail.com",
    "outlook.com",
    "hotmail.com",
    "yahoo.ca",
    "icloud.com",
    "rogers.com",
    "bell.net",
    "shaw.ca",
    "telus.net",
    "videotron.ca",
)
_POSTAL_ALPHABET = "ABCEGHJKLMNPRSTVWXYZ"


def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters only, for email local parts ("Zoë O'Neil" -> "zoeoneil")."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


@dataclass(frozen=True)
class Address:
    line1: str
    line2: str | None
    city: str
    province: Province
    postal_code: str


class Pools:
    """Seeded pools of people, streets and businesses."""

    def __init__(self, faker: Faker) -> None:
        self.first_names = sorted({faker.first_name() for _ in range(700)})
        self.last_names = sorted({faker.last_name() for _ in range(900)})
        self.streets = sorted({faker.last_name() for _ in range(400)} | set(COMMON_STREETS))
        self.companies = sorted({faker.company().replace(",", "") for _ in range(400)})

    def person(self, rng: random.Random) -> tuple[str, str]:
        return rng.choice(self.first_names), rng.choice(self.last_names)

    def company(self, rng: random.Random) -> str:
        return rng.choice(self.companies)

    def postal_code(
        self, rng: random.Random, province: Province, district: str | None = None
    ) -> str:
        first = district or rng.choice(POSTAL_FIRST_LETTERS.get(province, "KLMNP"))
        a = _POSTAL_ALPHABET
        return f"{first}{rng.randint(0, 9)}{rng.choice(a)} {rng.randint(0, 9)}{rng.choice(a)}{rng.randint(0, 9)}"

    def address(
        self,
        rng: random.Random,
        branch: Branch,
        *,
        city: str | None = None,
        unit_share: float = 0.3,
    ) -> Address:
        street = rng.choice(self.streets)
        number = rng.randint(1, 2999)
        if branch.province == Province.QC:
            line1 = f"{number} {rng.choice(QC_STREET_TYPES)} {street}"
        else:
            line1 = f"{number} {street} {rng.choice(STREET_TYPES)}"
        line2 = (
            rng.choice(UNIT_FORMATS).format(n=rng.randint(101, 2409))
            if rng.random() < unit_share
            else None
        )
        district = POSTAL_DISTRICT.get(branch.code) or (
            "L" if branch.province == Province.ON else None
        )
        return Address(
            line1,
            line2,
            city or branch.city,
            branch.province,
            self.postal_code(rng, branch.province, district),
        )

    def phone(self, rng: random.Random, branch: Branch) -> str:
        # Exchanges 555-01xx are fictional; avoid them and N11 codes by starting at 200.
        return f"{rng.choice(branch.area_codes)}-{rng.randint(200, 989)}-{rng.randint(0, 9999):04d}"

    def personal_email(self, rng: random.Random, first: str, last: str) -> str:
        style = rng.randrange(4)
        local = {
            0: f"{first}.{last}",
            1: f"{first[0]}{last}",
            2: f"{first}{last}{rng.randint(1, 99)}",
            3: f"{last}.{first}",
        }[style]
        return f"{_clean(local)}@{rng.choice(EMAIL_DOMAINS)}"


def _clean(local: str) -> str:
    return ".".join(ascii_slug(part) for part in local.split(".") if ascii_slug(part))
