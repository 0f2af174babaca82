"""Where things go on the board: days and hours across, people and trucks down.

Pure arithmetic shared by the painted header and the canvas, so a block's
x always matches the hour printed above it. Times are the location's wall clock.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from PySide6.QtCore import QRectF

from client.services.dispatch import Block, Board, Row
from shared_models.rules.scheduling import Interval, zone

LABEL_WIDTH = 220
ROW_HEIGHT = 42
SECTION_HEIGHT = 28
HEADER_HEIGHT = 52
TRACK_HEIGHT = 30
FIRST_HOUR, LAST_HOUR = 6, 22


@dataclass
class Lane:
    """A row (or a section title when ``row`` is None) and its vertical band."""

    top: float
    height: float
    row: Row | None = None
    title: str = ""


@dataclass
class Geometry:
    board: Board
    width: float
    first_hour: int = FIRST_HOUR
    last_hour: int = LAST_HOUR
    lanes: list[Lane] = field(default_factory=list)
    #: id(block) -> (track, tracks in its cluster); a lane grows by a track per overlap.
    tracks: dict[int, tuple[int, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._fit_hours()
        by_row: dict[tuple[str, object], list[Block]] = defaultdict(list)
        for block in self.board.blocks:
            by_row[(block.kind, block.resource_id)].append(block)
        depth = {key: self._stack(blocks) for key, blocks in by_row.items()}
        y = 0.0
        for title, rows in (("CREW", self.board.people), ("TRUCKS", self.board.trucks)):
            self.lanes.append(Lane(y, SECTION_HEIGHT, None, f"{title}  ·  {len(rows)}"))
            y += SECTION_HEIGHT
            for row in rows:
                height = ROW_HEIGHT + (depth.get((row.kind, row.id), 1) - 1) * TRACK_HEIGHT
                self.lanes.append(Lane(y, height, row))
                y += height
        self.height = y

    def _stack(self, blocks: list[Block]) -> int:
        """Give overlapping blocks of one row their own tracks; returns the row's depth."""
        ordered = sorted(blocks, key=lambda b: (b.interval.start, b.interval.end))
        clusters: list[list[tuple[Block, int]]] = []
        ends: list[dt.datetime] = []
        cluster_end: dt.datetime | None = None
        for block in ordered:
            if cluster_end is None or block.interval.start >= cluster_end:
                clusters.append([])
                ends, cluster_end = [], block.interval.end
            track = next((i for i, end in enumerate(ends) if end <= block.interval.start), None)
            if track is None:
                track = len(ends)
                ends.append(block.interval.end)
            else:
                ends[track] = block.interval.end
            cluster_end = max(cluster_end, block.interval.end)
            clusters[-1].append((block, track))
        deepest = 1
        for cluster in clusters:
            count = max(t for _, t in cluster) + 1
            deepest = max(deepest, count)
            for block, track in cluster:
                self.tracks[id(block)] = (track, count)
        return deepest

    def _fit_hours(self) -> None:
        """Widen 06:00-22:00 when a journey starts earlier or ends later."""
        for card in self.board.journeys.values():
            if card.row.start is None:
                continue  # a job without a time fills whatever hours are shown
            (_, start), (_, end) = self.local(card.interval.start), self.local(card.interval.end)
            if start < self.first_hour * 60:
                self.first_hour = max(0, start // 60)
            if end > self.last_hour * 60 and end <= 24 * 60:
                self.last_hour = min(24, -(-end // 60))

    @property
    def day_width(self) -> float:
        return max(60.0, (self.width - LABEL_WIDTH) / max(1, len(self.board.days)))

    @property
    def hour_step(self) -> int:
        """Hours between grid lines and labels: at least ~46 px apart."""
        per_hour = self.day_width / max(1, self.last_hour - self.first_hour)
        return next((h for h in (1, 2, 3, 4, 6, 12) if h * per_hour >= 46), 24)

    @property
    def minutes_per_day(self) -> int:
        return (self.last_hour - self.first_hour) * 60

    def local(self, at: dt.datetime) -> tuple[dt.date, int]:
        """(local date, minutes since local midnight)."""
        here = at.astimezone(zone(self.board.tz))
        return here.date(), here.hour * 60 + here.minute

    def x_of(self, day_index: int, minutes: float) -> float:
        minutes = min(max(minutes - self.first_hour * 60, 0), self.minutes_per_day)
        return (
            LABEL_WIDTH
            + day_index * self.day_width
            + minutes / self.minutes_per_day * self.day_width
        )

    def span_rects(self, interval: Interval, lane: Lane, inset: float = 4) -> list[QRectF]:
        """One rectangle per board day the interval touches (a night job splits)."""
        rects = []
        for index, day in enumerate(self.board.days):
            start_day, start = self.local(interval.start)
            end_day, end = self.local(interval.end)
            if (
                start_day > day
                or end_day < day
                or (end_day == day and end == 0 and start_day < day)
            ):
                continue
            lo = start if start_day == day else 0
            hi = end if end_day == day else 24 * 60
            x1, x2 = self.x_of(index, lo), self.x_of(index, hi)
            if x2 - x1 < 6:
                x2 = x1 + 6
            rects.append(QRectF(x1, lane.top + inset, x2 - x1, lane.height - 2 * inset))
        return rects

    def lane_at(self, y: float) -> Lane | None:
        for lane in self.lanes:
            if lane.top <= y < lane.top + lane.height:
                return lane
        return None

    def lane_of(self, kind: str, resource_id: object) -> Lane | None:
        for lane in self.lanes:
            if lane.row is not None and lane.row.kind == kind and lane.row.id == resource_id:
                return lane
        return None

    def day_at(self, x: float) -> int | None:
        if x < LABEL_WIDTH:
            return None
        index = int((x - LABEL_WIDTH) // self.day_width)
        return index if 0 <= index < len(self.board.days) else None
