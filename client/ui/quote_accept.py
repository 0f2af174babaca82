"""Accepting a quote on site: the signer's name, a drawn signature and the valuation they chose."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QCheckBox, QDialog, QHBoxLayout, QVBoxLayout, QWidget

from client.ui import format as fmt
from client.ui import validators
from client.ui.fields import Field
from client.ui.widgets import button, label
from shared_models.rules.valuation import ValuationChoice


class SignaturePad(QWidget):
    """Draw with the mouse or a pen; ``png()`` is the drawing on white."""

    drawn = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(420, 150)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.strokes: list[QPainterPath] = []

    def clear(self) -> None:
        self.strokes = []
        self.update()
        self.drawn.emit()

    def is_empty(self) -> bool:
        return not any(s.elementCount() > 1 for s in self.strokes)

    def stroke(self, points: list[QPointF]) -> None:
        """Add one stroke (what dragging does; tests draw with it)."""
        path = QPainterPath(points[0])
        for point in points[1:]:
            path.lineTo(point)
        self.strokes.append(path)
        self.update()
        self.drawn.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.strokes.append(QPainterPath(event.position()))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self.strokes:
            self.strokes[-1].lineTo(event.position())
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self.drawn.emit()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        self._paint(painter)
        painter.end()

    def _paint(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        painter.setPen(QPen(QColor("#cbd2d9"), 1))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        baseline = self.height() - 32
        painter.drawLine(24, baseline, self.width() - 24, baseline)
        pen = QPen(QColor("#102a43"))
        pen.setWidthF(2.4)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        for path in self.strokes:
            painter.drawPath(path)

    def png(self) -> bytes:
        image = QImage(self.size(), QImage.Format.Format_RGB32)
        painter = QPainter(image)
        self._paint(painter)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        return bytes(data.data())


class AcceptDialog(QDialog):
    """OK only once a name is typed and something is signed; each missing part says so in place.

    Opened with ``open()`` (``quote_workflow_ui.ask_acceptance``), never ``exec()``.
    """

    def __init__(self, quote: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Accept quote")
        self.setMinimumWidth(540)
        self.quote = quote
        self.name = Field("Signed by", validators.signer_name, placeholder="Customer's full name")
        self.pad = SignaturePad()
        self.pad_message = label(validators.SIGN_PROMPT, "FieldError", wrap=True)
        self.hint = label("", "Muted", wrap=True)
        option = str(quote.get("valuation_option") or "RELEASED_VALUE")
        text = fmt.humanize(option)
        if quote.get("declared_value"):
            text += f", declared value {fmt.money(quote['declared_value'], str(quote['currency']))}"
        self.valuation = QCheckBox(f"The customer confirms the valuation: {text}")
        self.valuation.setChecked(True)
        self.ok = button("Accept quote", primary=True)
        cancel = button("Cancel")
        clear = button("Clear signature", flat=True)
        box = QVBoxLayout(self)
        box.setContentsMargins(20, 18, 20, 16)
        box.setSpacing(10)
        box.addWidget(label("Customer acceptance", "DetailTitle"))
        box.addWidget(
            label("The quote is locked once accepted; it can then be converted to a job.", "Muted")
        )
        box.addWidget(self.name)
        caption = label("Signature")
        caption.setStyleSheet("font-weight: 600;")
        box.addWidget(caption)
        box.addWidget(self.pad)
        pad_row = QHBoxLayout()
        pad_row.addWidget(self.pad_message, 1)
        pad_row.addWidget(clear, 0, Qt.AlignmentFlag.AlignRight)
        box.addLayout(pad_row)
        box.addWidget(self.valuation)
        row = QHBoxLayout()
        row.addWidget(self.hint, 1)
        row.addWidget(cancel)
        row.addWidget(self.ok)
        box.addLayout(row)
        clear.clicked.connect(self.pad.clear)
        cancel.clicked.connect(self.reject)
        self.ok.clicked.connect(self.accept)
        for signal in (self.name.edit.textEdited, self.pad.drawn, self.valuation.toggled):
            signal.connect(self._refresh)
        self._refresh()

    def _refresh(self, *_: object) -> None:
        empty = self.pad.is_empty()
        self.pad_message.setVisible(empty)
        missing = [
            *(["the signer's name"] if self.name.error() else []),
            *(["the signature"] if empty else []),
        ]
        self.hint.setText(f"To accept: {' and '.join(missing)}" if missing else "")
        self.ok.setEnabled(not missing)

    def choice(self) -> ValuationChoice | None:
        if not self.valuation.isChecked():
            return None
        quote = self.quote
        return ValuationChoice(
            option=quote.get("valuation_option") or "RELEASED_VALUE",
            declared_value=_amount(quote.get("declared_value")),
            deductible=_amount(quote.get("valuation_deductible")),
        )


def _amount(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))
