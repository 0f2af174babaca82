"""Full estimates, hand-checked line by line, in ON, QC, BC, AB and a US quote in USD.

Tax arithmetic itself is covered by test_tax.py/test_totals.py; here the point is
that the estimate makes the right lines and feeds them to compute_totals.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared_models.enums import EstimateType, QuoteItemCategory, ValuationOption
from shared_models.rules.cube_sheet import TravelInput, plan_from_hours
from shared_models.rules.errors import RuleViolation
from shared_models.rules.estimate import (
    DepositRule,
    Extras,
    Selection,
    TaxPlace,
    build_estimate,
)
from shared_models.rules.quote_workflow import check_transition
from shared_models.rules.rate_card import parse_rate_card
from shared_models.rules.tax import CANADIAN_TAX_RATES_2026
from shared_models.rules.totals import DocumentInput, LineInput, compute_totals
from shared_models.rules.valuation import ValuationChoice
from tests.unit.rules.rate_cards import cad_card, port_to_port_card, usd_card

D = Decimal
C = QuoteItemCategory
T = EstimateType
MOVE_DAY = dt.date(2026, 3, 2)
CARD = parse_rate_card(cad_card())
# 3 movers, 4 h on site + 30 min driving origin -> destination, 55 km, 650 cu ft
TRAVEL = TravelInput(D(0), D(30), D(0), D(55))
PLAN = plan_from_hours(card=CARD, crew_size=3, hours="4", volume_cuft=D(650), travel=TRAVEL)
EXTRAS = Extras(
    packing=(Selection("BOX-M", D(20)), Selection("TAPE", D(3))),
    specialty=(Selection("PIANO-UP"),),
    equipment=(Selection("BLANKETS", D(24)),),
    storage=(Selection("vault", D(2)),),
)
FVP = ValuationChoice(ValuationOption.FULL_VALUE, D(30000), D(250))


def place(province: str | None, country: str = "CA", **kw: object) -> TaxPlace:
    return TaxPlace(MOVE_DAY, province, country, CANADIAN_TAX_RATES_2026, **kw)  # type: ignore[arg-type]


def line_table(estimate: object) -> list[tuple[str | None, C, Decimal, str, Decimal, bool]]:
    return [
        (ln.code, ln.category, ln.quantity, ln.unit, ln.unit_price, ln.taxable)
        for ln in estimate.lines  # type: ignore[attr-defined]
    ]


# The lines shared by the ON, QC and BC quotes (CAD card, TRIP_FEE travel):
#   labour   4.50 h x 209.00 (crew of 3)       =  940.50
#   truck    1 x 79.00                         =   79.00
#   travel   89.00 + (55 - 40) km x 1.95       =  118.25
#   boxes    20 x 4.25                         =   85.00
#   tape     3 x 4.50                          =   13.50
#   piano    1 x 275.00                        =  275.00
#   blankets 24 x 1.50                         =   36.00
#   vault    2 months x 129.00                 =  258.00
#   FVP      30,000 / 1,000 x 9.50, not taxed  =  285.00
#   subtotal 2090.25, taxable base 2090.25 - 285.00 = 1805.25
CAD_LINES = [
    ("LABOUR", C.MOVING_SERVICES, D("4.50"), "hour", D("209.00"), True),
    ("TRUCK", C.MOVING_SERVICES, D(1), "ea", D("79.00"), True),
    ("TRAVEL", C.MOVING_SERVICES, D(1), "ea", D("118.25"), True),
    ("BOX-M", C.PACKING_SERVICES, D(20), "box", D("4.25"), True),
    ("TAPE", C.PACKING_SERVICES, D(3), "roll", D("4.50"), True),
    ("PIANO-UP", C.SPECIALTY_SERVICES, D(1), "ea", D("275.00"), True),
    ("BLANKETS", C.EQUIPMENT_RENTAL, D(24), "ea", D("1.50"), True),
    ("vault", C.STORAGE_SERVICES, D(2), "month", D("129.00"), True),
    ("FVP", C.INSURANCE, D(1), "ea", D("285.00"), False),
]


def test_ontario_hourly_quote_hst() -> None:
    e = build_estimate(
        CARD,
        PLAN,
        estimate_type=T.HOURLY,
        taxes=place("ON"),
        extras=EXTRAS,
        valuation=FVP,
        deposit=DepositRule(D(10), D(250)),
    )
    assert line_table(e) == CAD_LINES
    assert (e.crew_size, e.hours, e.hourly_rate) == (3, D("4.50"), D("209.00"))
    assert (e.plan.volume_cuft, e.plan.weight_lb) == (D(650), D(4550))  # 650 x 7 lb
    t = e.totals
    assert (t.subtotal, t.taxable_base) == (D("2090.25"), D("1805.25"))
    assert [(x.kind.value, x.amount) for x in t.taxes] == [("HST", D("234.68"))]  # 234.6825
    assert t.total == D("2324.93")  # 2090.25 + 234.68
    assert e.deposit == D("250.00")  # 10% = 232.49 is under the $250 minimum
    assert e.not_to_exceed is None
    assert e.valuation.charge == D("285.00") and e.valuation.minimum_declared_value == D(27300)


def test_quebec_flat_quote_gst_and_qst_not_on_gst() -> None:
    e = build_estimate(
        CARD,
        PLAN,
        estimate_type=T.FLAT,
        taxes=place("QC"),
        extras=EXTRAS,
        valuation=FVP,
        deposit=DepositRule(D(15)),
    )
    labour = e.lines[0]
    assert (labour.quantity, labour.unit, labour.unit_price) == (D(1), "flat", D("940.50"))
    assert "3 movers, 4.50 h" in labour.description
    t = e.totals
    assert t.subtotal == D("2090.25")
    # GST 1805.25 x 5% = 90.2625 -> 90.26; QST 1805.25 x 9.975% = 180.0737 -> 180.07
    # (on GST-included 1895.51 it would be 189.08: QST is not charged on GST)
    assert [(x.kind.value, x.amount) for x in t.taxes] == [
        ("GST", D("90.26")),
        ("QST", D("180.07")),
    ]
    assert t.total == D("2360.58")  # 2090.25 + 90.26 + 180.07
    assert e.deposit == D("354.09")  # 2360.58 x 15% = 354.087


def test_bc_binding_quote_gst_pst_with_fuel_surcharge() -> None:
    card = parse_rate_card(cad_card(fuel_surcharge_pct=D(4)))
    e = build_estimate(
        card, PLAN, estimate_type=T.BINDING, taxes=place("BC"), extras=EXTRAS, valuation=FVP
    )
    fuel = next(ln for ln in e.lines if ln.code == "FUEL")
    # 4% of transport (truck 79.00 + travel 118.25 = 197.25) = 7.89
    assert (fuel.category, fuel.unit_price, fuel.taxable) == (C.OTHER, D("7.89"), True)
    t = e.totals
    assert (t.subtotal, t.taxable_base) == (D("2098.14"), D("1813.14"))
    # GST 1813.14 x 5% = 90.657 -> 90.66; PST 1813.14 x 7% = 126.9198 -> 126.92
    assert [(x.kind.value, x.amount) for x in t.taxes] == [
        ("GST", D("90.66")),
        ("PST", D("126.92")),
    ]
    assert t.total == D("2315.72")
    assert e.deposit == 0  # no deposit rule


def test_alberta_gst_with_discount_needing_approval() -> None:
    e = build_estimate(
        CARD,
        PLAN,
        estimate_type=T.NON_BINDING,
        taxes=place("AB"),
        extras=EXTRAS,
        discount_pct=D(10),
    )
    released = e.lines[-1]
    assert (released.code, released.unit_price, released.taxable) == ("RELEASED", 0, False)
    assert "0.60/lb" in released.description
    assert e.valuation.liability == D("2730.00")  # 4550 lb x 0.60
    t = e.totals
    assert t.subtotal == D("1805.25")  # the CAD lines without FVP
    assert t.discount == D("180.53")  # 10% = 180.525, half-up
    assert t.taxable_base == D("1624.72")  # every priced line is taxable
    assert [(x.kind.value, x.amount) for x in t.taxes] == [("GST", D("81.24"))]  # 81.236
    assert t.total == D("1705.96")  # 1624.72 + 81.24
    # Sending it needs a manager above a 5% threshold, not above 15%.
    with pytest.raises(RuleViolation) as err:
        check_transition(
            "DRAFT", "SENT", discount_pct=t.effective_discount_pct, approval_threshold_pct=5
        )
    assert err.value.code == "approval_required"
    check_transition(
        "DRAFT", "SENT", discount_pct=t.effective_discount_pct, approval_threshold_pct=15
    )


def test_us_quote_in_usd_not_to_exceed() -> None:
    card = parse_rate_card(usd_card())
    plan = plan_from_hours(card=card, crew_size=3, hours="4", volume_cuft=D(650), travel=TRAVEL)
    e = build_estimate(
        card,
        plan,
        estimate_type=T.NOT_TO_EXCEED,
        taxes=place(None, "US"),
        extras=Extras(packing=(Selection("BOX-M", D(20)),)),
        deposit=DepositRule(D(25)),
    )
    assert e.currency.value == "USD" and e.totals.currency.value == "USD"
    # labour 4.50 x 159.00 = 715.50; truck 59.00; travel 69.00 + 15 km x 1.45 = 90.75;
    # boxes 20 x 4.25 = 85.00; released value 0.00 -> 950.25, no tax outside Canada
    assert [ln.unit_price for ln in e.lines] == [
        D("159.00"),
        D("59.00"),
        D("90.75"),
        D("4.25"),
        D(0),
    ]
    assert (e.totals.tax_total, e.totals.total) == (0, D("950.25"))
    assert e.not_to_exceed == D("950.25")  # the customer pays at most this
    assert e.deposit == D("237.56")  # 950.25 x 25% = 237.5625


def test_long_distance_is_priced_by_weight() -> None:
    card = parse_rate_card(cad_card(fuel_surcharge_pct=D(2)))
    far = TravelInput(D(20), D(480), D(460), D(650))
    plan = plan_from_hours(card=card, crew_size=3, hours="4", volume_cuft=D(650), travel=far)
    assert plan.billed_hours == D("4.00")  # the 8 h drive is in the line haul, not the clock
    e = build_estimate(card, plan, estimate_type=T.BINDING, taxes=place("ON"))
    # labour 4.00 x 209 = 836.00; truck 79.00; line haul 4550 lb x 1.35 (500-1500 km)
    # = 6142.50; fuel 2% x (79.00 + 6142.50) = 124.43; no travel fee
    assert [(ln.code, ln.unit_price) for ln in e.lines] == [
        ("LABOUR", D("836.00")),
        ("TRUCK", D("79.00")),
        ("LINEHAUL", D("6142.50")),
        ("FUEL", D("124.43")),
        ("RELEASED", D(0)),
    ]
    assert e.totals.subtotal == D("7181.93")
    assert e.totals.total == D("8115.58")  # + HST 7181.93 x 13% = 933.6509 -> 933.65


def test_port_to_port_card_has_no_travel_line() -> None:
    card = parse_rate_card(port_to_port_card())
    plan = plan_from_hours(
        card=card, crew_size=2, hours="3", travel=TravelInput(D(20), D(30), D(25))
    )
    e = build_estimate(card, plan, estimate_type=T.HOURLY, taxes=place("ON"))
    # 3 h + (20 + 30 + 25) min = 4.25 h x 159.00 = 675.75; truck 79.00
    assert [(ln.code, ln.quantity, ln.unit_price) for ln in e.lines] == [
        ("LABOUR", D("4.25"), D("159.00")),
        ("TRUCK", D(1), D("79.00")),
        ("RELEASED", D(1), D(0)),
    ]
    assert "port to port" in e.lines[0].description
    assert e.totals.subtotal == D("754.75")


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"extras": Extras(packing=(Selection("CRATE"),))}, "unknown_option", "packing_materials"),
        ({"estimate_type": "CHEAP"}, "unknown_estimate_type", "estimate_type"),
        ({"taxes": TaxPlace(MOVE_DAY, "ON")}, "no_tax_rate", "province"),  # no TaxRate rows
        (
            {"taxes": TaxPlace(dt.date(2009, 1, 1), "ON", "CA", CANADIAN_TAX_RATES_2026)},
            "no_tax_rate",
            "province",
        ),  # before the seeded tax history
        ({"discount_amount": D(5000)}, "discount_exceeds_subtotal", "document_discount_amount"),
        ({"discount_pct": D(-5)}, "negative_amount", "document_discount_pct"),
        (
            {"valuation": ValuationChoice(ValuationOption.FULL_VALUE, D(6000))},
            "declared_value_too_low",
            "declared_value",
        ),
    ],
)
def test_bad_estimate_input(kwargs: dict, code: str, field: str) -> None:
    args: dict = {"estimate_type": T.HOURLY, "taxes": place("ON"), **kwargs}
    with pytest.raises(RuleViolation) as err:
        build_estimate(CARD, PLAN, **args)
    assert (err.value.code, err.value.field) == (code, field)


@pytest.mark.parametrize(
    ("build", "code", "field"),
    [
        (lambda: Selection("BOX-M", D(-2)), "negative_amount", "quantity"),
        (lambda: Selection("BOX-M", D("1.0005")), "invalid_number", "quantity"),
        (lambda: TaxPlace(MOVE_DAY, "ZZ"), "unknown_province", "province"),
        (lambda: parse_rate_card(cad_card(currency="XYZ")), "unknown_currency", "currency"),
        (lambda: DepositRule(D(120)), "invalid_number", "deposit_percent"),
        (
            lambda: build_estimate(
                CARD,
                plan_from_hours(card=CARD, crew_size=1, hours=3),
                estimate_type=T.HOURLY,
                taxes=place("ON"),
            ),
            "no_hourly_rate",
            "crew_size",
        ),
        (
            lambda: build_estimate(
                CARD,
                plan_from_hours(
                    card=CARD, crew_size=2, hours=3, travel=TravelInput(distance_km=D(700))
                ),
                estimate_type=T.HOURLY,
                taxes=place("ON"),
            ),
            "weight_required",
            "weight_lb",
        ),
    ],
)
def test_bad_parts(build: object, code: str, field: str) -> None:
    with pytest.raises(RuleViolation) as err:
        build()  # type: ignore[operator]
    assert (err.value.code, err.value.field) == (code, field)


selections = st.lists(
    st.builds(
        Selection,
        code=st.sampled_from(["BOX-M", "TAPE"]),
        quantity=st.integers(0, 200).map(D),
    ),
    max_size=5,
)
plans = st.builds(
    lambda crew, quarter_hours, km, cuft: plan_from_hours(
        card=CARD,
        crew_size=crew,
        hours=D(quarter_hours) / 4,
        volume_cuft=D(cuft),
        travel=TravelInput(distance_km=D(km)),
    ),
    st.integers(2, 6),
    st.integers(0, 60),
    st.integers(0, 150),
    st.integers(0, 3000),
)


@settings(max_examples=100, deadline=None)
@given(plans, selections, st.sampled_from(["ON", "QC", "BC", "AB", "NS"]))
def test_estimate_type_changes_the_promise_not_the_price(
    plan: object, packing: list[Selection], province: str
) -> None:
    totals = {
        kind: build_estimate(
            CARD,
            plan,
            estimate_type=kind,
            taxes=place(province),  # type: ignore[arg-type]
            extras=Extras(packing=tuple(packing)),
        ).totals.total
        for kind in EstimateType
    }
    assert len(set(totals.values())) == 1


@settings(max_examples=100, deadline=None)
@given(
    plans,
    selections,
    st.builds(Selection, code=st.just("TAPE"), quantity=st.integers(1, 50).map(D)),
)
def test_more_options_never_lower_the_total_and_deposit_fits(
    plan: object, packing: list[Selection], more: Selection
) -> None:
    def total(chosen: list[Selection]) -> object:
        return build_estimate(
            CARD,
            plan,
            estimate_type=T.NOT_TO_EXCEED,
            taxes=place("ON"),  # type: ignore[arg-type]
            extras=Extras(packing=tuple(chosen)),
            deposit=DepositRule(D(30), D(500)),
        )

    before, after = total(packing), total([*packing, more])
    assert after.totals.total > before.totals.total  # type: ignore[attr-defined]
    for e in (before, after):
        assert 0 <= e.deposit <= e.totals.total  # type: ignore[attr-defined]
        assert e.not_to_exceed == e.totals.total  # type: ignore[attr-defined]


@settings(max_examples=100, deadline=None)
@given(plans, selections, st.sampled_from(["ON", "QC", "BC"]))
def test_stored_lines_reprice_to_the_same_totals(
    plan: object, packing: list[Selection], province: str
) -> None:
    # What the server does on push: rebuild LineInputs from the stored item columns
    # (decimal strings on the wire) and recompute.
    e = build_estimate(
        CARD,
        plan,
        estimate_type=T.HOURLY,
        taxes=place(province),  # type: ignore[arg-type]
        extras=Extras(packing=tuple(packing)),
        valuation=ValuationChoice(),
        discount_pct=D(7),
    )
    stored = tuple(
        LineInput(str(ln.quantity), str(ln.unit_price), "0", ln.taxable, ln.category.value)  # type: ignore[arg-type]
        for ln in e.lines
    )
    again = compute_totals(
        DocumentInput(
            currency="CAD",  # type: ignore[arg-type]
            lines=stored,
            tax_date=MOVE_DAY,
            province=province,  # type: ignore[arg-type]
            tax_rows=CANADIAN_TAX_RATES_2026,
            document_discount_pct=D(7),
        )
    )
    assert again == e.totals
