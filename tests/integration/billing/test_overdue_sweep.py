"""The OVERDUE sweep on real PostgreSQL: by each branch's calendar, through the writer.

Invoices are pushed with a due date ahead, then "time passes": their due date
is moved back in the database directly, as the days going by would do it.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from shared_models.models import AuditLog
from sync_server.billing.overdue import sweep_overdue
from sync_server.cli import main
from sync_server.core.db import make_session_factory
from tests.integration.billing.conftest import UTC, Books
from tests.utils.server import live_server

TODAY = dt.datetime.now(UTC).date()


def _invoice(books: Books, status: str = "SENT", due: dt.date | None = None) -> uuid.UUID:
    w = books.world
    invoice, r = books.insert(
        "invoice",
        location_id=w.hq,
        customer_id=w.customer,
        status=status,
        issue_date=min(TODAY, due or TODAY),
        due_date=due or TODAY + dt.timedelta(days=30),
    )
    assert r.results[0].status == "applied", r.results[0]
    books.insert(
        "invoice_item",
        invoice_id=invoice,
        category="MOVING_SERVICES",
        description="Move",
        quantity=Decimal(1),
        unit_price=Decimal("100.00"),
    )
    return invoice


def _due(engine: Engine, invoice: uuid.UUID, due: dt.date) -> None:
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE invoice SET issue_date = :d - 14, due_date = :d WHERE id = :i"),
            {"d": due, "i": invoice},
        )


def _zone(engine: Engine, location: uuid.UUID, zone: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE location SET timezone = :z WHERE id = :i"), {"z": zone, "i": location}
        )


def test_late_sent_viewed_and_partly_paid_invoices_become_overdue_once(
    engine: Engine, books: Books
) -> None:
    sent, viewed, partial = _invoice(books), _invoice(books), _invoice(books)
    assert books.update("invoice", viewed, status="VIEWED").results[0].status == "applied"
    books.payment(partial, "10.00")
    draft, paid, on_time = _invoice(books, "DRAFT"), _invoice(books), _invoice(books)
    books.payment(paid, "113.00")
    assert books.row("invoice", partial)["status"] == "PARTIAL_PAID"
    assert books.row("invoice", paid)["status"] == "PAID"
    for late in (sent, viewed, partial, draft, paid):
        _due(engine, late, TODAY - dt.timedelta(days=2))
    _due(engine, on_time, TODAY + dt.timedelta(days=1))
    before = {i: books.row("invoice", i) for i in (sent, viewed, partial, draft, paid, on_time)}

    result = sweep_overdue(make_session_factory(engine))

    assert result.marked == 3
    for i in (sent, viewed, partial):
        row = books.row("invoice", i)
        assert row["status"] == "OVERDUE"
        assert row["version"] > before[i]["version"]  # pulled by every replica
        assert row["amount_paid"] == before[i]["amount_paid"]
        with Session(engine) as s:
            audit = s.scalars(
                select(AuditLog).where(AuditLog.row_id == i).order_by(AuditLog.version.desc())
            ).first()
        assert (audit.action, audit.user_id, audit.device_id) == ("update", None, None)
    for i, status in ((draft, "DRAFT"), (paid, "PAID"), (on_time, "SENT")):
        assert books.row("invoice", i)["status"] == status
        assert books.row("invoice", i)["version"] == before[i]["version"]
    assert books.ledger_sum(partial) == books.row("invoice", partial)["balance_due"]

    again = sweep_overdue(make_session_factory(engine))
    assert again.marked == 0
    assert books.row("invoice", sent)["version"] > before[sent]["version"]


def test_the_due_date_is_judged_by_the_branchs_calendar(engine: Engine, books: Books) -> None:
    due = TODAY - dt.timedelta(days=2)
    invoice = _invoice(books)
    _due(engine, invoice, due)
    _zone(engine, books.world.hq, "America/Vancouver")
    sessions = make_session_factory(engine)
    day_after = dt.datetime.combine(due + dt.timedelta(days=1), dt.time(), UTC)

    # 06:00 UTC on the day after: still the due date in Vancouver (23:00 the evening before).
    assert sweep_overdue(sessions, now=day_after + dt.timedelta(hours=6)).marked == 0
    assert books.row("invoice", invoice)["status"] == "SENT"
    # 09:00 UTC: 01:00 or 02:00 the next day there.
    assert sweep_overdue(sessions, now=day_after + dt.timedelta(hours=9)).marked == 1
    assert books.row("invoice", invoice)["status"] == "OVERDUE"


def test_recomputing_an_invoice_uses_its_branchs_date_not_utcs(
    engine: Engine, books: Books
) -> None:
    hour = dt.datetime.now(UTC).hour
    if hour >= 10:  # UTC+14: already tomorrow there, today in UTC
        zone, due, expected = "Etc/GMT-14", TODAY, "OVERDUE"
    else:  # UTC-12 before noon UTC: still yesterday there, today in UTC
        zone, due, expected = "Etc/GMT+12", TODAY - dt.timedelta(days=1), "SENT"
    _zone(engine, books.world.hq, zone)

    invoice = _invoice(books, due=due)

    assert books.row("invoice", invoice)["status"] == expected


def test_a_date_given_to_the_sweep_judges_every_branch(engine: Engine, books: Books) -> None:
    invoice = _invoice(books)
    due = TODAY - dt.timedelta(days=3)
    _due(engine, invoice, due)
    sessions = make_session_factory(engine)
    assert sweep_overdue(sessions, today=due).marked == 0
    assert books.row("invoice", invoice)["status"] == "SENT"
    assert sweep_overdue(sessions, today=due + dt.timedelta(days=1)).marked == 1


@pytest.fixture
def cli_db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, write_db_url: str) -> None:
    monkeypatch.setenv("CNC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DATABASE_URL", write_db_url)


def test_cli_sweep_overdue_reports_what_it_marked(
    cli_db: None, engine: Engine, books: Books, capsys: pytest.CaptureFixture[str]
) -> None:
    invoice = _invoice(books)
    _due(engine, invoice, TODAY - dt.timedelta(days=2))

    assert main(["sweep-overdue", "--today", (TODAY - dt.timedelta(days=2)).isoformat()]) == 0
    assert "0 invoice(s) marked OVERDUE" in capsys.readouterr().out
    assert main(["sweep-overdue"]) == 0
    assert "1 invoice(s) marked OVERDUE (1 checked in 1 tenant(s))" in capsys.readouterr().out
    assert books.row("invoice", invoice)["status"] == "OVERDUE"


def test_cli_refuses_a_bad_date_in_one_line(
    cli_db: None, books: Books, capsys: pytest.CaptureFixture[str]
) -> None:
    invoice = _invoice(books)
    assert main(["sweep-overdue", "--today", "2026-13-40"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["cnc-server: error: --today must be a date as YYYY-MM-DD, got '2026-13-40'"]
    assert books.row("invoice", invoice)["status"] == "SENT"


def test_the_server_sweeps_at_start(write_db_url: str, engine: Engine, books: Books) -> None:
    invoice = _invoice(books)
    _due(engine, invoice, TODAY - dt.timedelta(days=2))  # late wherever the branch is
    with live_server(write_db_url, overdue_sweep_interval_s=0):
        time.sleep(0.5)
    assert books.row("invoice", invoice)["status"] == "SENT"  # switched off: nothing ran

    with live_server(write_db_url, overdue_sweep_interval_s=3600):
        deadline = time.monotonic() + 15
        while books.row("invoice", invoice)["status"] != "OVERDUE":
            assert time.monotonic() < deadline, "the start-up sweep did not run"
            time.sleep(0.1)
