"""The second wall between tenants (DESIGN 7): PostgreSQL row-level security per request.

Every table with a ``tenant_id`` has a policy (migration 0010) that lets the
role ``cnc_app`` see and write only rows of the tenant named by the setting
``cnc.tenant_id``. Once a request has authenticated its user, its session
runs every transaction as that role with that setting, so a bug in the
application's own scoping can still not read or write another tenant's rows.
An unset tenant fails closed (the policy's ``current_setting`` raises).

Work that is not one tenant's (sign-in looking a user up by e-mail, token
refresh, the admin CLI, seeding, migrations, webhooks that find their tenant
from the event) runs as the connecting role, which owns the tables.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.orm import Session, SessionTransaction

APP_ROLE = "cnc_app"
TENANT_SETTING = "cnc.tenant_id"
_INFO_KEY = "cnc_tenant"

__all__ = ["APP_ROLE", "TENANT_SETTING", "bind_tenant", "bound_tenant", "install"]


def _statements(tenant_id: uuid.UUID) -> tuple[str]:
    # SET cannot take bind parameters; a UUID's canonical text is safe to inline. Both are
    # utility commands, so a later SET TRANSACTION ISOLATION LEVEL still comes first; sent
    # as one string, they cost one round trip.
    return (
        (f"SET LOCAL ROLE {APP_ROLE}; SET LOCAL {TENANT_SETTING} = '{uuid.UUID(str(tenant_id))}'"),
    )


def bind_tenant(session: Session, tenant_id: uuid.UUID) -> None:
    """Run this session's transactions, the current one included, walled into ``tenant_id``."""
    session.info[_INFO_KEY] = uuid.UUID(str(tenant_id))
    if session.in_transaction():
        connection = session.connection()
        for statement in _statements(session.info[_INFO_KEY]):
            connection.exec_driver_sql(statement)


def bound_tenant(session: Session) -> uuid.UUID | None:
    return session.info.get(_INFO_KEY)


def _on_begin(session: Session, transaction: SessionTransaction, connection: Connection) -> Any:
    tenant_id = session.info.get(_INFO_KEY)
    # A SAVEPOINT runs inside a transaction that already has the settings (SET LOCAL
    # lasts until that transaction ends): saying them again costs a round trip.
    if tenant_id is not None and not transaction.nested:
        for statement in _statements(tenant_id):
            connection.exec_driver_sql(statement)


def install(session_class: type[Session]) -> None:
    """Apply bound tenants at the start of every transaction of ``session_class`` (idempotent)."""
    if not event.contains(session_class, "after_begin", _on_begin):
        event.listen(session_class, "after_begin", _on_begin)
