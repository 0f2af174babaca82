"""The strip above the board: each day's name and its hours, aligned with the canvas."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from client.ui import format as fmt
from client.ui.dispatch.canvas import BoardCanvas
from client.ui.dispatch.geometry import HEADER_HEIGHT, LABEL_WIDTH
from client.ui.style import INK, LINE, MUTED, PRIMARY


class BoardHeader(QWidget):
    def __init__(self, canvas: BoardCanvas, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = canvas
        self.setFixedHeight(HEADER_HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def paintEvent(self, event: QPaintEvent) -> None:
        g = self.canvas.geometry_
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#ffffff"))
        p.setPen(QColor(LINE))
        p.drawLine(0, self.height() - 1, self.width(), self.height() - 1)
        if g is None:
            return
        bold, small = QFont(self.font()), QFont(self.font())
        bold.setBold(True)
        small.setPointSizeF(max(7.0, self.font().pointSizeF() - 2))
        p.setPen(QColor(MUTED))
        p.setFont(small)
        p.drawText(
            QRectF(14, 0, LABEL_WIDTH - 20, self.height()),
            Qt.AlignmentFlag.AlignVCenter,
            fmt.zone_caption(g.board.tz),
        )
        today = g.board.today
        step = g.hour_step
        for index, day in enumerate(g.board.days):
            left = g.x_of(index, g.first_hour * 60)
            top = QRectF(left + 8, 4, g.day_width - 12, 22)
            p.setFont(bold)
            p.setPen(QColor(PRIMARY) if day == today else QColor(INK))
            long = g.day_width >= 260
            name = f"{day:%A %B} {day.day}" if long else f"{day:%a %b} {day.day}"
            if day == today:
                name += "  ·  Today" if long else ""
            p.drawText(top, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)
            p.setFont(small)
            p.setPen(QColor(MUTED))
            for hour in range(g.first_hour, g.last_hour, step):
                x = g.x_of(index, hour * 60)
                p.drawText(
                    QRectF(x + 3, 28, 40, 18),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    f"{hour:02d}:00",
                )
            p.setPen(QColor(LINE))
            p.drawLine(int(left), 0, int(left), self.height())
        p.end()
