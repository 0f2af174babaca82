"""The form under the line table: edits the selected line, checking every keystroke.

A value that passes goes straight into the ``LineDraft`` (so totals follow as
the user types); one that does not stays as raw text on the line, with its
message under the field, and the editor refuses to save.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QCompleter, QGridLayout, QVBoxLayout, QWidget

from client.services.quote_editing import LineDraft
from client.ui import format as fmt
from client.ui.fields import Field
from client.ui.quote_lines import CATEGORIES, CHECKS, UNITS, parse_amount
from client.ui.widgets import label

DECIMAL_FIELDS = ("quantity", "unit_price", "discount_pct")


class LineForm(QWidget):
    """``changed`` fires after every edit of the shown line."""

    changed = Signal()
    regrouped = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.line: LineDraft | None = None
        self._loading = False
        self.category = QComboBox()
        for value in CATEGORIES:
            self.category.addItem(fmt.humanize(value), value)
        self.fields = {
            "description": Field("Description", CHECKS["description"], placeholder="What is done"),
            "quantity": Field("Quantity", CHECKS["quantity"]),
            "unit": Field("Unit", CHECKS["unit"], placeholder="hour"),
            "unit_price": Field("Unit price", CHECKS["unit_price"], placeholder="0.00"),
            "discount_pct": Field("Discount %", CHECKS["discount_pct"], placeholder="0"),
        }
        self.taxable = QCheckBox("Taxable")
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(6)
        cat_box = QVBoxLayout()
        cat_box.setSpacing(4)
        title = label("Category")
        title.setStyleSheet("font-weight: 600;")
        cat_box.addWidget(title)
        cat_box.addWidget(self.category)
        cat_box.addStretch(1)
        grid.addLayout(cat_box, 0, 0)
        grid.addWidget(self.fields["description"], 0, 1, 1, 3)
        for col, name in enumerate(("quantity", "unit", "unit_price", "discount_pct")):
            grid.addWidget(self.fields[name], 1, col)
        grid.addWidget(self.taxable, 2, 0)
        for col in range(4):
            grid.setColumnStretch(col, 1)
        self.empty = label("Add a line or select one to edit it.", "Muted")
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 4, 0, 0)
        box.addWidget(self.empty)
        self.body = QWidget()
        self.body.setLayout(grid)
        box.addWidget(self.body)
        unit = self.fields["unit"].edit
        unit.setMaxLength(16)
        unit.setCompleter(QCompleter(list(UNITS), unit))
        for name, field in self.fields.items():
            field.edit.textEdited.connect(lambda _t, n=name: self._typed(n))
        self.category.currentIndexChanged.connect(self._category)
        self.taxable.toggled.connect(self._taxable)
        self.show_line(None)

    def show_line(self, line: LineDraft | None) -> None:
        self.line = line
        self.empty.setVisible(line is None)
        self.body.setVisible(line is not None)
        if line is None:
            return
        self._loading = True
        self.category.setCurrentIndex(max(0, self.category.findData(line.category)))
        self.taxable.setChecked(line.taxable)
        for name, field in self.fields.items():
            value = line.raw.get(name)
            if value is None:
                current = getattr(line, name)
                value = f"{current.normalize():f}" if isinstance(current, Decimal) else current
            field.set_text(value)
            field.touched = name in line.raw or bool(line.raw)
            field.refresh()
        self._loading = False

    def set_read_only(self, read_only: bool) -> None:
        self.category.setEnabled(not read_only)
        self.taxable.setEnabled(not read_only)
        for field in self.fields.values():
            field.edit.setReadOnly(read_only)

    def reveal_errors(self) -> None:
        """Show every message of the shown line (a refused save)."""
        for field in self.fields.values():
            field.refresh(force=True)

    def focus(self, name: str = "description") -> None:
        self.fields[name].edit.setFocus()

    # -- edits -------------------------------------------------------------------------

    def _typed(self, name: str) -> None:
        line = self.line
        if line is None or self._loading:
            return
        text = self.fields[name].text
        if CHECKS[name](text) is not None:
            line.raw[name] = text
        else:
            line.raw.pop(name, None)
            if name in DECIMAL_FIELDS:
                value = parse_amount(text) if text.strip() else Decimal(0)
                setattr(line, name, value)
            else:
                setattr(line, name, text.strip())
        self.changed.emit()

    def _category(self) -> None:
        if self.line is not None and not self._loading:
            self.line.category = str(self.category.currentData())
            self.regrouped.emit()

    def _taxable(self, checked: bool) -> None:
        if self.line is not None and not self._loading:
            self.line.taxable = checked
            self.changed.emit()
