"""QuotingService on a real SQLCipher replica: survey -> quote lines, one transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest

from client.replica import LocalStore
from client.services import InvalidWrite, LocalWriteService, count_rows, get_row, list_rows
from client.services.quoting import QuotingService, SurveyRequest
from client.sync import outbox
from client.sync.db import replica_tx, table_for
from client.sync.rows import upsert_wire_rows
from shared_models.enums import ValuationOption
from shared_models.rules.cube_sheet import SurveyItem, TravelInput
from shared_models.rules.errors import RuleViolation
from shared_models.rules.estimate import DepositRule, Extras, Selection
from shared_models.rules.tax import CANADIAN_TAX_RATES_2026
from shared_models.rules.valuation import ValuationChoice
from shared_models.sync.codec import encode_row
from tests.unit.client_sync.replica_rows import LOCATION, TENANT, USER, customer_data
from tests.unit.rules.rate_cards import cad_card

D = Decimal
NOW = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
CUSTOMER, CARD_ID = uuid.UUID(int=11), uuid.UUID(int=12)
SOFA, FRIDGE, BOX = uuid.UUID(int=21), uuid.UUID(int=22), uuid.UUID(int=23)


def _server_rows(store: LocalStore, table: str, rows: list[dict[str, Any]]) -> None:
    """Rows as a pull delivers them: every column, server-versioned, wire-encoded."""
    t = table_for(table)
    full = []
    for values in rows:
        row: dict[str, Any] = {c.name: None for c in t.columns}
        for column in t.columns:
            default = column.default
            if default is not None and getattr(default, "is_scalar", False):
                row[column.name] = default.arg
        row.update(tenant_id=TENANT, version=1, created_at=NOW, updated_at=NOW, **values)
        full.append(encode_row(t, row))
    with replica_tx(store) as conn:
        upsert_wire_rows(conn, t, full)


def _card(**changes: Any) -> dict[str, Any]:
    doc = cad_card(**changes)
    return {
        **doc,
        "id": doc.pop("id", CARD_ID),
        "name": "GTA",
        "effective_from": dt.date(2026, 1, 1),
        "is_default": True,
    }


@pytest.fixture
def replica(store: LocalStore) -> LocalStore:
    _server_rows(
        store,
        "location",
        [
            {
                "id": LOCATION,
                "name": "Toronto",
                "code": "TOR",
                "address_line1": "1 Front St",
                "city": "Toronto",
                "province": "ON",
                "postal_code": "M5J 1A1",
                "timezone": "America/Toronto",
            }
        ],
    )
    with replica_tx(store) as conn:
        upsert_wire_rows(conn, table_for("customer"), [customer_data(CUSTOMER, "Tremblay")])
    _server_rows(store, "price_list", [_card()])
    _server_rows(
        store,
        "catalogue_item",
        [
            {"id": SOFA, "name": "Sofa, 3-seat", "cubic_feet": D(35), "handling_minutes": 10},
            {
                "id": FRIDGE,
                "name": "Refrigerator",
                "cubic_feet": D(45),
                "weight_lb": D(250),
                "handling_minutes": 20,
            },
            {"id": BOX, "name": "Box, medium", "cubic_feet": D(3), "weight_lb": D(30)},
        ],
    )
    _server_rows(
        store,
        "tax_rate",
        [
            {
                "id": uuid.UUID(int=100 + i),
                "province": r.province,
                "kind": r.kind,
                "rate": r.rate,
                "effective_from": r.effective_from,
                "effective_to": r.effective_to,
                "label": r.label,
            }
            for i, r in enumerate(CANADIAN_TAX_RATES_2026)
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
        "price_list_id": CARD_ID,
        "move_date": dt.date(2026, 3, 2),
        "origin_site": {"stairs_flights": 2, "elevator": False},
        "destination_site": {},
        "extra_stops": [],
        "distance_km": D(18),
        **values,
    }
    _server_rows(store, "quote", [row])
    return quote_id


# Survey: sofa (35 cu ft, 10 min), fridge (45 cu ft, 250 lb, 20 min), 20 boxes (3 cu ft, 30 lb)
#   volume 35 + 45 + 60 = 140 cu ft; weight 35 x 7 + 250 + 20 x 30 = 1095 lb
#   labour 140 + 10 + 20 = 170 min + 2 flights at the origin (16 min/100 cu ft x 1.4 = 22.4)
#   = 192.4 mover-min -> crew of 2; (192.4 / 2 + 30 min drive) / 60 = 2.10 h -> 3.00 minimum
# Lines: labour 3.00 x 159.00 = 477.00; truck 79.00; travel 89.00 (18 km is inside the free
#   40 km); 10 boxes x 4.25 = 42.50; released value 0.00 -> subtotal 687.50
#   HST 13% = 89.375 -> 89.38; total 776.88; deposit 20% = 155.376 -> 155.38
FIRST = SurveyRequest(
    counts={SOFA: 1, FRIDGE: 1, BOX: 20},
    travel=TravelInput(D(15), D(30), D(15), D(18)),
    extras=Extras(packing=(Selection("BOX-M", D(10)),)),
    deposit=DepositRule(D(20)),
)


def _pending(store: LocalStore) -> list[outbox.PendingMutation]:
    with store.engine.connect() as conn:
        return outbox.pending(conn)


def _items(store: LocalStore, quote_id: uuid.UUID) -> list[dict[str, Any]]:
    return list_rows(store, "quote_item", filters={"quote_id": quote_id}, order_by="sort_order")


def test_apply_survey_writes_lines_and_quote_figures(
    replica: LocalStore, service: LocalWriteService
) -> None:
    quote_id = _quote(replica)
    estimate = QuotingService(service).apply_survey(quote_id, FIRST)
    quote = get_row(replica, "quote", quote_id)
    assert quote is not None
    assert (quote["crew_size"], quote["estimated_hours"]) == (2, D("3.000"))
    assert (quote["volume_cuft"], quote["weight_lb"]) == (D(140), D(1095))
    assert (quote["subtotal"], quote["tax_amount"], quote["total"]) == (
        D("687.50"),
        D("89.38"),
        D("776.88"),
    )
    assert quote["deposit_amount"] == D("155.38")
    assert quote["tax_breakdown"] == [
        {"kind": "HST", "label": "HST 13%", "rate": "0.13", "base": "687.50", "amount": "89.38"}
    ]
    assert quote["valuation_option"] == ValuationOption.RELEASED_VALUE
    items = _items(replica, quote_id)
    assert [(i["description"], i["quantity"], i["unit_price"], i["line_total"]) for i in items] == [
        ("2 movers and truck (on site)", D(3), D("159.00"), D("477.00")),
        ("Truck fee", D(1), D("79.00"), D("79.00")),
        ("Travel fee (within 40 km of the depot)", D(1), D("89.00"), D("89.00")),
        ("Medium box (3 cu ft)", D(10), D("4.25"), D("42.50")),
        (estimate.lines[-1].description, D(1), D(0), D(0)),
    ]
    # Every write is queued for the server: 5 item inserts and the quote update.
    ops = [(m.table, m.op) for m in _pending(replica)]
    assert ops == [("quote_item", "insert")] * 5 + [("quote", "update")]
    assert _pending(replica)[-1].changes["total"] == "776.88"


def test_redoing_the_survey_replaces_the_lines(
    replica: LocalStore, service: LocalWriteService
) -> None:
    quote_id = _quote(replica)
    quoting = QuotingService(service)
    quoting.apply_survey(quote_id, FIRST)
    old_ids = {i["id"] for i in _items(replica, quote_id)}
    # On site: one more sofa, a piano nobody mentioned, a crew of 3 and full value.
    piano = SurveyItem("Piano, upright", D(70), 1, D(500), 45, is_specialty=True)
    redo = SurveyRequest(
        counts={SOFA: 2, FRIDGE: 1, BOX: 20},
        custom_items=(piano,),
        travel=TravelInput(D(15), D(30), D(15), D(18)),
        extras=Extras(specialty=(Selection("PIANO-UP"),)),
        valuation=ValuationChoice(ValuationOption.FULL_VALUE, D(12000), D(250)),
        crew_size=3,
    )
    estimate = quoting.apply_survey(quote_id, redo)
    items = _items(replica, quote_id)
    assert not old_ids & {i["id"] for i in items}
    assert count_rows(replica, "quote_item", include_deleted=True) == 5 + len(items)
    quote = get_row(replica, "quote", quote_id)
    assert quote is not None
    # volume 140 + 35 + 70 = 245; weight 1095 + 245 + 500 = 1840 lb; minimum declared
    # max(1840 x 6.00, 6000) = 11040 <= 12000; charge 12 x 9.50 = 114.00
    assert (quote["crew_size"], quote["volume_cuft"], quote["weight_lb"]) == (3, D(245), D(1840))
    assert quote["valuation_option"] == ValuationOption.FULL_VALUE
    assert (quote["declared_value"], quote["valuation_deductible"]) == (D(12000), D(250))
    assert quote["valuation_charge"] == D("114.00")
    assert quote["total"] == estimate.totals.total
    deletes = [m for m in _pending(replica) if m.op == "delete"]
    assert {uuid.UUID(m.row_id) for m in deletes} == old_ids


def test_price_change_on_a_sent_quote_returns_it_to_draft_without_approval(
    replica: LocalStore, service: LocalWriteService
) -> None:
    quote_id = _quote(replica, status="SENT", discount_pct=D(15), approved_by=USER, approved_at=NOW)
    QuotingService(service).apply_survey(quote_id, FIRST)
    quote = get_row(replica, "quote", quote_id)
    assert quote is not None
    assert quote["status"] == "DRAFT"
    assert (quote["approved_by"], quote["approved_at"]) == (None, None)
    assert quote["discount_amount"] == D("103.13")  # 15% of 687.50 = 103.125


@pytest.mark.parametrize("status", ["ACCEPTED", "CONVERTED"])
def test_locked_quotes_refuse_a_new_survey(
    replica: LocalStore, service: LocalWriteService, status: str
) -> None:
    quote_id = _quote(replica, status=status)
    quoting = QuotingService(service)
    for call in (quoting.apply_survey, quoting.preview):
        with pytest.raises(RuleViolation) as err:
            call(quote_id, FIRST)
        assert err.value.code == "quote_locked" and status in err.value.message
    assert _pending(replica) == [] and _items(replica, quote_id) == []


def test_a_failed_write_leaves_the_old_lines_and_outbox(
    replica: LocalStore, service: LocalWriteService
) -> None:
    quote_id = _quote(replica)
    quoting = QuotingService(service)
    quoting.apply_survey(quote_id, FIRST)
    before_items, before_outbox = _items(replica, quote_id), _pending(replica)
    # A card option whose unit does not fit the 16-character column fails mid-way,
    # after the old lines were tombstoned in the same transaction.
    _server_rows(
        replica,
        "price_list",
        [
            _card(
                packing_materials={
                    "BOX-M": {"label": "Box", "price": "4.25", "unit": "box-of-cardboard-x"}
                }
            )
        ],
    )
    with pytest.raises(InvalidWrite):
        quoting.apply_survey(quote_id, FIRST)
    assert _items(replica, quote_id) == before_items
    assert _pending(replica) == before_outbox


def test_preview_writes_nothing_and_exempt_customers_pay_no_tax(
    replica: LocalStore, service: LocalWriteService
) -> None:
    with replica_tx(replica) as conn:
        upsert_wire_rows(
            conn,
            table_for("customer"),
            [
                customer_data(
                    CUSTOMER,
                    "Tremblay",
                    tax_exempt=True,
                    version=2,
                    tax_exemption_number="1234567890",
                )
            ],
        )
    quote_id = _quote(replica)
    estimate = QuotingService(service).preview(quote_id, FIRST)
    assert (estimate.totals.tax_total, estimate.totals.total) == (0, D("687.50"))
    assert _pending(replica) == [] and _items(replica, quote_id) == []


def test_quote_without_a_card_gets_the_one_in_force(
    replica: LocalStore, service: LocalWriteService
) -> None:
    quote_id = _quote(replica, price_list_id=None)
    QuotingService(service).apply_survey(quote_id, FIRST)
    quote = get_row(replica, "quote", quote_id)
    assert quote is not None and quote["price_list_id"] == CARD_ID


@pytest.mark.parametrize(
    ("quote_values", "request_", "error", "code"),
    [
        ({"currency": "USD"}, FIRST, RuleViolation, "currency_mismatch"),
        ({}, SurveyRequest(counts={uuid.UUID(int=99): 1}), LookupError, None),
        ({}, SurveyRequest(counts={SOFA: -1}), RuleViolation, "negative_amount"),
        (
            {},
            SurveyRequest(extras=Extras(storage=(Selection("attic"),))),
            RuleViolation,
            "unknown_option",
        ),
    ],
)
def test_bad_requests_write_nothing(
    replica: LocalStore,
    service: LocalWriteService,
    quote_values: dict[str, Any],
    request_: SurveyRequest,
    error: type[Exception],
    code: str | None,
) -> None:
    quote_id = _quote(replica, **quote_values)
    with pytest.raises(error) as err:
        QuotingService(service).apply_survey(quote_id, request_)
    if code is not None:
        assert getattr(err.value, "code", None) == code
    assert _pending(replica) == []
