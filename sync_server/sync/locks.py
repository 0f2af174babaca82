"""The per-tenant write lock that keeps pulls from skipping a change (DESIGN 3).

Versions come from one sequence, and transactions may commit out of order: T1
takes 100, T2 takes 101 and commits first, a puller reads 101 and moves its
cursor past 100 before T1 commits. Every transaction that writes synced rows
of a tenant therefore takes this lock *before* drawing versions and holds it
to commit, so one tenant's versions become visible in increasing order.
Pulls never take it; readers are not blocked.
"""

from __future__ import annotations

import hashlib
import uuid

from sqlalchemy import text
from sqlalchemy.orm import Session

#: Namespace of our advisory-lock keys (first 4 bytes), so other tools' locks never collide.
_NAMESPACE = 0x434E43  # "CNC"


def tenant_lock_key(tenant_id: uuid.UUID) -> int:
    """A signed 64-bit advisory-lock key for ``tenant_id``."""
    digest = hashlib.blake2b(tenant_id.bytes, digest_size=4).digest()
    return (_NAMESPACE << 32 | int.from_bytes(digest, "big")) - (1 << 63)


def lock_tenant_for_write(session: Session, tenant_id: uuid.UUID) -> None:
    """Block until this transaction is the tenant's only writer; released at commit/rollback."""
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": tenant_lock_key(tenant_id)})
