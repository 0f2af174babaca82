"""The crew lead's writes on a journey, offline: timeline steps, notes, damage, signature, completion.

Events are append-only rows (``journey_event``); each action writes its event
and the journey's actuals in one ``LocalWriteService.batch()``. Steps follow
``shared_models.rules.timeline``; the status moves along the server's own
state machine (``journey_transitions``): IN_PROGRESS on arrival, COMPLETED at
the end. Where the signature lives is the model's choice: the PNG in the
SIGNATURE event's payload, who signed and when on the journey. A damage note's
photos are PHOTO events ``{photo_id, caption, jpeg_base64, width, height}``
written in the same batch as the DAMAGE event that names them in ``photo_ids``.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import select

from client.services.errors import RowNotFound
from client.services.permissions import may, require, signed_in_user, user_grants
from client.services.writes import LocalWriteService, WriteBatch
from client.sync.db import table_for
from shared_models.enums import JourneyEventType, JourneyStatus, PermissionAction
from shared_models.ids import uuid7
from shared_models.rules import quote_acceptance as acceptance
from shared_models.rules.errors import INVALID_TRANSITION, RuleViolation
from shared_models.rules.invoicing import TimelineEvent, worked_hours
from shared_models.rules.timeline import check_step, completion_blocker
from shared_models.sync.policies import journey_transitions

E, J, A = JourneyEventType, JourneyStatus, PermissionAction

#: One photo's JPEG, after downscaling. Pushes carry up to 500 mutations and pull
#: pages up to 1,000 rows with no byte limit (DESIGN 5): a bounded photo keeps a
#: batch of them a few megabytes, not hundreds.
MAX_PHOTO_BYTES: Final = 600 * 1024
#: Photos on one damage note (the DAMAGE batch then stays under ~4 MB).
MAX_PHOTOS_PER_DAMAGE: Final = 6
MAX_CAPTION: Final = 200
INVALID_PHOTO: Final = "invalid_photo"
_JPEG_MAGIC = b"\xff\xd8\xff"


@dataclass(frozen=True, slots=True)
class DamagePhoto:
    """A photo ready to store: a downscaled, metadata-free JPEG and its caption."""

    jpeg: bytes
    width: int
    height: int
    caption: str = ""


def _checked_photos(photos: Sequence[DamagePhoto]) -> list[DamagePhoto]:
    if len(photos) > MAX_PHOTOS_PER_DAMAGE:
        raise RuleViolation(
            INVALID_PHOTO,
            f"at most {MAX_PHOTOS_PER_DAMAGE} photos per damage note (got {len(photos)})",
            field="photos",
        )
    for number, photo in enumerate(photos, start=1):
        if not photo.jpeg.startswith(_JPEG_MAGIC):
            raise RuleViolation(INVALID_PHOTO, f"photo {number} is not a JPEG", field="photos")
        if len(photo.jpeg) > MAX_PHOTO_BYTES:
            raise RuleViolation(
                INVALID_PHOTO,
                f"photo {number} is {len(photo.jpeg) // 1024} KB; the limit is "
                f"{MAX_PHOTO_BYTES // 1024} KB",
                field="photos",
            )
        if len(photo.caption) > MAX_CAPTION:
            raise RuleViolation(
                INVALID_PHOTO,
                f"photo {number}'s caption is longer than {MAX_CAPTION} characters",
                field="photos",
            )
    return list(photos)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class JourneyLog:
    """Field actions on one user's journeys, each through LocalWriteService."""

    def __init__(self, writes: LocalWriteService, *, now: Callable[[], dt.datetime] = _now) -> None:
        self.writes = writes
        self.store = writes.store
        self.now = now

    def record_step(
        self,
        journey_id: uuid.UUID,
        event_type: JourneyEventType,
        *,
        at: dt.datetime | None = None,
        note: str | None = None,
    ) -> uuid.UUID:
        """Arrived, started, break start/end, finished: refused when out of order or time."""
        at = at or self.now()
        updates = self._may_update()
        with self.writes.batch() as batch:
            journey = self._journey(batch, journey_id)
            check_step(_timeline(batch, journey_id), event_type, at)
            event_id = self._event(batch, journey_id, event_type, at, note=note)
            changes: dict[str, Any] = {}
            if event_type is E.ARRIVED_ORIGIN:
                changes["actual_start"] = at
                if journey["status"] != J.IN_PROGRESS:
                    changes["status"] = J.IN_PROGRESS
            elif event_type is E.UNLOADING_FINISHED:
                changes["actual_end"] = at
            self._update(batch, journey, changes if updates else {})
        return event_id

    def record_note(self, journey_id: uuid.UUID, text: str) -> uuid.UUID:
        note = _required(text, "Write the note first.", "note")
        with self.writes.batch() as batch:
            self._journey(batch, journey_id)
            return self._event(batch, journey_id, E.NOTE, self.now(), note=note)

    def record_damage(
        self,
        journey_id: uuid.UUID,
        *,
        item: str,
        description: str,
        acknowledged: bool = False,
        photos: Sequence[DamagePhoto] = (),
    ) -> uuid.UUID:
        """A damage report: what, how, whether the customer saw it, and its photos.

        Each photo is a PHOTO event; the DAMAGE event lists their ids. All of
        them commit (and queue for sync) together or not at all.
        """
        what = _required(item, "Name the damaged item.", "item")
        how = _required(description, "Describe the damage.", "description")
        checked = _checked_photos(photos)
        at = self.now()
        with self.writes.batch() as batch:
            self._journey(batch, journey_id)
            photo_ids = [self._photo(batch, journey_id, at, p) for p in checked]
            payload = {
                "item": what,
                "description": how,
                "photo_ids": [str(i) for i in photo_ids],
                "customer_acknowledged": bool(acknowledged),
            }
            return self._event(batch, journey_id, E.DAMAGE, at, note=how, payload=payload)

    def sign(self, journey_id: uuid.UUID, *, signer_name: str, png: bytes) -> uuid.UUID:
        """The customer's signature: PNG in the event, signer and time on the journey."""
        name = acceptance.signer(signer_name)
        png_base64 = acceptance.signature_document(png)["png_base64"]
        at = self.now()
        updates = self._may_update()
        with self.writes.batch() as batch:
            journey = self._journey(batch, journey_id)
            payload = {"png_base64": png_base64, "signer_name": name}
            event_id = self._event(batch, journey_id, E.SIGNATURE, at, payload=payload)
            if updates:
                self._update(batch, journey, {"signer_name": name, "signed_at": at})
        return event_id

    def complete(self, journey_id: uuid.UUID) -> None:
        """Close the job: work finished and signed; status COMPLETED with billable hours."""
        require(self._grants(), "journey", A.UPDATE)
        with self.writes.batch() as batch:
            journey = self._journey(batch, journey_id)
            events = _timeline(batch, journey_id)
            signed = any(e.event_type is E.SIGNATURE for e in events)
            blocker = completion_blocker(events, signed=signed)
            if blocker:
                raise RuleViolation(INVALID_TRANSITION, blocker, field="status")
            at = max(self.now(), *(e.occurred_at for e in events))
            self._event(batch, journey_id, E.COMPLETED, at)
            hours = worked_hours([*events, TimelineEvent(E.COMPLETED, at)])
            self._update(
                batch,
                journey,
                {"status": J.COMPLETED, "completed_at": at, "billable_hours": hours},
            )

    # -- helpers ---------------------------------------------------------------

    def _grants(self) -> Any:
        return user_grants(self.store, signed_in_user(self.store, self.writes.user_id))

    def _may_update(self) -> bool:
        """Crew members only log events; the lead also keeps the journey's actuals."""
        return may(self._grants(), "journey", A.UPDATE)

    def _journey(self, batch: WriteBatch, journey_id: uuid.UUID) -> dict[str, Any]:
        journey = batch.read("journey", journey_id)
        if journey is None or journey["deleted_at"] is not None:
            raise RowNotFound(f"no journey {journey_id} on this device")
        if journey["status"] in (J.COMPLETED, J.CANCELLED):
            raise RuleViolation(
                INVALID_TRANSITION,
                f"the journey is {str(journey['status']).lower()}: its timeline is closed",
                field="status",
            )
        return journey

    def _photo(
        self, batch: WriteBatch, journey_id: uuid.UUID, at: dt.datetime, photo: DamagePhoto
    ) -> uuid.UUID:
        photo_id = uuid7()
        caption = photo.caption.strip() or None
        payload = {
            "photo_id": str(photo_id),
            "caption": caption,
            "jpeg_base64": base64.b64encode(photo.jpeg).decode("ascii"),
            "width": photo.width,
            "height": photo.height,
        }
        return self._event(
            batch, journey_id, E.PHOTO, at, note=caption, payload=payload, event_id=photo_id
        )

    def _event(
        self,
        batch: WriteBatch,
        journey_id: uuid.UUID,
        kind: JourneyEventType,
        at: dt.datetime,
        *,
        note: str | None = None,
        payload: dict[str, Any] | None = None,
        event_id: uuid.UUID | None = None,
    ) -> uuid.UUID:
        device = self.writes.device_id
        return batch.insert(
            "journey_event",
            {
                "id": event_id,
                "journey_id": journey_id,
                "event_type": kind,
                "occurred_at": at,
                "recorded_by": self.writes.user_id,
                "device_id": None if device is None else uuid.UUID(str(device)),
                "note": (note or "").strip() or None,
                "payload": payload or {},
            },
        )

    def _update(self, batch: WriteBatch, journey: dict[str, Any], changes: dict[str, Any]) -> None:
        """The journey's actuals; a status the state machine refuses is left as it is."""
        if not changes:
            return
        target = changes.get("status")
        if target is not None and J(target) not in journey_transitions(J(journey["status"])):
            changes.pop("status")
        batch.update("journey", journey["id"], changes)


def _timeline(batch: WriteBatch, journey_id: uuid.UUID) -> list[TimelineEvent]:
    e = table_for("journey_event")
    rows = batch.conn.execute(
        select(e.c.event_type, e.c.occurred_at).where(
            e.c.journey_id == journey_id, e.c.deleted_at.is_(None)
        )
    )
    return [TimelineEvent(E(kind), _aware(at)) for kind, at in rows]


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _required(text: str, message: str, field: str) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise RuleViolation("required", message, field=field)
    return cleaned
