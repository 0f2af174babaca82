"""The start screen: validation as the user types, real sign-ins, failures, offline unlock."""

from __future__ import annotations

import socket

from pytestqt.qtbot import QtBot

from client.services import accounts
from client.ui.signin import SignInDialog
from tests.gui.conftest import PASSPHRASE
from tests.utils.e2e import Scene


def _dialog(qtbot: QtBot, **kwargs: object) -> SignInDialog:
    dialog = SignInDialog(**kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _fill(qtbot: QtBot, dialog: SignInDialog, server: str, email: str, password: str) -> None:
    for field, text in (
        (dialog.server, server),
        (dialog.email, email),
        (dialog.password, password),
    ):
        field.edit.clear()
        qtbot.keyClicks(field.edit, text)
    for field in (dialog.new_pass, dialog.repeat_pass):
        if field.isVisible():
            field.edit.clear()
            qtbot.keyClicks(field.edit, PASSPHRASE)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_fields_validate_as_the_user_types(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot, profiles=[])
    assert dialog.pages.currentIndex() == 1 and not dialog.sign_in_button.isEnabled()
    qtbot.keyClicks(dialog.server.edit, "crm example")
    assert dialog.server.message.isVisible()
    assert "not a web address" in dialog.server.message.text()
    dialog.server.edit.clear()
    qtbot.keyClicks(dialog.server.edit, "crm.example.com")
    assert not dialog.server.message.isVisible()

    qtbot.keyClicks(dialog.email.edit, "dana@")
    assert "not an email address" in dialog.email.message.text()
    qtbot.keyClicks(dialog.email.edit, "movers.ca")
    assert not dialog.email.message.isVisible()

    qtbot.keyClicks(dialog.password.edit, "x")
    dialog.password.edit.clear()
    assert dialog.password.message.text() == "Enter your password."

    # No keyring here: a new replica needs a passphrase, typed twice.
    assert dialog.new_pass.isVisible() and dialog.repeat_pass.isVisible()
    qtbot.keyClicks(dialog.new_pass.edit, "short")
    assert "at least 8" in dialog.new_pass.message.text()
    qtbot.keyClicks(dialog.new_pass.edit, " enough")
    qtbot.keyClicks(dialog.repeat_pass.edit, "short")
    assert dialog.repeat_pass.message.text() == "The two passphrases differ."
    assert not dialog.sign_in_button.isEnabled()
    qtbot.keyClicks(dialog.repeat_pass.edit, " enough")
    qtbot.keyClicks(dialog.password.edit, "secret")
    assert dialog.sign_in_button.isEnabled()


def test_real_sign_in_then_offline_unlock(qtbot: QtBot, base_url: str, scene: Scene) -> None:
    disp = scene.accounts["disp"]
    dialog = _dialog(qtbot, profiles=[])
    _fill(qtbot, dialog, base_url, disp.email, "not-the-password")
    qtbot.mouseClick(dialog.sign_in_button, qtbot_button())
    qtbot.waitUntil(lambda: not dialog.busy, timeout=20_000)
    assert dialog.password.message.text() == "Wrong email or password."
    assert dialog.workspace is None

    dialog.password.edit.clear()
    qtbot.keyClicks(dialog.password.edit, disp.password)
    with qtbot.waitSignal(dialog.accepted, timeout=30_000):
        dialog.sign_in()
    workspace = dialog.workspace
    assert workspace is not None and workspace.role is not None
    assert workspace.role.value == "DISPATCHER"
    workspace.close()

    # Next start: the account is offered and opens offline with the passphrase.
    assert [p.email for p in accounts.known_profiles()] == [disp.email]
    again = _dialog(qtbot)
    assert again.pages.currentIndex() == 0 and again.unlock_pass.isVisible()
    qtbot.keyClicks(again.unlock_pass.edit, "wrong passphrase")
    again.unlock()
    qtbot.waitUntil(lambda: not again.busy, timeout=20_000)
    assert "Wrong passphrase" in again.unlock_pass.message.text()
    again.unlock_pass.edit.clear()
    qtbot.keyClicks(again.unlock_pass.edit, PASSPHRASE)
    with qtbot.waitSignal(again.accepted, timeout=30_000):
        again.unlock()
    assert again.workspace is not None
    assert again.workspace.profile.email == disp.email
    again.workspace.close()


def test_server_down_is_a_clear_message(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot, profiles=[])
    _fill(qtbot, dialog, f"http://127.0.0.1:{_free_port()}", "dana@movers.ca", "secret")
    dialog.sign_in()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=20_000)
    assert dialog.banner.isVisible()
    assert "Can't reach" in dialog.banner.text.text()
    assert dialog.workspace is None and dialog.isVisible()


def qtbot_button() -> object:
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton
