"""Customer and lead forms over a real replica and the real server: validation as typed, sync."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from client.services.contacts import Contacts
from client.services.queries import get_row
from client.services.workspace import Workspace
from client.sync import outbox
from client.ui.customer_form import CustomerForm
from client.ui.customer_picker import CustomerPicker
from client.ui.customers import CustomersView
from client.ui.fields import Field
from client.ui.lead_form import LeadForm
from client.ui.main_window import MainWindow
from shared_models.rules.errors import RuleViolation
from tests.utils.e2e import Scene, ServerDb


def _pending(ws: Workspace) -> int:
    with ws.store.engine.connect() as conn:
        return outbox.count(conn)


def _type(qtbot: QtBot, field: Field, text: str) -> None:
    """Key presses as a keyboard sends them (accented letters too, which QTest cannot type)."""
    field.edit.setFocus()
    field.edit.selectAll()
    field.edit.del_()
    for char in text:
        if char.isascii():
            qtbot.keyClick(field.edit, char)
        else:
            event = QKeyEvent(
                QEvent.Type.KeyPress, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char
            )
            QApplication.sendEvent(field.edit, event)


def _leave(field: Field) -> None:
    field.edit.editingFinished.emit()


def _customers(
    qtbot: QtBot,
    scene: Scene,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
) -> tuple[Workspace, MainWindow, CustomersView]:
    ws = signed_in(scene.accounts["disp"])
    ws.engine().sync_once()
    window = open_window(ws, write_sync_delay_ms=3_600_000, sync=False)
    view = window.show_section("customers")
    assert isinstance(view, CustomersView)
    return ws, window, view


def _sync(qtbot: QtBot, ws: Workspace) -> None:
    ws.engine().sync_once()
    assert _pending(ws) == 0


def test_a_bad_email_is_explained_next_to_the_field_and_save_stays_disabled(
    qtbot: QtBot,
    scene: Scene,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
) -> None:
    ws, _, view = _customers(qtbot, scene, signed_in, open_window)
    qtbot.mouseClick(view.new_customer_button, Qt.MouseButton.LeftButton)
    form = view.form
    assert isinstance(form, CustomerForm)
    assert not form.save_button.isEnabled()  # nothing typed: no name yet
    assert not form.fields["last_name"].message.isVisible()  # untouched fields stay quiet

    _type(qtbot, form.fields["last_name"], "Tremblay")
    assert form.save_button.isEnabled()
    _type(qtbot, form.fields["email"], "marie@tremblay")
    email = form.fields["email"]
    assert email.message.isVisible()
    assert email.message.text() == "That is not an email address, e.g. name@company.com"
    assert email.edit.property("invalid") is True
    assert not form.save_button.isEnabled()
    assert form.hint.text() == "1 field to complete or correct"

    # The postal code follows the province chosen beside it.
    form.province.set_value("QC")
    form.province._edited()
    _type(qtbot, form.fields["postal_code"], "M5V 2T6")
    assert form.fields["postal_code"].message.text() == "Quebec postal codes start with G, H or J."
    _type(qtbot, form.fields["phone"], "514 555 01")
    assert "10 digits" in form.fields["phone"].message.text()
    assert form.hint.text() == "3 fields to complete or correct"

    # Pressing Save anyway writes nothing.
    before = _pending(ws)
    assert not form.submit()
    assert _pending(ws) == before

    _type(qtbot, form.fields["email"], "marie@tremblay.ca")
    _type(qtbot, form.fields["postal_code"], "h2x1y4")
    _type(qtbot, form.fields["phone"], "(514) 555 0142")
    assert not email.message.isVisible() and form.save_button.isEnabled()


def test_a_new_customer_is_listed_found_by_search_and_synced(
    qtbot: QtBot,
    scene: Scene,
    server_db: ServerDb,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
) -> None:
    ws, _, view = _customers(qtbot, scene, signed_in, open_window)
    form = view.open_customer_form(None)
    assert isinstance(form, CustomerForm)
    qtbot.addWidget(form)
    _type(qtbot, form.fields["first_name"], "Ophélie")
    _type(qtbot, form.fields["last_name"], "Vanderzwaag")
    _type(qtbot, form.fields["email"], "Ophelie@Vanderzwaag.CA")
    _type(qtbot, form.fields["phone"], "+1 (613) 555.0188 x12")
    _leave(form.fields["phone"])  # the number takes its one stored form on leaving
    assert form.fields["phone"].text == "613-555-0188 ext. 12"
    _type(qtbot, form.fields["city"], "Ottawa")
    form.province.set_value("ON")
    _type(qtbot, form.fields["postal_code"], "k1p5g4")
    _leave(form.fields["postal_code"])
    assert form.fields["postal_code"].text == "K1P 5G4"
    assert form.save_button.isEnabled()
    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    customer_id = saved.args[0]
    assert isinstance(customer_id, uuid.UUID)
    assert _pending(ws) == 1

    def listed() -> bool:
        rows = [view.model.row(i) for i in range(view.model.rowCount())]
        return any(r is not None and r.id == customer_id for r in rows)

    qtbot.waitUntil(listed, timeout=10_000)
    qtbot.waitUntil(lambda: "Vanderzwaag" in _texts(view.pane), timeout=5_000)
    with qtbot.waitSignal(view.search_done, timeout=5_000):
        qtbot.keyClicks(view.search, "vanderzw")
    assert [view.model.row(i).id for i in range(view.model.rowCount())] == [customer_id]  # type: ignore[union-attr]

    _sync(qtbot, ws)
    server = server_db.row("customer", customer_id)
    assert server is not None
    assert (server["first_name"], server["last_name"]) == ("Ophélie", "Vanderzwaag")
    assert server["email"] == "Ophelie@vanderzwaag.ca"
    assert server["phone"] == "613-555-0188 ext. 12"
    assert (server["province"], server["postal_code"]) == ("ON", "K1P 5G4")
    assert server["location_id"] == scene.locations[0]


def test_an_edit_from_the_detail_pane_syncs(
    qtbot: QtBot,
    scene: Scene,
    server_db: ServerDb,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
) -> None:
    ws, _, view = _customers(qtbot, scene, signed_in, open_window)
    target = scene.rows["c2"]
    view.show_customer_id(target)
    qtbot.waitUntil(lambda: "Bellweather-Oakhurst" in _texts(view.pane), timeout=5_000)
    edit = next(
        b for b in view.pane.findChildren(type(view.new_customer_button)) if b.text() == "Edit"
    )
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    form = view.form
    assert isinstance(form, CustomerForm)
    qtbot.waitUntil(lambda: form.fields["last_name"].raw() == "Bellweather-Oakhurst", timeout=5_000)
    assert form.save_button.isEnabled()
    _type(qtbot, form.fields["phone"], "416 555 01")
    assert not form.save_button.isEnabled()
    _type(qtbot, form.fields["phone"], "416 555 0123")
    _type(qtbot, form.fields["company_name"], "Oakhurst Dental")
    # Leaving the phone field gave the number its stored form; only the changes are sent.
    assert form.values() == {"phone": "416-555-0123", "company_name": "Oakhurst Dental"}
    with qtbot.waitSignal(form.saved, timeout=10_000):
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "416-555-0123" in _texts(view.pane), timeout=5_000)
    assert _pending(ws) == 1

    _sync(qtbot, ws)
    server = server_db.row("customer", target)
    assert server is not None
    assert (server["phone"], server["company_name"]) == ("416-555-0123", "Oakhurst Dental")
    assert server["email"] == "c2@mail.example" and server["notes"] == "orig"


def test_a_new_caller_is_created_from_the_new_quote_picker_and_picked(
    qtbot: QtBot,
    scene: Scene,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
) -> None:
    ws, window, _ = _customers(qtbot, scene, signed_in, open_window)
    picker = CustomerPicker(ws.store, window, ctx=window.ctx)
    qtbot.addWidget(picker)
    picker.show()
    qtbot.mouseClick(picker.new_button, Qt.MouseButton.LeftButton)
    form = picker.form
    assert form is not None
    _type(qtbot, form.fields["company_name"], "Northwind Freight")
    form.kind.set_value("COMMERCIAL")
    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert picker.customer_id == saved.args[0]
    assert picker.result() == CustomerPicker.DialogCode.Accepted
    stored = get_row(ws.store, "customer", saved.args[0])
    assert stored is not None and str(stored["customer_type"]) == "COMMERCIAL"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"last_name": "Roy", "email": "roy@"}, "email"),
        ({"last_name": "Roy", "phone": "555-0142"}, "phone"),
        ({"last_name": "Roy", "province": "BC", "postal_code": "M5V 2T6"}, "postal_code"),
        ({"first_name": "Only"}, "last_name"),
        ({"last_name": "Roy", "tax_exempt": True}, "tax_exemption_number"),
    ],
)
def test_bad_customer_input_through_the_service_raises_and_leaves_the_outbox_alone(
    scene: Scene,
    signed_in: Callable[..., Workspace],
    values: dict[str, object],
    field: str,
) -> None:
    ws = signed_in(scene.accounts["disp"])
    ws.engine().sync_once()
    contacts = Contacts(ws.writes)
    before = _pending(ws)
    with pytest.raises(RuleViolation) as refused:
        contacts.create_customer(values)
    assert refused.value.field == field
    if field == "last_name":
        changes: dict[str, object] = {"last_name": None}
    else:
        changes = {k: v for k, v in values.items() if k != "last_name"}
    with pytest.raises(RuleViolation):
        contacts.update_customer(scene.rows["c1"], changes)
    assert _pending(ws) == before == 0
    stored = get_row(ws.store, "customer", scene.rows["c1"])
    assert stored is not None and stored["email"] == "c1@mail.example" and stored["phone"] is None


def test_bad_lead_input_through_the_service_raises_and_leaves_the_outbox_alone(
    scene: Scene, signed_in: Callable[..., Workspace]
) -> None:
    ws = signed_in(scene.accounts["disp"])
    ws.engine().sync_once()
    contacts = Contacts(ws.writes)
    yesterday = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    for values, field in (
        ({"contact_name": ""}, "contact_name"),
        ({"contact_name": "Sam", "contact_phone": "12345"}, "contact_phone"),
        ({"contact_name": "Sam", "estimated_value": Decimal("-1.00")}, "estimated_value"),
        ({"contact_name": "Sam", "next_follow_up_at": yesterday}, "next_follow_up_at"),
    ):
        with pytest.raises(RuleViolation) as refused:
            contacts.create_lead(values)
        assert refused.value.field == field
    assert _pending(ws) == 0


def test_a_new_lead_becomes_a_customer_and_both_sync(
    qtbot: QtBot,
    scene: Scene,
    server_db: ServerDb,
    signed_in: Callable[..., Workspace],
    open_window: Callable[..., MainWindow],
) -> None:
    ws, _, view = _customers(qtbot, scene, signed_in, open_window)
    qtbot.mouseClick(view.new_lead_button, Qt.MouseButton.LeftButton)
    form = view.form
    assert isinstance(form, LeadForm)
    assert not form.save_button.isEnabled()
    _type(qtbot, form.fields["contact_name"], "Marie-Ève Gagnon")
    _type(qtbot, form.fields["estimated_value"], "-250")
    assert (
        form.fields["estimated_value"].message.text() == "The estimated value cannot be negative."
    )
    follow_up = form.fields["next_follow_up_at"]
    follow_up.set_value(dt.datetime.now(dt.UTC) - dt.timedelta(days=1), user=True)  # type: ignore[attr-defined]
    assert follow_up.message.text() == "The follow-up cannot be in the past."
    assert not form.save_button.isEnabled()
    _type(qtbot, form.fields["estimated_value"], "4,250.00")
    tomorrow = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0) + dt.timedelta(days=1)
    follow_up.set_value(tomorrow, user=True)  # type: ignore[attr-defined]
    _type(qtbot, form.fields["contact_phone"], "5145550142")
    assert form.save_button.isEnabled()
    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    lead_id = saved.args[0]
    stored = get_row(ws.store, "lead", lead_id)
    assert stored is not None
    assert (stored["contact_phone"], stored["estimated_value"]) == (
        "514-555-0142",
        Decimal("4250.00"),
    )
    assert stored["next_follow_up_at"] == tomorrow

    # Edit it again, then make it a customer.
    editor = view.open_lead_form(lead_id)
    qtbot.waitUntil(
        lambda: editor.fields["contact_name"].raw() == "Marie-Ève Gagnon", timeout=5_000
    )
    assert editor.convert_button.isVisible() and editor.save_button.isEnabled()
    editor.open_conversion()
    convert = editor.conversion
    assert convert.fields["first_name"].raw() == "Marie-Ève"
    assert convert.fields["phone"].raw() == "514-555-0142"
    _type(qtbot, convert.fields["email"], "meg@")
    assert not convert.save_button.isEnabled()
    _type(qtbot, convert.fields["email"], "meg@gagnon.ca")
    with qtbot.waitSignal(editor.saved, timeout=10_000) as converted:
        qtbot.mouseClick(convert.save_button, Qt.MouseButton.LeftButton)
    customer_id = converted.args[0]
    linked = get_row(ws.store, "lead", lead_id)
    assert linked is not None and linked["customer_id"] == customer_id
    assert str(linked["status"]) == "QUALIFIED"

    _sync(qtbot, ws)
    server_lead = server_db.row("lead", lead_id)
    server_customer = server_db.row("customer", customer_id)
    assert server_lead is not None and server_customer is not None
    assert server_lead["customer_id"] == customer_id and server_lead["status"] == "QUALIFIED"
    assert server_lead["estimated_value"] == Decimal("4250.00")
    assert (server_customer["last_name"], server_customer["email"]) == ("Gagnon", "meg@gagnon.ca")


def _texts(widget: object) -> str:
    from PySide6.QtWidgets import QLabel

    return "\n".join(label.text() for label in widget.findChildren(QLabel))  # type: ignore[attr-defined]
