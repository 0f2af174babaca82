"""The invoice list's reads on a real replica synced from the real server: search by number
through the full-text index (also on a replica made before invoices were indexed), and
OVERDUE by the branch's calendar (Toronto), not the laptop's.
"""

# The e2e suite's fixtures are imported by name, and so shadowed by the test parameters.
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt

import sqlite_utils
from sqlalchemy import text

from client.replica.upgrade import _rebuild
from client.services.billing import BillingService
from client.services.invoice_detail import invoice_detail
from client.services.invoice_list import (
    InvoiceQuery,
    count_invoices,
    invoice_page,
    invoice_status_counts,
)
from client.services.queries import get_row
from client.services.search import ensure_search_index
from client.sync.db import table_for
from shared_models.rules.invoice_workflow import becomes_overdue, local_date
from tests.e2e.conftest import (  # noqa: F401 - the e2e suite's real server and laptops
    Client,
    base_url,
    headless_keyring,
    make_client,
    scene,
    server_db,
    server_secrets,
    world_db,
)
from tests.integration.client_sync.test_billing_service import RATES, office  # noqa: F401
from tests.utils.e2e import Scene

UTC = dt.UTC
#: Due Oct 16 (Oct 1, NET_15). At 02:00 UTC on Oct 17 it is still Oct 16, 22:00 in Toronto.
ISSUED = dt.date(2026, 10, 1)
UTC_NEXT_DAY_TORONTO_SAME_DAY = dt.datetime(2026, 10, 17, 2, 0, tzinfo=UTC)
TORONTO_NEXT_DAY = dt.datetime(2026, 10, 17, 5, 0, tzinfo=UTC)


def _found(laptop: Client, text: str) -> list[object]:
    return [r.id for r in invoice_page(laptop.store, InvoiceQuery(text=text), offset=0, limit=20)]


def test_the_list_finds_an_invoice_by_any_part_of_its_number_through_the_index(
    office: tuple[Client, BillingService], scene: Scene
) -> None:
    laptop, billing = office
    first = billing.create_invoice_from_journey(
        journey_id=scene.rows["j1"], rates=RATES, issue_date=dt.date.today()
    )
    second = billing.create_invoice_from_journey(
        journey_id=scene.rows["j1"], rates=RATES, issue_date=dt.date.today()
    )
    number = get_row(laptop.store, "invoice", second)["provisional_number"]  # type: ignore[index]
    assert number.endswith("-0002")
    assert _found(laptop, "0002") == [second]  # the counter alone, as a clerk reads it out
    assert set(_found(laptop, number.split("-")[1].lower())) == {first, second}  # device part
    assert _found(laptop, number) == [second]
    assert count_invoices(laptop.store, InvoiceQuery(text="0009")) == 0
    assert count_invoices(laptop.store, InvoiceQuery(text='"*)(-')) == 0  # no FTS syntax error


def test_a_replica_made_before_invoices_were_indexed_gets_the_index_when_opened(
    office: tuple[Client, BillingService], scene: Scene
) -> None:
    laptop, billing = office
    invoice = billing.create_invoice_from_journey(
        journey_id=scene.rows["j1"], rates=RATES, issue_date=dt.date.today()
    )
    with laptop.store.engine.connect() as conn:  # as yesterday's app left it: no invoice index
        db = sqlite_utils.Database(conn.connection.dbapi_connection, recursive_triggers=False)
        db["invoice"].disable_fts()
        assert db["invoice"].detect_fts() is None
        conn.commit()
    ensure_search_index(laptop.store)  # what Workspace.prepare() runs when the app opens
    assert _found(laptop, "0001") == [invoice]  # rows it already held are indexed
    later = billing.create_invoice_from_journey(
        journey_id=scene.rows["j1"], rates=RATES, issue_date=dt.date.today()
    )
    assert _found(laptop, "0002") == [later]  # and new ones through its triggers


def test_overdue_follows_the_branch_calendar_not_the_laptops(
    office: tuple[Client, BillingService], scene: Scene
) -> None:
    laptop, billing = office
    store = laptop.store
    late = billing.create_invoice_from_journey(
        journey_id=scene.rows["j1"], rates=RATES, issue_date=ISSUED, terms="NET_15"
    )
    billing.send_invoice(late)
    row = get_row(store, "invoice", late)
    assert row is not None and row["due_date"] == dt.date(2026, 10, 16)
    for now, shown in ((UTC_NEXT_DAY_TORONTO_SAME_DAY, "SENT"), (TORONTO_NEXT_DAY, "OVERDUE")):
        toronto = local_date("America/Toronto", now)
        # The server's sweep decides with the same rule on Toronto's date.
        assert becomes_overdue("SENT", row["due_date"], toronto, row["balance_due"]) is (
            shown == "OVERDUE"
        )
        assert invoice_status_counts(store, now=now) == {shown: 1}
        [listed] = invoice_page(store, offset=0, limit=5, now=now)
        assert listed.status == shown
        assert count_invoices(store, InvoiceQuery(status="OVERDUE"), now=now) == (
            1 if shown == "OVERDUE" else 0
        )
        detail = invoice_detail(store, late, now=now)
        assert detail is not None and detail.status == shown


def test_an_index_whose_table_an_upgrade_rebuilt_is_made_again_when_the_replica_opens(
    office: tuple[Client, BillingService], scene: Scene
) -> None:
    laptop, billing = office
    first = billing.create_invoice_from_journey(
        journey_id=scene.rows["j1"], rates=RATES, issue_date=dt.date.today()
    )
    with laptop.store.engine.connect() as conn:  # what replica.upgrade does to a changed table
        raw = conn.connection.dbapi_connection
        raw.execute("PRAGMA foreign_keys = OFF")
        with conn.begin():
            stored = conn.execute(
                text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'invoice'")
            ).scalar_one()
            _rebuild(conn, table_for("invoice"), stored)
        raw.execute("PRAGMA foreign_keys = ON")
        names = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master"))}
    assert "invoice_fts" in names and "invoice_ai" not in names  # the triggers went with it
    ensure_search_index(laptop.store)
    assert _found(laptop, "0001") == [first]
    second = billing.create_invoice_from_journey(
        journey_id=scene.rows["j1"], rates=RATES, issue_date=dt.date.today()
    )
    assert _found(laptop, "0002") == [second]  # kept current again
