"""Billing on real PostgreSQL through the real push path: the sync_write world, plus helpers.

``Books`` pushes as one device and reads the server's truth back; every value
on the wire is encoded by the shared codec, exactly as a replica sends it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
import stripe
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from shared_models.models import Tenant
from shared_models.sync.codec import encode_value, synced_table
from shared_models.sync.wire import PushResponse
from sync_server.app import create_app
from sync_server.core.config import Settings
from sync_server.core.db import session_scope
from sync_server.payments.credentials import configure_stripe
from sync_server.payments.gateway import StripeGateway
from tests.integration.billing.stripe_stub import StripeStub, stripe_stub
from tests.integration.sync_write.conftest import (  # noqa: F401  (fixtures)
    Pusher,
    World,
    engine,
    new_id,
    pusher,
    world,
    write_db_url,
)
from tests.utils.auth import CLIENT_HEADERS, PASSWORD, bearer
from tests.utils.server import make_test_settings, serve_app

UTC = dt.UTC
RECEIVABLE = "1200-accounts-receivable"


def wire(values: dict[str, Any]) -> dict[str, Any]:
    return {k: encode_value(v) for k, v in values.items()}


class Books:
    """One device's pushes of billing rows, and the server's rows read back."""

    def __init__(self, db: Engine, scene: World, p: Pusher) -> None:
        self.engine, self.world, self.p = db, scene, p

    def insert(self, table: str, **values: Any) -> tuple[uuid.UUID, PushResponse]:
        row_id = values.pop("id", None) or new_id()
        r = self.p.push(self.p.mutation(table, "insert", row_id, changes=wire(values)))
        return row_id, r

    def update(self, table: str, row_id: uuid.UUID, **changes: Any) -> PushResponse:
        before = self.row(table, row_id)
        return self.p.push(
            self.p.mutation(
                table,
                "update",
                row_id,
                changes=wire(changes),
                base=wire({k: before[k] for k in changes}),
                base_version=before["version"],
            )
        )

    def row(self, table: str, row_id: uuid.UUID) -> dict[str, Any]:
        t = synced_table(table)
        with Session(self.engine) as s:
            return dict(s.execute(select(t).where(t.c.id == row_id)).mappings().one())

    def rows(self, table: str, **where: Any) -> list[dict[str, Any]]:
        t = synced_table(table)
        stmt = select(t)
        for k, v in where.items():
            stmt = stmt.where(t.c[k] == v)
        with Session(self.engine) as s:
            return [dict(r) for r in s.execute(stmt.order_by(t.c.version)).mappings()]

    def ledger_sum(self, invoice_id: uuid.UUID) -> Decimal:
        rows = self.rows("financial_transaction", invoice_id=invoice_id, account=RECEIVABLE)
        return sum((r["amount"] for r in rows), Decimal(0))

    def payment(
        self, invoice_id: uuid.UUID, amount: str, method: str = "CASH", **extra: Any
    ) -> Any:
        return self.insert(
            "payment",
            location_id=self.world.hq,
            invoice_id=invoice_id,
            customer_id=self.world.customer,
            method=method,
            status=extra.pop("status", "COMPLETED"),
            amount=Decimal(amount),
            currency=extra.pop("currency", "CAD"),
            received_at=extra.pop("received_at", dt.datetime(2026, 6, 3, 15, tzinfo=UTC)),
            **extra,
        )


@pytest.fixture
def books(engine: Engine, world: World) -> Books:  # noqa: F811 (imported fixtures)
    return Books(engine, world, Pusher(engine, world, "admin"))


# -- card payments over HTTP: the real app, Stripe's API as a loopback stub ---------------

STRIPE_KEY = "sk_test_" + "Maple0Key" * 3
WEBHOOK_SECRET = "whsec_" + "MapleHook" * 3


@dataclass
class CardServer:
    """The app on 127.0.0.1 with its settings, the Stripe stub it talks to, the maple integration."""

    url: str
    settings: Settings
    stub: StripeStub
    integration_id: uuid.UUID | None

    def login(self, who: str) -> dict[str, str]:
        r = httpx.post(
            f"{self.url}/v1/auth/login",
            headers=CLIENT_HEADERS,
            json={"email": f"{who}@maple.example", "password": PASSWORD, "device_name": who},
            timeout=10,
        )
        assert r.status_code == 200, r.text
        return {**CLIENT_HEADERS, **bearer(r.json()["access_token"])}

    def post(self, path: str, who: str = "admin", **kwargs: Any) -> httpx.Response:
        return httpx.post(f"{self.url}{path}", headers=self.login(who), timeout=15, **kwargs)


def _gateway_on(stub: StripeStub) -> Any:
    def factory(api_key: str) -> StripeGateway:
        client = stripe.StripeClient(
            api_key, base_addresses={"api": stub.url}, max_network_retries=0
        )
        return StripeGateway(api_key, client=client)

    return factory


@contextmanager
def card_server(db_url: str, db: Engine, scene: World, *, configure: bool) -> Iterator[CardServer]:
    settings = make_test_settings(database_url=db_url, overdue_sweep_interval_s=0)
    integration_id = None
    if configure:
        with session_scope(db) as s:
            tenant = s.get(Tenant, scene.tenant)
            integration_id = configure_stripe(
                s,
                tenant=tenant,
                api_key=STRIPE_KEY,
                webhook_secret=WEBHOOK_SECRET,
                server_key=settings.encryption_key_bytes,
            ).id
    with stripe_stub() as stub:
        app = create_app(settings)
        app.state.payment_gateway_factory = _gateway_on(stub)
        with serve_app(app) as url:
            yield CardServer(url, settings, stub, integration_id)


@pytest.fixture
def cards(write_db_url: str, engine: Engine, world: World) -> Iterator[CardServer]:  # noqa: F811
    with card_server(write_db_url, engine, world, configure=True) as server:
        yield server


def card_invoice(books: Books, amount: str = "452.00") -> tuple[uuid.UUID, uuid.UUID]:
    """A SENT invoice of 400.00 + HST (452.00) and a card payment on it, pushed (PENDING)."""
    w = books.world
    invoice, _ = books.insert(
        "invoice",
        location_id=w.hq,
        customer_id=w.customer,
        status="SENT",
        issue_date=dt.date.today(),
    )
    books.insert(
        "invoice_item",
        invoice_id=invoice,
        category="MOVING_SERVICES",
        description="Move",
        quantity=Decimal(1),
        unit_price=Decimal("400.00"),
    )
    payment, r = books.payment(invoice, amount, "STRIPE", gateway="stripe", status="PENDING")
    assert r.results[0].row["status"] == "PENDING", r
    return invoice, payment


def sign(body: bytes, secret: str, *, at: int | None = None) -> str:
    """``Stripe-Signature`` as Stripe computes it: HMAC-SHA256 of ``"{t}.{body}"``."""
    t = int(time.time()) if at is None else at
    digest = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"
