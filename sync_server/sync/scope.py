"""A user's buckets and what their pushes may touch: one set of rules for reads and writes.

``user_buckets`` reads the stored grants (RolePermission of the role refined
by live UserPermission rows) and maps them with ``shared_models.sync.buckets``;
``check_write`` requires that the row, before and after, sits where the user
can read it and that their grant for the action reaches it (DESIGN 7); a
quote's discount approval (``approved_by``) also needs the APPROVE grant, given
in the approver's own name.
"""

from __future__ import annotations

import functools
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from shared_models.enums import PermissionAction, PermissionScope
from shared_models.rules.errors import RuleViolation
from shared_models.rules.quote_workflow import check_approver
from shared_models.sync.buckets import (
    LOCATION_KINDS,
    LOCATION_VIA,
    BucketKind,
    Grants,
    ScopeUser,
    bucket_name,
    bucketed_tables,
    compute_buckets,
    effective_grants,
)
from shared_models.sync.buckets import kinds_of_table as _kinds_of_table
from sync_server.sync.ownership import owns_row

__all__ = ["PermissionDenied", "check_write", "load_grants", "scope_user", "user_buckets"]

#: ``(table, id) -> row or None``: rows the caller already holds (a push batch keeps
#: every row it loaded or wrote, current within its transaction), so a check of
#: 1,000 quote items does not ask PostgreSQL for their quote 1,000 times.
#: BUCKET_TABLES is a constant: a 1,000-mutation push should not rebuild these 1,000 times.
_BUCKETED = functools.lru_cache(maxsize=1)(bucketed_tables)
kinds_of_table = functools.lru_cache(maxsize=None)(_kinds_of_table)
_bucket_name = functools.lru_cache(maxsize=4096)(bucket_name)

RowLookup = Callable[[str, uuid.UUID], Mapping[str, Any] | None]

_ACTION = {
    "insert": PermissionAction.CREATE,
    "update": PermissionAction.UPDATE,
    "delete": PermissionAction.DELETE,
}


