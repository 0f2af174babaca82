"""QuoteActions on a real SQLCipher replica: each action one batch, a refusal writes nothing."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest

from client.replica import LocalStore
from client.services import LocalWriteService, get_row, list_rows
from client.services.quote_actions import QuoteActions
from client.sync import outbox
from client.sync.db import replica_tx, table_for
from client.sync.rows import upsert_wire_rows
from shared_models.enums import ValuationOption
from shared_models.rules.errors import RuleViolation
from shared_models.rules.valuation import ValuationChoice
from shared_models.sync.codec import encode_row
from tests.unit.client_sync.replica_rows import LOCATION, TENANT, USER, customer_data

D = Decimal
NOW = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
CUSTOMER, MANAGER, LEAD = uuid.UUID(int=11), uuid.UUID(int=12), uuid.UUID(int=13)
PNG = b"\x89PNG\r\n\x1a\n" + b"sig" * 10


def _rows(store: LocalStore, table: str, rows: list[dict[str, Any]]) -> None:
    """Rows as a pull delivers them: every column, server-versioned, wire-encoded."""
    t = table_for(table)
    full = []
    for values in rows:
        row: dict[str, Any] = {c.name: None for c in t.columns}
        for column in t.columns:
            if column.default is not None and getattr(column.default, "is_scalar", False):
                row[column.name] = column.default.arg
        if "tenant_id" in t.c:
            row["tenant_id"] = TENANT
        row.update(version=1, created_at=NOW, updated_at=NOW, **values)
        full.append(encode_row(t, row))
    with replica_tx(store) as conn:
        upsert_wire_rows(conn, t, full)


def _user(user_id: uuid.UUID, role: str) -> dict[str, Any]:
    scope = {"MANAGER": "LOCATION", "DISPATCHER": "LOCATION"}.get(role, "OWN")
    return {
        "id": user_id,
        "email": f"{role.lower()}@x.example",
        "full_name": role.title(),
        "role": role,
        "scope": scope,
        "location_id": LOCATION,
        "password_hash": "",
    }


@pytest.fixture
def replica(store: LocalStore) -> LocalStore:
    _rows(store, "tenant", [{"id": TENANT, "name": "Acme", "slug": "acme"}])  # threshold 10 %
    _rows(store, "user", [_user(USER, "DISPATCHER"), _user(MANAGER, "MANAGER")])
    _rows(store, "user", [_user(LEAD, "CREW_LEAD")])
    with replica_tx(store) as conn:
        upsert_wire_rows(conn, table_for("customer"), [customer_data(CUSTOMER, "Tremblay")])
    _rows(
        store,
        "exchange_rate",
        [
            {
                "id": uuid.UUID(int=31),
                "base_currency": "USD",
                "quote_currency": "CAD",
                "rate": D("1.350000"),
                "effective_date": dt.date(2026, 1, 1),
            },
            {
                "id": uuid.UUID(int=32),
                "base_currency": "CAD",
                "quote_currency": "EUR",
                "rate": D("0.680000"),
                "effective_date": dt.date(2026, 1, 1),
            },
        ],
    )
    return store


def _quote(store: LocalStore, **values: Any) -> uuid.UUID:
    quote_id = values.pop("id", uuid.uuid4())
    row = {
        "id": quote_id,
        "location_id": LOCATION,
        "customer_id": CUSTOMER,
        "created_by": USER,
        "move_date": dt.date(2026, 4, 2),
        "origin_line1": "2 Elm St",
        "origin_city": "Toronto",
        "origin_site": {"stairs_flights": 2},
        "crew_size": 3,
        "estimated_hours": D("5.000"),
        "subtotal": D("1000.00"),
        "total": D("1130.00"),
        **values,
    }
    _rows(store, "quote", [row])
    return quote_id


def _actions(store: LocalStore, clock: Any, user: uuid.UUID = USER) -> QuoteActions:
    writes = LocalWriteService(store, user_id=user, tenant_id=TENANT, device_id="dev", hlc=clock)
    return QuoteActions(writes, now=lambda: NOW)


def _pending(store: LocalStore) -> list[outbox.PendingMutation]:
    with store.engine.connect() as conn:
        return outbox.pending(conn)


def _names(actions: QuoteActions, quote_id: uuid.UUID) -> list[tuple[str, str | None]]:
    return [(o.name, o.blocked) for o in actions.available(quote_id)]


def test_send_view_accept_convert(replica: LocalStore, clock: Any) -> None:
    qid = _quote(replica, notes="Piano")
    actions = _actions(replica, clock)
    assert _names(actions, qid) == [("send", None)]
    actions.send(qid)
    row = get_row(replica, "quote", qid)
    assert (row["status"], row["sent_at"], row["valid_until"]) == (
        "SENT",
        NOW,
        dt.date(2026, 4, 1),
    )
    assert row["exchange_rate"] is None  # CAD quote of a CAD tenant
    assert [o.name for o in actions.available(qid)] == [
        "mark_viewed",
        "accept",
        "reject",
        "expire",
        "revise",
    ]
    actions.mark_viewed(qid)
    actions.accept(
        qid,
        signer_name=" Marie Tremblay ",
        signature=PNG,
        valuation=ValuationChoice(ValuationOption.RELEASED_VALUE),
    )
    row = get_row(replica, "quote", qid)
    assert (row["status"], row["signer_name"], row["signed_at"]) == (
        "ACCEPTED",
        "Marie Tremblay",
        NOW,
    )
    assert row["signature"]["png_base64"] == base64.b64encode(PNG).decode()
    assert row["signature"]["device_id"] == "dev"
    assert _names(actions, qid) == [("convert", None)]

    journey_id = actions.convert(qid)
    row, journey = get_row(replica, "quote", qid), get_row(replica, "journey", journey_id)
    assert (row["status"], row["journey_id"]) == ("CONVERTED", journey_id)
    assert (journey["customer_id"], journey["quote_id"], journey["number"]) == (CUSTOMER, qid, None)
    assert (journey["scheduled_date"], journey["crew_size_required"]) == (dt.date(2026, 4, 2), 3)
    assert (journey["status"], journey["dispatcher_id"]) == ("PLANNED", USER)
    assert journey["crew_instructions"] == "Piano"
    assert actions.available(qid) == ()
    # One mutation per action; the conversion queues the journey before the quote's link.
    ops = [(m.table, m.op, sorted(m.changes)[:3]) for m in _pending(replica)]
    assert [op[:2] for op in ops] == [("quote", "update")] * 3 + [
        ("journey", "insert"),
        ("quote", "update"),
    ]
    assert _pending(replica)[-1].changes == {"status": "CONVERTED", "journey_id": str(journey_id)}


def test_refused_moves_write_nothing(replica: LocalStore, clock: Any) -> None:
    qid = _quote(replica)
    actions = _actions(replica, clock)
    attempts = [
        (lambda: actions.accept(qid, signer_name="M", signature=PNG), "invalid_transition"),
        (lambda: actions.convert(qid), "invalid_transition"),
        (lambda: actions.reject(qid, reason="  "), "reason_required"),
        (lambda: actions.mark_viewed(qid), "invalid_transition"),
        (lambda: actions.approve(qid), "not_approver"),
    ]
    for attempt, code in attempts:
        with pytest.raises(RuleViolation) as err:
            attempt()
        assert err.value.code == code
    assert _pending(replica) == [] and get_row(replica, "quote", qid)["status"] == "DRAFT"


def test_acceptance_refuses_a_bad_signature_or_another_valuation(
    replica: LocalStore, clock: Any
) -> None:
    qid = _quote(replica, status="SENT", valid_until=dt.date(2026, 4, 1))
    actions = _actions(replica, clock)
    for kwargs, code in (
        ({"signer_name": "", "signature": PNG}, "signature_required"),
        ({"signer_name": "M", "signature": b"GIF89a"}, "signature_required"),
        (
            {
                "signer_name": "M",
                "signature": PNG,
                "valuation": ValuationChoice(ValuationOption.FULL_VALUE),
            },
            "valuation_changed",
        ),
    ):
        with pytest.raises(RuleViolation) as err:
            actions.accept(qid, **kwargs)
        assert err.value.code == code
    assert _pending(replica) == []


def test_a_lapsed_quote_shows_expired_and_only_expires_or_revises(
    replica: LocalStore, clock: Any
) -> None:
    qid = _quote(replica, status="VIEWED", valid_until=dt.date(2026, 3, 1))
    actions = _actions(replica, clock)
    assert actions.status(qid) == "EXPIRED"
    assert [o.name for o in actions.available(qid)] == ["expire", "revise"]
    with pytest.raises(RuleViolation) as err:
        actions.accept(qid, signer_name="M", signature=PNG)
    assert err.value.code == "quote_expired"
    assert _pending(replica) == []
    actions.expire(qid)
    assert get_row(replica, "quote", qid)["status"] == "EXPIRED"
    assert [o.name for o in actions.available(qid)] == ["reopen"]
    actions.revise(qid)
    actions.send(qid)  # a new validity date from today
    assert get_row(replica, "quote", qid)["valid_until"] == dt.date(2026, 4, 1)


def test_big_discount_needs_a_managers_approval(replica: LocalStore, clock: Any) -> None:
    qid = _quote(replica, discount_pct=D(25))
    dispatcher, manager = _actions(replica, clock), _actions(replica, clock, MANAGER)
    assert _names(dispatcher, qid) == [("send", "approval_required"), ("request_approval", None)]
    with pytest.raises(RuleViolation) as err:
        dispatcher.send(qid)
    assert err.value.code == "approval_required"
    activity_id = dispatcher.request_approval(qid, note="Loyal customer")
    activity = get_row(replica, "sales_activity", activity_id)
    assert (activity["type"], activity["customer_id"], activity["user_id"]) == (
        "OTHER",
        CUSTOMER,
        USER,
    )
    assert activity["notes"] == "25.000000% discount, above the 10% threshold\nLoyal customer"
    assert ("approve", None) in _names(manager, qid)
    manager.approve(qid)
    row = get_row(replica, "quote", qid)
    assert (row["approved_by"], row["approved_at"]) == (MANAGER, NOW)
    assert _names(dispatcher, qid) == [("send", None)]
    dispatcher.send(qid)
    with pytest.raises(RuleViolation) as err:  # approval comes before sending
        manager.approve(qid)
    assert err.value.code == "invalid_transition"


def test_approval_not_needed_within_threshold(replica: LocalStore, clock: Any) -> None:
    qid = _quote(replica, discount_pct=D(5))
    for act in (
        _actions(replica, clock, MANAGER).approve,
        _actions(replica, clock).request_approval,
    ):
        with pytest.raises(RuleViolation) as err:
            act(qid)
        assert err.value.code == "approval_not_needed"


def test_a_crew_lead_cannot_convert_and_is_not_offered_it(replica: LocalStore, clock: Any) -> None:
    qid = _quote(replica, status="ACCEPTED")
    lead = _actions(replica, clock, LEAD)
    assert lead.available(qid) == ()
    with pytest.raises(RuleViolation) as err:
        lead.convert(qid)
    assert err.value.code == "permission_denied"
    assert list_rows(replica, "journey") == []


def test_a_stored_user_permission_deny_is_honoured(replica: LocalStore, clock: Any) -> None:
    qid = _quote(replica, status="ACCEPTED")
    _rows(
        replica,
        "user_permission",
        [
            {
                "id": uuid.UUID(int=41),
                "user_id": USER,
                "resource": "journey",
                "action": "CREATE",
                "granted": False,
            }
        ],
    )
    actions = _actions(replica, clock)
    assert actions.available(qid) == ()
    with pytest.raises(RuleViolation) as err:
        actions.convert(qid)
    assert err.value.code == "permission_denied"


def test_currency_stores_the_rate_to_the_tenants_currency(replica: LocalStore, clock: Any) -> None:
    qid = _quote(replica)
    actions = _actions(replica, clock)
    assert actions.set_currency(qid, "usd") == D("1.350000")
    row = get_row(replica, "quote", qid)
    assert (row["currency"], row["exchange_rate"]) == ("USD", D("1.350000"))
    assert actions.set_currency(qid, "EUR") == D("1.470588")  # inverse of CAD->EUR 0.68
    assert actions.set_currency(qid, "CAD") is None
    assert get_row(replica, "quote", qid)["exchange_rate"] is None
    before = len(_pending(replica))
    for currency, code in (("GBP", "unknown_currency"), ("XYZ", "unknown_currency")):
        with pytest.raises(RuleViolation) as err:
            actions.set_currency(qid, currency)
        assert err.value.code == code
    with pytest.raises(RuleViolation) as err:  # no USD rate before 2026
        actions.set_currency(qid, "USD", on=dt.date(2025, 6, 1))
    assert err.value.code == "no_exchange_rate"
    assert len(_pending(replica)) == before


def test_currency_of_a_locked_or_priced_quote_is_refused(replica: LocalStore, clock: Any) -> None:
    actions = _actions(replica, clock)
    locked = _quote(replica, status="ACCEPTED")
    with pytest.raises(RuleViolation) as err:
        actions.set_currency(locked, "USD")
    assert err.value.code == "quote_locked"
    priced = _quote(replica)
    _rows(
        replica,
        "quote_item",
        [
            {
                "id": uuid.UUID(int=51),
                "quote_id": priced,
                "category": "MOVING_SERVICES",
                "description": "Crew",
                "quantity": D(3),
                "unit_price": D("150.00"),
                "line_total": D("450.00"),
                "sort_order": 0,
            }
        ],
    )
    with pytest.raises(RuleViolation) as err:
        actions.set_currency(priced, "USD")
    assert err.value.code == "currency_mismatch"
    assert _pending(replica) == []


def test_send_freezes_the_rate_of_a_foreign_currency_quote(replica: LocalStore, clock: Any) -> None:
    qid = _quote(replica, currency="USD", exchange_rate=D("1.300000"))
    _actions(replica, clock).send(qid, valid_until=dt.date(2026, 3, 20))
    row = get_row(replica, "quote", qid)
    assert (row["exchange_rate"], row["valid_until"]) == (D("1.350000"), dt.date(2026, 3, 20))
