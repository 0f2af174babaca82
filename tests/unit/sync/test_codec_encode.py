"""Wire encoding (DESIGN 5): one value per stored value, whichever path encodes it.

``encode_value`` answers exact types with one lookup and everything else (enum
members, subclasses) through the general path; both must give the same wire form.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from shared_models.enums import CustomerType, Province
from shared_models.sync.codec import encode_fields, encode_row, encode_value, synced_table
from sync_server.sync.writer import encode_stored

U = uuid.UUID("01901b1f-fe80-71d6-834b-36f3778e9372")


class Color(enum.Enum):
    RED = "red"


class Count(int):
    pass


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        (None, None),
        (True, True),
        (7, 7),
        ("Lee", "Lee"),
        (U, "01901b1f-fe80-71d6-834b-36f3778e9372"),
        (Decimal("12.50"), "12.50"),
        (dt.datetime(2026, 6, 1, 9, 30, tzinfo=dt.UTC), "2026-06-01T09:30:00+00:00"),
        (
            dt.datetime(2026, 6, 1, 9, 30, tzinfo=ZoneInfo("America/Toronto")),
            "2026-06-01T13:30:00+00:00",
        ),
        (dt.datetime(2026, 6, 1, 9, 30), "2026-06-01T09:30:00+00:00"),  # naive = UTC
        (dt.date(2026, 6, 1), "2026-06-01"),
        (dt.time(8, 15), "08:15:00"),
        (b"\x00\x01", "AAE="),
        ({"a": [1]}, {"a": [1]}),
        ([1, "x"], [1, "x"]),
        (Color.RED, "red"),
        (Count(3), 3),
    ],
)
def test_each_stored_value_has_one_wire_form(value: Any, wire: Any) -> None:
    assert encode_value(value) == wire
    assert encode_fields({"v": value}.get, ["v"]) == {"v": wire}


def test_a_str_enum_member_travels_as_its_text() -> None:
    assert encode_value(Province.ON) == "ON"
    assert encode_value(CustomerType.COMMERCIAL) == "COMMERCIAL"


def test_a_value_the_wire_cannot_carry_is_refused() -> None:
    with pytest.raises(TypeError, match="cannot encode float"):
        encode_value(1.5)
    with pytest.raises(TypeError, match="cannot encode set"):
        encode_fields({"v": {1}}.get, ["v"])


def test_a_row_encodes_the_same_through_the_codec_and_the_writer() -> None:
    table = synced_table("customer")
    row = {c.name: None for c in table.columns}
    row.update(
        id=U,
        tenant_id=U,
        location_id=U,
        last_name="Lee",
        province=Province.ON,
        version=3,
        created_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
        updated_at=dt.datetime(2026, 6, 2, tzinfo=dt.UTC),
        tax_exempt=False,
    )
    data = encode_row(table, row)
    assert data == encode_stored("customer", row)
    assert list(data) == [c.name for c in table.columns]
    assert data["province"] == "ON" and data["id"] == str(U) and data["version"] == 3
    assert data["updated_at"] == "2026-06-02T00:00:00+00:00"
