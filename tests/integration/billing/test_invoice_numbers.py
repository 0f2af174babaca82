"""Two laptops invoice offline at once: the server numbers them without gaps or duplicates,
and each invoice keeps the provisional number its laptop printed."""

from __future__ import annotations

import datetime as dt
import threading

from shared_models.models import Device
from sync_server.core.db import session_scope
from tests.integration.billing.conftest import Books, Pusher, new_id, wire


def test_concurrent_offline_invoices_get_gap_free_unique_numbers(engine, world) -> None:
    with session_scope(engine) as s:
        laptop = Device(tenant_id=world.tenant, user_id=world.users["admin"], name="second laptop")
        s.add(laptop)
        s.flush()
        second = laptop.id
    pushers = [Pusher(engine, world, "admin"), Pusher(engine, world, "admin")]
    pushers[1].device = second
    batches, provisional = [], {}
    for n, p in enumerate(pushers):
        batch = []
        for k in range(5):
            invoice = new_id()
            provisional[invoice] = f"P-{n}-{k:04d}"
            values = {
                "location_id": world.hq,
                "customer_id": world.customer,
                "issue_date": dt.date.today(),
                "provisional_number": provisional[invoice],
            }
            batch.append(p.mutation("invoice", "insert", invoice, changes=wire(values)))
        batches.append(batch)
    start = threading.Barrier(2)
    errors: list[Exception] = []

    def push(p: Pusher, batch) -> None:
        try:
            start.wait()
            assert all(r.status == "applied" for r in p.push(*batch).results)
        except Exception as exc:  # noqa: BLE001 (surfaced below, in the test's thread)
            errors.append(exc)

    threads = [threading.Thread(target=push, args=pair) for pair in zip(pushers, batches)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    books = Books(engine, world, pushers[0])
    rows = books.rows("invoice")
    assert sorted(r["number"] for r in rows) == [f"INV-{i:06d}" for i in range(1, 11)]
    assert {r["id"]: r["provisional_number"] for r in rows} == provisional
    # each laptop's batch was numbered in its own order, in one block (the tenant lock)
    for n in range(2):
        mine = sorted(
            (r for r in rows if r["provisional_number"].startswith(f"P-{n}-")),
            key=lambda r: r["provisional_number"],
        )
        numbers = [int(r["number"][4:]) for r in mine]
        assert numbers == list(range(numbers[0], numbers[0] + 5))
