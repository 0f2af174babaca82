"""Local full-text search over the replica: ranking, accents, following local writes, speed."""

from __future__ import annotations

import time

from client.replica import LocalStore
from client.services import LocalWriteService
from client.services.search import ensure_search_index, search
from client.sync.db import replica_tx, table_for
from client.sync.rows import upsert_wire_rows
from tests.unit.client_sync.conftest import new_id
from tests.unit.client_sync.replica_rows import LOCATION, USER, customer_data, put_rows


def test_search_ranks_and_follows_writes(store: LocalStore, service: LocalWriteService) -> None:
    ensure_search_index(store)
    put_rows(  # a customer the last pull brought
        store,
        "customer",
        [
            {
                "id": new_id(),
                "location_id": LOCATION,
                "last_name": "Tremblay",
                "first_name": "Élodie",
                "city": "Montréal",
                "phone": "514-555-0101",
            }
        ],
    )
    mine = service.insert(
        "customer",
        {
            "location_id": str(LOCATION),
            "last_name": "Tremblant",
            "company_name": "Déménagement Tremblant",
        },
    )
    assert len(search(store, "customer", "trem")) == 2
    assert search(store, "customer", "elodie montreal") != []
    assert search(store, "customer", "555") != []
    quote = service.insert(
        "quote",
        {
            "location_id": str(LOCATION),
            "customer_id": str(mine),
            "created_by": str(USER),
            "provisional_number": "OFF-0001",
        },
    )
    assert search(store, "quote", "OFF-0001") == [quote]
    assert search(store, "quote", "tremblant") == [quote]  # by customer name
    service.delete("customer", mine)
    assert len(search(store, "customer", "trem")) == 1


def test_search_20k_customers_fast(store: LocalStore) -> None:
    ensure_search_index(store)
    names = ["Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie"]
    rows = [
        customer_data(new_id(), f"{names[i % 8]}{i}", city="Québec", email=f"c{i}@x.ca")
        for i in range(20_000)
    ]
    with replica_tx(store) as conn:
        upsert_wire_rows(conn, table_for("customer"), rows)
    search(store, "customer", "warm up")
    started = time.perf_counter()
    found = search(store, "customer", "c1234")
    elapsed = time.perf_counter() - started
    assert found and elapsed < 0.5  # the 50 ms target is measured by benchmarks, not here
