"""A signature drawn with a finger, pen or mouse, handed over as PNG bytes."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QTabletEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from client.ui.style import INK, LINE, MUTED

#: Fewer points than this is a tap, not a signature.
MIN_POINTS = 8


class SignaturePad(QWidget):
    """Strokes from mouse or tablet; ``changed`` after each stroke and on ``clear``."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(360, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(180)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self.strokes: list[list[QPointF]] = []
        self._drawing = False

    # -- data ----------------------------------------------------------------------------

    def is_empty(self) -> bool:
        return sum(len(s) for s in self.strokes) < MIN_POINTS

    def clear(self) -> None:
        self.strokes = []
        self.update()
        self.changed.emit()

    def add_stroke(self, points: list[QPointF]) -> None:
        """One whole stroke at once (tests, replay)."""
        self.strokes.append(list(points))
        self.update()
        self.changed.emit()

    def to_png(self) -> bytes:
        """The strokes in ink on white, at the pad's size."""
        image = QImage(self.size(), QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        self._draw_strokes(painter)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")  # type: ignore[call-overload]
        buffer.close()
        return bytes(data.data())

    # -- input ---------------------------------------------------------------------------

    def _begin(self, point: QPointF) -> None:
        self._drawing = True
        self.strokes.append([point])
        self.update()

    def _extend(self, point: QPointF) -> None:
        if self._drawing and self.strokes:
            self.strokes[-1].append(point)
            self.update()

    def _end(self) -> None:
        if self._drawing:
            self._drawing = False
            self.changed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self._extend(event.position())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._end()

    def tabletEvent(self, event: QTabletEvent) -> None:
        kind = event.type()
        if kind == QTabletEvent.Type.TabletPress:
            self._begin(event.position())
        elif kind == QTabletEvent.Type.TabletMove:
            self._extend(event.position())
        elif kind == QTabletEvent.Type.TabletRelease:
            self._end()
        event.accept()

    # -- painting ------------------------------------------------------------------------

    def _draw_strokes(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(QColor(INK), 2.6, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        for stroke in self.strokes:
            if len(stroke) == 1:
                painter.drawPoint(stroke[0])
                continue
            path = QPainterPath(stroke[0])
            for point in stroke[1:]:
                path.lineTo(point)
            painter.drawPath(path)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        frame = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        painter.setPen(QPen(QColor(LINE), 1))
        painter.setBrush(QColor("white"))
        painter.drawRoundedRect(frame, 10, 10)
        base = self.height() - 40
        painter.setPen(QPen(QColor("#cbd2d9"), 1, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(24, base), QPointF(self.width() - 24, base))
        painter.setPen(QColor(MUTED))
        painter.drawText(QPointF(24, base + 22), "✕  Customer signs here")
        self._draw_strokes(painter)
