"""Server-assigned row versions (DESIGN 3): every write takes a number from one sequence.

A ``before_flush`` hook stamps each new or changed synced row, so no code path
can write a row a puller would never see. The no-skip rule (no version may
commit behind a puller's cursor) is enforced by the sync engine's lock around
this stamping: the hook takes the tenant's write lock before drawing numbers.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Sequence, event, text
from sqlalchemy.orm import Session

from shared_models.base import Base
from sync_server.sync.locks import lock_tenant_for_write

#: One sequence for every synced table: a single cursor orders all changes.
VERSION_SEQUENCE = Sequence("sync_version_seq", metadata=Base.metadata, start=1)


def next_versions(session: Session, count: int) -> list[int]:
    """Reserve ``count`` versions in one round trip."""
    if count <= 0:
        return []
    rows = session.execute(
        text("SELECT nextval('sync_version_seq') FROM generate_series(1, :n)"), {"n": count}
    )
    return [row[0] for row in rows]


_STAMPED = "cnc_versioning_stamped"


def _needs_version(session: Session, obj: Any) -> bool:
    if not getattr(type(obj), "__synced__", False):
        return False
    return obj in session.new or session.is_modified(obj, include_collections=False)


def _tenant_of(obj: Any) -> Any:
    return getattr(obj, "tenant_id", None) or getattr(obj, "id", None)


def _stamp(session: Session, flush_context: Any, instances: Any) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return  # the client replica never assigns versions: the server does
    pending = [obj for obj in (*session.new, *session.dirty) if _needs_version(session, obj)]
    if not pending:
        return
    # Lock before drawing versions (sync_server.sync.locks); sorted to avoid deadlocks.
    for tenant_id in sorted({_tenant_of(obj) for obj in pending} - {None}):
        lock_tenant_for_write(session, tenant_id)
    stamped = session.info.setdefault(_STAMPED, [])
    for obj, version in zip(pending, next_versions(session, len(pending)), strict=True):
        obj.version = version
        stamped.append((_tenant_of(obj), type(obj).__tablename__, obj, version))


def _record_memberships(session: Session, flush_context: Any) -> None:
    """Put the rows just written into the membership log, or no pull would ever see them."""
    from sync_server.sync.membership import update_memberships

    stamped = session.info.pop(_STAMPED, [])
    by_tenant: dict[Any, tuple[dict[str, set[Any]], int]] = {}
    for tenant_id, table, obj, version in stamped:
        changed, top = by_tenant.get(tenant_id, ({}, 0))
        changed.setdefault(table, set()).add(obj.id)
        by_tenant[tenant_id] = (changed, max(top, version))
    for tenant_id, (changed, version) in by_tenant.items():
        update_memberships(session, tenant_id, changed, version)


class VersionedSession(Session):
    """The server's ORM session: every synced row it writes gets a version and memberships.

    A subclass rather than a process-wide hook on ``Session``, so the behaviour
    belongs to the server's session factory and never leaks into other code
    (a test's plain SQLite session, the client's replica).
    """


def install_versioning(session_class: type[Session] | Any = VersionedSession) -> None:
    """Stamp versions and log memberships on flush for ``session_class`` (idempotent)."""
    if not event.contains(session_class, "before_flush", _stamp):
        event.listen(session_class, "before_flush", _stamp)
        event.listen(session_class, "after_flush_postexec", _record_memberships)


install_versioning(VersionedSession)
