"""What a dragged journey carries: its id and, for a block, the row it left."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from PySide6.QtCore import QMimeData

MIME = "application/x-cnc-journey"


@dataclass(frozen=True)
class DraggedJourney:
    journey_id: uuid.UUID
    from_kind: str | None = None
    from_id: uuid.UUID | None = None


def journey_mime(dragged: DraggedJourney) -> QMimeData:
    data = QMimeData()
    payload = {
        "journey_id": str(dragged.journey_id),
        "from_kind": dragged.from_kind,
        "from_id": str(dragged.from_id) if dragged.from_id else None,
    }
    data.setData(MIME, json.dumps(payload).encode())
    return data


def read_mime(data: QMimeData) -> DraggedJourney | None:
    """The journey in ``data``, or None when it is anything else (a file, text, junk)."""
    if not data.hasFormat(MIME):
        return None
    try:
        payload = json.loads(bytes(data.data(MIME).data()).decode())
        from_id = payload.get("from_id")
        return DraggedJourney(
            uuid.UUID(payload["journey_id"]),
            payload.get("from_kind"),
            uuid.UUID(from_id) if from_id else None,
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
