"""``cnc-client verify`` against the real server (DESIGN 4 integrity check)."""

from __future__ import annotations

from sqlalchemy import text

from client.services import get_row
from client.sync import rejections
from client.sync.verify import verify


def _one_by_one(office, names: list[str]) -> list:  # type: ignore[no-untyped-def]
    """Office creates customers, syncing after each: one server version per row."""
    ids = []
    for name in names:
        ids.append(
            office.writes.insert(
                "customer", {"location_id": office.session.user["location_id"], "last_name": name}
            )
        )
        office.sync()
    return ids


def test_verify_passes_then_finds_tampering_resyncs_the_bucket_and_passes_again(
    world_db,
    make_client,
    run_cli,  # type: ignore[no-untyped-def]
) -> None:
    _, world = world_db
    office = make_client(world.admin_a, "office")
    laptop = make_client(world.dispatcher_a, "laptop")
    first, second = _one_by_one(office, ["Verified-One", "Verified-Two"])
    laptop.sync()
    healthy = run_cli(laptop, "verify")
    assert healthy.code == 0 and "match the server" in healthy.out, healthy.out + healthy.err
    version = get_row(laptop.store, "customer", first)["version"]

    # Drift behind the engine's back: a row's version changed, another row deleted.
    with laptop.store.engine.begin() as conn:
        conn.execute(
            text("UPDATE customer SET version = version + 1000 WHERE id = :i"), {"i": first.hex}
        )
        conn.execute(text("DELETE FROM customer WHERE id = :i"), {"i": second.hex})
    drift = run_cli(laptop, "verify")
    assert drift.code == 7, drift.out + drift.err
    sales = f"location_sales:{laptop.session.user['location_id']}"
    assert f"MISMATCH  {sales}" in drift.out and "re-synced" in drift.out
    # The re-sync brought the server's rows back...
    assert get_row(laptop.store, "customer", first)["version"] == version
    assert get_row(laptop.store, "customer", second)["last_name"] == "Verified-Two"
    again = run_cli(laptop, "verify")
    assert again.code == 0, again.out  # ...and the next check passes.
    assert laptop.engine.status().pending == 0


def test_rows_pulled_from_one_server_batch_keep_their_own_versions(
    scene,
    make_client,
    server_db,  # type: ignore[no-untyped-def]
) -> None:
    laptop = make_client(scene.accounts["disp"], "laptop")
    laptop.sync()
    qa = scene.rows["qa"]
    assert get_row(laptop.store, "quote", qa)["version"] == server_db.row("quote", qa)["version"]
    checks = verify(laptop.engine, repair=False)
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]
    # A refused edit gives way to the server's row on screen (DESIGN 6: server + pending).
    laptop.writes.update("quote", qa, {"notes": "refused: the quote is accepted"})
    laptop.sync()
    with laptop.store.engine.connect() as conn:
        assert len(rejections.unresolved(conn)) == 1
    assert get_row(laptop.store, "quote", qa)["notes"] == "orig"
