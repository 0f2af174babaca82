"""The crew's screens read and record times on the branch's clock, whatever the laptop's zone.

The laptop is set to Asia/Tokyo (13-14 hours from Toronto) for each test: the
Today card, the Journey header, the time stepper and the signature line must
still say what the dispatch board says in Toronto time.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from client.services.crew import journey_detail
from client.services.workspace import Workspace
from client.ui.field_widgets import TimeStepper
from client.ui.journey import JourneyView
from client.ui.main_window import MainWindow
from client.ui.today import TodayView
from shared_models.enums import JourneyEventType
from shared_models.rules.errors import RuleViolation
from tests.gui.crew_fixtures import BRANCH_TZ, CrewDay, crew_day  # noqa: F401
from tests.gui.test_crew_lead import _draw
from tests.utils.e2e import Scene

E = JourneyEventType
WAIT = 20_000
UTC = dt.UTC
TORONTO = ZoneInfo(BRANCH_TZ)


@pytest.fixture
def laptop_in_tokyo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process's local zone is Tokyo for the test, and back to what it was after."""
    with monkeypatch.context() as patch:
        patch.setenv("TZ", "Asia/Tokyo")
        time.tzset()
        assert dt.datetime(2026, 1, 15, 12).astimezone().utcoffset() == dt.timedelta(hours=9)
        yield
    time.tzset()


def _texts(widget: QWidget) -> list[str]:
    return [w.text() for w in widget.findChildren(QLabel) if w.isVisibleTo(widget)]


def _today(qtbot: QtBot, window: MainWindow) -> TodayView:
    today = window.show_section("today")
    assert isinstance(today, TodayView)
    qtbot.waitUntil(lambda: len(today.list.cards) == 2, timeout=WAIT)
    return today


def _open(qtbot: QtBot, today: TodayView, day: CrewDay) -> JourneyView:
    view = today.open_journey(day.morning)
    qtbot.waitUntil(lambda: view.detail is not None, timeout=WAIT)
    return view


@pytest.mark.usefixtures("laptop_in_tokyo")
def test_today_card_and_journey_header_show_branch_time_on_a_tokyo_laptop(
    qtbot: QtBot,
    scene: Scene,
    crew_day: CrewDay,  # noqa: F811 - 08:00 for 6 h and 14:00 for 3 h, Toronto time
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
) -> None:
    lead = signed_in(scene.accounts["lead1"])
    lead.engine().sync_once()
    window = open_window(lead, sync=False)
    today = _today(qtbot, window)
    assert today.day == dt.datetime.now(TORONTO).date()  # the branch's today
    windows = [c.findChild(QLabel, "TimeWindow").text() for c in today.list.cards]
    assert windows == ["08:00 – 14:00", "14:00 – 17:00"]
    assert today.list.header.title.text() == "Today"
    assert "Times in Toronto time" in today.list.header.subtitle.text()
    assert today.list.cards[0].card.zone == BRANCH_TZ
    branch_today = today.day
    assert branch_today is not None and not today.list.today_button.isEnabled()
    qtbot.mouseClick(today.list.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not today.list.cards, timeout=WAIT)
    assert today.day == branch_today + dt.timedelta(days=1)
    assert today.list.today_button.isEnabled()
    qtbot.mouseClick(today.list.today_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(today.list.cards) == 2, timeout=WAIT)
    assert today.day == branch_today and today.list.header.title.text() == "Today"

    view = _open(qtbot, today, crew_day)
    assert any("08:00 – 14:00" in text for text in _texts(view.header))
    assert not any("22:00" in text for text in _texts(view.header))  # Tokyo's reading


