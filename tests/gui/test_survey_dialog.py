"""Estimate from survey: live figures equal the shared rules, applied offline then synced,
opened from the quote editor and from the crew lead's Journey screen; locked quotes refused.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from client.services.queries import get_row, list_rows
from client.services.workspace import Workspace
from client.sync import outbox, rejections
from client.ui import format as fmt
from client.ui.journey import JourneyView
from client.ui.main_window import MainWindow
from client.ui.quotes import QuotesView
from client.ui.survey_dialog import SurveyDialog
from shared_models.ids import uuid7
from shared_models.rules.cube_sheet import Site, SurveyItem, TravelInput, plan_move
from shared_models.rules.estimate import TaxPlace, build_estimate
from shared_models.rules.rate_card import parse_rate_card
from shared_models.rules.tax import TaxRateRow
from tests.gui.crew_fixtures import NetworkSwitch, network  # noqa: F401
from tests.unit.rules.rate_cards import cad_card
from tests.utils.e2e import Scene, ServerDb

D = Decimal
WAIT = 20_000
CATALOGUE = (  # key, room, name, cu ft, weight lb, handling minutes
    ("sofa", "Living room", "Sofa, 3-seat", D(35), None, 10),
    ("armchair", "Living room", "Armchair", D(15), None, 5),
    ("bed", "Bedroom", "Queen bed with frame", D(60), None, 25),
    ("dresser", "Bedroom", "Dresser, 6 drawers", D(30), D(150), 10),
    ("fridge", "Kitchen", "Refrigerator", D(45), D(250), 20),
    ("box", "Boxes", "Box, medium", D(3), D(30), 0),
)


@pytest.fixture
def reference(scene: Scene, server_db: ServerDb) -> dict[str, uuid.UUID]:
    """The branch's rate card and a small household catalogue, on the server."""
    ids = {key: uuid7() for key, *_ in CATALOGUE} | {"card": uuid7()}
    with server_db.writer(scene.tenant_id, scene.user("admin"), "ADMIN") as w:
        w.insert(
            "price_list",
            {
                **cad_card(),
                "id": ids["card"],
                "name": "GTA",
                "effective_from": dt.date(2026, 1, 1),
                "is_default": True,
            },
        )
        for order, (key, room, name, cuft, weight, minutes) in enumerate(CATALOGUE):
            w.insert(
                "catalogue_item",
                {
                    "id": ids[key],
                    "name": name,
                    "room": room,
                    "cubic_feet": cuft,
                    "weight_lb": weight,
                    "handling_minutes": minutes,
                    "sort_order": order,
                },
            )
    return ids


def _pending(ws: Workspace) -> int:
    with ws.store.engine.connect() as conn:
        return outbox.count(conn)


def _set(qtbot: QtBot, edit: object, text: str) -> None:
    edit.selectAll()  # type: ignore[attr-defined]
    edit.del_()  # type: ignore[attr-defined]
    qtbot.keyClicks(edit, text)


