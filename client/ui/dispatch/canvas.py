"""The painted board: rows of people and trucks, journey blocks, drag and drop.

Emits what the dispatcher asked for (``dropped``, ``open_requested``,
``remove_requested``); the view runs the operations. A drop carries a
``DraggedJourney`` (from the side list, or a block leaving its row).
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QDrag,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
)
from PySide6.QtWidgets import QApplication, QMenu, QToolTip, QWidget

from client.services.dispatch import Block, Board
from client.ui.dispatch.geometry import Geometry, Lane
from client.ui.dispatch.mime import DraggedJourney, journey_mime, read_mime
from client.ui.dispatch.paint import (
    block_tooltip,
    lane_tooltip,
    paint_block,
    paint_lanes,
    paint_shades,
)
from client.ui.style import PRIMARY


class BoardCanvas(QWidget):
    dropped = Signal(object, str, object)  # DraggedJourney, row kind, row id
    open_requested = Signal(object)  # journey id
    remove_requested = Signal(object, str, object)  # journey id, kind, resource id
    selection_changed = Signal(object)  # journey id or None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("BoardCanvas")
        self.setAcceptDrops(True)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.board: Board | None = None
        self.geometry_: Geometry | None = None
        self.selected: uuid.UUID | None = None
        self._press: tuple[QPointF, Block] | None = None
        self._hover_lane: Lane | None = None

    # -- data ----------------------------------------------------------------------------

    def show_board(self, board: Board) -> None:
        self.board = board
        if self.selected not in board.journeys:
            self.selected = None
        self._relayout()

    def _relayout(self) -> None:
        if self.board is None:
            return
        self.geometry_ = Geometry(self.board, float(max(self.width(), 640)))
        self.setMinimumHeight(int(self.geometry_.height) + 1)
        self.update()

    def resizeEvent(self, event: object) -> None:  # type: ignore[override]
        if self.board is not None and (
            self.geometry_ is None or self.geometry_.width != max(self.width(), 640)
        ):
            self._relayout()

    def block_rects(self) -> list[tuple[QRectF, Block]]:
        """Every painted block with where it is (tests drive the mouse with these)."""
        g, board = self.geometry_, self.board
        if g is None or board is None:
            return []
        out = []
        for block in board.blocks:
            lane = g.lane_of(block.kind, block.resource_id)
            if lane is None:
                continue
            track, count = g.tracks.get(id(block), (0, 1))
            for rect in g.span_rects(block.interval, lane):
                height = rect.height() / count
                top = rect.top() + track * height
                out.append(
                    (QRectF(rect.left(), top, rect.width(), height - 2 * (count > 1)), block)
                )
        return out

    def lane_point(self, kind: str, resource_id: uuid.UUID, day_index: int = 0) -> QPointF:
        """The middle of a row's day cell: where a test drops a journey."""
        g = self.geometry_
        lane = g.lane_of(kind, resource_id) if g else None
        if g is None or lane is None:
            raise LookupError(f"no {kind} row {resource_id} on the board")
        x = g.x_of(day_index, (g.first_hour + g.last_hour) * 30)
        return QPointF(x, lane.top + lane.height / 2)

    def block_at(self, pos: QPointF) -> Block | None:
        for rect, block in reversed(self.block_rects()):
            if rect.contains(pos):
                return block
        return None

    def select(self, journey_id: uuid.UUID | None) -> None:
        if journey_id != self.selected:
            self.selected = journey_id
            self.selection_changed.emit(journey_id)
            self.update()

    # -- painting ------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("#ffffff"))
        g, board = self.geometry_, self.board
        if g is None or board is None:
            return
        paint_lanes(p, g, self.width(), self.font())
        paint_shades(p, g, self.font())
        if self._hover_lane is not None:
            lane = self._hover_lane
            p.fillRect(QRectF(0, lane.top, self.width(), lane.height), QColor(31, 111, 235, 28))
            p.setPen(QColor(PRIMARY))
            p.drawRect(QRectF(0.5, lane.top + 0.5, self.width() - 1, lane.height - 1))
        for rect, block in self.block_rects():
            card = board.journeys[block.journey_id]
            paint_block(p, rect, block, card, self.font(), block.journey_id == self.selected)
        p.end()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            QToolTip.showText(event.globalPos(), self.tooltip_at(QPointF(event.pos())), self)
            return True
        return super().event(event)

    def tooltip_at(self, pos: QPointF) -> str:
        if self.board is None or self.geometry_ is None:
            return ""
        block = self.block_at(pos)
        if block is not None:
            return block_tooltip(self.board, block)
        lane = self.geometry_.lane_at(pos.y())
        return lane_tooltip(self.board, lane) if lane else ""

    # -- mouse ---------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        block = self.block_at(event.position())
        self.select(block.journey_id if block else None)
        self._press = (event.position(), block) if block else None
        self.setFocus()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is None or not event.buttons() & Qt.MouseButton.LeftButton:
            return
        start, block = self._press
        if (event.position() - start).manhattanLength() < QApplication.startDragDistance():
            return
        self._press = None
        drag = QDrag(self)
        drag.setMimeData(
            journey_mime(DraggedJourney(block.journey_id, block.kind, block.resource_id))
        )
        drag.exec(Qt.DropAction.MoveAction)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._press = None

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        block = self.block_at(event.position())
        if block is not None:
            self.select(block.journey_id)
            self.open_requested.emit(block.journey_id)

    def contextMenuEvent(self, event: object) -> None:  # type: ignore[override]
        pos = QPointF(event.pos())  # type: ignore[attr-defined]
        block = self.block_at(pos)
        if block is None or self.board is None:
            return
        self.select(block.journey_id)
        who = self.board.name_of(block.kind, block.resource_id)
        label = self.board.journeys[block.journey_id].row.label
        menu = QMenu(self)
        menu.addAction(
            "Assign crew and trucks…", lambda: self.open_requested.emit(block.journey_id)
        )
        menu.addAction(
            f"Take {who} off {label}",
            lambda: self.remove_requested.emit(block.journey_id, block.kind, block.resource_id),
        )
        menu.popup(self.mapToGlobal(QPoint(int(pos.x()), int(pos.y()))))

    # -- drop ----------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if read_mime(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        lane = self.geometry_.lane_at(event.position().y()) if self.geometry_ else None
        ok = lane is not None and lane.row is not None and read_mime(event.mimeData()) is not None
        self._hover_lane = lane if ok else None
        self.update()
        if ok:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, event: object) -> None:  # type: ignore[override]
        self._hover_lane = None
        self.update()

    def dropEvent(self, event: QDropEvent) -> None:
        self._hover_lane = None
        self.update()
        dragged = read_mime(event.mimeData())
        lane = self.geometry_.lane_at(event.position().y()) if self.geometry_ else None
        if dragged is None or lane is None or lane.row is None:
            event.ignore()
            return
        event.acceptProposedAction()
        if (dragged.from_kind, dragged.from_id) == (lane.row.kind, lane.row.id):
            return  # dropped back where it came from
        self.dropped.emit(dragged, lane.row.kind, lane.row.id)
