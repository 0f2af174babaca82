"""A labelled line edit that explains itself: its message sits right under it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from client.ui.widgets import label

Check = Callable[[str], str | None]


class Field(QWidget):
    """Validates on every keystroke; shows errors once the field was edited or submitted."""

    def __init__(
        self,
        title: str,
        check: Check,
        *,
        placeholder: str = "",
        secret: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.check = check
        self.touched = False
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(4)
        self.title = label(title)
        self.title.setStyleSheet("font-weight: 600;")
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(placeholder)
        if secret:
            self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = label("", "FieldError", wrap=True)
        self.message.hide()
        box.addWidget(self.title)
        box.addWidget(self.edit)
        box.addWidget(self.message)
        self.edit.textEdited.connect(self._edited)

    @property
    def text(self) -> str:
        return self.edit.text()

    def set_text(self, text: str) -> None:
        self.edit.setText(text)

    def error(self) -> str | None:
        return self.check(self.edit.text())

    def valid(self) -> bool:
        return self.isHidden() or self.error() is None

    def _edited(self, _: str) -> None:
        self.touched = True
        self.refresh()

    def refresh(self, *, force: bool = False) -> None:
        """Show the current error (if touched, or ``force`` on submit)."""
        if force:
            self.touched = True
        self.show_error(self.error() if self.touched else None)

    def show_error(self, text: str | None) -> None:
        self.message.setText(text or "")
        self.message.setVisible(bool(text))
        self.edit.setProperty("invalid", bool(text))
        self.edit.style().unpolish(self.edit)
        self.edit.style().polish(self.edit)