class PermissionDenied(Exception):
    """A write the user may not make; the API answers 403 ``permission_denied``."""

    def __init__(self, message: str, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = dict(details or {})


def scope_user(user: Any) -> ScopeUser:
    return ScopeUser(
        id=user.id,
        tenant_id=user.tenant_id,
        role=str(user.role),
        location_id=user.location_id,
        scope=PermissionScope(user.scope or PermissionScope.OWN),
    )


#: A user's grants and the tenant's live locations in ONE round trip: every pull and
#: push asks, and three small queries cost more in latency than in work. The role's
#: rows come with ``granted`` NULL; the user's own overrides carry it.
_SCOPE_SQL = text("""
SELECT 'role' AS kind, resource, action, scope, NULL::boolean AS granted, NULL::uuid AS location
  FROM role_permission
 WHERE tenant_id = :tenant AND role = :role AND deleted_at IS NULL
UNION ALL
SELECT 'user', resource, action, scope, granted, NULL
  FROM user_permission
 WHERE tenant_id = :tenant AND user_id = :user AND deleted_at IS NULL
   AND (expires_at IS NULL OR expires_at > now())
UNION ALL
SELECT 'location', NULL, NULL, NULL, NULL, id
  FROM location
 WHERE tenant_id = :tenant AND deleted_at IS NULL
""")


#: The same rows as ``_SCOPE_SQL``, folded into one digest by PostgreSQL: a request
#: whose user, role and grants did not change reuses the grants and buckets computed
#: last time instead of fetching and folding ~150 rows again (every pull and push asks).
_SCOPE_DIGEST_SQL = text(
    "SELECT md5(coalesce(string_agg(concat_ws('|', kind, resource, action, scope, granted,"
    " location), ',' ORDER BY kind, resource, action, scope, granted, location), ''))"
    f" FROM ({_SCOPE_SQL.text}) s"
)
_SCOPE_CACHE_SIZE = 4096
_scope_cache: OrderedDict[tuple[Any, ...], tuple[Grants, tuple[str, ...]]] = OrderedDict()
_scope_cache_lock = threading.Lock()


def _load_scope(session: Session, user: Any) -> tuple[Grants, list[str]]:
    """The user's effective grants and bucket names, from the stored rows.

    Cached per process under a digest of those rows (and the user's role, scope
    and location), so a change of any grant or location is seen by the next
    request, on every server process, without any invalidation message.
    """
    params = {"tenant": user.tenant_id, "role": str(user.role), "user": user.id}
    digest = session.execute(_SCOPE_DIGEST_SQL, params).scalar_one()
    key = (user.tenant_id, user.id, str(user.role), user.scope, user.location_id, digest)
    with _scope_cache_lock:
        hit = _scope_cache.get(key)
        if hit is not None:
            _scope_cache.move_to_end(key)
    if hit is None:
        hit = _compute_scope(session, user, params)
        with _scope_cache_lock:
            _scope_cache[key] = hit
            while len(_scope_cache) > _SCOPE_CACHE_SIZE:
                _scope_cache.popitem(last=False)
    # Shared between requests: the grants are read-only, the bucket list a copy.
    return hit[0], list(hit[1])


def _compute_scope(
    session: Session, user: Any, params: Mapping[str, Any]
) -> tuple[Grants, tuple[str, ...]]:
    rows = session.execute(_SCOPE_SQL, params).all()
    role_rows = [(r.resource, r.action, r.scope) for r in rows if r.kind == "role"]
    overrides = [(r.resource, r.action, r.scope, r.granted) for r in rows if r.kind == "user"]
    locations = [r.location for r in rows if r.kind == "location"]
    fallback = PermissionScope(user.scope or PermissionScope.OWN)
    grants = effective_grants(role_rows, overrides, fallback)
    buckets = tuple(compute_buckets(scope_user(user), grants, locations))
    return MappingProxyType(grants), buckets


def load_grants(session: Session, user: Any) -> Grants:
    """The user's effective (resource, action) -> scope (RolePermission refined by UserPermission)."""
    return _load_scope(session, user)[0]


def user_buckets(session: Session, user: Any) -> list[str]:
    """The bucket names ``user`` may pull, sorted."""
    return _load_scope(session, user)[1]


def warm_scope(session: Session, user: Any) -> None:
    """Load the user's grants and buckets now (e.g. before taking the tenant write lock)."""
    _cached_scope(session, user)


def _cached_scope(session: Session, user: Any) -> tuple[Grants, frozenset[str]]:
    """Grants and buckets once per session and user: a 1,000-mutation push asks 1,000 times."""
    cache = session.info.setdefault("cnc_scope", {})
    if user.id not in cache:
        grants, buckets = _load_scope(session, user)
        cache[user.id] = (grants, frozenset(buckets))
    return cache[user.id]


def _cached_user(session: Session, user: Any) -> ScopeUser:
    """``scope_user`` once per session and user (it parses enums: hot in a big push)."""
    cache = session.info.setdefault("cnc_scope_user", {})
    if user.id not in cache:
        cache[user.id] = scope_user(user)
    return cache[user.id]


def _location_of(
    session: Session, table: str, row: Mapping[str, Any], lookup: RowLookup | None = None
) -> uuid.UUID | None:
    """The branch a row belongs to: its own column, or its parent's (quote_item -> quote)."""
    if table == "location":
        return _uuid(row.get("id"))
    if table in LOCATION_VIA:
        parent, fk = LOCATION_VIA[table]
        parent_id = _uuid(row.get(fk))
        if parent_id is None:
            return None
        if lookup is not None:
            held = lookup(parent, parent_id)
            return None if held is None else _uuid(held.get("location_id"))
        return session.execute(
            text(f'SELECT location_id FROM "{parent}" WHERE id = :id'), {"id": parent_id}
        ).scalar()
    return _uuid(row.get("location_id"))


def _uuid(value: Any) -> uuid.UUID | None:
    if value is None or isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(str(value))


def _reaches(
    session: Session,
    user: ScopeUser,
    scope: PermissionScope,
    table: str,
    row: Mapping[str, Any],
    location: uuid.UUID | None,
    lookup: RowLookup | None = None,
) -> bool:
    if scope in (PermissionScope.CLIENT, PermissionScope.ALL):
        return True
    if scope is PermissionScope.LOCATION:
        return location is not None and location == user.location_id
    return owns_row(session, user, table, row, lookup=lookup)


def _in_my_buckets(
    session: Session,
    user: ScopeUser,
    table: str,
    row: Mapping[str, Any],
    location: uuid.UUID | None,
    mine: frozenset[str],
    lookup: RowLookup | None = None,
) -> bool:
    """Whether this state of the row sits in one of ``mine`` (the user's buckets).

    The tenant and location buckets are names; only when none of them is the
    user's is ownership (the ``own`` and ``crew_jobs`` buckets) asked, which
    costs queries.
    """
    kinds = kinds_of_table(table)
    if (
        BucketKind.TENANT_REF in kinds
        and _bucket_name(BucketKind.TENANT_REF, user.tenant_id) in mine
    ):
        return True
    if location is not None and any(
        _bucket_name(k, location) in mine for k in kinds if k in LOCATION_KINDS
    ):
        return True
    personal = (_bucket_name(BucketKind.OWN, user.id), _bucket_name(BucketKind.CREW_JOBS, user.id))
    if not any(name in mine for name in personal):
        return False
    return owns_row(session, user, table, row, lookup=lookup)


def can_read(
    session: Session,
    user: Any,
    table: str,
    row: Mapping[str, Any],
    *,
    lookup: RowLookup | None = None,
) -> bool:
    """Whether ``row`` (as stored) sits in one of ``user``'s buckets: what a refusal may show."""
    su = _cached_user(session, user)
    if _uuid(row.get("tenant_id", su.tenant_id)) != su.tenant_id:
        return False
    _, mine = _cached_scope(session, user)
    location = _location_of(session, table, row, lookup)
    return _in_my_buckets(session, su, table, row, location, mine, lookup)


def check_write(
    session: Session,
    user: Any,
    table: str,
    op: str,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any],
    *,
    lookup: RowLookup | None = None,
) -> None:
    """Raise PermissionDenied unless ``user`` may apply ``op`` turning ``old`` into ``new``.

    ``lookup`` (optional) answers parent rows from the caller's current copies
    instead of a query each; it must reflect the transaction's own writes.
    """
    details = {"table": table, "op": op}
    if table not in _BUCKETED() or table == "tenant":
        raise PermissionDenied(f"{table} cannot be written by clients", details)
    action = _ACTION.get(op)
    if action is None:
        raise PermissionDenied(f"unknown operation {op!r}", details)
    su = _cached_user(session, user)
    for state in (old, new):
        if state is not None and _uuid(state.get("tenant_id")) != su.tenant_id:
            raise PermissionDenied("the row belongs to another tenant", details)
    grants, mine = _cached_scope(session, user)
    scope = grants.get((table, action))
    if scope is None:
        raise PermissionDenied(f"no permission to {op} {table}", details)
    for label, state in (("old", old), ("new", new)):
        if state is None:
            continue
        merged = {**(old or {}), **state} if label == "new" else state
        location = _location_of(session, table, merged, lookup)
        if not _in_my_buckets(session, su, table, merged, location, mine, lookup):
            raise PermissionDenied(
                f"the {table} row is outside your scope", {**details, "state": label}
            )
        if not _reaches(session, su, scope, table, merged, location, lookup):
            raise PermissionDenied(
                f"your {scope.value} permission to {op} {table} does not reach this row",
                {**details, "state": label, "scope": scope.value},
            )
    if table == "quote" and new is not None:
        _check_approval(session, su, grants, old, {**(old or {}), **new}, lookup)


def _check_approval(
    session: Session,
    su: ScopeUser,
    grants: Grants,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any],
    lookup: RowLookup | None,
) -> None:
    """Setting ``approved_by`` needs the APPROVE grant over the quote, in one's own name."""
    approver = _uuid(new.get("approved_by"))
    if approver is None or approver == _uuid((old or {}).get("approved_by")):
        return
    scope = grants.get(("quote", PermissionAction.APPROVE))
    location = _location_of(session, "quote", new, lookup)
    may = scope is not None and _reaches(session, su, scope, "quote", new, location, lookup)
    try:
        check_approver(approver, su.id, may_approve=may)
    except RuleViolation as exc:
        raise PermissionDenied(
            exc.message, {"table": "quote", "field": "approved_by", "code": exc.code}
        ) from None
