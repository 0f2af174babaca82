"""``POST /v1/sync/push`` over real HTTP on 127.0.0.1, signed in through /v1/auth/login."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared_models.models import AuditLog, Customer
from shared_models.sync.wire import MAX_PUSH_MUTATIONS
from tests.integration.sync_write.conftest import new_id
from tests.utils.auth import CLIENT_HEADERS, bearer
from tests.utils.server import live_server


def _login(base: str, email: str) -> tuple[dict[str, str], str]:
    r = httpx.post(
        f"{base}/v1/auth/login",
        headers=CLIENT_HEADERS,
        json={"email": email, "password": "Blue-Heron-Maple-42", "device_name": "laptop"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    return bearer(body["access_token"]), body["device_id"]


def _mutation(
    i: int,
    table: str,
    op: str,
    row_id: Any,
    changes: dict[str, Any],
    base: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "mutation_id": i,
        "table": table,
        "op": op,
        "id": str(row_id),
        "changes": changes,
        "base": base or {},
        "hlc": f"{1_800_000_000_000 + i:013d}-00000-dev",
    }


@pytest.fixture
def server(write_db_url: str, world) -> Any:
    with live_server(write_db_url) as base:
        yield base


def test_push_over_http_is_exactly_once(server, world, engine) -> None:
    headers, device = _login(server, "admin@maple.example")
    body = {
        "device_id": device,
        "mutations": [
            _mutation(
                1, "customer", "update", world.customer, {"phone": "416-555-0142"}, {"phone": None}
            ),
            _mutation(
                2,
                "customer",
                "insert",
                new_id(),
                {"location_id": str(world.hq), "last_name": "Http"},
            ),
            _mutation(3, "customer", "update", world.other_customer, {"notes": "x"}),
        ],
    }
    first = httpx.post(f"{server}/v1/sync/push", json=body, headers=headers)
    assert first.status_code == 200, first.text
    again = httpx.post(f"{server}/v1/sync/push", json=body, headers=headers)
    assert again.json() == first.json()
    results = first.json()["results"]
    assert [r["status"] for r in results] == ["applied", "applied", "rejected"]
    # Walled in by row-level security, another tenant's row does not exist for this request:
    # the answer cannot even confirm that the id is taken.
    assert results[2]["reason"] == "row_not_found" and results[2]["row"] is None
    assert results[0]["row"]["phone"] == "416-555-0142"
    assert first.json()["last_mutation_id"] == 3
    with Session(engine) as s:
        assert (
            s.scalar(
                select(func.count()).select_from(AuditLog).where(AuditLog.mutation_id.is_not(None))
            )
            == 2
        )


def test_malformed_and_foreign_pushes_are_refused(server, world) -> None:
    headers, device = _login(server, "admin@maple.example")
    url = f"{server}/v1/sync/push"
    no_auth = httpx.post(url, json={"device_id": device, "mutations": []}, headers=CLIENT_HEADERS)
    assert no_auth.status_code == 401
    bad = httpx.post(
        url,
        json={"device_id": device, "mutations": [{"mutation_id": 0, "table": "x"}]},
        headers=headers,
    )
    assert bad.status_code == 422 and bad.json()["error"] == "validation_failed"
    paths = {f["path"] for f in bad.json()["details"]["fields"]}
    assert "body.mutations.0.mutation_id" in paths and "body.mutations.0.op" in paths
    huge = {
        "device_id": device,
        "mutations": [
            _mutation(i + 1, "customer", "update", world.customer, {"notes": "x"})
            for i in range(MAX_PUSH_MUTATIONS + 1)
        ],
    }
    too_many = httpx.post(url, json=huge, headers=headers, timeout=30)
    assert too_many.status_code == 422
    assert any(f["path"] == "body.mutations" for f in too_many.json()["details"]["fields"])
    long_table = httpx.post(
        url,
        headers=headers,
        json={
            "device_id": device,
            "mutations": [_mutation(1, "t" * 65, "update", world.customer, {})],
        },
    )
    assert long_table.status_code == 422
    _, other_device = _login(server, "dispatcher@maple.example")
    foreign = httpx.post(url, headers=headers, json={"device_id": other_device, "mutations": []})
    assert foreign.status_code == 403 and foreign.json()["error"] == "permission_denied"


def test_push_of_1000_mutations_timing(server, world, engine) -> None:
    headers, device = _login(server, "admin@maple.example")
    ids = [new_id() for _ in range(500)]
    muts = [
        _mutation(
            i + 1,
            "customer",
            "insert",
            cid,
            {"location_id": str(world.hq), "last_name": f"Bulk {i}", "email": f"b{i}@example.com"},
        )
        for i, cid in enumerate(ids)
    ]
    muts += [
        _mutation(
            501 + i, "customer", "update", cid, {"phone": f"416-555-{i:04d}"}, {"phone": None}
        )
        for i, cid in enumerate(ids)
    ]
    body = {"device_id": device, "mutations": muts}
    with httpx.Client(timeout=60) as client:
        started = time.perf_counter()
        r = client.post(f"{server}/v1/sync/push", json=body, headers=headers)
        elapsed_ms = (time.perf_counter() - started) * 1000
    assert r.status_code == 200, r.text
    assert {x["status"] for x in r.json()["results"]} == {"applied"}
    print(f"\npush of 1000 mutations over HTTP: {elapsed_ms:.0f} ms")
    with Session(engine) as s:
        assert (
            s.scalar(
                select(func.count()).select_from(Customer).where(Customer.last_name.like("Bulk %"))
            )
            == 500
        )