def _fill(qtbot: QtBot, dialog: SurveyDialog, ids: dict[str, uuid.UUID]) -> None:
    """Two sofas by the + button, 24 boxes typed, a fridge; stairs at pickup, an elevator
    and a long carry at delivery; 18 km with driving minutes."""
    sofa = dialog.catalogue.steppers[ids["sofa"]]
    qtbot.mouseClick(sofa.plus, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(sofa.plus, Qt.MouseButton.LeftButton)
    _set(qtbot, dialog.catalogue.steppers[ids["box"]].edit, "24")
    qtbot.mouseClick(dialog.catalogue.steppers[ids["fridge"]].plus, Qt.MouseButton.LeftButton)
    pickup, delivery = dialog.stops
    _set(qtbot, pickup.stairs.edit, "2")
    delivery.elevator.setChecked(True)
    _set(qtbot, delivery.carry.edit, "120")
    travel = dialog.travel
    _set(qtbot, travel.distance.edit, "18")
    _set(qtbot, travel.to_origin.edit, "25")
    _set(qtbot, travel.between.edit, "30")
    _set(qtbot, travel.back.edit, "20")


def _expected(ws: Workspace, quote_id: uuid.UUID, ids: dict[str, uuid.UUID]) -> object:
    """The same survey priced by the shared rules alone, from the replica's own rows."""
    quote = get_row(ws.store, "quote", quote_id)
    card = parse_rate_card(get_row(ws.store, "price_list", ids["card"]))
    items = [
        SurveyItem.from_catalogue(get_row(ws.store, "catalogue_item", ids[k]), n)
        for k, n in (("sofa", 2), ("box", 24), ("fridge", 1))
    ]
    plan = plan_move(
        items,
        card=card,
        sites=[Site(stairs_flights=2), Site(elevator=True, long_carry_ft=D(120))],
        travel=TravelInput(D(25), D(30), D(20), D(18)),
    )
    rows = tuple(TaxRateRow.from_record(r) for r in list_rows(ws.store, "tax_rate", limit=1000))
    return build_estimate(
        card,
        plan,
        estimate_type=quote["estimate_type"],
        taxes=TaxPlace(tax_date=quote["move_date"], province="ON", tax_rows=rows),
    )


def _settled(qtbot: QtBot, dialog: SurveyDialog) -> None:
    """Wait for the figures of what is on screen now (the preview runs in the background)."""
    qtbot.waitUntil(lambda: not dialog._timer.isActive(), timeout=WAIT)
    with qtbot.waitSignal(dialog.previewed, timeout=WAIT):
        dialog.refresh()


def test_survey_from_the_quote_editor_matches_the_rules_and_applies_offline_then_syncs(
    qtbot: QtBot,
    scene: Scene,
    reference: dict[str, uuid.UUID],
    network: NetworkSwitch,  # noqa: F811
    server_db: ServerDb,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
    tmp_path: Path,
) -> None:
    disp = signed_in(scene.accounts["disp"], network.url)
    disp.engine().sync_once()
    network.off()
    window = open_window(disp, write_sync_delay_ms=3_600_000)
    quotes = window.show_section("quotes")
    assert isinstance(quotes, QuotesView)
    quote_id = scene.rows["q1"]
    editor = quotes.open_editor(quote_id)
    assert editor is not None
    qtbot.addWidget(editor)
    qtbot.waitUntil(lambda: editor.draft is not None, timeout=WAIT)
    dialog = editor.open_survey()
    assert dialog is not None  # closed with its parent
    qtbot.waitUntil(lambda: dialog.sheet is not None, timeout=WAIT)
    assert dialog.banner.isHidden()
    # Grouped by room, searchable.
    assert list(dialog.catalogue.headings) == ["Living room", "Bedroom", "Kitchen", "Boxes"]
    dialog.catalogue.search.setText("refrig")
    dialog.catalogue.search.fire()
    assert dialog.catalogue.headings["Kitchen"].isVisibleTo(dialog)
    assert not dialog.catalogue.headings["Bedroom"].isVisibleTo(dialog)
    assert not dialog.catalogue.steppers[reference["sofa"]].isVisibleTo(dialog)
    dialog.catalogue.search.clear()
    dialog.catalogue.search.fire()

    _fill(qtbot, dialog, reference)
    _settled(qtbot, dialog)
    expected = _expected(disp, quote_id, reference)
    shown = dialog.figures.texts
    plan, totals = expected.plan, expected.totals  # type: ignore[attr-defined]
    assert dialog.estimate is not None and dialog.estimate.totals == totals
    assert shown["Volume"] == f"{plan.volume_cuft:,.0f} cu ft"
    assert shown["Weight"] == f"{plan.weight_lb:,.0f} lb"
    assert shown["Crew"] == f"{plan.crew_size} movers"
    assert shown["Hours"] == f"{plan.billed_hours} h billed"
    assert shown["HST 13%"] == fmt.money(totals.taxes[0].amount)
    assert shown["Total"] == fmt.money(totals.total)
    assert dialog.apply_button.isEnabled()

    # Bad input: explained beside the field, no figures, nothing can be applied.
    box = dialog.catalogue.steppers[reference["box"]]
    _set(qtbot, box.edit, "-3")
    assert box.message.text() == "Cannot be negative." and not box.message.isHidden()
    _set(qtbot, dialog.stops[0].carry.edit, "far")
    assert dialog.stops[0].carry.message.text() == "Enter the long carry as a number."
    _settled(qtbot, dialog)
    assert not dialog.apply_button.isEnabled() and dialog.estimate is None
    assert dialog.figures.problem_text.startswith("Fix the fields")
    before = _pending(disp)
    dialog.apply()
    assert _pending(disp) == before == 0
    _set(qtbot, box.edit, "24")
    _set(qtbot, dialog.stops[0].carry.edit, "")
    _settled(qtbot, dialog)
    assert dialog.figures.texts["Total"] == fmt.money(totals.total)

    out = Path(os.environ.get("CNC_SCREENSHOT_DIR") or tmp_path)
    dialog.resize(1280, 820)
    qtbot.wait(200)
    assert dialog.grab().save(str(out / "quote-survey.png"))

    with qtbot.waitSignal(dialog.applied, timeout=WAIT):
        qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    local = get_row(disp.store, "quote", quote_id)
    assert local["total"] == totals.total and local["crew_size"] == plan.crew_size
    assert local["origin_site"]["stairs_flights"] == 2
    assert local["destination_site"]["elevator"] is True
    assert _pending(disp) > 0  # offline: queued, not sent
    qtbot.waitUntil(
        lambda: editor.totals.texts.get("Total") == fmt.money(totals.total), timeout=WAIT
    )

    qtbot.waitUntil(lambda: "waiting to sync" in window.status.pending.text(), timeout=WAIT)
    network.on()
    window.sync_now()
    qtbot.waitUntil(lambda: window.status.pending.text() == "All changes synced", timeout=60_000)
    server = server_db.row("quote", quote_id)
    assert server is not None
    assert (server["subtotal"], server["tax_amount"], server["total"]) == (
        totals.subtotal,
        totals.tax_total,
        totals.total,
    )
    assert (
        server["volume_cuft"] == plan.volume_cuft and server["estimated_hours"] == plan.billed_hours
    )
    assert server["origin_site"]["stairs_flights"] == 2
    assert server["destination_site"]["long_carry_ft"] == 120


def _lead_journey(scene: Scene, server_db: ServerDb, quote: str) -> uuid.UUID:
    """A journey of today led by lead1 for ``quote``."""
    journey_id = uuid7()
    with server_db.writer(scene.tenant_id, scene.user("admin"), "ADMIN") as w:
        quote_row = server_db.row("quote", scene.rows[quote])
        assert quote_row is not None
        w.insert(
            "journey",
            {
                "id": journey_id,
                "location_id": scene.locations[0],
                "customer_id": quote_row["customer_id"],
                "quote_id": scene.rows[quote],
                "crew_lead_id": scene.user("lead1"),
                "scheduled_date": dt.date.today(),
                "origin_line1": "2 Elm St",
                "origin_city": "Toronto",
            },
        )
    return journey_id


def _withhold_lines(scene: Scene, server_db: ServerDb) -> list[uuid.UUID]:
    """An administrator withholds quote-line edits from lead1 (the default matrix allows them)."""
    ids = []
    with server_db.writer(scene.tenant_id, scene.user("admin"), "ADMIN") as w:
        for action in ("CREATE", "DELETE"):
            ids.append(uuid7())
            w.insert(
                "user_permission",
                {
                    "id": ids[-1],
                    "user_id": scene.user("lead1"),
                    "resource": "quote_item",
                    "action": action,
                    "scope": "OWN",
                    "granted": False,
                    "granted_by": scene.user("admin"),
                    "reason": "Quotes are re-priced by the office",
                },
            )
    return ids


def _restore_lines(scene: Scene, server_db: ServerDb, ids: list[uuid.UUID]) -> None:
    with server_db.writer(scene.tenant_id, scene.user("admin"), "ADMIN") as w:
        for row_id in ids:
            w.delete("user_permission", row_id)


def _redo(
    qtbot: QtBot, window: MainWindow, journey_id: uuid.UUID
) -> tuple[JourneyView, SurveyDialog]:
    """The Journey screen (kept alive by the caller) and its "Redo survey" dialog."""
    view = JourneyView(window.ctx, journey_id)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.detail is not None and view.quote_id is not None, timeout=WAIT)
    assert not view.survey_button.isHidden()
    qtbot.mouseClick(view.survey_button, Qt.MouseButton.LeftButton)
    dialog = view.survey
    assert dialog is not None  # closed with its parent
    qtbot.waitUntil(lambda: dialog.sheet is not None, timeout=WAIT)
    return view, dialog


