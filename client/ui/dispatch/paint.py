"""How the board looks: lanes, hour grid, shaded time, journey blocks (painting only)."""

from __future__ import annotations

import html

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen

from client.services.dispatch import TRUCK, Block, Board, JourneyCard, Shade
from client.ui.dispatch.geometry import LABEL_WIDTH, Geometry, Lane
from client.ui.style import DANGER, INK, LINE, MUTED, PRIMARY

BLOCK_FILL, BLOCK_EDGE = QColor("#dbeafe"), QColor("#2563eb")
BAD_FILL, BAD_EDGE = QColor("#fde2e1"), QColor(DANGER)
DONE_FILL = QColor("#e6e9ee")
ROLE_TAGS = {"LEAD": "Lead", "DRIVER": "Driver", "MOVER": "", "HELPER": "Helper"}


def paint_lanes(p: QPainter, g: Geometry, width: float, font: QFont) -> None:
    """Row bands, names in the left column, day and hour lines."""
    bold, small = QFont(font), QFont(font)
    bold.setBold(True)
    small.setPointSizeF(max(7.5, font.pointSizeF() - 1.5))
    for number, lane in enumerate(g.lanes):
        band = QRectF(0, lane.top, width, lane.height)
        if lane.row is None:
            p.fillRect(band, QColor("#eef2f6"))
            p.setPen(QColor(MUTED))
            p.setFont(small)
            p.drawText(band.adjusted(14, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, lane.title)
            continue
        p.fillRect(band, QColor("#ffffff" if number % 2 else "#fbfcfd"))
        problems = g.board.row_problems(lane.row.kind, lane.row.id)
        blocking = any(s.blocking for s in _row_shades(g.board, lane) if s.kind == TRUCK)
        name = QRectF(14, lane.top + 4, LABEL_WIDTH - 22, lane.height / 2 - 2)
        detail = QRectF(14, lane.top + lane.height / 2, LABEL_WIDTH - 22, lane.height / 2 - 4)
        p.setFont(bold)
        p.setPen(QColor(DANGER) if problems and blocking else QColor(INK))
        p.drawText(name, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, lane.row.name)
        p.setFont(small)
        p.setPen(QColor(DANGER) if problems and blocking else QColor(MUTED))
        text = "Out of service" if problems and blocking else lane.row.detail
        p.drawText(detail, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, text)
        p.setPen(QPen(QColor("#eef1f4")))
        p.drawLine(0, int(lane.top + lane.height - 1), int(width), int(lane.top + lane.height - 1))
    _grid(p, g)


def _grid(p: QPainter, g: Geometry) -> None:
    step = g.hour_step
    for index in range(len(g.board.days)):
        for hour in range(g.first_hour, g.last_hour + 1, step):
            x = g.x_of(index, hour * 60)
            p.setPen(QPen(QColor("#eef1f4")))
            p.drawLine(int(x), 0, int(x), int(g.height))
        x = g.x_of(index, g.first_hour * 60)
        p.setPen(QPen(QColor(LINE), 1.5))
        p.drawLine(int(x), 0, int(x), int(g.height))
    p.setPen(QPen(QColor(LINE), 1.5))
    p.drawLine(LABEL_WIDTH, 0, LABEL_WIDTH, int(g.height))


def _row_shades(board: Board, lane: Lane) -> list[Shade]:
    row = lane.row
    if row is None:
        return []
    return [s for s in board.shades if s.kind == row.kind and s.resource_id == row.id]


def paint_shades(p: QPainter, g: Geometry, font: QFont) -> None:
    """Time off and out-of-service hatched red; other bookings (training) grey with a title."""
    small = QFont(font)
    small.setPointSizeF(max(7.0, font.pointSizeF() - 2))
    for lane in g.lanes:
        for shade in _row_shades(g.board, lane):
            for rect in g.span_rects(shade.interval, lane, inset=2):
                if shade.blocking:
                    p.fillRect(rect, QColor(253, 226, 225, 150))
                    p.fillRect(rect, QBrush(QColor(198, 40, 40, 60), Qt.BrushStyle.BDiagPattern))
                else:
                    p.setPen(Qt.PenStyle.NoPen)
                    p.setBrush(QColor("#eceff3"))
                    p.drawRoundedRect(rect.adjusted(0, 2, 0, -2), 5, 5)
                    p.setPen(QColor(MUTED))
                    p.setFont(small)
                    p.drawText(
                        rect.adjusted(6, 0, -4, 0), Qt.AlignmentFlag.AlignVCenter, shade.text
                    )


def paint_block(
    p: QPainter, rect: QRectF, block: Block, card: JourneyCard, font: QFont, selected: bool
) -> None:
    bad = bool(block.problems)
    closed = card.row.status.value in ("COMPLETED", "IN_PROGRESS")
    fill = BAD_FILL if bad else DONE_FILL if closed else BLOCK_FILL
    edge = BAD_EDGE if bad else QColor(MUTED) if closed else BLOCK_EDGE
    p.setPen(QPen(QColor(PRIMARY) if selected else edge, 2.5 if selected else 1.2))
    p.setBrush(fill)
    p.drawRoundedRect(rect, 6, 6)
    p.fillRect(QRectF(rect.left() + 1, rect.top() + 3, 3.5, rect.height() - 6), edge)
    inner = rect.adjusted(9, 1, -5, -1)
    if inner.width() < 14:
        return
    title, small = QFont(font), QFont(font)
    title.setBold(True)
    title.setPointSizeF(max(7.5, font.pointSizeF() - 1))
    small.setPointSizeF(max(7.0, font.pointSizeF() - 2))
    tag = ROLE_TAGS.get(block.role.value, "") if block.role else ""
    top = inner.adjusted(0, 0, 0, -inner.height() / 2)
    bottom = inner.adjusted(0, inner.height() / 2, 0, 0)
    p.setPen(QColor(DANGER) if bad else QColor(INK))
    p.setFont(title)
    head = f"⚠ {card.row.label}" if bad else card.row.label
    p.drawText(top, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, _fit(p, head, top))
    p.setFont(small)
    p.setPen(QColor(MUTED))
    line = " · ".join(x for x in (tag, card.row.customer) if x)
    p.drawText(
        bottom, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, _fit(p, line, bottom)
    )


def _fit(p: QPainter, text: str, rect: QRectF) -> str:
    return p.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, int(rect.width()))


def block_tooltip(board: Board, block: Block) -> str:
    card = board.journeys[block.journey_id]
    who = board.name_of(block.kind, block.resource_id)
    role = f" as {block.role.value.lower()}" if block.role else ""
    lines = [
        f"<b>{html.escape(card.row.label)}</b> — {html.escape(card.row.customer)}",
        f"{card.time_label(board.tz)} · {html.escape(who)}{role}",
        html.escape(f"{card.row.origin} → {card.row.destination or 'destination to confirm'}"),
    ]
    if block.problems:
        lines += [f"<span style='color:#ffb4b4'>⚠ {html.escape(m)}</span>" for m in block.problems]
    else:
        lines.append("No conflicts")
    lines.append("<i>Double-click to assign · drag to another row</i>")
    return "<br>".join(lines)


def lane_tooltip(board: Board, lane: Lane) -> str:
    row = lane.row
    if row is None:
        return ""
    lines = [f"<b>{html.escape(row.name)}</b>", html.escape(row.detail)]
    lines += [f"⚠ {html.escape(s.text)}" for s in _row_shades(board, lane)]
    return "<br>".join(lines)
