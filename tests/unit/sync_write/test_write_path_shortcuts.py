"""The push's shortcuts answer exactly what the long way answered.

Stored field clocks parsed on demand, column defaults filled without calling the
ones a row already has, membership entries sorted by a C-level key.
"""

from __future__ import annotations

import random
import uuid
from typing import Any

import pytest

from shared_models.sync.hlc import Hlc, HlcError
from shared_models.sync.merge import FieldStamp
from sync_server.sync import writer
from sync_server.sync.apply import StoredStamps
from sync_server.sync.membership import _entry_order
from sync_server.sync.writer import _column_defaults_of, _with_defaults

STAMP = "1790000000000-00003-laptop"


def test_a_stored_clock_reads_as_the_stamp_it_was_written_from() -> None:
    stamps = StoredStamps({"notes": [STAMP, "DISPATCHER"], "phone": [STAMP, None]})
    assert stamps.get("notes") == FieldStamp(Hlc.parse(STAMP), "DISPATCHER")
    assert stamps["phone"] == FieldStamp(Hlc.parse(STAMP), None)
    assert stamps.get("email") is None
    assert sorted(stamps) == ["notes", "phone"] and len(stamps) == 2


def test_a_new_stamp_replaces_the_stored_one() -> None:
    stamps = StoredStamps({"notes": [STAMP, "SALES"]})
    newer = FieldStamp(Hlc(1790000009999, 0, "server"), "DISPATCHER")
    stamps["notes"] = newer
    stamps["city"] = newer
    assert stamps["notes"] == newer and stamps["city"] == newer
    assert dict(stamps) == {"notes": newer, "city": newer}
    del stamps["city"]
    assert "city" not in stamps and len(stamps) == 1


def test_a_malformed_stored_clock_is_refused_when_the_merge_reads_it() -> None:
    stamps = StoredStamps({"notes": ["yesterday", "SALES"]})
    with pytest.raises(HlcError, match="not a hybrid logical clock"):
        stamps.get("notes")


def test_defaults_fill_what_a_new_row_lacks_in_column_order() -> None:
    row_id = uuid.uuid4()
    row: dict[str, Any] = {"last_name": "Lee", "id": row_id, "version": 4}
    full = _with_defaults("customer", row)
    names = [name for name, _, _ in _column_defaults_of("customer")]
    assert list(full) == names
    assert full["id"] == row_id and full["last_name"] == "Lee" and full["version"] == 4
    defaults = {name: (arg, call) for name, arg, call in _column_defaults_of("customer")}
    for name in names:
        if name not in row and not defaults[name][1]:
            assert full[name] == defaults[name][0]
    assert full.keys() == {**dict.fromkeys(names), **row}.keys()


def test_a_default_is_not_called_for_a_column_the_row_has(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    names = [name for name, _, _ in _column_defaults_of("customer")]
    callable_names = [n for n, _, call in _column_defaults_of("customer") if call]
    assert "id" in callable_names  # uuid7: the id a client sends must not cost one
    original = writer._column_defaults_of
    table = tuple(
        (n, (lambda _ctx, n=n: calls.append(n) or n) if call else arg, call)
        for n, arg, call in original("customer")
    )
    given = {"id": uuid.uuid4(), "last_name": "Lee", "not_a_column": 1}
    monkeypatch.setattr(writer, "_column_defaults_of", lambda _name: table)
    full = _with_defaults("customer", given)
    assert "id" not in calls
    assert set(calls) == set(callable_names) - set(given)
    assert list(full) == [*names, "not_a_column"]  # extra keys last, as a dict merge puts them


def test_membership_entries_sort_as_their_natural_order() -> None:
    rng = random.Random(7)
    ids = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(50)]
    entries = [
        (
            rng.choice(["location_sales:a", "own:b", "crew_jobs:c"]),
            rng.choice(["customer", "quote"]),
            i,
        )
        for i in ids
        for _ in range(2)
    ]
    assert sorted(entries, key=_entry_order) == sorted(entries)
