"""The field timeline of a journey (steps, notes, damage with its photos, signatures).

One widget for the crew lead's Journey screen and the dispatcher's journey pane,
so both read the same events the same way.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QVBoxLayout, QWidget

from client.services.crew import EventRow
from client.ui.field_widgets import clear_layout, local_time
from client.ui.photos import StoredPhoto, photo_ids, thumb_row
from client.ui.widgets import Card, label
from shared_models.enums import JourneyEventType
from shared_models.rules.timeline import LABELS

E = JourneyEventType


def event_text(event: EventRow) -> str:
    """What the timeline says under an event's title."""
    if event.event_type is E.DAMAGE:
        p = event.payload
        seen = (
            "customer saw it" if p.get("customer_acknowledged") else "not yet shown to the customer"
        )
        return f"{p.get('item', '')}: {p.get('description', '')} ({seen})"
    if event.event_type is E.SIGNATURE:
        return f"Signed by {event.payload.get('signer_name', '')}"
    return event.note or ""


class Timeline(Card):
    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        empty_text: str = "Nothing recorded yet. Tap “Arrived” when the crew gets there.",
    ) -> None:
        super().__init__("Timeline", parent)
        self.empty_text = empty_text
        self.rows = QVBoxLayout()
        self.rows.setSpacing(10)
        self.body.addLayout(self.rows)
        self.body.addStretch(1)

    def set_events(
        self, events: list[EventRow], photos: dict[str, StoredPhoto] | None, tz: str
    ) -> None:
        """Show ``events`` with their times on the clock of ``tz``, the journey's branch."""
        photos = photos or {}
        attached = {i for e in events if e.event_type is E.DAMAGE for i in photo_ids(e)}
        events = [e for e in events if not (e.event_type is E.PHOTO and str(e.id) in attached)]
        clear_layout(self.rows)
        if not events:
            self.rows.addWidget(label(self.empty_text, "Muted", wrap=True))
        for event in events:
            row = QWidget()
            grid = QGridLayout(row)
            grid.setContentsMargins(0, 0, 0, 0)
            grid.setHorizontalSpacing(10)
            grid.setVerticalSpacing(0)
            dot = "⚠" if event.event_type is E.DAMAGE else "●"
            grid.addWidget(label(local_time(event.occurred_at, tz), "EventTime"), 0, 0)
            grid.addWidget(label(dot, "Dot"), 0, 1)
            grid.addWidget(
                label(LABELS.get(event.event_type, event.event_type), "EventTitle"), 0, 2
            )
            grid.addWidget(label(event.recorded_by, "Muted"), 0, 3, Qt.AlignmentFlag.AlignRight)
            detail = event_text(event)
            if detail:
                grid.addWidget(label(detail, "Muted", wrap=True), 1, 2, 1, 2)
            shown = photo_ids(event) if event.event_type is E.DAMAGE else []
            if event.event_type is E.PHOTO:
                shown = [str(event.payload.get("photo_id") or event.id)]
            if shown:
                grid.addWidget(thumb_row(shown, photos), 2, 2, 1, 2)
            grid.setColumnStretch(2, 1)
            self.rows.addWidget(row)
