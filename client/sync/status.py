"""``SyncStatus``: the one value the status bar and ``cnc-client status`` show.

Persistent facts (pending count, last sync, last error, rejections) come from
the replica, so a fresh process reports what the last one left; the
uploading/downloading flags are the running engine's.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from client.sync import outbox, rejections
from client.sync.db import META_LAST_ERROR, META_LAST_SYNC_AT, META_NEEDS_SIGN_IN, get_meta
from client.sync.push import STUCK_AFTER

META_UPDATE_REQUIRED = "update_required"


@dataclass(frozen=True)
class SyncStatus:
    online: bool
    uploading: bool
    downloading: bool
    pending: int
    last_synced_at: str | None
    last_error: str | None
    rejections: int
    needs_sign_in: bool = False
    update_required: bool = False
    #: The first queued change has failed ``STUCK_AFTER`` times or more.
    stalled: bool = False
    wiped: bool = False

    @property
    def summary(self) -> str:
        """One line for a status bar."""
        if self.wiped:
            return "this device was revoked: local data erased"
        parts = ["online" if self.online else "offline"]
        if self.needs_sign_in:
            parts.append("sign in again")
        if self.update_required:
            parts.append("update required")
        if self.uploading:
            parts.append("uploading")
        if self.downloading:
            parts.append("downloading")
        parts.append(f"{self.pending} change(s) waiting")
        if self.stalled:
            parts.append("upload stalled")
        if self.rejections:
            parts.append(f"{self.rejections} sync issue(s)")
        parts.append(f"last sync {self.last_synced_at or 'never'}")
        return " · ".join(parts)


def read_status(
    conn: Connection,
    *,
    online: bool = False,
    uploading: bool = False,
    downloading: bool = False,
) -> SyncStatus:
    head = outbox.pending(conn, limit=1)
    return SyncStatus(
        online=online,
        uploading=uploading,
        downloading=downloading,
        pending=outbox.count(conn),
        last_synced_at=get_meta(conn, META_LAST_SYNC_AT),
        last_error=get_meta(conn, META_LAST_ERROR),
        rejections=rejections.count_unresolved(conn),
        needs_sign_in=get_meta(conn, META_NEEDS_SIGN_IN) == "1",
        update_required=get_meta(conn, META_UPDATE_REQUIRED) == "1",
        stalled=bool(head) and head[0].attempts >= STUCK_AFTER,
    )
