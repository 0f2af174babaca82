"""What each workflow button of the quote editor does: ask what the action needs, then run it.

Every action is one ``QuoteActions`` call on the database worker; a refusal
(``RuleViolation``) is shown in the editor's banner and nothing is written.
The dialogs that ask for an input or a confirmation (signature, reason, the
move date of a conversion) are opened with ``open()``: a sync reloading the
editor behind them runs no nested event loop.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QAbstractButton, QMessageBox

from client.ui import validators
from client.ui.fields import ReasonDialog
from client.ui.quote_accept import AcceptDialog
from client.ui.tasks import Op

if TYPE_CHECKING:
    from client.ui.quote_editor import QuoteEditor

DONE = {
    "send": "Sent to the customer.",
    "mark_viewed": "Marked as viewed.",
    "accept": "Accepted and signed: the quote is now locked.",
    "reject": "Marked as rejected.",
    "expire": "Marked as expired.",
    "revise": "Back to draft for revision.",
    "reopen": "Reopened as a draft.",
    "approve": "Discount approved.",
    "request_approval": "A manager was asked to approve the discount.",
    "convert": "Converted: the job was created and is waiting for dispatch.",
}


def _call(editor: QuoteEditor, name: str) -> Callable[[], Any] | None:
    """The action for the editor's quote, or None when there is no such action."""
    draft = editor.draft
    assert draft is not None and draft.id is not None
    quote_id, actions = draft.id, editor.actions
    if name in ("revise", "reopen"):
        return lambda: actions.revise(quote_id)
    method = getattr(actions, name, None)
    return None if method is None else (lambda: method(quote_id))


def run_offer(editor: QuoteEditor, name: str) -> None:
    """Run the workflow action ``name`` for the editor's quote and reload it afterwards."""
    if editor.draft is None or editor.draft.id is None:
        return
    if editor.dirty:  # never swallow a click silently
        editor.banner.show_message("Save your changes first, then try again.", kind="error")
        return
    if name == "accept":
        ask_acceptance(editor)
        return
    if name == "reject":
        ask_rejection(editor)
        return
    if name == "convert":
        ask_conversion(editor)
        return
    call = _call(editor, name)
    if call is not None:
        _run(editor, name, editor.draft.id, call)


def _run(editor: QuoteEditor, name: str, quote_id: Any, call: Callable[[], Any]) -> None:
    """``call`` on the database worker; the outcome in the banner, the quote reloaded."""
    Op(parent=editor, op=call).success(lambda _: _done(editor, name, quote_id)).failure(
        lambda exc: editor.banner.show_message(f"Not done: {exc}", kind="error")
    ).run_in_background()


def ask_conversion(editor: QuoteEditor) -> QMessageBox:
    """Confirm the move's date before the job is created; "Yes" converts."""
    draft = editor.draft
    assert draft is not None and draft.id is not None
    quote_id, actions = draft.id, editor.actions
    move = draft.header.get("move_date")
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Convert to a job",
        "Create the job for this move"
        + (f" on {move:%b %d, %Y}" if isinstance(move, dt.date) else "")
        + "? Dispatch will assign its crew and truck.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        editor,
    )
    box.setDefaultButton(QMessageBox.StandardButton.Yes)

    def answered(choice: QAbstractButton) -> None:
        if box.standardButton(choice) == QMessageBox.StandardButton.Yes:
            _run(editor, "convert", quote_id, lambda: actions.convert(quote_id))

    box.buttonClicked.connect(answered)
    box.finished.connect(box.deleteLater)
    editor.convert_box = box  # type: ignore[attr-defined]
    box.open()
    return box


def ask_acceptance(editor: QuoteEditor) -> AcceptDialog:
    """The signature dialog; accepting it runs ``accept`` like any other action."""
    draft = editor.draft
    assert draft is not None and draft.id is not None
    quote_id, actions = draft.id, editor.actions
    dialog = AcceptDialog(draft.header, editor)

    def accepted() -> None:
        signer, png, choice = dialog.name.text.strip(), dialog.pad.png(), dialog.choice()
        _run(
            editor,
            "accept",
            quote_id,
            lambda: actions.accept(quote_id, signer_name=signer, signature=png, valuation=choice),
        )

    dialog.accepted.connect(accepted)
    dialog.finished.connect(dialog.deleteLater)
    editor.accept_dialog = dialog  # type: ignore[attr-defined]
    dialog.open()
    return dialog


def ask_rejection(editor: QuoteEditor) -> ReasonDialog:
    """Ask for the customer's reason (required, as the shared rule says) and reject with it."""
    draft = editor.draft
    assert draft is not None and draft.id is not None
    quote_id, actions = draft.id, editor.actions
    number = draft.header.get("number") or draft.header.get("provisional_number") or "this quote"
    dialog = ReasonDialog(
        "Reject quote",
        f"The customer turned down {number}. Their reason is kept with the quote "
        "and helps the sales team follow up.",
        caption="The customer's reason",
        check=validators.required_text("Enter the reason the customer gave.", 500),
        write=lambda reason: actions.reject(quote_id, reason=reason),
        placeholder="e.g. Chose another mover, price too high",
        save_text="Reject quote",
        cancel_text="Keep it open",
        parent=editor,
    )
    dialog.saved.connect(lambda _: _done(editor, "reject", quote_id))
    dialog.finished.connect(dialog.deleteLater)
    editor.reject_dialog = dialog  # type: ignore[attr-defined]
    dialog.open()
    return dialog


def _done(editor: QuoteEditor, name: str, quote_id: Any) -> None:
    editor.banner.show_message(DONE.get(name, "Done."), kind="info")
    editor.acted.emit(name)
    editor.open_quote(quote_id)
    editor.loaded.connect(_keep_banner(editor, DONE.get(name, "Done.")))


def _keep_banner(editor: QuoteEditor, text: str) -> Callable[[], None]:
    """Reloading hides the banner; show the outcome again once, after the reload."""

    def again() -> None:
        editor.loaded.disconnect(again)
        if not editor.draft or not editor.draft.locked:
            editor.banner.show_message(text, kind="info")

    return again
