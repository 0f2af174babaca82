"""Hybrid logical clock: monotonic, total order, string order equals clock order."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared_models.sync.hlc import MAX_CLOCK_AHEAD_MS, Hlc, HlcError, cap_future

nodes = st.text(alphabet="abcdef0123", min_size=1, max_size=6)
stamps = st.builds(Hlc, st.integers(0, 10**13 - 2), st.integers(0, 99_998), nodes)


@given(stamps, st.integers(0, 10**13 - 2))
def test_tick_is_strictly_after(h: Hlc, now: int) -> None:
    assert h.tick(now) > h


@given(stamps, stamps, st.integers(0, 10**13 - 2))
def test_receive_is_after_both(local: Hlc, remote: Hlc, now: int) -> None:
    merged = local.receive(remote, now)
    assert merged > local
    assert (merged.ms, merged.counter) > (remote.ms, remote.counter)
    assert merged.node == local.node


@given(stamps, stamps)
def test_string_order_matches_clock_order(a: Hlc, b: Hlc) -> None:
    assert (str(a) < str(b)) == (a < b)
    assert Hlc.parse(str(a)) == a


def test_ties_are_broken_by_node() -> None:
    assert Hlc(5, 0, "a") < Hlc(5, 0, "b")
    assert sorted([Hlc(5, 1, "a"), Hlc(5, 0, "b")]) == [Hlc(5, 0, "b"), Hlc(5, 1, "a")]


def test_tick_follows_the_wall_clock_and_counts_when_it_stalls() -> None:
    h = Hlc(1000, 3, "n")
    assert h.tick(2000) == Hlc(2000, 0, "n")
    assert h.tick(500) == Hlc(1000, 4, "n")


def test_counter_overflow_borrows_a_millisecond() -> None:
    assert Hlc(10, 99_999, "n").tick(0) == Hlc(11, 0, "n")


@pytest.mark.parametrize(
    "bad", ["", "123", "0000000000001-00001-", "x-00001-a", "0000000000001-1-a"]
)
def test_malformed_stamps_are_refused(bad: str) -> None:
    with pytest.raises(HlcError):
        Hlc.parse(bad)


def test_a_stamp_too_far_ahead_is_redated_to_the_servers_now() -> None:
    now = 1_790_000_000_000
    near = Hlc(now + MAX_CLOCK_AHEAD_MS, 7, "laptop")
    far = Hlc(now + MAX_CLOCK_AHEAD_MS + 1, 7, "laptop")
    assert cap_future(near, now) == near
    assert cap_future(far, now) == Hlc(now, 7, "laptop")
    assert cap_future(Hlc(now - 5, 0, "x"), now) == Hlc(now - 5, 0, "x")