@pytest.mark.usefixtures("laptop_in_tokyo")
def test_a_step_typed_on_the_stepper_is_stored_on_the_branch_clock(
    qtbot: QtBot,
    scene: Scene,
    crew_day: CrewDay,  # noqa: F811
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
) -> None:
    now = dt.datetime.now(TORONTO)
    if now.time() < dt.time(0, 15):
        pytest.skip("needs a quarter of an hour of the branch's day behind it")
    lead = signed_in(scene.accounts["lead1"])
    lead.engine().sync_once()
    window = open_window(lead, sync=False)
    view = _open(qtbot, _today(qtbot, window), crew_day)
    step = view.step
    qtbot.waitUntil(lambda: E.ARRIVED_ORIGIN in step.buttons, timeout=WAIT)

    qtbot.mouseClick(step.time.now_button, Qt.MouseButton.LeftButton)
    shown = step.time.edit.time()
    later = dt.datetime.now(TORONTO)
    on_clock = {(now.hour, now.minute), (later.hour, later.minute)}
    assert (shown.hour(), shown.minute()) in on_clock  # "Now" is now in Toronto

    chosen = (now - dt.timedelta(minutes=10)).replace(second=0, microsecond=0)
    step.time.edit.setTime(QTime(chosen.hour, chosen.minute))
    qtbot.mouseClick(step.buttons[E.ARRIVED_ORIGIN], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.detail is not None and bool(view.detail.events), timeout=WAIT)
    detail = journey_detail(lead.store, crew_day.morning)
    assert detail is not None
    [arrived] = detail.events
    assert arrived.occurred_at == chosen.astimezone(UTC)  # 09:15 Toronto is 14:15Z in winter
    assert arrived.occurred_at.astimezone(TORONTO).date() == now.date()
    # The journey's timeline shows the step on the same clock.
    qtbot.waitUntil(
        lambda: (
            [t.text() for t in view.timeline.findChildren(QLabel, "EventTime")]
            == [f"{chosen:%H:%M}"]
        ),
        timeout=WAIT,
    )

    # A time before that step is refused, naming the step's time on the branch's clock.
    qtbot.waitUntil(lambda: E.LOADING_STARTED in step.buttons, timeout=WAIT)
    step.time.edit.setTime(QTime(0, 0))
    assert not step.buttons[E.LOADING_STARTED].isEnabled()
    assert step.error.text() == f"The time is before the previous step ({chosen:%H:%M})."

    _draw(view.signature.pad)
    qtbot.mouseClick(view.signature.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.detail is not None and view.detail.signed, timeout=WAIT)
    signed = next(e for e in view.detail.events if e.event_type is E.SIGNATURE)
    at = signed.occurred_at.astimezone(TORONTO)
    assert view.signature.signed.text().endswith(f" at {at:%H:%M}")


@pytest.mark.usefixtures("laptop_in_tokyo")
@pytest.mark.parametrize(
    ("day", "typed", "stored"),
    [
        (dt.date(2026, 1, 15), dt.time(9, 15), dt.datetime(2026, 1, 15, 14, 15, tzinfo=UTC)),
        (dt.date(2026, 7, 15), dt.time(9, 15), dt.datetime(2026, 7, 15, 13, 15, tzinfo=UTC)),
        # Spring forward: 02:30 never shows on the clock; read as 03:30 daylight time.
        (dt.date(2026, 3, 8), dt.time(2, 30), dt.datetime(2026, 3, 8, 7, 30, tzinfo=UTC)),
        # Fall back: 01:30 happens twice; the first one (still daylight time) is kept.
        (dt.date(2026, 11, 1), dt.time(1, 30), dt.datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),
    ],
    ids=["winter", "summer", "dst-gap", "dst-overlap"],
)
def test_time_stepper_reads_the_typed_time_in_the_branch_zone(
    qtbot: QtBot, day: dt.date, typed: dt.time, stored: dt.datetime
) -> None:
    stepper = TimeStepper(BRANCH_TZ)
    qtbot.addWidget(stepper)
    stepper.edit.setTime(QTime(typed.hour, typed.minute))
    assert stepper.value(day) == stored


def test_time_stepper_refuses_an_unknown_zone_and_keeps_its_own(qtbot: QtBot) -> None:
    stepper = TimeStepper(BRANCH_TZ)
    qtbot.addWidget(stepper)
    with pytest.raises(RuleViolation) as err:
        stepper.set_zone("America/Atlantis")
    assert err.value.code == "unknown_time_zone"
    stepper.edit.setTime(QTime(9, 15))
    assert stepper.value(dt.date(2026, 1, 15)) == dt.datetime(2026, 1, 15, 14, 15, tzinfo=UTC)
