"""LocalWriteService: row and outbox mutation in one transaction; invalid input never queued."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from client.replica import LocalStore
from client.services import (
    AppendOnlyTable,
    InvalidWrite,
    LocalWriteService,
    RowNotFound,
    get_row,
    list_rows,
)
from client.sync import outbox
from client.sync.db import ensure_sync_schema


def _pending(store: LocalStore) -> list[outbox.PendingMutation]:
    with store.engine.connect() as conn:
        return outbox.pending(conn)


def test_insert_writes_row_and_mutation(store: LocalStore, service: LocalWriteService) -> None:
    row_id = service.insert(
        "customer",
        {
            "location_id": "0190a000-0000-7000-8000-000000000002",
            "last_name": "Tremblay",
            "city": "Montréal",
        },
    )
    row = get_row(store, "customer", row_id)
    assert row is not None and row["last_name"] == "Tremblay" and row["version"] == 0
    [m] = _pending(store)
    assert (m.table, m.op, m.row_id, m.mutation_id) == ("customer", "insert", str(row_id), 1)
    assert m.changes["last_name"] == "Tremblay" and "version" not in m.changes
    assert m.changes["country"] == "CA"  # defaults travel too: the server sees the full row


def test_update_records_base_and_only_changed_fields(
    store: LocalStore, service: LocalWriteService
) -> None:
    row_id = service.insert(
        "customer",
        {
            "location_id": "0190a000-0000-7000-8000-000000000002",
            "last_name": "A",
            "email": "a@x.ca",
        },
    )
    assert service.update("customer", row_id, {"email": "a@x.ca"}) is None  # no-op: no mutation
    service.update("customer", row_id, {"email": "b@x.ca", "last_name": "A"})
    m = _pending(store)[-1]
    assert (m.op, m.base, m.changes, m.base_version) == (
        "update",
        {"email": "a@x.ca"},
        {"email": "b@x.ca"},
        0,
    )
    assert [p.mutation_id for p in _pending(store)] == [1, 2]


def test_delete_tombstones(store: LocalStore, service: LocalWriteService) -> None:
    row_id = service.insert(
        "customer", {"location_id": "0190a000-0000-7000-8000-000000000002", "last_name": "Gone"}
    )
    service.delete("customer", row_id)
    assert get_row(store, "customer", row_id) is None
    assert get_row(store, "customer", row_id, include_deleted=True)["deleted_at"] is not None
    assert _pending(store)[-1].op == "delete"
    with pytest.raises(RowNotFound):
        service.update("customer", row_id, {"last_name": "Back"})


@pytest.mark.parametrize(
    "values",
    [
        {"last_name": "x" * 101},  # too long
        {"last_name": "A", "province": "XX"},  # not an enum value
        {"last_name": "A", "no_such_column": 1},  # unknown column
        {"first_name": "Only"},  # CHECK has_name fails in SQLite
        {"last_name": "A", "version": 7},  # server-owned column
    ],
)
def test_invalid_input_never_reaches_the_outbox(
    store: LocalStore, service: LocalWriteService, values: dict
) -> None:
    values = {"location_id": "0190a000-0000-7000-8000-000000000002", **values}
    with pytest.raises(InvalidWrite):
        service.insert("customer", values)
    assert _pending(store) == []
    assert list_rows(store, "customer") == []


def test_invalid_update_leaves_row_and_outbox(
    store: LocalStore, service: LocalWriteService
) -> None:
    row_id = service.insert(
        "customer", {"location_id": "0190a000-0000-7000-8000-000000000002", "last_name": "A"}
    )
    with pytest.raises(InvalidWrite):
        service.update("customer", row_id, {"tax_exempt": True})  # CHECK: needs a number
    with pytest.raises(InvalidWrite):
        service.update("customer", row_id, {"id": "0190a000-0000-7000-8000-000000000009"})
    assert len(_pending(store)) == 1 and get_row(store, "customer", row_id)["tax_exempt"] is False


def test_a_batch_commits_all_its_writes_or_none(
    store: LocalStore, service: LocalWriteService
) -> None:
    location = "0190a000-0000-7000-8000-000000000002"
    heard: list[tuple[str, object]] = []
    service.on_change = lambda table, row_id: heard.append((table, row_id))
    with pytest.raises(InvalidWrite), service.batch() as batch:
        batch.insert("customer", {"location_id": location, "last_name": "First"})
        batch.insert("customer", {"location_id": location, "tax_exempt": "maybe"})
    assert (_pending(store), list_rows(store, "customer"), heard) == ([], [], [])
    with service.batch() as batch:
        a = batch.insert("customer", {"location_id": location, "last_name": "A"})
        batch.update("customer", a, {"first_name": "Ada"})
        assert batch.read("customer", a)["first_name"] == "Ada"
    assert len(_pending(store)) == 2
    assert heard == [("customer", a)]  # once, after the commit


def test_append_only_tables_insert_only(service: LocalWriteService) -> None:
    with pytest.raises(AppendOnlyTable):
        service.update("journey_event", "0190a000-0000-7000-8000-000000000009", {"notes": "x"})
    with pytest.raises(AppendOnlyTable):
        service.delete("inventory_transaction", "0190a000-0000-7000-8000-000000000009")


def test_decimals_are_validated_not_floated(store: LocalStore, service: LocalWriteService) -> None:
    with pytest.raises(InvalidWrite):
        service.insert(
            "lead",
            {
                "location_id": "0190a000-0000-7000-8000-000000000002",
                "contact_name": "Z",
                "estimated_value": 12.5,
            },
        )
    lead = service.insert(
        "lead",
        {
            "location_id": "0190a000-0000-7000-8000-000000000002",
            "contact_name": "Z",
            "estimated_value": Decimal("12.50"),
        },
    )
    assert _pending(store)[-1].changes["estimated_value"] == "12.50"
    assert get_row(store, "lead", lead)["estimated_value"] == Decimal("12.50")


def test_killed_after_write_outbox_survives(
    replica_path: Path, replica_key: bytes, store: LocalStore
) -> None:
    """A process that dies right after a local write (no close, no sync) loses nothing."""
    store.close()
    script = textwrap.dedent(f"""
        import os
        from client.replica import LocalStore
        from client.services import LocalWriteService
        s = LocalStore.open({str(replica_path)!r}, bytes.fromhex({replica_key.hex()!r}))
        svc = LocalWriteService(s, user_id="0190a000-0000-7000-8000-000000000003",
            tenant_id="0190a000-0000-7000-8000-000000000001", hlc=lambda: "1700000000000-00000-d")
        svc.insert("customer", {{"location_id": "0190a000-0000-7000-8000-000000000002",
                                 "last_name": "Survivor"}})
        os._exit(9)
    """)
    done = subprocess.run(
        [sys.executable, "-c", script], check=False, cwd=Path(__file__).parents[3]
    )
    assert done.returncode == 9
    reopened = LocalStore.open(replica_path, replica_key)
    try:
        ensure_sync_schema(reopened)
        [m] = _pending(reopened)
        assert m.changes["last_name"] == "Survivor"
        assert list_rows(reopened, "customer")[0]["last_name"] == "Survivor"
    finally:
        reopened.close()