def test_crew_lead_redoes_the_survey_offline_and_dispatch_gets_the_new_price(
    qtbot: QtBot,
    scene: Scene,
    reference: dict[str, uuid.UUID],
    network: NetworkSwitch,  # noqa: F811
    server_db: ServerDb,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
) -> None:
    journey_id = _lead_journey(scene, server_db, "q1")
    withheld = _withhold_lines(scene, server_db)
    lead = signed_in(scene.accounts["lead1"], network.url)
    lead.engine().sync_once()
    network.off()
    window = open_window(lead, write_sync_delay_ms=3_600_000)

    # Without the right, the dialog says why instead of queueing a change the server refuses.
    _view, dialog = _redo(qtbot, window, journey_id)
    assert (
        not dialog.banner.isHidden() and "may not create quote items" in dialog.banner.text.text()
    )
    assert dialog.apply_button.isHidden()
    dialog.close()

    network.on()
    _restore_lines(scene, server_db, withheld)
    lead.engine().sync_once()
    network.off()
    _view, dialog = _redo(qtbot, window, journey_id)
    assert dialog.banner.isHidden()
    _fill(qtbot, dialog, reference)
    _settled(qtbot, dialog)
    expected = _expected(lead, scene.rows["q1"], reference)
    assert dialog.figures.texts["Total"] == fmt.money(expected.totals.total)  # type: ignore[attr-defined]
    with qtbot.waitSignal(dialog.applied, timeout=WAIT):
        qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: "waiting to sync" in window.status.pending.text(), timeout=WAIT)
    network.on()
    window.sync_now()
    qtbot.waitUntil(lambda: window.status.pending.text() == "All changes synced", timeout=60_000)
    server = server_db.row("quote", scene.rows["q1"])
    assert server is not None and server["total"] == expected.totals.total  # type: ignore[attr-defined]
    with lead.store.engine.connect() as conn:
        assert not rejections.unresolved(conn)  # nothing refused by the server


def test_a_locked_quote_opens_read_only_with_the_reason(
    qtbot: QtBot,
    scene: Scene,
    reference: dict[str, uuid.UUID],
    server_db: ServerDb,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
    tmp_path: Path,
) -> None:
    journey_id = _lead_journey(scene, server_db, "qa")  # qa is ACCEPTED
    lead = signed_in(scene.accounts["lead1"])
    lead.engine().sync_once()
    window = open_window(lead, sync=False)
    before = _pending(lead)
    _view, dialog = _redo(qtbot, window, journey_id)
    text = dialog.banner.text.text()
    assert "accepted" in text and "locked" in text
    assert dialog.apply_button.isHidden() and dialog.cancel.text() == "Close"
    assert not dialog.catalogue.steppers[reference["sofa"]].isEnabled()
    assert not dialog.stops[0].isEnabled() and not dialog.travel.isEnabled()
    dialog.apply()
    assert _pending(lead) == before
    out = Path(os.environ.get("CNC_SCREENSHOT_DIR") or tmp_path)
    qtbot.wait(100)
    assert dialog.grab().save(str(out / "crew-survey-locked.png"))
    assert _view.grab().save(str(out / "crew-journey-redo-survey.png"))
