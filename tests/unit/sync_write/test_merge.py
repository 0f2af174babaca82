"""The pure three-way merge (DESIGN 6.1): examples per policy and a no-silent-loss property."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from shared_models.sync.hlc import Hlc
from shared_models.sync.merge import FieldStamp, merge_update, settle

EARLY, LATE = Hlc(1_000, 0, "a"), Hlc(2_000, 0, "b")
QUOTE = {
    "id": 1,
    "version": 5,
    "status": "DRAFT",
    "notes": "n0",
    "internal_notes": "i0",
    "discount_pct": Decimal(0),
    "approved_by": None,
    "total": Decimal(10),
}


def merge(
    table: str,
    row: dict[str, Any],
    base: dict[str, Any],
    changes: dict[str, Any],
    hlc: Hlc = LATE,
    stamps: dict[str, FieldStamp] | None = None,
    role: str = "SALES",
    **kw: Any,
) -> Any:
    return merge_update(
        table,
        row,
        base,
        changes,
        client_hlc=hlc,
        server_field_hlcs=stamps or {},
        actor_role=role,
        **kw,
    )


def test_client_only_change_applies() -> None:
    out = merge("quote", QUOTE, {"notes": "n0"}, {"notes": "n1"}, base_version=5)
    assert (out.status, out.apply, out.conflicts) == ("applied", {"notes": "n1"}, [])


def test_different_fields_changed_elsewhere_is_merged() -> None:
    row = {**QUOTE, "internal_notes": "server", "version": 7}
    out = merge("quote", row, {"notes": "n0"}, {"notes": "n1"}, base_version=5)
    assert (out.status, out.apply) == ("merged", {"notes": "n1"})


def test_same_value_on_both_sides_is_nothing_to_do() -> None:
    out = merge("quote", {**QUOTE, "notes": "same"}, {"notes": "n0"}, {"notes": "same"})
    assert (out.status, out.apply, out.conflicts) == ("applied", {}, [])


def test_lww_newer_client_wins_older_loses() -> None:
    row = {**QUOTE, "notes": "server"}
    stamps = {"notes": FieldStamp(Hlc(1_500, 0, "s"), "DISPATCHER")}
    won = merge("quote", row, {"notes": "n0"}, {"notes": "mine"}, LATE, stamps)
    assert won.apply == {"notes": "mine"} and won.status == "conflict_resolved"
    lost = merge("quote", row, {"notes": "n0"}, {"notes": "mine"}, EARLY, stamps)
    assert lost.apply == {} and lost.conflicts[0].winner == "server"
    assert lost.conflicts[0].reason == "lww"


def test_status_is_server_wins_when_both_moved() -> None:
    row = {**QUOTE, "status": "SENT"}
    out = merge("quote", row, {"status": "DRAFT"}, {"status": "REJECTED"}, LATE)
    assert out.apply == {} and out.conflicts[0].reason == "server_wins"


def test_status_move_is_validated_by_the_state_machine() -> None:
    ok = merge("quote", QUOTE, {"status": "DRAFT"}, {"status": "SENT"})
    assert ok.apply == {"status": "SENT"}
    bad = merge("quote", QUOTE, {"status": "DRAFT"}, {"status": "CONVERTED"})
    assert bad.apply == {} and bad.conflicts[0].reason == "invalid_transition"


def test_send_above_discount_threshold_needs_approval() -> None:
    row = {**QUOTE, "discount_pct": Decimal(20)}
    out = merge(
        "quote",
        row,
        {"status": "DRAFT"},
        {"status": "SENT"},
        context={"approval_threshold_pct": 10},
    )
    assert out.conflicts[0].reason == "approval_required"


def test_locked_quote_rejects_edits_but_converts() -> None:
    row = {**QUOTE, "status": "ACCEPTED"}
    out = merge("quote", row, {"notes": "n0"}, {"notes": "late edit"})
    assert (out.status, out.reason) == ("rejected", "locked")
    conv = merge(
        "quote",
        row,
        {"status": "ACCEPTED", "journey_id": None},
        {"status": "CONVERTED", "journey_id": "J1"},
    )
    assert conv.apply == {"status": "CONVERTED", "journey_id": "J1"}


def test_conversion_without_its_journey_is_refused() -> None:
    row = {**QUOTE, "status": "ACCEPTED", "journey_id": None}
    out = merge("quote", row, {"status": "ACCEPTED"}, {"status": "CONVERTED"})
    assert out.apply == {} and out.status == "conflict_resolved"
    (conflict,) = out.conflicts
    assert (conflict.field, conflict.reason, conflict.winner) == (
        "status",
        "invalid_transition",
        "server",
    )
    assert "journey" in (conflict.message or "")


def test_item_of_locked_quote_is_locked() -> None:
    out = merge(
        "quote_item",
        {"unit_price": Decimal(1)},
        {"unit_price": Decimal(1)},
        {"unit_price": Decimal(2)},
        parent_row={"status": "CONVERTED"},
    )
    assert out.reason == "locked"


def test_append_only_update_is_rejected() -> None:
    out = merge("inventory_transaction", {"note": "a"}, {"note": "a"}, {"note": "b"})
    assert (out.status, out.reason) == ("rejected", "append_only")


def test_owner_beats_non_owner_regardless_of_clock() -> None:
    row = {"truck_id": "T2", "actual_start": "10:00"}
    by_dispatch = {"truck_id": FieldStamp(EARLY, "DISPATCHER")}
    crew = merge(
        "journey", row, {"truck_id": "T1"}, {"truck_id": "T3"}, LATE, by_dispatch, role="CREW_LEAD"
    )
    assert crew.apply == {} and crew.conflicts[0].reason == "owner_wins"
    by_crew = {"truck_id": FieldStamp(LATE, "CREW_LEAD")}
    disp = merge(
        "journey", row, {"truck_id": "T1"}, {"truck_id": "T3"}, EARLY, by_crew, role="DISPATCHER"
    )
    assert disp.apply == {"truck_id": "T3"} and disp.conflicts[0].winner == "client"


def test_price_change_on_sent_quote_goes_back_to_draft() -> None:
    row = {**QUOTE, "status": "SENT"}
    out = merge("quote", row, {"discount_pct": Decimal(0)}, {"discount_pct": Decimal(5)})
    assert out.apply["status"] == "DRAFT"
    item = merge(
        "quote_item",
        {"unit_price": Decimal(1)},
        {"unit_price": Decimal(1)},
        {"unit_price": Decimal(2)},
        parent_row={"status": "VIEWED"},
    )
    assert item.parent_apply == {"status": "DRAFT"}


def test_server_owned_fields_are_listed_then_settled_against_the_stored_row() -> None:
    out = merge(
        "quote", QUOTE, {"total": Decimal(10), "notes": "n0"}, {"total": Decimal(99), "notes": "x"}
    )
    assert [c.field for c in out.conflicts] == ["total"]
    agreed = settle(out, "quote", {"total": Decimal(99)}, {**QUOTE, "total": Decimal(99)})
    assert agreed.conflicts == [] and agreed.status == "applied"
    corrected = settle(out, "quote", {"total": Decimal(99)}, {**QUOTE, "total": Decimal(12)})
    assert corrected.status == "conflict_resolved"


FIELDS = ["notes", "internal_notes", "status", "total", "discount_pct"]
values = st.sampled_from(["DRAFT", "SENT", "VIEWED", "ACCEPTED", "a", "b", Decimal(1), Decimal(2)])


@given(
    st.dictionaries(st.sampled_from(FIELDS), values, min_size=1),
    st.dictionaries(st.sampled_from(FIELDS), values),
    st.dictionaries(st.sampled_from(FIELDS), values),
    st.sampled_from(["SALES", "DISPATCHER", "CREW_LEAD", None]),
    st.booleans(),
)
def test_no_client_field_is_lost_silently(
    changes: dict[str, Any],
    base: dict[str, Any],
    server: dict[str, Any],
    role: str | None,
    late: bool,
) -> None:
    row = {**QUOTE, **server}
    row["status"] = (
        row["status"] if row["status"] in ("DRAFT", "SENT", "VIEWED", "ACCEPTED") else "DRAFT"
    )
    out = merge("quote", row, base, changes, LATE if late else EARLY, role=role)
    if out.status == "rejected":
        assert out.reason and not out.apply
        return
    listed = {c.field for c in out.conflicts}
    for name, new in changes.items():
        assert out.apply.get(name, object()) == new or row.get(name) == new or name in listed, name
    for name in out.apply:
        assert name in changes or name == "status"
